// Semaphores, read/write locks, barriers, queue, counters, caches and discovery against the bundled
// ensemble, with several clients contending.
import t from 'tap'
import { ensembleWithClients } from '../src/testing/ensemble-clients.js'
import { ZooKeeper } from '../src/index.js'
import {
  Semaphore,
  SemaphoreMutex,
  ReadWriteLock,
  Barrier,
  DoubleBarrier,
  Queue,
  DistributedAtomicLong,
  SharedCount,
  NodeCache,
  ConfigWatcher,
  ServiceDiscovery,
  type NodeSnapshot,
} from './index.js'

const setup = ensembleWithClients

t.test('semaphore: never more than maxLeases holders; Curator layout', async (t) => {
  const { zks } = await setup(t, 5)
  let inside = 0
  let peak = 0
  await Promise.all(
    zks.map(async (zk) => {
      const sem = new Semaphore(zk, '/sem', 2)
      for (let i = 0; i < 3; i++) {
        const lease = await sem.acquire()
        t.ok(lease, 'lease', { diagnostic: false })
        t.match(lease!.path, /^\/sem\/leases\/_c_[0-9a-f-]{36}-lease-\d{10}$/, 'lease node name', { diagnostic: false })
        peak = Math.max(peak, ++inside)
        await zk.sync('/') // a round trip while holding
        inside--
        await lease!.close()
      }
    }),
  )
  t.ok(peak >= 1 && peak <= 2, `at most two holders at once (peak ${peak})`)
  const two = [await new Semaphore(zks[0]!, '/sem', 2).acquire(), await new Semaphore(zks[1]!, '/sem', 2).acquire()]
  t.equal(await new Semaphore(zks[2]!, '/sem', 2).acquire({ timeout: 100 }), undefined, 'a third waits while two leases are out')
  await Promise.all(two.map((l) => l!.close()))
  const m = new SemaphoreMutex(zks[0]!, '/smutex')
  t.ok(await m.acquire())
  t.equal(await new SemaphoreMutex(zks[1]!, '/smutex').acquire({ timeout: 100 }), false)
  await m.release()
  t.same(await zks[0]!.getChildren('/smutex/leases'), [], 'no lease left after timeout and release')
})

t.test('read/write lock: readers share, a writer excludes', async (t) => {
  const { zks } = await setup(t, 3)
  const r1 = new ReadWriteLock(zks[0]!, '/rw')
  const r2 = new ReadWriteLock(zks[1]!, '/rw')
  const w = new ReadWriteLock(zks[2]!, '/rw')
  t.ok(await r1.readLock.acquire())
  t.ok(await r2.readLock.acquire({ timeout: 1000 }), 'two readers at once')
  t.equal(await w.writeLock.acquire({ timeout: 100 }), false, 'the writer waits for readers')
  const writing = w.writeLock.acquire({ timeout: 5000 })
  await r1.readLock.release()
  await r2.readLock.release()
  t.equal(await writing, true)
  t.equal(await r1.readLock.acquire({ timeout: 100 }), false, 'a reader waits for the writer')
  const names = await zks[0]!.getChildren('/rw')
  t.ok(
    names.every((n) => /^_c_[0-9a-f-]{36}-__WRIT__\d{10}$/.test(n)),
    'Curator node names',
  )
  await w.writeLock.release()
  t.ok(await r1.readLock.acquire({ timeout: 1000 }))
  await r1.readLock.release()
})

t.test('barrier and double barrier release together', async (t) => {
  const { zks } = await setup(t, 3)
  const b = new Barrier(zks[0]!, '/barrier')
  await b.set()
  const waiting = zks.slice(1).map((zk) => new Barrier(zk, '/barrier').wait({ timeout: 5000 }))
  t.equal(await new Barrier(zks[1]!, '/barrier').wait({ timeout: 50 }), false, 'waits while set')
  await b.remove()
  t.same(await Promise.all(waiting), [true, true])

  const members = zks.map((zk) => new DoubleBarrier(zk, '/double', 3).enter({ timeout: 5000 }))
  t.same(await Promise.all(members), [true, true, true], 'all three enter once the third arrives')
  // enter and leave with the same instances:
  const doubles = zks.map((zk) => new DoubleBarrier(zk, '/double2', 2))
  t.same(await Promise.all(doubles.slice(0, 2).map((d) => d.enter({ timeout: 5000 }))), [true, true])
  t.same(await Promise.all(doubles.slice(0, 2).map((d) => d.leave({ timeout: 5000 }))), [true, true])
})

t.test('queue: FIFO, each item taken once by competing consumers', async (t) => {
  const { zks } = await setup(t, 3)
  const q = new Queue(zks[0]!, '/q')
  for (let i = 0; i < 20; i++) await q.put(`item-${i}`)
  const taken: string[][] = [[], []]
  await Promise.all(
    zks.slice(1).map(async (zk, c) => {
      const mine = new Queue(zk, '/q')
      for (;;) {
        const item = await mine.take({ timeout: 50 })
        if (!item) return
        taken[c]!.push(item.toString())
      }
    }),
  )
  const all = [...taken[0]!, ...taken[1]!]
  t.equal(all.length, 20)
  t.equal(new Set(all).size, 20, 'no item taken twice')
  for (const list of taken)
    t.same(
      list,
      [...list].sort((a, b) => Number(a.slice(5)) - Number(b.slice(5))),
      'each consumer sees FIFO order',
    )
  const later = new Queue(zks[1]!, '/q').take({ timeout: 5000 })
  await q.put('late')
  t.equal((await later)?.toString(), 'late', 'a waiting consumer is woken by a put')
})

t.test('atomic long and shared count: no lost updates', async (t) => {
  const { zks } = await setup(t, 4)
  await Promise.all(
    zks.map(async (zk) => {
      const n = new DistributedAtomicLong(zk, '/counters/long')
      for (let i = 0; i < 10; i++) t.ok((await n.increment()).succeeded, 'increment', { diagnostic: false })
    }),
  )
  t.equal(await new DistributedAtomicLong(zks[0]!, '/counters/long').get(), 40n)
  const sc = new SharedCount(zks[0]!, '/counters/shared', 7)
  await sc.start()
  const seen: number[] = []
  const stop = sc.watch((v) => seen.push(v))
  const v = await sc.getVersionedValue()
  t.same(v, { value: 7, version: 0 })
  t.ok(await sc.trySetCount(v.version, 8))
  t.notOk(await new SharedCount(zks[1]!, '/counters/shared').trySetCount(v.version, 9), 'a stale version loses')
  await zks[0]!.sync('/')
  await new Promise<void>((r) => (seen.includes(8) ? r() : sc.watch((x) => x === 8 && r())))
  stop()
  t.ok(seen.includes(7) && seen.includes(8))
})

t.test('node cache, config watcher and service discovery follow changes', async (t) => {
  const { zks } = await setup(t, 2)
  const [a, b] = zks as [ZooKeeper, ZooKeeper]
  const cache = new NodeCache(a, '/cfg')
  await cache.start()
  t.equal(cache.get(), undefined)
  const next = () => new Promise<NodeSnapshot | undefined>((r) => cache.once('change', r))
  let changed = next()
  await b.create('/cfg', JSON.stringify({ level: 1 }))
  t.equal((await changed)?.data.toString(), '{"level":1}')
  const cfg = new ConfigWatcher(a, '/cfg', { level: 0 })
  t.same(await cfg.start(), { level: 1 })
  const cfgChanged = new Promise((r) => cfg.once('change', r))
  changed = next()
  await b.setData('/cfg', JSON.stringify({ level: 2 }))
  await changed
  t.same(await cfgChanged, { level: 2 })
  cache.close()
  cfg.close()

  const da = new ServiceDiscovery(a)
  const db = new ServiceDiscovery(b)
  const watcher = da.watch('api')
  const lists: number[] = []
  const sawTwo = new Promise<void>((r) => watcher.on('change', (l: unknown[]) => (lists.push(l.length), l.length === 2 && r())))
  await da.register({ name: 'api', address: '10.0.0.1', port: 80 })
  const inst = await db.register({ name: 'api', address: '10.0.0.2', port: 80, payload: { zone: 'b' } })
  await sawTwo
  t.same((await da.instances('api')).map((i) => i.address).sort(), ['10.0.0.1', '10.0.0.2'])
  t.equal(inst.serviceType, 'DYNAMIC')
  const sawOne = new Promise<void>((r) => watcher.on('change', (l: unknown[]) => l.length === 1 && r()))
  await b.close() // its instance is ephemeral
  await sawOne
  t.same(
    (await da.instances('api')).map((i) => i.address),
    ['10.0.0.1'],
  )
  watcher.close()
})
