// Peer messages survive encode → decode unchanged, and malformed frames fail with an error.
import t from 'tap'
import { Writer } from '../jute/writer.js'
import { decodeWire, encodeWire, type WireMsg } from './peer-wire.js'
import { prng } from '../testing/random-records.js'

const roundTrip = (m: WireMsg) => {
  const w = new Writer(64)
  encodeWire(w, m)
  return decodeWire(w.toBuffer())
}

const e = (zxid: bigint, s: string) => ({ zxid, value: Buffer.from(s) })

t.test('every message kind round-trips', async (t) => {
  const msgs: WireMsg[] = [
    { t: 'vote', n: { from: 3, state: 'LEADING', vote: { leader: 3, zxid: 0x100000002n, peerEpoch: 1n }, round: 7n } },
    { t: 'vote', n: { from: 1, state: 'LOOKING', vote: { leader: 2, zxid: 0n, peerEpoch: 0n }, round: 1n } },
    { t: 'followerinfo', acceptedEpoch: 4n },
    { t: 'leaderinfo', epoch: 5n },
    { t: 'ackepoch', epoch: 5n, currentEpoch: 4n, lastZxid: 0x400000009n },
    { t: 'sync', epoch: 5n, diff: [e(1n, 'a'), e(2n, 'b')], outstanding: [e(3n, 'c')] },
    { t: 'sync', epoch: 5n, truncate: 0x400000001n, diff: [], outstanding: [] },
    { t: 'sync', epoch: 5n, snapshot: { zxid: 0x500000007n, state: Buffer.from('tree') }, diff: [e(0x500000008n, 'y')], outstanding: [] },
    { t: 'acknewleader' },
    { t: 'uptodate' },
    { t: 'proposal', entry: e(0x500000001n, 'payload') },
    { t: 'ack', zxid: 0x500000001n },
    { t: 'commit', zxid: 0x500000001n },
    { t: 'ping' },
    { t: 'pong' },
    {
      t: 'request',
      req: {
        sessionId: -0x123n,
        cxid: 42,
        type: 5,
        body: Buffer.from([1, 2, 3]),
        ids: [
          { scheme: 'digest', id: 'u:h' },
          { scheme: 'ip', id: '127.0.0.1' },
        ],
        address: '127.0.0.1',
      },
    },
    { t: 'touch', sessions: [1n, -2n, 0x7fffffffffffffffn] },
    { t: 'syncreq', sessionId: 9n, cxid: 3 },
    { t: 'syncdone', sessionId: 9n, cxid: 3 },
  ]
  for (const m of msgs) t.same(roundTrip(m), m, m.t)
})

t.test('truncated, padded and random frames throw instead of decoding to garbage', async (t) => {
  const w = new Writer(64)
  encodeWire(w, { t: 'proposal', entry: e(1n, 'hello') })
  const good = w.toBuffer()
  t.throws(() => decodeWire(good.subarray(0, good.length - 1)))
  t.throws(() => decodeWire(Buffer.concat([good, Buffer.from([0])])))
  t.throws(() => decodeWire(Buffer.from([200])), /tag/)
  const rnd = prng(11)
  let threw = 0
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.alloc(1 + Math.floor(rnd() * 40))
    for (let k = 0; k < b.length; k++) b[k] = Math.floor(rnd() * 256)
    b[0] = b[0]! % 20
    try {
      decodeWire(b)
    } catch (err) {
      if (!(err instanceof Error)) t.fail('threw a non-Error')
      threw++
    }
  }
  t.ok(threw > 1000, `random frames rejected (${threw}/2000)`)
})
