// PriorityQueue, LockingQueue and TreeCache against the bundled ensemble.
import t from 'tap'
import { ensembleWithClients } from '../src/testing/ensemble-clients.js'
import { PriorityQueue, LockingQueue, TreeCache, priorityToString } from './index.js'

t.test('priority queue: lowest priority value first, FIFO among equals; Curator names', async (t) => {
  const { zks } = await ensembleWithClients(t, 1)
  const q = new PriorityQueue(zks[0]!, '/pq')
  await q.put('low', 10)
  await q.put('urgent', -5)
  await q.put('mid-1', 3)
  await q.put('mid-2', 3)
  const order: string[] = []
  for (let item; (item = await q.take({ timeout: 50 }));) order.push(item.toString())
  t.same(order, ['urgent', 'mid-1', 'mid-2', 'low'])
  t.equal(priorityToString(3), '100000003')
  t.equal(priorityToString(-1), '0FFFFFFFF')
})

t.test('locking queue: a failed consumer leaves the item for the next', async (t) => {
  const { zks } = await ensembleWithClients(t, 2)
  const q = new LockingQueue(zks[0]!, '/lq')
  await q.put('job')
  await t.rejects(
    q.consume(async () => {
      throw new Error('crashed mid-job')
    }),
    /crashed/,
  )
  const seen: string[] = []
  t.ok(await new LockingQueue(zks[1]!, '/lq').consume(async (item) => void seen.push(item.toString()), { timeout: 2000 }))
  t.same(seen, ['job'])
  t.equal(await new LockingQueue(zks[1]!, '/lq').consume(async () => {}, { timeout: 50 }), false, 'the item was consumed once')
  t.same(await zks[0]!.getChildren('/lq-locks'), [], 'no lock left')
})

t.test('tree cache follows a subtree', async (t) => {
  const { zks } = await ensembleWithClients(t, 2)
  const [a, b] = zks as [NonNullable<(typeof zks)[0]>, NonNullable<(typeof zks)[0]>]
  await b.createAll('/tree/x/y', 'leaf')
  const cache = new TreeCache(a, '/tree')
  t.teardown(() => cache.close())
  await cache.start()
  t.equal(cache.size, 3)
  t.equal(cache.get('/tree/x/y')?.data.toString(), 'leaf')
  const added = new Promise<string>((r) => cache.once('added', (p: string) => r(p)))
  await b.create('/tree/x/z', 'new')
  t.equal(await added, '/tree/x/z')
  const updated = new Promise<string>((r) => cache.once('updated', (p: string, n: { data: Buffer }) => r(`${p}=${n.data}`)))
  await b.setData('/tree/x/y', 'changed')
  t.equal(await updated, '/tree/x/y=changed')
  t.same(cache.children('/tree/x'), ['y', 'z'])
  const removed = new Promise<string>((r) => cache.once('removed', (p: string) => r(p)))
  await b.delete('/tree/x/z')
  t.equal(await removed, '/tree/x/z')
  t.equal(cache.get('/tree/x/z'), undefined)
})
