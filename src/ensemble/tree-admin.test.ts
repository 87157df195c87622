// Tree operations of a running ensemble (reset, loadTree, dumpTree, sessions): what open sessions
// and watches see, that a follower's client sees the change as soon as it resolves, that fixture
// ephemerals belong to live sessions, and that errors come back typed, across IPC too.
import t from 'tap'
import { startEnsemble, LeaderUnavailableError, TreeDumpError, type Ensemble } from './index.js'
import { AddWatchMode, CreateMode, QuotaExceededError, ZooKeeper, type WatchedEvent } from '../index.js'

async function connect(t: { teardown(fn: () => unknown): void }, connectString: string): Promise<ZooKeeper> {
  const zk = await ZooKeeper.connect(connectString, { sessionTimeout: 10_000 })
  t.teardown(() => zk.close())
  return zk
}

/** The first event `register` delivers. */
function nextEvent(register: (w: (e: WatchedEvent) => void) => Promise<unknown>): Promise<WatchedEvent> {
  return new Promise((resolve, reject) => void register(resolve).catch(reject))
}

const paths = async (e: Ensemble) => (await e.dumpTree()).nodes.map((n) => n.path)

t.test('reset: sessions stay, their ephemerals go, watchers hear ordinary deletes', async (t) => {
  const ens = await startEnsemble()
  t.teardown(() => ens.stop())
  const zk = await connect(t, ens.connectString)
  await zk.create('/app', 'x')
  await zk.create('/app/child', 'y')
  await zk.create('/mine', null, { mode: CreateMode.EPHEMERAL })
  await zk.setData('/', 'root data')
  const deleted = nextEvent((w) => zk.getData('/app', { watch: w }))
  const children = nextEvent((w) => zk.getChildren('/', { watch: w }))
  const recursive: WatchedEvent[] = []
  let created!: () => void
  const createdAgain = new Promise<void>((resolve) => (created = resolve))
  await zk.addWatch('/app', AddWatchMode.PERSISTENT_RECURSIVE, (e) => {
    recursive.push(e)
    if (e.type === 'created') created()
  })

  await ens.reset()
  t.same(await paths(ens), ['/'], 'only the root is left (and /zookeeper, which a dump leaves out)')
  t.match(await deleted, { type: 'deleted', path: '/app' }, 'a data watch fires NodeDeleted')
  t.match(await children, { type: 'childrenChanged', path: '/' })
  t.equal(zk.state, 'connected', 'the session is still open')
  t.same(await zk.getEphemerals(), [], 'its ephemeral went with the reset')
  t.equal((await zk.getData('/')).data.length, 0, "the root's data is reset")
  t.ok(await zk.getChildren('/zookeeper'), '/zookeeper is untouched')

  await zk.create('/app', 'again')
  await createdAgain
  t.same(
    recursive
      .map((e) => `${e.type} ${e.path}`)
      .slice(0, 2)
      .sort(),
    ['deleted /app', 'deleted /app/child'],
    'a persistent watch saw the deletes',
  )
  t.equal(recursive.at(-1)!.path, '/app', 'and stays registered for what the next test creates')
})

t.test('reset({ expireSessions: true }) expires every session first', async (t) => {
  const ens = await startEnsemble({ tickTime: 100 })
  t.teardown(() => ens.stop())
  const zk = await connect(t, ens.connectString)
  const expired = new Promise<void>((resolve) => zk.on('expired', () => resolve()))
  await zk.create('/e', null, { mode: CreateMode.EPHEMERAL })
  await ens.reset({ expireSessions: true })
  await expired
  t.same(await ens.sessions(), [], 'no session is left')
  t.same(await paths(ens), ['/'])
})

t.test('reset: quotas go, /zookeeper is as on a fresh ensemble, and the limits hold no more', async (t) => {
  const ens = await startEnsemble({ size: 3, enforceQuota: true })
  t.teardown(() => ens.stop())
  const zk = await connect(t, ens.connectStringOf(((await ens.waitForLeader()) + 1) % 3))
  const system = () =>
    Promise.all(
      ['/zookeeper', '/zookeeper/quota', '/zookeeper/config'].map(async (path) => ({
        path,
        children: (await zk.getChildren(path)).sort(),
        acl: (await zk.getACL(path)).acl,
        data: (await zk.getData(path)).data.toString('latin1'),
      })),
    )
  const fresh = await system()
  // What zkCli.sh's `setquota -N 2 /q` writes, then what a test might leave behind.
  await zk.create('/q')
  await zk.create('/zookeeper/quota/q')
  await zk.create('/zookeeper/quota/q/zookeeper_limits', 'count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=2')
  await zk.create('/zookeeper/quota/q/zookeeper_stats', 'count=0,bytes=0')
  await zk.create('/q/a')
  await t.rejects(zk.create('/q/b'), QuotaExceededError, 'the hard limit holds before the reset')
  await zk.setData('/zookeeper/quota', 'scribbled')
  await zk.create('/zookeeper/mine')

  await ens.reset()
  t.same(await system(), fresh, '/zookeeper, its quota and config nodes are as on a fresh ensemble')
  await zk.create('/q')
  for (const child of ['a', 'b', 'c']) await zk.create(`/q/${child}`)
  t.same((await zk.getChildren('/q')).sort(), ['a', 'b', 'c'], 'the old limit is not enforced any more')
  t.same(await zk.getChildren('/zookeeper/quota'), [], 'and no stats node came back')
})

t.test('a quorum: a follower serves the reset and the fixture as soon as they resolve', async (t) => {
  const ens = await startEnsemble({ size: 3 })
  t.teardown(() => ens.stop())
  const follower = ens.modes().findIndex((m) => m === 'follower')
  const zk = await connect(t, ens.connectStringOf(follower))
  await zk.create('/old', 'x')
  // The leader's txns reach this follower late: the other follower makes the quorum without it.
  ens.delayLink(ens.leader()!, follower, 300)
  await ens.reset()
  t.equal(await zk.exists('/old'), null, 'gone on the follower without a sync: reset waited for it')
  ens.heal()

  await ens.loadTree({
    nodes: [
      { path: '/config/db', data: 'postgres://' },
      { path: '/bin', encoding: 'base64', data: 'AAEC' },
      { path: '/locked', acl: [{ perms: 1, scheme: 'world', id: 'anyone' }] },
      { path: '/workers/w1', ephemeralOwner: `0x${zk.sessionId.toString(16)}` },
    ],
  })
  t.equal((await zk.getData('/config/db')).data.toString(), 'postgres://', 'the fixture is there on the follower')
  t.same((await zk.getData('/bin')).data, Buffer.from([0, 1, 2]))
  t.same((await zk.getACL('/locked')).acl, [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }])
  t.same(await zk.getEphemerals(), ['/workers/w1'], 'the ephemeral belongs to the live session named')
  t.same(
    (await ens.sessions()).map((s) => s.ephemerals),
    [['/workers/w1']],
  )
  const sequential = await zk.create('/config/n-', null, { mode: CreateMode.PERSISTENT_SEQUENTIAL })
  t.equal(sequential.path, '/config/n-0000000001', 'loaded nodes count their children from their creation as usual')

  // A dump of every server's tree is the same: they all applied the same txns.
  const dump = await ens.dumpTree()
  await ens.reset()
  await ens.loadTree(dump)
  t.same(
    (await ens.dumpTree()).nodes.map(({ stat: _s, ...n }) => n),
    dump.nodes.map(({ stat: _s, ...n }) => n),
    'a dump loads back as it was',
  )

  await zk.close()
  await t.rejects(ens.loadTree(dump), {
    name: 'TreeDumpError',
    message: /\/workers\/w1: its ephemeralOwner 0x[0-9a-f]+ is not a live session/,
  })
  t.ok((await paths(ens)).includes('/config/db'), 'a refused fixture changes nothing')
})

t.test('errors are typed: a bad fixture, no leader', async (t) => {
  const ens = await startEnsemble()
  t.teardown(() => ens.stop())
  await t.rejects(ens.loadTree({ nodes: [{ path: 'relative' }] }), TreeDumpError)
  await ens.kill()
  await t.rejects(ens.reset(), LeaderUnavailableError)
  await t.rejects(ens.dumpTree(), { name: 'LeaderUnavailableError', message: /the server is down/ })
  await ens.restart()
  t.same(await paths(ens), ['/'], 'back up, it answers again')
})

t.test('servers in processes: the same over IPC, errors keep their class', async (t) => {
  const ens = await startEnsemble({ size: 3, processes: true })
  t.teardown(() => ens.stop())
  const zk = await connect(t, ens.connectString)
  await zk.create('/p', 'from a client')
  const dump = await ens.dumpTree()
  t.equal(dump.nodes.find((n) => n.path === '/p')?.data, 'from a client')
  await ens.reset()
  t.equal(await zk.exists('/p'), null)
  await ens.loadTree(dump)
  t.equal((await zk.getData('/p')).data.toString(), 'from a client')
  t.same(
    (await ens.sessions()).map((s) => s.id),
    [zk.sessionId],
  )
  await t.rejects(
    ens.loadTree({ nodes: [{ path: '/e', ephemeralOwner: '0x7' }] }),
    TreeDumpError,
    'checked in the leader process, revived here',
  )
})
