// Bounded fuzz of every decoder: random bytes and mutations of valid encodings (bit flips, length
// corruption, truncation) yield a value or a MarshallingError, never another exception.
import t from 'tap'
import { Writer } from './writer.js'
import { Reader } from './reader.js'
import { recordSchemas as proto } from './generated/proto.generated.js'
import { recordSchemas as quorum } from './generated/quorum.generated.js'
import { MarshallingError, ProtocolError } from '../errors.js'
import { FrameDecoder } from '../transport/frame-decoder.js'
import { prng, randomRecord } from '../testing/random-records.js'

const schemas = { ...proto, ...quorum }
const rnd = prng(1234)

t.test('decoders only ever throw MarshallingError', async (t) => {
  const names = Object.keys(schemas)
  let runs = 0
  const unexpected: string[] = []
  for (let i = 0; i < 6000; i++) {
    const name = names[i % names.length]!
    const schema = schemas[name]!
    let input: Buffer
    const kind = rnd()
    if (kind < 0.25) {
      input = Buffer.from(Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)))
    } else {
      const w = new Writer()
      schema.encode(w, randomRecord(schema, rnd))
      input = w.toBuffer()
      if (input.length === 0) continue
      const flips = 1 + Math.floor(rnd() * 4)
      for (let f = 0; f < flips; f++) {
        const at = Math.floor(rnd() * input.length)
        if (kind < 0.6) input[at] = input[at]! ^ (1 << Math.floor(rnd() * 8))
        else if (kind < 0.8 && at + 4 <= input.length) input.writeInt32BE([-2, -1, 0x7fffffff, 0x10000000, Math.floor(rnd() * 1e6)][Math.floor(rnd() * 5)]!, at)
        else input = input.subarray(0, at)
      }
    }
    try {
      schema.decode(new Reader(input))
    } catch (err) {
      if (!(err instanceof MarshallingError)) unexpected.push(`${name}: ${(err as Error).name}: ${(err as Error).message}`)
    }
    runs++
  }
  t.same(unexpected, [], `${runs} mutated inputs decoded or rejected cleanly`)
})

t.test('frame decoder: every split point yields the same frames; bad lengths are ProtocolErrors', async (t) => {
  const bodies = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('hello world'), Buffer.alloc(300, 7)]
  const stream = Buffer.concat(bodies.map((b) => {
    const h = Buffer.alloc(4)
    h.writeInt32BE(b.length, 0)
    return Buffer.concat([h, b])
  }))
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
