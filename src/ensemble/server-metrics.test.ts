import t from 'tap'
import { EventType } from '../protocol.js'
import { BufferStats, ServerMetrics, Summary, SummarySet, topNamespace } from './server-metrics.js'

t.test('the top namespace of a path, as PathUtils.getTopNamespace splits it', async (t) => {
  t.equal(topNamespace('/p'), 'p')
  t.equal(topNamespace('/zookeeper/config'), 'zookeeper')
  t.equal(topNamespace('/'), undefined, 'the root has none')
  t.equal(topNamespace(''), undefined)
  t.equal(topNamespace('//x'), '', "Java's split keeps the empty name between two slashes")
  t.equal(topNamespace('/a/'), 'a', 'trailing empty names are dropped')
})

t.test('a summary reports avg rounded to 4 places, and 0 before any point', async (t) => {
  const s = new Summary(true)
  t.same(s.values, { avg: 0, min: 0, max: 0, cnt: 0, sum: 0 })
  t.equal(s.percentile(0.5), 0)
  for (const v of [1, 5, 1]) s.add(v)
  t.same(s.values, { avg: 2.3333, min: 1, max: 5, cnt: 3, sum: 7 })
  t.equal(s.percentile(0.5), 1)
  t.equal(s.percentile(0.999), 5)
  s.reset()
  t.same(s.values, { avg: 0, min: 0, max: 0, cnt: 0, sum: 0 })
})

t.test('buffer sizes start at -1, as ZooKeeper prints them before the first', async (t) => {
  const b = new BufferStats()
  t.same([b.last, b.min, b.max], [-1, -1, -1])
  b.add(87)
  b.add(48)
  t.same([b.last, b.min, b.max], [48, 48, 87])
})

t.test("a set iterates its keys in Java's ConcurrentHashMap order", async (t) => {
  const set = new SummarySet()
  // Real ZooKeeper 3.8 listed the namespaces zookeeper, p, e (written in that order) as p, zookeeper, e.
  for (const ns of ['zookeeper', 'p', 'e']) set.add(ns, 1)
  t.same(
    set.entries().map(([k]) => k),
    ['p', 'zookeeper', 'e'],
  )
  set.touch('1')
  t.equal(set.entries().find(([k]) => k === '1')![1].values.cnt, 0, 'a touched key is known without a data point')
})

t.test('writes are counted from the events of applied txns', async (t) => {
  const m = new ServerMetrics(false)
  m.committed(
    [
      { type: EventType.NodeCreated, path: '/p' },
      { type: EventType.NodeChildrenChanged, path: '/' },
      { type: EventType.NodeDataChanged, path: '/p/q' },
      { type: EventType.NodeDeleted, path: '/e' },
    ],
    () => 3,
  )
  t.same(
    m.writePerNamespace.entries().map(([k, s]) => [k, s.values.sum]),
    [
      ['p', 2 + 3 + 4 + 3],
      ['e', 2],
    ],
  )
  t.same(
    new ServerMetrics(true).writePerNamespace.entries().map(([k]) => k),
    ['zookeeper'],
    'a quorum peer has written its configuration into /zookeeper/config',
  )
})

t.test('role changes count elections', async (t) => {
  const m = new ServerMetrics(true)
  t.equal(m.lookingCount, 1, 'a quorum peer starts looking')
  m.roleChanged('follower', Date.now() + 5)
  t.equal(m.electionTime.values.cnt, 1)
  m.roleChanged('looking')
  t.equal(m.lookingCount, 2)
})
