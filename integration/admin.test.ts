// zookit/admin against live servers: real ZooKeeper 3.8 (standalone and a 3-server ensemble, over the
// four-letter words and its AdminServer, and with a restricted 4lw.commands.whitelist) and the bundled
// ensemble (standalone and a quorum's leader and followers, over both too; it has no whitelist).
import t, { type Test } from 'tap'
import { ZooKeeper, CreateMode } from '../src/index.js'
import { startEnsemble } from '../src/ensemble/index.js'
import { realZooKeeperAvailable, startRealZooKeeper } from '../src/testing/real-zookeeper.js'
import {
  AdminNotServingError,
  AdminNotWhitelistedError,
  AdminServerClient,
  FourLetterClient,
  type AdminCommands,
} from '../src/admin/index.js'

// Real servers take seconds to start; three of them start here.
t.setTimeout(300_000)
const noRealZooKeeper = realZooKeeperAvailable() ? false : 'Debian zookeeper is not installed (apt-get install zookeeper)'

/** A session with an ephemeral node and a data watch, for the commands to report. */
async function session(t: Test, connectString: string): Promise<ZooKeeper> {
  const zk = await ZooKeeper.connect(connectString)
  t.teardown(() => zk.close())
  await zk.create('/admin-eph', 'x', { mode: CreateMode.EPHEMERAL })
  await zk.getData('/admin-eph', { watch: () => {} })
  return zk
}

/** What every command says about a server `zk` is connected to, its last write `/admin-eph`. */
async function checkServing(t: Test, admin: AdminCommands, zk: ZooKeeper, expect: { mode: string; clientPort: number }): Promise<void> {
  const stat = (await zk.exists('/admin-eph'))!
  t.match(await admin.ruok(), { ok: true })
  t.match(await admin.isro(), { readOnly: false })
  const srvr = await admin.srvr()
  t.match(srvr, { mode: expect.mode, readOnly: false })
  t.equal(srvr.zxid, stat.czxid, 'srvr: the zxid of the last write')
  t.ok(srvr.nodeCount >= 5, 'srvr: the node count')
  t.equal((await admin.envi()).environment['zookeeper.version'], srvr.version, 'envi: the same version')
  t.ok((await admin.stat()).clients.length >= 1, 'stat: the client')
  const mine = (await admin.cons()).connections.find((c) => c.session?.sessionId === zk.sessionId)
  t.ok(mine, 'cons: the session, its id exact')
  t.equal(mine?.session?.lastZxid, stat.czxid, 'cons: its last zxid')
  t.match(await admin.conf(), { clientPort: expect.clientPort, tickTime: 2000 })
  t.match(await admin.mntr(), { mode: expect.mode, ephemeralsCount: 1, znodeCount: srvr.nodeCount })
  t.match(await admin.wchs(), { connections: 1, paths: 1, watches: 1 })
  const dump = await admin.dump()
  t.same(dump.ephemerals, [{ sessionId: zk.sessionId, paths: ['/admin-eph'] }], 'dump: the ephemeral node')
  // A leader or a standalone server knows its sessions' deadlines; a ZooKeeper follower only their
  // timeouts over the client port, none over HTTP (the bundled follower gives deadlines).
  const tracked = dump.sessions.find((s) => s.sessionId === zk.sessionId)
  if (expect.mode === 'follower')
    t.ok(
      tracked === undefined || tracked.timeout === zk.sessionTimeout || typeof tracked.expiresAt === 'number',
      "dump: a follower's session",
    )
  else t.type(tracked?.expiresAt, 'number', "dump: the session's deadline")
}

t.test('real ZooKeeper 3.8 standalone, over the client port and the AdminServer', { skip: noRealZooKeeper }, async (t) => {
  const real = await startRealZooKeeper({ adminServer: true })
  t.teardown(() => real.stop())
  const [server] = real.servers
  const zk = await session(t, real.connectString)
  const words = new FourLetterClient(`127.0.0.1:${server!.clientPort}`)
  const http = new AdminServerClient(`http://127.0.0.1:${server!.adminPort}`)
  await t.test('four-letter words', (t) => checkServing(t, words, zk, { mode: 'standalone', clientPort: server!.clientPort }))
  await t.test('AdminServer', (t) => checkServing(t, http, zk, { mode: 'standalone', clientPort: server!.clientPort }))
  t.test('both give the same srvr and conf', async (t) => {
    const [a, b] = await Promise.all([words.srvr(), http.srvr()])
    for (const key of ['version', 'mode', 'zxid', 'nodeCount', 'readOnly'] as const) t.same(a[key], b[key], key)
    const [c, d] = await Promise.all([words.conf(), http.conf()])
    for (const key of [
      'clientPort',
      'dataDir',
      'dataLogDir',
      'tickTime',
      'maxClientCnxns',
      'minSessionTimeout',
      'maxSessionTimeout',
      'serverId',
      'clientPortListenBacklog',
    ] as const)
      t.same(c[key], d[key], key)
  })
  t.test('an unknown AdminServer command is AdminCommandError', async (t) => {
    await t.rejects(http.command('no_such_command'), { code: 'COMMANDFAILED', serverError: 'Unknown command: no_such_command' })
  })
})

t.test('real ZooKeeper 3.8 ensemble of 3: the leader and a follower, both ways', { skip: noRealZooKeeper }, async (t) => {
  const real = await startRealZooKeeper({ size: 3, adminServer: true })
  t.teardown(() => real.stop())
  const modes = await Promise.all(real.servers.map(async (s) => (await new FourLetterClient(`127.0.0.1:${s.clientPort}`).srvr()).mode))
  t.same([...modes].sort(), ['follower', 'follower', 'leader'])
  const leader = real.servers[modes.indexOf('leader')]!
  const follower = real.servers[modes.indexOf('follower')]!
  const zk = await session(t, `127.0.0.1:${follower.clientPort}`)
  await zk.sync('/')
  for (const [name, admin] of [
    ['four-letter words', (s: typeof leader) => new FourLetterClient(`127.0.0.1:${s.clientPort}`)],
    ['AdminServer', (s: typeof leader) => new AdminServerClient(`http://127.0.0.1:${s.adminPort}`)],
  ] as const) {
    await t.test(name, async (t) => {
      await t.test('follower', (t) => checkServing(t, admin(follower), zk, { mode: 'follower', clientPort: follower.clientPort }))
      const lead = admin(leader)
      const srvr = await lead.srvr()
      t.match(srvr, { mode: 'leader', zxid: (await zk.exists('/admin-eph'))!.czxid })
      t.type(srvr.proposalSizes?.max, 'number', 'a leader reports proposal sizes')
      t.match(await lead.mntr(), { mode: 'leader', peerState: 'leading - broadcast', syncedFollowers: 2, pendingSyncs: 0 })
      const dump = await lead.dump()
      t.type(dump.sessions.find((s) => s.sessionId === zk.sessionId)?.expiresAt, 'number', "the leader tracks the session's deadline")
    })
  }
  t.test('conf over the client port lists the members', async (t) => {
    const conf = await new FourLetterClient(`127.0.0.1:${leader.clientPort}`).conf()
    t.same(
      conf.servers.map((s) => s.id),
      [1, 2, 3],
    )
    t.equal(conf.serverId, leader.id)
  })
})

t.test('real ZooKeeper 3.8 with a restricted 4lw.commands.whitelist', { skip: noRealZooKeeper }, async (t) => {
  const real = await startRealZooKeeper({ fourLetterWords: ['ruok'] })
  t.teardown(() => real.stop())
  const words = new FourLetterClient(real.connectString)
  t.match(await words.ruok(), { ok: true })
  t.match(await words.srvr(), { mode: 'standalone' }, 'srvr (always allowed by startRealZooKeeper)')
  for (const word of ['mntr', 'conf', 'cons', 'dump', 'envi', 'wchs', 'isro', 'stat'] as const) {
    const err = await words[word]().catch((e: unknown) => e)
    t.type(err, AdminNotWhitelistedError, `${word} is refused`)
    t.match(err, { command: word, server: real.connectString })
  }
})

t.test('bundled standalone server, over the client port and its AdminServer', async (t) => {
  const ens = await startEnsemble({ adminPort: 0 })
  t.teardown(() => ens.stop())
  const zk = await session(t, ens.connectString)
  const clientPort = Number(ens.connectString.split(':')[1])
  const words = new FourLetterClient(ens.connectString)
  const http = new AdminServerClient(`http://127.0.0.1:${ens.adminPortOf(0)}`)
  await t.test('four-letter words', (t) => checkServing(t, words, zk, { mode: 'standalone', clientPort }))
  await t.test('AdminServer', (t) => checkServing(t, http, zk, { mode: 'standalone', clientPort }))
  const [a, b] = await Promise.all([words.srvr(), http.srvr()])
  for (const key of ['version', 'mode', 'zxid', 'nodeCount', 'readOnly'] as const) t.same(a[key], b[key], `srvr ${key} the same both ways`)
  await t.rejects(http.command('no_such_command'), { code: 'COMMANDFAILED', serverError: 'Unknown command: no_such_command' })
})

t.test('bundled quorum of 3: the leader and the followers both ways, and a server without a quorum', async (t) => {
  const ens = await startEnsemble({ size: 3, adminPort: 0 })
  t.teardown(() => ens.stop())
  const leader = ens.leader()!
  const followers = [0, 1, 2].filter((i) => i !== leader)
  const zk = await session(t, ens.connectStringOf(followers[0]!))
  await zk.sync('/')
  const port = (i: number) => Number(ens.connectStringOf(i).split(':')[1])
  const clients = [
    ['four-letter words', (i: number) => new FourLetterClient(ens.connectStringOf(i))],
    ['AdminServer', (i: number) => new AdminServerClient(`http://127.0.0.1:${ens.adminPortOf(i)}`)],
  ] as const
  for (const [name, admin] of clients) {
    await t.test(name, async (t) => {
      await t.test('follower', (t) => checkServing(t, admin(followers[0]!), zk, { mode: 'follower', clientPort: port(followers[0]!) }))
      const srvr = await admin(leader).srvr()
      t.match(srvr, { mode: 'leader', zxid: (await zk.exists('/admin-eph'))!.czxid })
      t.type(srvr.proposalSizes?.max, 'number', 'a leader reports proposal sizes')
      t.match(await admin(leader).mntr(), { mode: 'leader', syncedFollowers: 2 })
      t.match(await admin(followers[1]!).mntr(), { mode: 'follower' })
    })
  }
  t.same(
    (await new FourLetterClient(ens.connectStringOf(leader)).conf()).servers.map((s) => s.id),
    [1, 2, 3],
    'conf lists the members',
  )
  // With both others gone the last one stops serving: srvr is refused both ways. ruok still answers
  // over the client port (the process is up); the AdminServer, as ZooKeeper's, refuses it too.
  await zk.close()
  await ens.kill(leader)
  await ens.kill(followers[1]!)
  // Wait for it to give up its leader (its peer says so), then ask.
  await ens.waitForMode(followers[0]!, 'looking')
  for (const [name, admin] of clients) {
    const last = admin(followers[0]!)
    const refused = await last.srvr().catch((e: unknown) => e)
    t.type(refused, AdminNotServingError, `${name}: srvr is not serving`)
    if (name === 'AdminServer') await t.rejects(last.ruok(), AdminNotServingError, `${name}: ruok is not serving`)
    else t.match(await last.ruok(), { ok: true }, `${name}: ruok still answers`)
  }
})
