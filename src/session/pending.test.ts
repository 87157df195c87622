// The pending FIFO (head matching, early-settled calls, failAll), the bounded unsent queue, and the
// Pending object's timeout, abort, onReply and decoding rules.
import t from 'tap'
import { Pending, PendingMap, UnsentQueue, encodingError } from './pending.js'
import { ManualClock } from '../clock.js'
import { Reader } from '../jute/reader.js'
import {
  AbortedError,
  BadArgumentsError,
  ConnectionLossError,
  MarshallingError,
  NoNodeError,
  OperationTimeoutError,
  ProtocolError,
} from '../errors.js'
import { ErrorCode } from '../protocol.js'
import type { RequestOptions } from './types.js'

function call(xid: number, opts: Partial<RequestOptions> = {}, decode: ((r: Reader) => unknown) | null = (r) => r.int()) {
  let outcome: { ok: unknown } | { err: unknown } | undefined
  const p = new Pending(
    4,
    Buffer.alloc(12),
    decode,
    { op: 'getData', path: `/p${xid}`, ...opts },
    (ok) => (outcome = { ok }),
    (err) => (outcome = { err }),
  )
  p.xid = xid
  return { p, outcome: () => outcome }
}

const body = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n, 0)
  return new Reader(b)
}

t.test('replies must match the oldest call', async (t) => {
  const m = new PendingMap()
  const [a, b, c] = [call(1), call(2), call(3)]
  for (const x of [a, b, c]) m.add(x.p)
  t.equal(m.size, 3)
  t.equal(m.head(), a.p)
  t.equal(m.take(1), a.p)
  t.throws(() => m.take(3), ProtocolError, 'skipping ahead is a protocol violation')
  t.throws(() => m.take(99), { message: /reply xid 99 does not match the oldest request in flight \(xid 2\)/ })
  t.equal(m.take(2), b.p)
  t.equal(m.take(3), c.p)
  t.throws(() => m.take(4), { message: /\(none\)/ })
  t.throws(
    () => {
      m.add(call(7).p)
      m.add(call(7).p)
    },
    ProtocolError,
    'an xid already in flight',
  )
})

t.test('failAll fails every unsettled call and empties the map', async (t) => {
  const m = new PendingMap()
  const a = call(1)
  const b = call(2)
  m.add(a.p)
  m.add(b.p)
  b.p.fail(new OperationTimeoutError())
  m.failAll((p) => new ConnectionLossError('gone', { op: p.opts.op, path: p.opts.path }))
  t.equal(m.size, 0)
  t.match(a.outcome(), { err: { name: 'ConnectionLossError', path: '/p1' } })
  t.type((b.outcome() as { err: unknown }).err, OperationTimeoutError, 'an already settled call keeps its first outcome')
})

t.test('complete: onReply first, then the decoded value; error codes become typed errors', async (t) => {
  const order: string[] = []
  const ok = call(1, { onReply: (err, zxid) => order.push(`onReply ${err} ${zxid}`) })
  ok.p.complete(0, 7n, body(42))
  order.push('after')
  t.same(ok.outcome(), { ok: 42 })
  t.same(order, ['onReply 0 7', 'after'])
  const missing = call(2, { onReply: (err) => order.push(`onReply ${err}`) })
  missing.p.complete(ErrorCode.NONODE, 8n, body(0))
  t.type((missing.outcome() as { err: unknown }).err, NoNodeError)
  t.match(missing.outcome(), { err: { op: 'getData', path: '/p2' } })
  t.same(order.slice(-1), [`onReply ${ErrorCode.NONODE}`], 'onReply sees error replies too')
  const none = call(3, {}, null)
  none.p.complete(0, 0n, body(0))
  t.same(none.outcome(), { ok: undefined }, 'no decoder: resolves undefined')
  const broken = call(4, {
    onReply: () => {
      throw new Error('client bug')
    },
  })
  broken.p.complete(0, 0n, new Reader(Buffer.alloc(2)))
  t.type((broken.outcome() as { err: unknown }).err, MarshallingError, 'a short body is a MarshallingError for this call alone')
})

t.test('a call that timed out ignores its late reply and does not run onReply', async (t) => {
  const clock = new ManualClock()
  let replied = false
  const c = call(1, { timeout: 50, onReply: () => (replied = true) })
  let early = 0
  c.p.arm(clock, () => early++)
  clock.advance(49)
  t.equal(c.outcome(), undefined)
  clock.advance(1)
  t.type((c.outcome() as { err: unknown }).err, OperationTimeoutError)
  t.equal(early, 1)
  t.ok(c.p.settled)
  c.p.complete(0, 1n, body(1))
  t.notOk(replied)
  t.type((c.outcome() as { err: unknown }).err, OperationTimeoutError)
})

t.test('abort rejects at once; a reply first disarms the timer and the signal', async (t) => {
  const clock = new ManualClock()
  const ac = new AbortController()
  const a = call(1, { signal: ac.signal, timeout: 100 })
  a.p.arm(clock, () => {})
  ac.abort(new Error('user gave up'))
  t.match(a.outcome(), { err: { name: 'AbortedError', cause: { message: 'user gave up' } } })
  t.equal(clock.pending, 0, 'its timer is gone')

  const ac2 = new AbortController()
  const b = call(2, { signal: ac2.signal, timeout: 100 })
  b.p.arm(clock, () => t.fail('no early end'))
  b.p.complete(0, 0n, body(5))
  ac2.abort()
  clock.advance(1000)
  t.same(b.outcome(), { ok: 5 })

  const pre = new AbortController()
  pre.abort()
  const c = call(3, { signal: pre.signal })
  c.p.arm(clock, () => t.fail('not called for an already aborted signal'))
  t.type((c.outcome() as { err: unknown }).err, AbortedError)
})

t.test('the unsent queue keeps order, forgets removed calls, and is bounded', async (t) => {
  const q = new UnsentQueue(3)
  const [a, b, c, d] = [call(0), call(0), call(0), call(0)]
  q.push(a.p)
  q.push(b.p)
  q.push(c.p)
  q.push(d.p)
  t.match(d.outcome(), { err: { name: 'ConnectionLossError', message: /3 calls already wait/ } })
  q.remove(b.p)
  c.p.fail(new OperationTimeoutError())
  t.same(q.drain(), [a.p], 'removed and settled calls are skipped')
  t.equal(q.size, 0)
  const e = call(0)
  q.push(e.p)
  q.failAll(() => new ConnectionLossError('closing'))
  t.type((e.outcome() as { err: unknown }).err, ConnectionLossError)
})

t.test('encodingError keeps ZooKeeper errors and wraps the rest', async (t) => {
  const bad = new BadArgumentsError('x')
  t.equal(encodingError(bad, 'create', '/a'), bad)
  t.match(encodingError(new RangeError('boom'), 'create', '/a'), { name: 'MarshallingError', op: 'create', path: '/a', message: /boom/ })
})
