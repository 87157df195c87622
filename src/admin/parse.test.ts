// The four-letter-word parsers on answers real ZooKeeper 3.8 and the bundled server gave, and on the
// corner cases they print less often (read-only, -1 zxids, other time zones, refusals).
import t from 'tap'
import { REAL } from './fixtures.test-helper.js'
import {
  javaDate,
  parseConf,
  parseCons,
  parseDump,
  parseEnvi,
  parseIsro,
  parseMntr,
  parseRuok,
  parseSrvr,
  parseStat,
  parseWchs,
  refusal,
} from './parse.js'
import { ShapeError } from './shape.js'

const SESSION = 0x100004ea50c0000n
const ZXID = 0x100000002n

t.test('srvr: a leader, with its proposal sizes', async (t) => {
  const r = parseSrvr(REAL['leader.4lw.srvr']!)
  t.match(r, {
    version: /^3\.8\.0-/,
    readOnly: false,
    mode: 'leader',
    zxid: ZXID,
    nodeCount: 6,
    connections: 1,
    outstandingRequests: 0,
    packetsReceived: 3,
    packetsSent: 2,
  })
  t.same(r.latency, { min: 0, avg: 0, max: 0 })
  t.same(r.proposalSizes, { last: 89, min: 48, max: 89 })
  t.equal(r.raw, REAL['leader.4lw.srvr'])
  t.notOk('clients' in r, 'srvr has no client list')
})

t.test('stat: a follower, its clients included', async (t) => {
  const r = parseStat(REAL['follower.4lw.stat']!)
  t.match(r, { mode: 'follower', zxid: ZXID, proposalSizes: undefined })
  t.same(r.latency, { min: 1, avg: 5.25, max: 13 })
  t.same(r.clients, [
    { address: '127.0.0.1:37846', interestOps: 0, outstandingRequests: 0, packetsReceived: 1, packetsSent: 0 },
    { address: '127.0.0.1:37826', interestOps: 1, outstandingRequests: 0, packetsReceived: 4, packetsSent: 4 },
  ])
})

t.test('srvr: the bundled server, a read-only server, a 64-bit zxid', async (t) => {
  const bundled =
    'Zookeeper version: 3.8.0-zookit, built on 2026-11-24 00:00 UTC\nLatency min/avg/max: 0/0.0/0\nReceived: 0\nSent: 0\nConnections: 1\nOutstanding: 0\nZxid: 0x0\nMode: standalone\nNode count: 4\n'
  t.match(parseSrvr(bundled), { mode: 'standalone', zxid: 0n, nodeCount: 4 })
  const ro = bundled
    .replace('\nLatency', '\nREAD-ONLY mode; serving only read-only clients\nLatency')
    .replace('standalone', 'read-only')
    .replace('0x0', '0xffffffffffffffff')
  t.match(parseSrvr(ro), { mode: 'read-only', readOnly: true, zxid: -1n })
  t.match(parseSrvr(bundled.replace('0x0', '0x7fffffff00000001')), { zxid: 0x7fffffff00000001n })
})

t.test('srvr: answers of another shape are ShapeErrors', async (t) => {
  t.throws(() => parseSrvr('hello'), ShapeError)
  t.throws(() => parseSrvr(REAL['leader.4lw.srvr']!.replace('Mode: leader', 'Mode: boss')), /unknown server mode "boss"/)
  t.throws(() => parseSrvr(REAL['leader.4lw.srvr']!.replace(/Zxid: .*\n/, '')), /no "Zxid:" line/)
  t.throws(() => parseSrvr(REAL['leader.4lw.srvr']!.replace('Received: 3', 'Received: many')), /Received: expected a number/)
})

t.test('cons: sessions with their fields, connections without one', async (t) => {
  const r = parseCons(REAL['follower.4lw.cons']!)
  t.equal(r.connections.length, 2)
  t.same(r.connections[0], {
    address: '127.0.0.1:37878',
    interestOps: 0,
    outstandingRequests: 0,
    packetsReceived: 1,
    packetsSent: 0,
    session: undefined,
  })
  t.same(r.connections[1]!.session, {
    sessionId: SESSION,
    lastOperation: 'GETC',
    established: 1796183212771,
    sessionTimeout: 30000,
    lastCxid: 3,
    lastZxid: ZXID,
    lastResponseTime: 5154516,
    lastLatency: 1,
    minLatency: 0,
    avgLatency: 5,
    maxLatency: 13,
  })
  t.same(r.secureConnections, [])
  // Before its first request a session has no lcxid, and a zxid of -1 prints as ffff….
  const fresh = parseCons(
    ' host/10.0.0.1:5[1](queued=0,recved=1,sent=1,sid=0x1,lop=NA,est=1,to=4000,lzxid=0xffffffffffffffff,lresp=0,llat=0,minlat=0,avglat=0,maxlat=0)\n\n',
  )
  t.match(fresh.connections[0], { address: '10.0.0.1:5', session: { sessionId: 1n, lastCxid: undefined, lastZxid: -1n } })
  t.match(parseCons(' /[0:0:0:0:0:0:0:1]:41000[1](queued=0,recved=1,sent=0)\n\n').connections[0], { address: '[0:0:0:0:0:0:0:1]:41000' })
  t.same(parseCons('\n').connections, [], 'no connections')
  t.throws(() => parseCons('Connections:\n'), ShapeError)
})

t.test('conf: a quorum peer lists its settings and the membership', async (t) => {
  const r = parseConf(REAL['leader.4lw.conf']!)
  t.match(r, {
    clientPort: 36039,
    tickTime: 2000,
    maxClientCnxns: 0,
    minSessionTimeout: 4000,
    maxSessionTimeout: 40000,
    serverId: 3,
    clientPortListenBacklog: -1,
  })
  t.match(r.dataDir, /server-3\/data\/version-2$/)
  t.equal(r.dataLogDir, r.dataDir)
  t.same(
    r.servers.map((s) => s.id),
    [1, 2, 3],
  )
  t.equal(r.servers[2]!.spec, '127.0.0.1:39523:43525:participant')
  t.match(r.settings, { initLimit: '10', syncLimit: '5', electionAlg: '3', peerType: '0', quorumPort: '39523', version: '0' })
  t.notOk('server.1' in r.settings, 'members are not settings')
  // The bundled quorum prints server.N lines without the "membership:" line; 3.6 has no backlog.
  const bundled = parseConf(
    'clientPort=1\nsecureClientPort=-1\ndataDir=(in memory)\ndataDirSize=0\ndataLogDir=(in memory)\ndataLogSize=0\ntickTime=2000\nmaxClientCnxns=0\nminSessionTimeout=4000\nmaxSessionTimeout=40000\nserverId=1\nserver.1=127.0.0.1:2:2:participant\n',
  )
  t.match(bundled, { serverId: 1, clientPortListenBacklog: undefined, servers: [{ id: 1, spec: '127.0.0.1:2:2:participant' }] })
  t.throws(() => parseConf('clientPort=1\n'), /no dataDir=/)
  t.throws(() => parseConf('not a setting\n'), /expected key=value/)
})

t.test('envi', async (t) => {
  const r = parseEnvi('Environment:\nzookeeper.version=3.8.0-x, built on y\njava.class.path=/a.jar:/b=c.jar\nos.name=Linux\n')
  t.same(r.environment, { 'zookeeper.version': '3.8.0-x, built on y', 'java.class.path': '/a.jar:/b=c.jar', 'os.name': 'Linux' })
  t.throws(() => parseEnvi('imok'), ShapeError)
})

t.test('mntr: the common values typed, every value kept', async (t) => {
  const r = parseMntr(REAL['leader.4lw.mntr']!)
  t.match(r, {
    version: /^3\.8\.0-/,
    mode: 'leader',
    peerState: 'leading - broadcast',
    avgLatency: 0,
    znodeCount: 6,
    ephemeralsCount: 1,
    watchCount: 0,
    approximateDataSize: 187,
    syncedFollowers: 2,
    pendingSyncs: 0,
    maxFileDescriptorCount: 20000,
  })
  t.equal(r.metrics.quorum_size, 3)
  t.equal(r.metrics.connection_drop_probability, 0)
  t.equal(r.metrics.peer_state, 'leading - broadcast')
  t.notOk(
    Object.keys(r.metrics).some((k) => k.startsWith('zk_')),
    'names without the zk_ prefix',
  )
  const follower = parseMntr(REAL['follower.4lw.mntr']!)
  t.match(follower, { mode: 'follower', syncedFollowers: undefined, pendingSyncs: undefined, ephemeralsCount: 1 })
  const bundled = parseMntr(
    'zk_version\tv\nzk_server_state\tstandalone\nzk_avg_latency\t0\nzk_max_latency\t0\nzk_min_latency\t0\nzk_packets_received\t0\nzk_packets_sent\t0\nzk_num_alive_connections\t1\nzk_outstanding_requests\t0\nzk_znode_count\t4\nzk_watch_count\t0\nzk_ephemerals_count\t0\nzk_approximate_data_size\t0\nzk_open_file_descriptor_count\t1\nzk_max_file_descriptor_count\t4096\nzk_uptime\t9\nzk_odd\tnull\nzk_tiny\t1.0E-4\n',
  )
  t.match(bundled, { mode: 'standalone', peerState: undefined, openFileDescriptorCount: 1 })
  t.equal(bundled.metrics.tiny, 0.0001, 'Java doubles')
  t.notOk('odd' in bundled.metrics, 'null values are left out')
  t.throws(() => parseMntr('version 3.8\n'), /expected zk_<name><TAB><value>/)
  t.throws(() => parseMntr('zk_version\tv\n'), ShapeError)
})

t.test('wchs', async (t) => {
  t.match(parseWchs(REAL['follower.4lw.wchs']!), { connections: 1, paths: 1, watches: 1 })
  t.match(parseWchs('0 connections watching 0 paths\nTotal watches:0\n'), { connections: 0, paths: 0, watches: 0 })
  t.throws(() => parseWchs('imok'), ShapeError)
})

t.test('dump: a leader knows deadlines, a follower timeouts', async (t) => {
  const leader = parseDump(REAL['leader.4lw.dump']!)
  t.equal(leader.clock, 'wall')
  t.same(leader.sessions, [{ sessionId: SESSION, expiresAt: Date.UTC(2026, 11, 2, 3, 47, 24), timeout: undefined }])
  t.same(leader.ephemerals, [{ sessionId: SESSION, paths: ['/eph'] }])
  t.same(leader.connections, [{ address: '127.0.0.1:35696', sessionId: 0n, expiresAt: Date.UTC(2026, 11, 2, 3, 47, 8) }])
  const follower = parseDump(REAL['follower.4lw.dump']!)
  t.same(follower.sessions, [{ sessionId: SESSION, expiresAt: undefined, timeout: 30000 }])
  t.same(
    follower.connections.map((c) => c.sessionId),
    [0n, SESSION],
  )
  const local = parseDump(
    'SessionTracker dump:\nLocal Session Sets (1)/(1):\n1 expire at Wed Dec 02 03:47:24 UTC 2026:\n\t0x5\nGlobal Session Sets (0)/(0):\nephemeral nodes dump:\nSessions with Ephemerals (0):\n',
  )
  t.same(
    local.sessions.map((s) => s.sessionId),
    [5n],
    'local sessions are listed too',
  )
  t.throws(() => parseDump('imok'), ShapeError)
  t.throws(() => parseDump('SessionTracker dump:\nsomething else\n'), /unexpected line/)
})

t.test('javaDate: UTC exactly, US zones through Date.parse, other zones undefined', async (t) => {
  t.equal(javaDate('Wed Dec 02 03:41:44 UTC 2026'), Date.UTC(2026, 11, 2, 3, 41, 44))
  t.equal(javaDate('Thu Jan 01 00:00:00 GMT 1970'), 0)
  t.equal(javaDate('Wed Dec 02 03:41:44 PST 2026'), Date.UTC(2026, 11, 2, 11, 41, 44))
  t.equal(javaDate('Wed Dec 02 03:41:44 CEST 2026'), undefined)
  t.throws(() => javaDate('2026-12-02T03:41:44Z'), ShapeError)
})

t.test('ruok, isro and the refusals', async (t) => {
  t.match(parseRuok('imok'), { ok: true, raw: 'imok' })
  t.match(parseRuok('nope'), { ok: false })
  t.match(parseIsro('rw'), { readOnly: false })
  t.match(parseIsro('ro'), { readOnly: true })
  t.throws(() => parseIsro('yes'), ShapeError)
  t.equal(refusal('mntr', 'mntr is not executed because it is not in the whitelist.\n'), 'NOTWHITELISTED')
  t.equal(refusal('srvr', 'This ZooKeeper instance is not currently serving requests\n'), 'NOTSERVING')
  t.equal(refusal('isro', 'null'), 'NOTSERVING')
  t.equal(refusal('srvr', REAL['leader.4lw.srvr']!), undefined)
  t.equal(refusal('srvr', 'mntr is not executed because it is not in the whitelist.\n'), undefined, 'only for the word asked')
})
