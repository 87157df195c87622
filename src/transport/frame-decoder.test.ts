// The frame decoder against a stream split at every byte boundary, one byte at a time, and with
// hostile lengths.
import t from 'tap'
import { DEFAULT_MAX_FRAME, FRAME_SLACK, FrameDecoder, encodeFrame } from './frame-decoder.js'
import { DEFAULT_MAX_BUFFER } from '../protocol.js'
import { ProtocolError } from '../errors.js'

const bodies = [Buffer.from('hello'), Buffer.alloc(0), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), Buffer.from('x'), Buffer.alloc(300, 7)]
const stream = Buffer.concat(bodies.map(encodeFrame))

t.test('encodeFrame writes a big-endian length prefix', async (t) => {
  t.same(encodeFrame(Buffer.from('ab')), Buffer.from([0, 0, 0, 2, 0x61, 0x62]))
})

t.test('one chunk holding every frame', async (t) => {
  const d = new FrameDecoder()
  t.same(d.push(stream), bodies)
  t.equal(d.pending, 0)
})

t.test('split into two chunks at every byte boundary', async (t) => {
  for (let cut = 0; cut <= stream.length; cut++) {
    const d = new FrameDecoder(1000)
    const out = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))]
    if (out.length !== bodies.length || out.some((f, i) => !f.equals(bodies[i]!))) t.fail(`split at ${cut}`)
    if (d.pending !== 0) t.fail(`bytes left after split at ${cut}`)
  }
  t.pass(`${stream.length + 1} split points`)
})

t.test('split into three chunks at every pair of boundaries', async (t) => {
  const small = Buffer.concat(bodies.slice(0, 4).map(encodeFrame))
  let cases = 0
  for (let a = 0; a <= small.length; a++) {
    for (let b = a; b <= small.length; b++) {
      const d = new FrameDecoder(100)
      const out = [...d.push(small.subarray(0, a)), ...d.push(small.subarray(a, b)), ...d.push(small.subarray(b))]
      cases++
      if (out.length !== 4 || out.some((f, i) => !f.equals(bodies[i]!))) t.fail(`split at ${a}/${b}`)
    }
  }
  t.pass(`${cases} splits`)
})

t.test('one byte at a time: frames come out exactly when their last byte arrives', async (t) => {
  const d = new FrameDecoder()
  const out: Buffer[] = []
  const ends = new Set<number>()
  let at = 0
  for (const b of bodies) ends.add((at += 4 + b.length))
  for (let i = 0; i < stream.length; i++) {
    const got = d.push(stream.subarray(i, i + 1))
    if (got.length !== (ends.has(i + 1) ? 1 : 0)) t.fail(`byte ${i}: ${got.length} frames`)
    out.push(...got)
  }
  t.same(out, bodies)
})

t.test('returned bodies stay valid after later pushes', async (t) => {
  const d = new FrameDecoder()
  const first = d.push(Buffer.concat([encodeFrame(Buffer.from('one')), encodeFrame(Buffer.from('two'))]).subarray(0, 13))
  const rest = d.push(Buffer.from('o'))
  t.same(first.map(String), ['one'])
  t.same(rest.map(String), ['two'])
})

t.test('the default limit is jute.maxbuffer plus header slack', async (t) => {
  t.equal(DEFAULT_MAX_FRAME, DEFAULT_MAX_BUFFER + FRAME_SLACK)
  t.equal(new FrameDecoder().maxFrame, DEFAULT_MAX_FRAME)
  const atLimit = Buffer.alloc(4)
  atLimit.writeInt32BE(DEFAULT_MAX_FRAME, 0)
  t.same(new FrameDecoder().push(atLimit), [], 'a frame of exactly the limit is accepted (waits for its body)')
})

t.test('negative or oversized lengths throw ProtocolError, even when split', async (t) => {
  const neg = Buffer.from([0xff, 0xff, 0xff, 0xff])
  t.throws(() => new FrameDecoder(100).push(neg), ProtocolError)
  const big = Buffer.alloc(4)
  big.writeInt32BE(101, 0)
  t.throws(() => new FrameDecoder(100).push(big), { name: 'ProtocolError', message: /frame length 101 is outside 0\.\.100/ })
  const d = new FrameDecoder(100)
  t.same(
    d.push(Buffer.concat([encodeFrame(Buffer.from('ok')), big.subarray(0, 2)])).map(String),
    ['ok'],
    'good frames before the bad length still come out',
  )
  t.throws(() => d.push(big.subarray(2)), ProtocolError)
})
