// The history checker on crafted histories (it must accept the linearizable ones and reject the
// others, naming the offending ops and drawing them as a timeline on request), then on real
// concurrent runs against the bundled ensemble, where it must find nothing.
import t from 'tap'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { History, checkLinearizable, checkNoLostWrites, checkSessionOrder, type Recorded } from './history.js'
import { checkXml } from './xml-check.test-helper.js'
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

t.test('a violation names its offending ops, and its timeline file when asked for one', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zookit-history-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const write = op({ op: { kind: 'write', value: 'a' }, start: 1, end: 2, startMs: 0, endMs: 4 })
  const concurrent = op({ op: { kind: 'write', value: '</text><script>' }, start: 3, session: 3, startMs: 5 })
  const stale = op({ op: { kind: 'read', value: null }, start: 4, end: 5, session: 2, startMs: 6, endMs: 9 })
  const later = op({ op: { kind: 'read', value: 'a' }, start: 6, end: 7, startMs: 10, endMs: 12 })
  const history = [write, concurrent, stale, later]

  const plain = checkLinearizable(history)
  t.notOk(plain.ok)
  t.equal(plain.violations.length, 1)
  t.equal(plain.violations[0]!.key, 'k')
  t.equal(plain.violations[0]!.offending.length, 1)
  t.equal(plain.violations[0]!.offending[0], stale, 'the stale read is the op no linearization allows')
  t.equal(plain.violations[0]!.timeline, undefined, 'no timeline unless asked for')

  const drawn = checkLinearizable(history, null, { timeline: { name: 'stale read', seed: 42, dir, sessions: new Map([[2, 'reader']]) } })
  const file = drawn.violations[0]!.timeline!
  t.equal(file, path.join(dir, 'stale-read-seed42-linearizability-k.svg'), 'named after the test, seed, check and key')
  t.ok(existsSync(file), 'written')
  t.match(drawn.problems[0]!, `(timeline: ${file})`, 'and named in the problem')
  const svg = checkXml(readFileSync(file, 'utf8'))
  t.same(svg.problems, [], 'well-formed SVG')
  const texts = svg.elements.filter((e) => e.name === 'text').map((e) => e.text)
  t.ok(texts.includes('linearizability violated on k (seed 42)'), 'titled with the check and the seed')
  t.ok(texts.includes('s2 reader'), 'lanes named after the sessions')
  t.ok(texts.includes('write </text><script>'), 'a hostile value shown as text')
  const bars = svg.elements.filter((e) => /\bbar\b/.test(e.attrs.get('class') ?? ''))
  t.same(
    bars.map((b) => b.attrs.get('class')),
    ['bar ok', 'bar unknown', 'bar ok', 'bar ok offending'],
    'every op of the key drawn, the stale read offending',
  )
  t.ok(
    texts.some((s) => / ms$/.test(s)),
    'on a time axis in ms',
  )
  t.same(readdirSync(dir), [path.basename(file)], 'one file')
})

t.test('session order and lost writes name their offending ops', async (t) => {
  const wroteB = op({ op: { kind: 'write', value: 'b' }, start: 3, end: 4, session: 2 })
  const sawB = op({ op: { kind: 'read', value: 'b' }, start: 5, end: 6 })
  const backToA = op({ op: { kind: 'read', value: 'a' }, start: 7, end: 8 })
  const h = [op({ op: { kind: 'write', value: 'a' }, start: 1, end: 2 }), wroteB, sawB, backToA]
  const order = checkSessionOrder(h)
  t.equal(order.violations.length, 1)
  t.same(order.violations[0]!.offending, [sawB, backToA], 'the read of the newer value and the read that went back')
  const lost = checkNoLostWrites(h, new Map([['k', 'a']]))
  t.same(lost.violations[0]!.offending, [wroteB], 'the last acknowledged write')
  const dir = mkdtempSync(path.join(tmpdir(), 'zookit-history-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const drawn = checkSessionOrder(h, { timeline: { name: 'order', dir } })
  t.same(checkXml(readFileSync(drawn.violations[0]!.timeline!, 'utf8')).problems, [])
  t.ok(drawn.violations[0]!.timeline!.endsWith('order-session-order-k.svg'))
})

t.test('History stamps ops with its clock and with ms', async (t) => {
  let now = 1000
  const h = new History(() => now)
  now = 1003
  const a = h.invoke('k', 1, { kind: 'write', value: 'v' })
  now = 1010
  a.ok()
  const b = h.invoke('k', 1, { kind: 'read', value: null })
  b.unknown()
  t.match(h.ops, [
    { start: 1, end: 2, startMs: 3, endMs: 10, ok: true },
    { start: 3, end: undefined, startMs: 10, endMs: undefined },
  ])
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
  const timeline = { timeline: { name: 'history-bundled-ensemble' } }
  const lin = checkLinearizable(h.ops, 'init', timeline)
  t.same(lin.problems, [], `${h.ops.length} operations linearizable`)
  t.same(checkSessionOrder(h.ops, timeline).problems, [])
  const finals = new Map(await Promise.all(keys.map(async (k) => [k, (await zks[0]!.getData(k)).data.toString()] as [string, string])))
  t.same(checkNoLostWrites(h.ops, finals, timeline).problems, [])
})
