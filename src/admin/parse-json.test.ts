// The AdminServer mappers on JSON real ZooKeeper 3.8 gave: the same typed results as the four-letter
// words where the data is the same (checked against the words' answers of the same servers).
import t from 'tap'
import { REAL } from './fixtures.test-helper.js'
import { parseJson, type JsonObject } from './json.js'
import { parseCons, parseMntr, parseStat } from './parse.js'
import {
  confFromJson,
  consFromJson,
  dumpFromJson,
  enviFromJson,
  isroFromJson,
  mntrFromJson,
  ruokFromJson,
  srvrFromJson,
  statFromJson,
  wchsFromJson,
  type JsonAnswer,
} from './parse-json.js'
import { ShapeError } from './shape.js'

const answer = (key: string): JsonAnswer => ({ json: parseJson(REAL[key]!) as JsonObject, raw: REAL[key]! })
const SESSION = 0x100004ea50c0000n

t.test('srvr and stat: the same fields as the words', async (t) => {
  const leader = srvrFromJson(answer('leader.http.srvr'))
  const words = parseStat(REAL['leader.4lw.srvr']!)
  for (const key of ['version', 'readOnly', 'mode', 'zxid', 'nodeCount', 'proposalSizes'] as const) t.same(leader[key], words[key], key)
  t.same(leader.latency, { min: 0, avg: 0, max: 0 })
  t.equal(leader.raw, REAL['leader.http.srvr'])
  const follower = statFromJson(answer('follower.http.stat'))
  t.match(follower, { mode: 'follower', proposalSizes: undefined, zxid: 0x100000002n, connections: 1 })
  t.same(follower.latency, { min: 1, avg: 5.25, max: 13 })
  // The words list the asking connection as well; the session's connection is in both.
  t.same(
    follower.clients,
    parseStat(REAL['follower.4lw.stat']!).clients.filter((c) => c.address === '127.0.0.1:37826'),
  )
})

t.test('cons: the session id exact (beyond 2^53), as the words give it', async (t) => {
  const r = consFromJson(answer('follower.http.cons'))
  t.equal(r.connections.length, 1)
  t.equal(r.connections[0]!.session!.sessionId, SESSION)
  t.same(r.connections[0], parseCons(REAL['follower.4lw.cons']!).connections[1])
  t.same(r.secureConnections, [])
  const none = consFromJson({
    json: {
      connections: [
        {
          remote_socket_address: 'a:1',
          interest_ops: 0,
          outstanding_requests: 0,
          packets_received: 1,
          packets_sent: 0,
          session_id: 0,
          last_cxid: -1,
        },
      ],
    },
    raw: '',
  })
  t.equal(none.connections[0]!.session, undefined, 'no session before the handshake')
})

t.test('conf: the common settings typed, the rest in snake_case', async (t) => {
  const r = confFromJson(answer('leader.http.conf'))
  t.match(r, {
    clientPort: 36039,
    tickTime: 2000,
    maxClientCnxns: 0,
    minSessionTimeout: 4000,
    maxSessionTimeout: 40000,
    serverId: 3,
    clientPortListenBacklog: -1,
    servers: [],
  })
  t.match(r.dataDir, /server-3\/data\/version-2$/)
  t.equal(r.settings.tick_time, '2000')
  t.notOk('command' in r.settings || 'error' in r.settings, 'the envelope is not a setting')
})

t.test('mntr: the same names as the words, without the prefix', async (t) => {
  const r = mntrFromJson(answer('leader.http.mntr'))
  t.match(r, { mode: 'leader', peerState: 'leading - broadcast', syncedFollowers: 2, znodeCount: 6, ephemeralsCount: 1 })
  t.same(Object.keys(r.metrics).sort(), Object.keys(parseMntr(REAL['leader.4lw.mntr']!).metrics).sort())
})

t.test('envi, wchs, isro, ruok', async (t) => {
  const envi = enviFromJson(answer('leader.http.envi'))
  t.match(envi.environment, { 'zookeeper.version': /^3\.8\.0-/, 'os.name': 'Linux' })
  t.notOk('command' in envi.environment)
  t.match(wchsFromJson(answer('follower.http.wchs')), { connections: 1, paths: 1, watches: 1 })
  t.match(isroFromJson(answer('leader.http.isro')), { readOnly: false })
  t.match(ruokFromJson(answer('leader.http.ruok')), { ok: true })
})

t.test('dump: deadlines on the elapsed clock; a follower lists none', async (t) => {
  const leader = dumpFromJson(answer('leader.http.dump'))
  t.equal(leader.clock, 'elapsed')
  t.same(leader.sessions, [{ sessionId: SESSION, expiresAt: 5186000, timeout: undefined }])
  t.same(leader.ephemerals, [{ sessionId: SESSION, paths: ['/eph'] }])
  t.same(leader.connections, [])
  const follower = dumpFromJson(answer('follower.http.dump'))
  t.same(follower.sessions, [])
  t.same(follower.ephemerals, leader.ephemerals)
})

t.test('missing or mistyped fields are ShapeErrors naming the field', async (t) => {
  const srvr = answer('leader.http.srvr')
  const stats = srvr.json.server_stats as JsonObject
  t.throws(() => srvrFromJson({ ...srvr, json: { ...srvr.json, node_count: 'six' } }), /"node_count": expected a number, got "six"/)
  t.throws(() => srvrFromJson({ ...srvr, json: { ...srvr.json, server_stats: { ...stats, server_state: 'boss' } } }), /unknown server mode/)
  t.throws(() => srvrFromJson({ ...srvr, json: { version: 'x' } }), ShapeError)
  t.throws(() => wchsFromJson({ json: {}, raw: '{}' }), /no "num_connections" field/)
  t.throws(
    () => dumpFromJson({ json: { expiry_time_to_session_ids: { soon: [1] }, session_id_to_ephemeral_paths: {} }, raw: '' }),
    /expected a number as key/,
  )
  t.throws(() => consFromJson({ json: { connections: [1] }, raw: '' }), /expected a list of objects/)
})
