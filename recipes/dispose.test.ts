// Every recipe that holds something (a node, a watch, a lock, a waiting call) supports `await using`:
// its Symbol.asyncDispose calls its close/stop/release, and what it held is gone after the scope.
import t from 'tap'
import { ensembleWithClients } from '../src/testing/ensemble-clients.js'
import { IllegalStateError, BadArgumentsError, type ZooKeeper } from '../src/index.js'
import {
  ConfigWatcher,
  DoubleBarrier,
  LeaderLatch,
  LeaderSelector,
  LockingQueue,
  MultiLock,
  Mutex,
  NodeCache,
  PersistentNode,
  PriorityQueue,
  Queue,
  ReadWriteLock,
  SemaphoreMutex,
  ServiceDiscovery,
  SharedCount,
  TreeCache,
} from './index.js'

t.test('each closeable recipe: await using calls its close', async (t) => {
  const { zks } = await ensembleWithClients(t, 1)
  const zk = zks[0]!
  const closeables = {
    NodeCache: new NodeCache(zk, '/c/n'),
    ConfigWatcher: new ConfigWatcher(zk, '/c/cfg', 0),
    TreeCache: new TreeCache(zk, '/c'),
    PersistentNode: new PersistentNode(zk, '/c/p'),
    LeaderLatch: new LeaderLatch(zk, '/c/latch'),
    LeaderSelector: new LeaderSelector(zk, '/c/sel', async () => {}),
    ServiceDiscovery: new ServiceDiscovery(zk, '/c/services'),
    Queue: new Queue(zk, '/c/q'),
    PriorityQueue: new PriorityQueue(zk, '/c/pq'),
    LockingQueue: new LockingQueue(zk, '/c/lq'),
  }
  for (const [name, recipe] of Object.entries(closeables)) {
    let closed = 0
    const close = recipe.close.bind(recipe)
    recipe.close = (() => {
      closed++
      return close()
    }) as typeof close
    {
      await using held = recipe
      void held
    }
    t.equal(closed, 1, `${name}: disposed by calling close()`)
  }
})

t.test('what they held is gone after the scope', async (t) => {
  const { zks } = await ensembleWithClients(t, 2)
  const [zk, other] = zks as [NonNullable<(typeof zks)[0]>, NonNullable<(typeof zks)[0]>]

  {
    await using node = new PersistentNode(zk, '/held/member', 'me')
    await node.start()
    t.ok(await other.exists('/held/member'))
  }
  t.equal(await other.exists('/held/member'), null, 'PersistentNode: the node is deleted')

  {
    await using latch = new LeaderLatch(zk, '/held/latch', 'a')
    await latch.start()
    t.ok(await latch.await({ timeout: 5000 }))
  }
  t.same(await other.getChildren('/held/latch'), [], 'LeaderLatch: its node is deleted')

  let interrupted!: () => void
  const wasInterrupted = new Promise<void>((r) => (interrupted = r))
  {
    let elected!: () => void
    const leading = new Promise<void>((r) => (elected = r))
    await using selector = new LeaderSelector(zk, '/held/select', (signal) => {
      elected()
      return new Promise((resolve) => signal.addEventListener('abort', () => (interrupted(), resolve())))
    })
    selector.start()
    await leading
  }
  await wasInterrupted
  t.pass('LeaderSelector: the leader was interrupted')

  {
    await using discovery = new ServiceDiscovery(zk, '/held/services')
    await discovery.register({ name: 'api', id: 'one', port: 80 })
    t.same(await other.getChildren('/held/services/api'), ['one'])
  }
  t.same(await other.getChildren('/held/services/api'), [], 'ServiceDiscovery: its instances are unregistered')

  {
    await using cache = new TreeCache(zk, '/held')
    await cache.start()
    await zk.checkWatches('/held', 'persistentRecursive')
  }
  await t.rejects(zk.checkWatches('/held', 'persistentRecursive'), { name: 'NoWatcherError' }, 'TreeCache: its watch is removed')

  {
    await using mutex = new Mutex(zk, '/held/lock')
    t.ok(await mutex.acquire())
    t.ok(await mutex.acquire(), 're-entered')
  }
  t.same(await other.getChildren('/held/lock'), [], 'Mutex: released, every hold at once')

  {
    await using rw = new ReadWriteLock(zk, '/held/rw')
    t.ok(await rw.readLock.acquire())
    t.ok(await rw.readLock.acquire())
  }
  t.same(await other.getChildren('/held/rw'), [], 'ReadWriteLock: the read side released')
  {
    await using rw = new ReadWriteLock(zk, '/held/rw')
    t.ok(await rw.writeLock.acquire())
  }
  t.same(await other.getChildren('/held/rw'), [], 'ReadWriteLock: the write side released')

  {
    await using m = new SemaphoreMutex(zk, '/held/smutex')
    t.ok(await m.acquire())
  }
  t.same(await other.getChildren('/held/smutex/leases'), [], 'SemaphoreMutex: released')

  {
    await using ml = new MultiLock([new Mutex(zk, '/held/ml1'), new Mutex(zk, '/held/ml2')])
    t.ok(await ml.acquire())
  }
  t.same([...(await other.getChildren('/held/ml1')), ...(await other.getChildren('/held/ml2'))], [], 'MultiLock: every lock released')
  {
    await using unused = new Mutex(zk, '/held/never')
    void unused
  }
  t.pass('a lock that was never taken disposes quietly')

  const barrierPath = '/held/barrier'
  {
    await using member = new DoubleBarrier(zk, barrierPath, 2)
    t.equal(await member.enter({ timeout: 0 }), false, 'alone: timed out (its node removed)')
    await using again = new DoubleBarrier(zk, barrierPath, 1)
    t.ok(await again.enter())
    t.equal((await other.getChildren(barrierPath)).filter((c) => c !== 'ready').length, 1)
  }
  t.same(
    (await other.getChildren(barrierPath).catch(() => [])).filter((c) => c !== 'ready'),
    [],
    'DoubleBarrier: a member that did not leave removes its node',
  )

  const count = new SharedCount(zk, '/held/count', 1)
  await count.start()
  const seen: number[] = []
  let first!: () => void
  const gotFirst = new Promise<void>((r) => (first = r))
  {
    using stop = count.watch((v) => (seen.push(v), first()))
    await gotFirst
    void stop
  }
  await other.setData('/held/count', Buffer.from([0, 0, 0, 2]))
  await zk.sync('/held/count')
  await zk.getData('/held/count')
  t.same(seen, [1], 'SharedCount.watch: no value after the scope')
})

/** Resolves once the client has answered its next getChildren and one more round trip has passed: a queue's take() is then waiting. */
function waitingAfterNextListing(zk: ZooKeeper, path: string): Promise<void> {
  const getChildren = zk.getChildren
  return new Promise<void>((listed) => {
    zk.getChildren = async (...args) => {
      zk.getChildren = getChildren
      const children = await getChildren.apply(zk, args)
      listed()
      return children
    }
  }).then(() => zk.sync(path))
}

t.test('a closed queue ends its waiting calls and refuses new ones', async (t) => {
  const { zks } = await ensembleWithClients(t, 1)
  const zk = zks[0]!
  let waiting: Promise<unknown>
  {
    await using q = new Queue(zk, '/q')
    const isWaiting = waitingAfterNextListing(zk, '/q')
    waiting = q.take()
    await isWaiting
  }
  await t.rejects(waiting, IllegalStateError, 'a take() waiting when the scope ended rejects')
  await t.rejects(waiting, { op: 'Queue.take', path: '/q', message: /the queue is closed/ })

  const q = new Queue(zk, '/q')
  q.close()
  await t.rejects(q.put('x'), { name: 'IllegalStateError', op: 'Queue.put' })
  await t.rejects(q.take(), { name: 'IllegalStateError', op: 'Queue.take' })

  const pq = new PriorityQueue(zk, '/pq')
  const pqWaiting = waitingAfterNextListing(zk, '/pq')
  const pqTake = pq.take()
  await pqWaiting
  await pq[Symbol.asyncDispose]()
  await t.rejects(pqTake, IllegalStateError)
  await t.rejects(pq.put('x', 1), { name: 'IllegalStateError', op: 'PriorityQueue.put' })

  const lq = new LockingQueue(zk, '/lq')
  const lqWaiting = waitingAfterNextListing(zk, '/lq')
  const consuming = lq.consume(async () => {})
  await lqWaiting
  await lq[Symbol.asyncDispose]()
  await t.rejects(consuming, { name: 'IllegalStateError', op: 'LockingQueue.consume' })
  await t.rejects(lq.put('x'), { name: 'IllegalStateError', op: 'LockingQueue.put' })
})

t.test('recipes refuse callbacks that are not functions when given them', async (t) => {
  const { zks } = await ensembleWithClients(t, 1)
  const zk = zks[0]!
  const notAFunction = 'run' as never
  t.throws(() => new LeaderSelector(zk, '/s', notAFunction), {
    name: 'BadArgumentsError',
    op: 'LeaderSelector',
    path: '/s',
    message: /takeLeadership must be a function, not string/,
  })
  t.throws(() => new ConfigWatcher(zk, '/cfg', 0, notAFunction), {
    name: 'BadArgumentsError',
    op: 'ConfigWatcher',
    message: /parse must be a function/,
  })
  t.throws(() => new SharedCount(zk, '/n').watch(notAFunction), {
    name: 'BadArgumentsError',
    op: 'SharedCount.watch',
    message: /listener must be a function/,
  })
  await t.rejects(new LockingQueue(zk, '/lq').consume(notAFunction), BadArgumentsError)
  await t.rejects(new ServiceDiscovery(zk).instances('api', notAFunction), {
    name: 'BadArgumentsError',
    op: 'ServiceDiscovery.instances',
    message: /watch must be a function/,
  })
})
