// Every generated record round-trips through encode/decode for edge and seeded random values, and
// every truncation of an encoding fails with MarshallingError (never another error, never a value).
// Also the Reader/Writer primitives the generated code relies on, including Java's string encoding.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { MarshallingError } from '../errors.js'
import { recordSchemas as proto } from './generated/proto.generated.js'
import { recordSchemas as quorum } from './generated/quorum.generated.js'
import { Reader } from './reader.js'
import type { JuteTypeDescriptor, RecordSchema } from './schema.js'
import { Writer } from './writer.js'
import { prng } from '../testing/random-records.js'

const schemas: Record<string, RecordSchema> = { ...proto, ...quorum }

/** Which values to draw: the smallest edges, the largest edges, awkward ones, or random. */
type Mode = 'min' | 'max' | 'odd' | 'random'
const LONGS = [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 0x100000000n, -0x80000000n, 2n ** 53n + 1n]
const INTS = [0, 1, -1, 0x7fffffff, -0x80000000, 255, -256]
const STRINGS = ['', '/', '/a/b-0000000001', 'zoo 🦓 kïpper ✓', 'x'.repeat(300), 'nul\u0000inside', '日本語のパス']

function value(type: JuteTypeDescriptor, mode: Mode, rnd: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
  if (typeof type === 'object') {
    if ('vector' in type) {
      const n = mode === 'min' ? 0 : mode === 'max' ? 3 : depth > 1 ? 0 : Math.floor(rnd() * 4)
      return Array.from({ length: n }, () => value(type.vector, mode, rnd, depth + 1))
    }
    return record(schemas[type.record]!, mode, rnd, depth + 1)
  }
  switch (type) {
    case 'int':
      return mode === 'min'
        ? -0x80000000
        : mode === 'max'
          ? 0x7fffffff
          : mode === 'odd'
            ? -1
            : rnd() < 0.3
              ? pick(INTS)
              : Math.floor(rnd() * 2 ** 32) | 0
    case 'byte':
      return mode === 'min' ? -128 : mode === 'max' ? 127 : Math.floor(rnd() * 256) - 128
    case 'float':
      return mode === 'random' ? Math.fround((rnd() - 0.5) * 1e6) : mode === 'min' ? -3.5 : 0.25
    case 'double':
      return mode === 'random' ? (rnd() - 0.5) * 1e300 : mode === 'min' ? -Number.MAX_VALUE : Number.MIN_VALUE
    case 'long':
      return mode === 'min'
        ? -(2n ** 63n)
        : mode === 'max'
          ? 2n ** 63n - 1n
          : mode === 'odd'
            ? -1n
            : rnd() < 0.4
              ? pick(LONGS)
              : BigInt.asIntN(64, (BigInt(Math.floor(rnd() * 2 ** 32)) << 32n) | BigInt(Math.floor(rnd() * 2 ** 32)))
    case 'boolean':
      return mode === 'min' ? false : mode === 'max' ? true : rnd() < 0.5
    case 'ustring':
      return mode === 'min' ? '' : mode === 'max' ? 'x'.repeat(300) : mode === 'odd' ? 'zoo 🦓 kïpper ✓' : pick(STRINGS)
    case 'buffer': {
      if (mode === 'min') return null
      if (mode === 'odd') return Buffer.alloc(0)
      if (mode === 'max') return Buffer.alloc(1000, 0xff)
      const r = rnd()
      if (r < 0.2) return null
      if (r < 0.35) return Buffer.alloc(0)
      return Buffer.from(Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)))
    }
  }
}

function record(schema: RecordSchema, mode: Mode, rnd: () => number, depth = 0): Record<string, unknown> {
  const v: Record<string, unknown> = {}
  for (const f of schema.fields) v[f.name] = value(f.type, mode, rnd, depth)
  return v
}

function encode(schema: RecordSchema, v: unknown): Buffer {
  const w = new Writer(8) // small on purpose: growth is exercised too
  schema.encode(w, v)
  return w.toBuffer()
}

const rnd = prng(0x200b1e)

t.test('the generated tables list every record of both IDL files', async (t) => {
  const classes = (file: string) =>
    (readFileSync(new URL(`../../jute/${file}`, import.meta.url), 'utf8').match(/^\s*class\s/gm) ?? []).length
  t.equal(Object.keys(proto).length, classes('zookeeper.jute'), 'zookeeper.jute records')
  t.equal(Object.keys(quorum).length, classes('quorum.jute'), 'quorum.jute records')
  t.same(
    proto.Stat!.fields.map((f) => f.name),
    ['czxid', 'mzxid', 'ctime', 'mtime', 'version', 'cversion', 'aversion', 'ephemeralOwner', 'dataLength', 'numChildren', 'pzxid'],
  )
  t.same(quorum.QuorumPacket!.fields, [
    { name: 'type', type: 'int' },
    { name: 'zxid', type: 'long' },
    { name: 'data', type: 'buffer' },
    { name: 'authinfo', type: { vector: { record: 'Id' } } },
  ])
  t.equal(quorum.MultiTxn!.module, 'org.apache.zookeeper.txn')
})

t.test('every record round-trips: edge values, then seeded random values', async (t) => {
  let checked = 0
  const failures: string[] = []
  for (const [name, schema] of Object.entries(schemas)) {
    const values = [record(schema, 'min', rnd), record(schema, 'max', rnd), record(schema, 'odd', rnd)]
    for (let i = 0; i < 12; i++) values.push(record(schema, 'random', rnd))
    for (const [i, v] of values.entries()) {
      const bytes = encode(schema, v)
      const r = new Reader(bytes)
      const back = schema.decode(r)
      if (r.remaining !== 0) failures.push(`${name} #${i}: ${r.remaining} byte(s) left after decode`)
      // Re-encoding what was decoded gives the same bytes, and the values are deeply equal.
      if (!encode(schema, back).equals(bytes)) failures.push(`${name} #${i}: re-encoding differs`)
      t.same(back, v, `${name} #${i}`)
      checked++
    }
  }
  t.same(failures, [], `${checked} values of ${Object.keys(schemas).length} records`)
})

t.test('null buffers stay null, empty stay empty, null strings and vectors read as empty', async (t) => {
  const st = record(proto.Stat!, 'random', rnd)
  for (const data of [null, Buffer.alloc(0), Buffer.from([0, 1, 2])]) {
    const back = proto.GetDataResponse!.decode(new Reader(encode(proto.GetDataResponse!, { data, stat: st })))
    t.same(back.data, data)
  }
  // Another implementation may send -1 for a string or a vector: ours reads "" and [].
  const w = new Writer()
  w.int(-1) // path: null ustring
  w.int(-1) // data: null buffer
  w.int(-1) // acl: null vector
  w.int(0) // flags
  t.same(proto.CreateRequest!.decode(new Reader(w.toBuffer())), { path: '', data: null, acl: [], flags: 0 })
})

t.test('every truncation of an encoding throws MarshallingError', async (t) => {
  let checked = 0
  const failures: string[] = []
  for (const [name, schema] of Object.entries(schemas)) {
    for (const mode of ['max', 'random', 'random'] as const) {
      const full = encode(schema, record(schema, mode, rnd))
      for (let cut = 0; cut < full.length; cut++) {
        checked++
        try {
          schema.decode(new Reader(full.subarray(0, cut)))
          failures.push(`${name} cut at ${cut}/${full.length}: decoded a value`)
        } catch (err) {
          if (!(err instanceof MarshallingError)) failures.push(`${name} cut at ${cut}: ${(err as Error).name}: ${(err as Error).message}`)
        }
      }
    }
  }
  t.same(failures.slice(0, 20), [], `${checked} truncations`)
  t.ok(checked > 10000)
})

t.test('a hostile vector length is refused before anything is allocated', async (t) => {
  const w = new Writer()
  w.long(0n) // relativeZxid
  w.int(0x7fffffff) // dataWatches: 2^31-1 strings in a few bytes
  w.int(-1)
  t.throws(() => proto.SetWatches!.decode(new Reader(w.toBuffer())), { name: 'MarshallingError', message: /cannot fit/ })
  w.reset()
  w.int(1) // GetACLResponse.acl: one ACL needs at least 12 bytes, only 11 follow
  w.raw(Buffer.alloc(11))
  t.throws(() => proto.GetACLResponse!.decode(new Reader(w.toBuffer())), MarshallingError)
  w.reset()
  w.int(-2) // only -1 means null
  t.throws(() => proto.GetChildrenResponse!.decode(new Reader(w.toBuffer())), { message: /invalid vector length -2/ })
})

t.test('byte, float and double primitives', async (t) => {
  const w = new Writer(1)
  w.byte(-128).byte(127).byte(255).float(0.15625).float(-1e30).double(Math.PI).double(-0)
  const r = new Reader(w.toBuffer())
  t.equal(r.byte(), -128)
  t.equal(r.byte(), 127)
  t.equal(r.byte(), -1, 'out-of-range bytes wrap like a Java (byte) cast')
  t.equal(r.float(), 0.15625)
  t.equal(r.float(), Math.fround(-1e30))
  t.equal(r.double(), Math.PI)
  t.ok(Object.is(r.double(), -0))
  t.equal(r.remaining, 0)
  t.throws(() => r.byte(), MarshallingError)
  t.throws(() => r.float(), MarshallingError)
  t.throws(() => r.double(), MarshallingError)
})

/** A string as Java's BinaryOutputArchive writes it: each UTF-16 code unit on its own (1-3 bytes). */
function javaUtf8(s: string): Buffer {
  const out: number[] = []
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) out.push(c)
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f))
    else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f))
  }
  return Buffer.from(out)
}

t.test('strings: Java-style surrogate encoding and standard UTF-8 both decode', async (t) => {
  const cases = ['', 'plain ascii', 'é and ✓', '🦓', 'a🦓b🦒c', '\ud83e', 'x\udc93y', '🦓\ud83e', '\ud7ff\ue000', 'nul\u0000', '日本']
  const read = (bytes: Buffer) => {
    const w = new Writer()
    w.int(bytes.length).raw(bytes)
    const r = new Reader(w.toBuffer())
    const s = r.ustring()
    return r.remaining === 0 ? s : `(${r.remaining} left)`
  }
  for (const s of cases) {
    // Java's bytes give back exactly the UTF-16 string, lone surrogates included.
    t.equal(read(javaUtf8(s)), s, `${JSON.stringify(s)} as Java writes it`)
    // Standard UTF-8 of a well-formed string gives it back (a lone surrogate was already U+FFFD).
    t.equal(read(Buffer.from(s, 'utf8')), Buffer.from(s, 'utf8').toString('utf8'), `${JSON.stringify(s)} as UTF-8`)
  }
  // Our writer sends standard UTF-8 (4 bytes for an astral character), which Java's reader accepts.
  t.equal(new Writer().ustring('🦓').toBuffer().toString('hex'), '00000004f09fa693')
  // A string ending right after a lone 0xED lead byte must not read past its end.
  const w = new Writer()
  w.int(2)
    .raw(Buffer.from([0x61, 0xed]))
    .raw(Buffer.from([0xa0, 0x80]))
  const r = new Reader(w.toBuffer())
  t.equal(r.ustring(), 'a\ufffd')
  t.equal(r.remaining, 2)
})
