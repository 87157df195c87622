// LeaderSelector, MultiLock, PersistentNode; orphan-free cleanup after a connection loss; and
// mutual exclusion across separate processes.
import t from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ensembleWithClients } from '../src/testing/ensemble-clients.js'
import { LeaderLatch, LeaderSelector, MultiLock, Mutex, PersistentNode } from './index.js'
import { ZooKeeper } from '../src/index.js'

t.test('leader selector: turns in order, one leader at a time, interrupted on close', async (t) => {
  const { zks } = await ensembleWithClients(t, 3)
  const turns: number[] = []
  let leading = 0
  let overlap = 0
  const done = new Promise<void>((resolve) => {
    const selectors = zks.map(
      (zk, i) =>
        new LeaderSelector(zk, '/select', async () => {
          if (++leading > 1) overlap++
          turns.push(i)
          await zk.sync('/')
          leading--
          if (turns.length === 6) resolve()
        }),
    )
    selectors.forEach((s) => s.start())
    t.teardown(() => Promise.all(selectors.map((s) => s.close())))
  })
  await done
  t.equal(overlap, 0, 'never two leaders')
  t.same([...new Set(turns)].sort(), [0, 1, 2], 'everyone led')
  let started!: () => void
  const elected = new Promise<void>((r) => (started = r))
  const long = new LeaderSelector(zks[0]!, '/select2', (signal) => {
    started()
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve()))
  })
  long.start()
  await elected
  t.ok(long.hasLeadership())
  await long.close()
  t.notOk(long.hasLeadership(), 'close() interrupts the leader')
})

t.test('multi lock: all or nothing', async (t) => {
  const { zks } = await ensembleWithClients(t, 2)
  const [a, b] = zks
  const ml = new MultiLock([new Mutex(a!, '/ml/1'), new Mutex(a!, '/ml/2')])
  t.ok(await ml.acquire())
  const other = new MultiLock([new Mutex(b!, '/ml/0'), new Mutex(b!, '/ml/2')])
  t.equal(await other.acquire({ timeout: 100 }), false)
  t.same(await b!.getChildren('/ml/0'), [], 'the lock it had taken was given back')
  await ml.release()
  t.ok(await other.acquire({ timeout: 2000 }))
  await other.release()
})

t.test('persistent node comes back after deletion', async (t) => {
  const { zks } = await ensembleWithClients(t, 2)
  const node = new PersistentNode(zks[0]!, '/pn/member', 'me')
  await node.start()
  const back = new Promise<void>((r) => node.once('ready', () => r()))
  await zks[1]!.delete('/pn/member')
  await back
  t.equal((await zks[1]!.getData('/pn/member')).data.toString(), 'me')
  await node.close()
  t.equal(await zks[1]!.exists('/pn/member'), null)
})

t.test('no orphan node when the connection drops while waiting for a lock', async (t) => {
  const { ens, zks } = await ensembleWithClients(t, 2, 4000)
  const holder = new Mutex(zks[0]!, '/orphan')
  await holder.acquire()
  const ac = new AbortController()
  const joined = new Promise<unknown>((r) => void zks[0]!.getChildren('/orphan', { watch: r }))
  const waiting = new Mutex(zks[1]!, '/orphan').acquire({ signal: ac.signal })
  await joined
  // Cut the waiter's connection (server side), then abort while it reconnects.
  ens.servers[0]!.connections.forEach((c) => c.sessionId === zks[1]!.sessionId && c.socket.destroy())
  ac.abort(new Error('give up'))
  await t.rejects(waiting, /give up/)
  await zks[1]!.waitForConnected()
  await zks[1]!.sync('/')
  t.equal((await zks[0]!.getChildren('/orphan')).length, 1, 'only the holder node remains')
  await holder.release()
})

t.test('mutual exclusion across processes', async (t) => {
  const { ens, zks } = await ensembleWithClients(t, 1)
  await zks[0]!.create('/xcount', '0')
  const worker = fileURLToPath(new URL('./testing/lock-worker.ts', import.meta.url))
  const runs = Array.from(
    { length: 3 },
    () =>
      new Promise<number | null>((resolve) => {
        const p = spawn(process.execPath, ['--import', 'tsx', worker, ens.connectString, '/xlock', '/xcount', '10'], { stdio: 'inherit' })
        p.on('exit', resolve)
      }),
  )
  t.same(await Promise.all(runs), [0, 0, 0], 'every worker finished')
  t.equal((await zks[0]!.getData('/xcount')).data.toString(), '30', 'no lost update')
})

t.test('after session expiry a renewing client gets a new session; persistent node and latch come back', async (t) => {
  const { ens } = await ensembleWithClients(t, 0)
  const zk = await ZooKeeper.connect(ens.connectString, { sessionTimeout: 2000, renewExpiredSession: true })
  t.teardown(() => zk.close())
  const watcher = await ZooKeeper.connect(ens.connectString)
  t.teardown(() => watcher.close())
  const node = new PersistentNode(zk, '/members/me', 'alive')
  await node.start()
  const latch = new LeaderLatch(zk, '/latch-renew', 'me')
  await latch.start()
  t.ok(await latch.await({ timeout: 5000 }))
  const first = zk.sessionId
  const states: string[] = []
  zk.on('state', (s: string) => states.push(s))
  const renewed = new Promise<void>((r) => zk.on('state', (s: string) => s === 'connected' && states.includes('expired') && r()))
  const back = new Promise<void>((r) => node.on('ready', () => zk.sessionId !== first && r()))
  ens.expireSession(first)
  await renewed
  t.not(zk.sessionId, first, 'a new session')
  t.ok(states.indexOf('expired') < states.lastIndexOf('connected'), 'expired, then connected again')
  await back
  const stat = await watcher.exists('/members/me')
  t.equal(stat?.ephemeralOwner, zk.sessionId, 'the ephemeral is back, owned by the new session')
  t.ok(await latch.await({ timeout: 5000 }), 'the latch leads again in the new session')
  await latch.close()
  await node.close()
})
