// The history checker on crafted histories (it must accept the linearizable ones and reject the
// others), then on real concurrent runs against the bundled ensemble, where it must find nothing.
import t from 'tap'
import { History, checkLinearizable, checkNoLostWrites, checkSessionOrder, type Recorded } from './history.js'
import { ensembleWithClients } from './ensemble-clients.js'
import { BadVersionError, NoNodeError } from '../errors.js'
import { prng } from './random-records.js'

const op = (o: Partial<Recorded> & Pick<Recorded, 'op' | 'start'>): Recorded => ({ key: 'k', session: 1, ok: true, ...o })

t.test('accepts linearizable histories, rejects the others', async (t) => {
  t.ok(
    checkLinearizable([
      op({ op: { kind: 'write', value: 'a' }, start: 1, end: 2 }),
      op({ op: { kind: 'read', value: 'a' }, start: 3, end: 4 }),
    ]).ok,
  )
  t.notOk(
    checkLinearizable([
      op({ op: { kind: 'write', value: 'a' }, start: 1, end: 2 }),
      op({ op: { kind: 'read', value: null }, start: 3, end: 4 }),
    ]).ok,
    'a stale read after an acknowledged write',
  )
  const concurrent = [
    op({ op: { kind: 'write', value: 'a' }, start: 1, end: 4 }),
    op({ op: { kind: 'write', value: 'b' }, start: 2, end: 3, session: 2 }),
  ]
  t.ok(
    checkLinearizable([...concurrent, op({ op: { kind: 'read', value: 'a' }, start: 5, end: 6 })]).ok,
    'either order of concurrent writes',
  )
  t.ok(checkLinearizable([...concurrent, op({ op: { kind: 'read', value: 'b' }, start: 5, end: 6 })]).ok)
  t.notOk(checkLinearizable([...concurrent, op({ op: { kind: 'read', value: 'c' }, start: 5, end: 6 })]).ok, 'a value nobody wrote')
  const cas = [
    op({ op: { kind: 'write', value: 'x' }, start: 1, end: 2 }),
    op({ op: { kind: 'cas', expected: 'x', value: 'y' }, start: 3, end: 4 }),
    op({ op: { kind: 'cas', expected: 'x', value: 'z' }, start: 5, end: 6 }),
  ]
  t.notOk(checkLinearizable(cas).ok, 'two successful CAS from the same expected value, one after the other')
  t.ok(checkLinearizable([cas[0]!, cas[1]!, { ...cas[2]!, ok: false }]).ok, 'the second CAS failed: fine')
  const unknown = op({ op: { kind: 'write', value: 'v' }, start: 1, end: undefined })
  t.ok(
    checkLinearizable([unknown, op({ op: { kind: 'read', value: 'v' }, start: 2, end: 3 })]).ok,
    'an indeterminate write may have happened',
  )
  t.ok(checkLinearizable([unknown, op({ op: { kind: 'read', value: null }, start: 2, end: 3 })]).ok, 'or not')
  t.notOk(
    checkLinearizable([
      unknown,
      op({ op: { kind: 'read', value: 'v' }, start: 2, end: 3 }),
      op({ op: { kind: 'read', value: null }, start: 4, end: 5 }),
    ]).ok,
    'but not both',
  )
})

t.test('session order and lost writes', async (t) => {
  const h = [
    op({ op: { kind: 'write', value: 'a' }, start: 1, end: 2 }),
    op({ op: { kind: 'write', value: 'b' }, start: 3, end: 4, session: 2 }),
    op({ op: { kind: 'read', value: 'b' }, start: 5, end: 6 }),
    op({ op: { kind: 'read', value: 'a' }, start: 7, end: 8 }),
  ]
  t.notOk(checkSessionOrder(h).ok, 'session 1 went back from b to a')
  t.ok(checkSessionOrder(h.slice(0, 3)).ok)
  t.ok(checkNoLostWrites(h, new Map([['k', 'b']])).ok)
  t.notOk(checkNoLostWrites(h, new Map([['k', 'a']])).ok, 'the last acknowledged write b was lost')
})

t.test('concurrent clients on the bundled ensemble produce a linearizable history', async (t) => {
  const { zks } = await ensembleWithClients(t, 4)
  const h = new History()
  const keys = ['/r0', '/r1', '/r2']
  for (const k of keys) await zks[0]!.create(k, 'init')
  let unique = 0
  await Promise.all(
    zks.map(async (zk, s) => {
      const rnd = prng(100 + s)
      for (let i = 0; i < 40; i++) {
        const key = keys[Math.floor(rnd() * keys.length)]!
        const dice = rnd()
        if (dice < 0.4) {
          const done = h.invoke(key, s, { kind: 'read', value: null })
          const { data } = await zk.getData(key)
          done.ok(data.toString())
        } else if (dice < 0.7) {
          const value = `w${unique++}`
          const done = h.invoke(key, s, { kind: 'write', value })
          await zk.setData(key, value)
          done.ok()
        } else {
          const { data, stat } = await zk.getData(key)
          const value = `c${unique++}`
          const done = h.invoke(key, s, { kind: 'cas', expected: data.toString(), value })
          try {
            await zk.setData(key, value, { version: stat.version })
            done.ok()
          } catch (err) {
            if (!(err instanceof BadVersionError) && !(err instanceof NoNodeError)) throw err
            done.fail()
          }
        }
      }
    }),
  )
  const lin = checkLinearizable(h.ops, 'init')
  t.same(lin.problems, [], `${h.ops.length} operations linearizable`)
  t.same(checkSessionOrder(h.ops).problems, [])
  const finals = new Map(await Promise.all(keys.map(async (k) => [k, (await zks[0]!.getData(k)).data.toString()] as [string, string])))
  t.same(checkNoLostWrites(h.ops, finals).problems, [])
})
