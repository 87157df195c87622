// Recipes against each target (real ZooKeeper 3.8 and the bundled ensemble): contention without lost
// updates, lease limits, and one leader at a time when the leader's session is killed.
import t from 'tap'
import { eachTarget, harness, killSession } from './harness.js'
import { Mutex, Semaphore, LeaderLatch, Queue, DistributedAtomicLong } from '../recipes/index.js'
import type { ZooKeeper } from '../src/index.js'

eachTarget(t, { tickTime: 500 }, async (t, cluster) => {
  t.test('mutex: read-modify-write from 4 clients loses nothing', async (t) => {
    const h = await harness(t, cluster)
    const zks = await Promise.all([0, 1, 2, 3].map(() => h.connect()))
    await zks[0]!.create('/n', '0')
    await Promise.all(
      zks.map(async (zk) => {
        const m = new Mutex(zk, '/lock')
        for (let i = 0; i < 8; i++) {
          await m.acquire()
          await zk.setData('/n', String(Number((await zk.getData('/n')).data) + 1))
          await m.release()
        }
      }),
    )
    t.equal((await zks[0]!.getData('/n')).data.toString(), '32')
    t.same(await zks[0]!.getChildren('/lock'), [])
  })

  t.test('semaphore: at most 2 leases out; atomic long: no lost increments', async (t) => {
    const h = await harness(t, cluster)
    const zks = await Promise.all([0, 1, 2].map(() => h.connect()))
    let out = 0
    let peak = 0
    await Promise.all(
      zks.map(async (zk) => {
        const sem = new Semaphore(zk, '/sem', 2)
        const n = new DistributedAtomicLong(zk, '/count')
        for (let i = 0; i < 4; i++) {
          const lease = (await sem.acquire())!
          peak = Math.max(peak, ++out)
          await n.increment()
          out--
          await lease.close()
        }
      }),
    )
    t.ok(peak <= 2, `peak ${peak}`)
    t.equal(await new DistributedAtomicLong(zks[0]!, '/count').get(), 12n)
  })

  t.test('leader latch: the next participant leads when the leader session is killed', async (t) => {
    const h = await harness(t, cluster)
    const zks = await Promise.all([0, 1].map(() => h.connect()))
    const latches = zks.map((zk, i) => new LeaderLatch(zk, '/latch', `p${i}`))
    let both = 0
    for (const l of latches) l.on('isLeader', () => (both += latches.every((x) => x.hasLeadership()) ? 1 : 0))
    await latches[0]!.start()
    t.ok(await latches[0]!.await({ timeout: 10_000 }))
    await latches[1]!.start()
    const lost = new Promise<void>((r) => latches[0]!.once('notLeader', () => r()))
    await killSession(h.connectString, zks[0] as ZooKeeper)
    await lost
    t.ok(await latches[1]!.await({ timeout: 20_000 }), 'the survivor leads')
    t.equal(both, 0, 'never two leaders')
    await latches[1]!.close()
  })

  t.test('queue: FIFO across a producer and two consumers', async (t) => {
    const h = await harness(t, cluster)
    const [p, c1, c2] = await Promise.all([0, 1, 2].map(() => h.connect()))
    for (let i = 0; i < 10; i++) await new Queue(p!, '/q').put(String(i))
    const got = await Promise.all(
      [c1!, c2!].map(async (zk) => {
        const out: number[] = []
        for (let item; (item = await new Queue(zk, '/q').take({ timeout: 100 }));) out.push(Number(item))
        return out
      }),
    )
    t.same(
      [...got[0]!, ...got[1]!].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    )
    for (const list of got)
      t.same(
        list,
        [...list].sort((a, b) => a - b),
      )
  })
})
