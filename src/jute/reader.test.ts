// Reader.ustringVector: the one-pass path for ASCII blocks gives exactly what reading each string
// with ustring() gives, and every other input (non-ASCII, nulls, long names, truncation) falls back.
import t from 'tap'
import { Reader } from './reader.js'
import { Writer } from './writer.js'
import { MarshallingError } from '../errors.js'

function encode(names: (string | null)[]): Buffer {
  const w = new Writer(64)
  w.int(names.length)
  for (const n of names) w.ustring(n)
  return w.toBuffer()
}

const oneByOne = (buf: Buffer) => {
  const r = new Reader(buf)
  const n = r.vectorLength(4)
  return Array.from({ length: n }, () => r.ustring())
}

t.test('same result as ustring() one by one, on every kind of input', async (t) => {
  const cases: (string | null)[][] = [
    [],
    ['a'],
    Array.from({ length: 1000 }, (_, i) => `child-${String(i).padStart(10, '0')}`),
    ['ascii', 'café', 'naïve'],
    ['emoji 😀 here', 'plain'],
    ['x'.repeat(200), 'short'], // a length prefix with a byte >= 0x80
    ['', 'empty before'],
    [null, 'after a null'],
  ]
  for (const names of cases) {
    const buf = Buffer.concat([encode(names), Buffer.from([9, 9])])
    const r = new Reader(buf)
    t.same(r.ustringVector(), oneByOne(buf), `${names.length} names: ${String(names[0]).slice(0, 12)}…`)
    // The cursor stops right after the vector.
    t.equal(r.byte(), 9)
  }
})

t.test('a null vector reads as []; truncated input is a MarshallingError', async (t) => {
  const w = new Writer(8)
  w.int(-1)
  t.same(new Reader(w.toBuffer()).ustringVector(), [])
  const good = encode(['alpha', 'beta'])
  for (let cut = 4; cut < good.length; cut++)
    t.throws(() => new Reader(good.subarray(0, cut)).ustringVector(), MarshallingError, `cut at ${cut}`)
})
