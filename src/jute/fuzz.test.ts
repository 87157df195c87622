// Bounded fuzz (fixed seed) of every decoder: random bytes, and valid encodings mutated by bit flips,
// byte overwrites, truncation, insertion and length-field corruption, must decode to a value or throw
// MarshallingError, never another exception. Includes the hand-written multi/handshake decoders.
import t from 'tap'
import { MarshallingError, ProtocolError } from '../errors.js'
import { OpCode } from '../protocol.js'
import { prng, randomRecord } from '../testing/random-records.js'
import { FrameDecoder } from '../transport/frame-decoder.js'
import { recordSchemas as proto } from './generated/proto.generated.js'
import { recordSchemas as quorum } from './generated/quorum.generated.js'
import {
  decodeConnectRequestLenient,
  decodeConnectResponseLenient,
  decodeMultiRequest,
  decodeMultiResponse,
  encodeMultiRequest,
  encodeMultiResponse,
  type MultiResult,
} from './quirks.js'
import { Reader } from './reader.js'
import type { RecordSchema } from './schema.js'
import { Writer } from './writer.js'

const schemas: Record<string, RecordSchema> = { ...proto, ...quorum }
const rnd = prng(1234)
const int = (n: number) => Math.floor(rnd() * n)
const LENGTHS = [-2, -1, 0, 1, 0x7fffffff, -0x80000000, 0x10000000, 0xfffff, 65536]

/** One random mutation of `input` (a copy). */
function mutate(input: Buffer): Buffer {
  const b = Buffer.from(input)
  if (b.length === 0) return Buffer.from([int(256)])
  const at = int(b.length)
  switch (int(5)) {
    case 0: // bit flip
      b[at] = b[at]! ^ (1 << int(8))
      return b
    case 1: // byte overwrite
      b[at] = int(256)
      return b
    case 2: // truncation
      return b.subarray(0, at)
    case 3: // insertion of a few random bytes
      return Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(4) }, () => int(256))), b.subarray(at)])
    default: {
      // length-field corruption: any 4 bytes may be a length prefix
      if (at + 4 > b.length) return b.subarray(0, at)
      b.writeInt32BE(LENGTHS[int(LENGTHS.length)]!, at)
      return b
    }
  }
}

/** Valid multi request and response bodies built from random ops and results. */
function randomMulti(): Buffer {
  const w = new Writer()
  if (rnd() < 0.5) {
    const writes = rnd() < 0.7
    const ops = Array.from({ length: int(5) }, () => {
      const type = writes
        ? [OpCode.create, OpCode.create2, OpCode.createContainer, OpCode.createTTL, OpCode.delete, OpCode.setData, OpCode.check][int(7)]!
        : [OpCode.getData, OpCode.getChildren][int(2)]!
      const schema = {
        [OpCode.create]: proto.CreateRequest,
        [OpCode.create2]: proto.CreateRequest,
        [OpCode.createContainer]: proto.CreateRequest,
        [OpCode.createTTL]: proto.CreateTTLRequest,
        [OpCode.delete]: proto.DeleteRequest,
        [OpCode.setData]: proto.SetDataRequest,
        [OpCode.check]: proto.CheckVersionRequest,
        [OpCode.getData]: proto.GetDataRequest,
        [OpCode.getChildren]: proto.GetChildrenRequest,
      }[type]!
      const v = randomRecord(schema, rnd)
      return { type, encode: (w: Writer) => schema.encode(w, v) }
    })
    encodeMultiRequest(w, ops)
  } else {
    const results = Array.from({ length: int(5) }, (): MultiResult => {
      const stat = randomRecord(proto.Stat!, rnd) as never
      switch (int(7)) {
        case 0:
          return { type: OpCode.error, err: int(200) - 150, body: { err: 0 } }
        case 1:
          return { type: OpCode.create, err: 0, body: { path: '/a' } }
        case 2:
          return { type: OpCode.create2, err: 0, body: { path: '/b', stat } }
        case 3:
          return { type: OpCode.setData, err: 0, body: { stat } }
        case 4:
          return { type: OpCode.getData, err: 0, body: { data: rnd() < 0.5 ? null : Buffer.from('xyz'), stat } }
        case 5:
          return { type: OpCode.getChildren, err: 0, body: { children: ['a', 'b'].slice(0, int(3)) } }
        default:
          return { type: rnd() < 0.5 ? OpCode.delete : OpCode.check, err: 0 }
      }
    })
    encodeMultiResponse(w, results)
  }
  return w.toBuffer()
}

const extra: Record<string, (r: Reader) => unknown> = {
  ConnectRequestLenient: decodeConnectRequestLenient,
  ConnectResponseLenient: decodeConnectResponseLenient,
  MultiRequest: (r) => decodeMultiRequest(r),
  MultiReadRequest: (r) => decodeMultiRequest(r, OpCode.multiRead),
  MultiResponse: (r) => decodeMultiResponse(r),
}

t.test('decoders yield a value or MarshallingError, nothing else', async (t) => {
  const started = performance.now()
  const decoders: [string, (r: Reader) => unknown, () => Buffer][] = [
    ...Object.entries(schemas).map(([name, s]): [string, (r: Reader) => unknown, () => Buffer] => [
      name,
      s.decode,
      () => {
        const w = new Writer()
        s.encode(w, randomRecord(s, rnd))
        return w.toBuffer()
      },
    ]),
    [
      'ConnectRequestLenient',
      extra.ConnectRequestLenient!,
      () => new Writer().int(0).long(0n).int(1).long(1n).buffer(Buffer.alloc(16)).toBuffer(),
    ],
    [
      'ConnectResponseLenient',
      extra.ConnectResponseLenient!,
      () => new Writer().int(0).int(1).long(1n).buffer(Buffer.alloc(16)).bool(false).toBuffer(),
    ],
    ['MultiRequest', extra.MultiRequest!, randomMulti],
    ['MultiReadRequest', extra.MultiReadRequest!, randomMulti],
    ['MultiResponse', extra.MultiResponse!, randomMulti],
  ]
  const unexpected: string[] = []
  let runs = 0
  let values = 0
  for (let i = 0; i < 20000; i++) {
    const [name, decode, valid] = decoders[i % decoders.length]!
    let input: Buffer
    if (rnd() < 0.2) {
      input = Buffer.from(Array.from({ length: int(64) }, () => int(256)))
    } else {
      input = valid()
      for (let m = 1 + int(3); m > 0; m--) input = mutate(input)
    }
    try {
      decode(new Reader(input))
      values++
    } catch (err) {
      if (!(err instanceof MarshallingError))
        unexpected.push(`${name} on ${input.toString('hex').slice(0, 80)}: ${(err as Error).name}: ${(err as Error).message}`)
    }
    runs++
  }
  const ms = performance.now() - started
  t.same(unexpected.slice(0, 10), [], `${runs} inputs: ${values} decoded, ${runs - values} rejected, in ${ms.toFixed(0)} ms`)
  t.ok(values > 100 && runs - values > 1000, 'both outcomes are exercised')
})

t.test('frame decoder: every split point yields the same frames; bad lengths are ProtocolErrors', async (t) => {
  const bodies = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('hello world'), Buffer.alloc(300, 7)]
  const stream = Buffer.concat(
    bodies.map((b) => {
      const h = Buffer.alloc(4)
      h.writeInt32BE(b.length, 0)
      return Buffer.concat([h, b])
    }),
  )
  for (let cut = 0; cut <= stream.length; cut++) {
    for (let cut2 = cut; cut2 <= stream.length; cut2 += 7) {
      const d = new FrameDecoder(1000)
      const out = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut, cut2)), ...d.push(stream.subarray(cut2))]
      if (out.length !== bodies.length || out.some((f, i) => !f.equals(bodies[i]!))) t.fail(`split at ${cut}/${cut2}`)
    }
  }
  t.pass('all split points agree')
  const neg = Buffer.alloc(4)
  neg.writeInt32BE(-5, 0)
  t.throws(() => new FrameDecoder(100).push(neg), ProtocolError)
  const big = Buffer.alloc(4)
  big.writeInt32BE(101, 0)
  t.throws(() => new FrameDecoder(100).push(big), ProtocolError)
})
