import t from 'tap'
import { JavaHashSet, javaStringHash, bucketOrder } from './java-order.js'

t.test('String.hashCode as Java computes it', async (t) => {
  t.equal(javaStringHash(''), 0)
  t.equal(javaStringHash('a'), 97)
  t.equal(javaStringHash('hello'), 99162322)
  t.equal(javaStringHash('zookeeper'), 1600681804, 'as java prints "zookeeper".hashCode(): the int wraps')
})

t.test('a HashSet(8) iterates as ZooKeeper 3.8 lists children', async (t) => {
  // Insertion order, then the order a real ZooKeeper 3.8 returned them (the wire fixture "zookit").
  const set = new JavaHashSet(8)
  for (const c of ['p', 'e', 's-0000000002', 'es-0000000003', 'container', 'ttl', 'ttl-s-0000000006']) set.add(c)
  t.same(
    [...set],
    ['p', 'container', 'es-0000000003', 'e', 's-0000000002', 'ttl', 'ttl-s-0000000006'],
    'seven names: the table has grown to 16',
  )
  for (const c of ['later', 't1', 'tc', 'tt']) set.add(c)
  t.same([...set], ['p', 'container', 'tt', 'es-0000000003', 'later', 'e', 's-0000000002', 'ttl', 't1', 'ttl-s-0000000006', 'tc'])
  set.delete('t1')
  t.notOk(set.has('t1'))
  t.equal(set.size, 10)
  t.same(
    [...set],
    ['p', 'container', 'tt', 'es-0000000003', 'later', 'e', 's-0000000002', 'ttl', 'ttl-s-0000000006', 'tc'],
    'a removal keeps the others in place',
  )
  t.notOk(set.add('p'), 'adding a member again changes nothing')
})

t.test('bucket order keeps insertion order within a bucket', async (t) => {
  t.same(bucketOrder(['a', 'b', 'c', 'd'], [3, 1, 3, 17], 16), ['b', 'd', 'a', 'c'])
})
