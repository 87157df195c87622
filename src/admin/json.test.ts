// parseJson: JSON.parse's results, except that integers beyond 2^53 stay exact as bigints.
import t from 'tap'
import { parseJson } from './json.js'

t.test('values parse as JSON.parse parses them', async (t) => {
  for (const text of [
    '{}',
    '[]',
    '0',
    '-1',
    '1.5',
    '-2.5e-3',
    '1E10',
    'true',
    'false',
    'null',
    '"a\\"b\\\\c\\u00e9\\n"',
    ' { "a" : [ 1 , { "b" : null } ] , "c" : "d" } ',
    '[[],[[]],{}]',
  ]) {
    t.same(parseJson(text), JSON.parse(text), text)
  }
})

t.test('integers beyond Number.MAX_SAFE_INTEGER are bigints, exactly', async (t) => {
  // A session id as the AdminServer writes it: JSON.parse would round it to …4096 → …4100.
  const v = parseJson(
    '{"session_id": 72057931814404097, "small": 9007199254740991, "neg": -9223372036854775808, "f": 72057931814404097.5}',
  ) as Record<string, unknown>
  t.equal(v.session_id, 72057931814404097n)
  t.equal(v.small, Number.MAX_SAFE_INTEGER, 'safe integers stay numbers')
  t.equal(v.neg, -9223372036854775808n)
  t.equal(typeof v.f, 'number', 'a fraction stays a number')
})

t.test('a "__proto__" key is a plain property', async (t) => {
  const v = parseJson('{"__proto__": {"polluted": true}}') as Record<string, unknown>
  t.same(Object.keys(v), ['__proto__'])
  t.equal(({} as Record<string, unknown>).polluted, undefined)
  t.equal(Object.getPrototypeOf(v), Object.prototype)
})

t.test('mistakes are SyntaxErrors naming the offset', async (t) => {
  for (const text of ['', '{', '{"a" 1}', '{"a":1,}', '[1 2]', 'tru', '01', '"\n"', '<html>', '{} x', "{'a':1}"]) {
    t.throws(() => parseJson(text), SyntaxError, JSON.stringify(text))
  }
  t.throws(() => parseJson('[1 2]'), /offset 3/)
  t.throws(() => parseJson('['.repeat(100) + ']'.repeat(100)), /nested too deeply/)
})
