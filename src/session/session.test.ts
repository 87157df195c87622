// The session state machine against a scripted in-process ZooKeeper (fake-server.test-helper.ts)
// over the memory transport: handshake, pipelining, typed errors, event/reply order, reconnect with
// the same session, auth and watches, expiry (server- and client-side), timeouts and aborts, close,
// hostile frames and oversized requests. Waits on events and microtasks, never on wall-clock time.
import t from 'tap'
import { Session, type SessionOptions } from './session.js'
import { FakeServer, notificationFrame, replyFrame } from './fake-server.test-helper.js'
import { ManualClock } from '../clock.js'
import { encodeFrame } from '../transport/frame-decoder.js'
import { ErrorCode, EventType, OpCode } from '../protocol.js'
import {
  decodeGetDataRequest,
  decodeGetDataResponse,
  decodeSetWatches,
  decodeSetWatches2,
  encodeGetDataRequest,
  encodeGetDataResponse,
} from '../jute/generated/proto.generated.js'
import {
  AbortedError,
  AuthFailedError,
  BadArgumentsError,
  ClientClosedError,
  ConnectionLossError,
  MarshallingError,
  NoNodeError,
  OperationTimeoutError,
  ProtocolError,
  SessionExpiredError,
} from '../errors.js'
import type { SessionState } from './types.js'

const stat = {
  czxid: 1n,
  mzxid: 1n,
  ctime: 0n,
  mtime: 0n,
  version: 0,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 1,
  numChildren: 0,
  pzxid: 1n,
}

/** A getData reply body whose data is `text`. */
const dataReply = (text: string) => (w: import('../jute/writer.js').Writer) => encodeGetDataResponse(w, { data: Buffer.from(text), stat })

function setup(extra: Omit<Partial<SessionOptions>, 'hosts'> & { count?: number } = {}) {
  const server = new FakeServer(extra.count ?? 3)
  // Echo getData: the reply's data is the path asked for, so order is visible; /missing → NONODE.
  server.respond = (req) => {
    if (req.type !== OpCode.getData) return {}
    const { path } = decodeGetDataRequest(req.reader)
    if (path === '/missing') return { err: ErrorCode.NONODE, zxid: 6n }
    return { zxid: 5n, body: dataReply(path) }
  }
  const { count: _count, ...rest } = extra
  const session = new Session({
    hosts: server.hosts,
    transportFactory: server.factory,
    shuffleHosts: false,
    sessionTimeout: 9000,
    reconnectDelay: { min: 1, max: 2 },
    ...rest,
  })
  const states: string[] = []
  session.onState((next, prev) => states.push(`${prev}→${next}`))
  return { server, session, states }
}

function getData(
  session: Session,
  path: string,
  extra: { signal?: AbortSignal; timeout?: number; onReply?: (err: number, zxid: bigint) => void } = {},
) {
  return session.request(
    OpCode.getData,
    (w) => encodeGetDataRequest(w, { path, watch: false }),
    (r) => String(decodeGetDataResponse(r).data),
    { op: 'getData', path, ...extra },
  )
}

/** Resolves when the session enters `state` (at once if it is there). */
function reached(session: Session, state: SessionState): Promise<void> {
  if (session.state === state) return Promise.resolve()
  return new Promise((resolve) => {
    const off = session.onState((next) => {
      if (next === state) {
        off()
        resolve()
      }
    })
  })
}

/** Let queued microtasks run until `cond()` holds (everything in-memory runs on microtasks). */
async function settle(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (cond()) return
    await Promise.resolve()
  }
  throw new Error(`never happened: ${what}`)
}

/** Let `n` rounds of microtasks run (to show that something does NOT happen). */
async function idle(n = 200): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve()
}

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  )

t.test('handshake: ConnectRequest fields, negotiated timeout, connected', async (t) => {
  const { server, session, states } = setup()
  server.grant = () => 4000
  session.start()
  session.start() // idempotent
  await reached(session, 'connected')
  const req = server.conns[0]!.connect
  t.equal(req.protocolVersion, 0)
  t.equal(req.lastZxidSeen, 0n)
  t.equal(req.timeOut, 9000, 'asks for the configured timeout')
  t.equal(req.sessionId, 0n, 'a new session')
  t.same(req.passwd, Buffer.alloc(16))
  t.equal(req.readOnly, false)
  t.equal(session.negotiatedTimeout, 4000, 'takes the timeout the server granted')
  t.equal(session.sessionId, 0x1000n)
  t.same(session.sessionPassword, Buffer.alloc(16, 0xab))
  t.equal(server.attempts.length, 1)
  await idle(5)
  t.same(states, ['connecting→connected'])
  await session.close()
})

t.test('pipelined requests resolve in order; reply errors are typed with op and path', async (t) => {
  const { server, session } = setup()
  session.start()
  const results = await Promise.all(['/a', '/b', '/c'].map((p) => getData(session, p)))
  t.same(results, ['/a', '/b', '/c'])
  t.same(
    server.seen(OpCode.getData).map((r) => r.xid),
    [1, 2, 3],
    'xids count up from 1',
  )
  t.equal(session.lastZxid, 5n)
  const err = await rejection(getData(session, '/missing'))
  t.type(err, NoNodeError)
  t.match(err, { op: 'getData', path: '/missing', code: ErrorCode.NONODE })
  t.equal(session.lastZxid, 6n, 'an error reply still carries a zxid')
  await session.close()
})

t.test('xids wrap within 31 bits and skip 0', async (t) => {
  const { server, session } = setup()
  session.start()
  await reached(session, 'connected')
  ;(session as unknown as { lastXid: number }).lastXid = 0x7ffffffe
  await Promise.all([getData(session, '/x'), getData(session, '/y')])
  t.same(
    server.seen(OpCode.getData).map((r) => r.xid),
    [0x7fffffff, 1],
  )
  await session.close()
})

t.test('a notification is delivered before the reply that follows it, and onReply before resolution', async (t) => {
  const { server, session } = setup()
  session.start()
  await reached(session, 'connected')
  const order: string[] = []
  session.onEvent((e) => order.push(`event ${e.type} ${e.path}`))
  session.onEvent(() => {
    throw new Error('a broken listener')
  })
  server.respond = () => 'hold'
  const call = getData(session, '/w', { onReply: (err, zxid) => order.push(`onReply ${err} ${zxid}`) }).then((v) =>
    order.push(`resolved ${v}`),
  )
  await server.until(() => server.seen(OpCode.getData).length === 1)
  const xid = server.seen(OpCode.getData)[0]!.xid
  // Both frames in one chunk: nothing may run in between.
  const conn = server.conns[0]!
  const evFrame = notificationFrame(EventType.NodeDataChanged, '/w')
  conn.peer.sendRaw(Buffer.concat([encodeFrame(evFrame), encodeFrame(replyFrame(xid, { zxid: 9n, body: dataReply('/w') }))]))
  await call
  t.same(order, [`event ${EventType.NodeDataChanged} /w`, 'onReply 0 9', 'resolved /w'])
  t.equal(session.state, 'connected', 'a throwing listener does not break the frame loop')
  await session.close()
})

t.test(
  'connection cut: in-flight calls fail with ConnectionLoss; the same session resumes on the next host with auth and watches',
  async (t) => {
    const { server, session, states } = setup()
    session.setWatchSource(() => ({ data: ['/d'], exist: ['/e'], child: ['/c'], persistent: [], persistentRecursive: [] }))
    session.start()
    await reached(session, 'connected')
    await session.addAuth('digest', Buffer.from('u:p'))
    await getData(session, '/warm')
    const first = server.conns[0]!
    server.respond = () => 'hold'
    const inflight = rejection(getData(session, '/x'))
    await server.until(() => first.seen(OpCode.getData).length === 2)
    first.peer.cut()
    const err = await inflight
    t.type(err, ConnectionLossError, 'in-flight call fails with ConnectionLoss')
    t.match(err, { op: 'getData', path: '/x' })
    t.type((err as Error).cause, ConnectionLossError, 'the cause says why the link went')
    await server.until(() => server.conns.length === 2 && server.conns[1]!.requests.length >= 2)
    await reached(session, 'connected')
    const second = server.conns[1]!
    t.equal(second.host, 'z1', 'moved on to the next host')
    t.equal(second.connect.sessionId, 0x1000n, 'same session id')
    t.same(second.connect.passwd, Buffer.alloc(16, 0xab), 'same password')
    t.equal(second.connect.lastZxidSeen, 5n, 'lastZxidSeen = highest zxid seen')
    t.same(
      second.requests.map((r) => r.type),
      [OpCode.auth, OpCode.setWatches],
      'auth first, then watches',
    )
    t.same(decodeSetWatches(second.requests[1]!.reader), {
      relativeZxid: 5n,
      dataWatches: ['/d'],
      existWatches: ['/e'],
      childWatches: ['/c'],
    })
    server.respond = () => ({ body: dataReply('again') })
    t.equal(await getData(session, '/y'), 'again', 'requests flow again')
    await idle(5)
    t.same(states, ['connecting→connected', 'connected→disconnected', 'disconnected→connected'])
    await session.close()
  },
)

t.test('persistent watches are restored with SetWatches2, split into packets of about 128 KB', async (t) => {
  const { server, session } = setup()
  const data = Array.from({ length: 3000 }, (_, i) => `/node/${String(i).padStart(4, '0')}/${'x'.repeat(90)}`)
  session.setWatchSource(() => ({ data, exist: [], child: ['/kids'], persistent: ['/p'], persistentRecursive: ['/r'] }))
  session.start()
  await reached(session, 'connected')
  await getData(session, '/zxid') // lastZxid 5
  server.conns[0]!.peer.cut()
  await server.until(() => server.conns.length === 2 && server.conns[1]!.seen(OpCode.setWatches2).length > 0)
  const packets = server.conns[1]!.requests.filter((r) => r.type === OpCode.setWatches || r.type === OpCode.setWatches2)
  t.ok(packets.length >= 3, `${packets.length} packets for ~300 KB of paths`)
  const decoded = packets.map((p) =>
    p.type === OpCode.setWatches2
      ? decodeSetWatches2(p.reader)
      : { persistentWatches: [], persistentRecursiveWatches: [], ...decodeSetWatches(p.reader) },
  )
  for (const p of packets) t.ok(p.body.length < 130 * 1024, 'each packet stays near 128 KB', { diagnostic: false })
  t.same(
    decoded.flatMap((d) => d.dataWatches),
    data,
    'every data watch, in order',
  )
  t.same(
    decoded.flatMap((d) => d.childWatches),
    ['/kids'],
  )
  t.same(
    decoded.flatMap((d) => d.persistentWatches),
    ['/p'],
  )
  t.same(
    decoded.flatMap((d) => d.persistentRecursiveWatches),
    ['/r'],
  )
  t.ok(
    decoded.every((d) => d.relativeZxid === 5n),
    'relative to the last zxid',
  )
  t.equal(packets[packets.length - 1]!.type, OpCode.setWatches2, 'the packet with persistent watches is SetWatches2')
  t.equal(packets[0]!.type, OpCode.setWatches, 'packets without them stay plain SetWatches (servers < 3.6)')
  await session.close()
})

t.test('calls made while disconnected wait, and go out after the reconnect', async (t) => {
  const clock = new ManualClock()
  const { server, session } = setup({ clock, count: 2 })
  session.start()
  await reached(session, 'connected')
  server.down.add('z0').add('z1')
  server.conns[0]!.peer.cut()
  // Two timers: the client-side expiry and the backoff after the failed cycle.
  await settle(() => server.attempts.length === 3 && clock.pending === 2, 'a full cycle failed, backoff armed')
  t.equal(session.state, 'disconnected')
  const waiting = getData(session, '/later')
  t.equal(server.seen(OpCode.getData).length, 0)
  server.down.clear()
  clock.advance(clock.nextDue!)
  t.equal(await waiting, '/later')
  t.equal(server.conns.length, 2)
  await session.close()
})

t.test('the unsent queue is bounded', async (t) => {
  const { session } = setup({ maxUnsent: 2 })
  const a = getData(session, '/1')
  const b = getData(session, '/2')
  const c = await rejection(getData(session, '/3'))
  t.type(c, ConnectionLossError)
  t.match((c as Error).message, /2 calls already wait/)
  session.start()
  t.same(await Promise.all([a, b]), ['/1', '/2'], 'the queued calls go out in order')
  await session.close()
})

t.test('server-side expiry on reconnect: expired, everything fails, no new session', async (t) => {
  const clock = new ManualClock()
  const { server, session, states } = setup({ clock })
  session.start()
  await reached(session, 'connected')
  const id = session.sessionId
  server.respond = () => 'hold'
  const inflight = rejection(getData(session, '/inflight'))
  await server.until(() => server.seen(OpCode.getData).length === 1)
  for (const h of server.hosts) server.down.add(h.host)
  server.expired.add(id)
  server.conns[0]!.peer.cut()
  t.type(await inflight, ConnectionLossError)
  await settle(() => server.attempts.length === 4 && clock.pending === 2, 'backing off')
  const queued = rejection(getData(session, '/queued'))
  const auth = rejection(session.addAuth('digest', Buffer.from('a:b')))
  server.down.clear()
  clock.advance(clock.nextDue!)
  await reached(session, 'expired')
  t.type(await queued, SessionExpiredError, 'a waiting call fails with SessionExpired')
  t.type(await auth, SessionExpiredError, 'so does a waiting addAuth')
  t.type(await rejection(getData(session, '/after')), SessionExpiredError, 'and every later call')
  t.type(await rejection(session.addAuth('digest', Buffer.from('x'))), SessionExpiredError)
  const attempts = server.attempts.length
  clock.advance(60_000)
  await idle()
  t.equal(server.attempts.length, attempts, 'no further connection attempts')
  t.equal(server.conns.length, 2)
  t.ok(
    server.conns.every((c) => c.connect.sessionId === 0n || c.connect.sessionId === id),
    'never asked for a new session once one existed',
  )
  t.equal(session.sessionId, id)
  t.same(states.slice(-2), ['connected→disconnected', 'disconnected→expired'])
  await session.close()
  t.equal(session.state, 'closed')
})

t.test('client-side expiry: disconnected longer than the negotiated timeout with no server reachable', async (t) => {
  const clock = new ManualClock(1_000)
  const { server, session } = setup({ clock, sessionTimeout: 3000 })
  session.start()
  await reached(session, 'connected')
  for (const h of server.hosts) server.down.add(h.host)
  server.conns[0]!.peer.cut()
  await reached(session, 'disconnected')
  const queued = rejection(getData(session, '/q'))
  clock.advance(2999)
  await idle()
  t.equal(session.state, 'disconnected', 'still hoping just before the timeout')
  clock.advance(1)
  await reached(session, 'expired')
  t.type(await queued, SessionExpiredError)
  t.match(await queued, { message: /session timeout \(3000 ms\)/ })
  await session.close()
})

t.test('client-side expiry of a resumed session that no server answers', async (t) => {
  const clock = new ManualClock()
  const server = new FakeServer(1)
  server.down.add('z0')
  const session = new Session({
    hosts: server.hosts,
    transportFactory: server.factory,
    clock,
    sessionTimeout: 5000,
    sessionId: 0x77n,
    sessionPassword: Buffer.alloc(16, 1),
    reconnectDelay: { min: 10, max: 20 },
  })
  session.start()
  t.equal(session.state, 'connecting')
  clock.advance(4999)
  await idle()
  t.equal(session.state, 'connecting')
  clock.advance(1)
  await reached(session, 'expired')
  t.pass('expired without ever reaching a server')
  await session.close()
})

t.test('per-call timeout and abort reject promptly and keep FIFO matching intact', async (t) => {
  const clock = new ManualClock()
  const { server, session } = setup({ clock })
  session.start()
  await reached(session, 'connected')
  server.respond = () => 'hold'
  const ac = new AbortController()
  const timed = rejection(getData(session, '/slow', { timeout: 100 }))
  const aborted = rejection(getData(session, '/abort', { signal: ac.signal }))
  const normal = getData(session, '/ok', { timeout: 1000 })
  await server.until(() => server.seen(OpCode.getData).length === 3)
  clock.advance(100)
  t.type(await timed, OperationTimeoutError)
  t.match(await timed, { op: 'getData', path: '/slow' })
  ac.abort()
  t.type(await aborted, AbortedError)
  // The late replies of the abandoned calls come first; they must be matched and dropped.
  const conn = server.conns[0]!
  for (const r of server.seen(OpCode.getData)) conn.reply(r.xid, { body: dataReply(`reply-${r.xid}`) })
  t.equal(await normal, `reply-${server.seen(OpCode.getData)[2]!.xid}`)
  t.equal(session.state, 'connected')
  t.equal(server.conns.length, 1, 'the connection survived')
  await session.close()
})

t.test('timed-out or aborted calls that were never sent are never sent', async (t) => {
  const clock = new ManualClock()
  const { server, session } = setup({ clock })
  const ac = new AbortController()
  const timed = rejection(getData(session, '/t', { timeout: 50 }))
  const aborted = rejection(getData(session, '/a', { signal: ac.signal }))
  const pre = new AbortController()
  pre.abort()
  t.type(await rejection(getData(session, '/pre', { signal: pre.signal })), AbortedError, 'an already aborted signal rejects at once')
  clock.advance(50)
  ac.abort()
  t.type(await timed, OperationTimeoutError)
  t.type(await aborted, AbortedError)
  session.start()
  t.equal(await getData(session, '/kept'), '/kept')
  t.same(
    server.seen(OpCode.getData).map((r) => decodeGetDataRequest(r.reader).path),
    ['/kept'],
  )
  await session.close()
})

t.test('pings after idling a third of the timeout; a silent server is dropped after two thirds', async (t) => {
  const clock = new ManualClock()
  const { server, session } = setup({ clock, sessionTimeout: 3000 })
  session.start()
  await reached(session, 'connected')
  clock.advance(999)
  await idle(10)
  t.equal(server.seen(OpCode.ping).length, 0, 'no ping before timeout/3 of idleness')
  clock.advance(1)
  await server.until(() => server.seen(OpCode.ping).length === 1)
  t.pass('pinged at timeout/3')
  // The server stalls: nothing comes back, pings included.
  server.conns[0]!.peer.pause()
  clock.advance(1999)
  await idle(10)
  t.equal(session.state, 'connected', 'not yet past the read timeout')
  clock.advance(1)
  await reached(session, 'disconnected')
  t.pass('dropped after 2/3 of the timeout without a byte')
  await server.until(() => server.conns.length === 2)
  await reached(session, 'connected')
  await session.close()
})

t.test('a server that never answers the handshake is left after the connect timeout', async (t) => {
  const clock = new ManualClock()
  const { server, session } = setup({ clock, connectTimeout: 500 })
  server.mute.add('z0')
  session.start()
  await settle(() => server.conns[0]?.connect !== undefined, 'ConnectRequest reached z0')
  clock.advance(499)
  await idle(10)
  t.equal(server.conns.length, 1)
  clock.advance(1)
  await reached(session, 'connected')
  t.equal(server.last.host, 'z1')
  await session.close()
})

t.test('backs off once per full cycle over the hosts', async (t) => {
  const clock = new ManualClock()
  const { server, session } = setup({ clock, reconnectDelay: { min: 100, max: 1000 } })
  for (const h of server.hosts) server.down.add(h.host)
  session.start()
  await settle(() => server.attempts.length === 3 && clock.pending > 0, 'first cycle')
  await idle()
  t.equal(server.attempts.length, 3, 'waits after trying every host')
  const first = clock.nextDue!
  t.ok(first >= 100 && first <= 1000, `backoff ${first} ms within bounds`)
  clock.advance(first)
  await settle(() => server.attempts.length === 6 && clock.pending > 0, 'second cycle')
  t.same(server.attempts, ['z0', 'z1', 'z2', 'z0', 'z1', 'z2'])
  t.ok(clock.nextDue! >= 200, 'the second backoff is longer')
  server.down.clear()
  clock.advance(clock.nextDue!)
  await reached(session, 'connected')
  await session.close()
})

t.test('close sends closeSession after earlier calls, and is idempotent', async (t) => {
  const { server, session, states } = setup()
  session.start()
  await reached(session, 'connected')
  const before = getData(session, '/before')
  const closed = session.close()
  t.type(await rejection(getData(session, '/during')), ClientClosedError, 'calls made while closing are refused')
  t.equal(await before, '/before', 'a call made before close still gets its reply')
  await closed
  t.same(
    server.conns[0]!.requests.map((r) => r.type),
    [OpCode.getData, OpCode.closeSession],
  )
  t.equal(session.state, 'closed')
  t.type(await rejection(getData(session, '/after')), ClientClosedError)
  t.type(await rejection(session.addAuth('digest', Buffer.from('x'))), ClientClosedError)
  await session.close()
  t.equal(server.seen(OpCode.closeSession).length, 1, 'closeSession sent once')
  await idle(5)
  t.same(states, ['connecting→connected', 'connected→closed'], 'no disconnected when the server hangs up after closeSession')
  session.start()
  await idle()
  t.equal(server.attempts.length, 1, 'start() after close does nothing')
})

t.test('close while disconnected just closes; waiting calls fail with ClientClosed', async (t) => {
  const clock = new ManualClock()
  const { server, session } = setup({ clock })
  session.start()
  await reached(session, 'connected')
  for (const h of server.hosts) server.down.add(h.host)
  server.conns[0]!.peer.cut()
  await settle(() => server.attempts.length === 4 && clock.pending === 2, 'backing off')
  const waiting = rejection(getData(session, '/w'))
  await session.close()
  t.type(await waiting, ClientClosedError)
  t.equal(server.seen(OpCode.closeSession).length, 0)
  t.equal(session.state, 'closed')
  clock.advance(60_000)
  await idle()
  t.equal(server.attempts.length, 4, 'the loop stopped')
})

t.test('close during the handshake drops the attempt', async (t) => {
  const { server, session } = setup()
  server.mute.add('z0')
  session.start()
  await server.until(() => server.conns.length === 1)
  const seen: string[] = []
  session.onState((n) => seen.push(n))
  const closing = session.close()
  t.equal(session.state, 'closed', 'state changes at once')
  t.same(seen, [], 'listeners are told on a microtask, not re-entrantly')
  await closing
  await server.until(() => server.conns[0]!.peer.closed)
  await idle(5)
  t.same(seen, ['closed'])
  t.equal(server.conns.length, 1)
})

t.test('hostile frames drop the connection with a clear cause, never the process', async (t) => {
  const { server, session } = setup()
  session.start()
  await reached(session, 'connected')
  server.respond = () => 'hold'

  const cases: {
    name: string
    send: (conn: (typeof server.conns)[number], xid: number) => void
    cause: new (...a: never[]) => Error
    message: RegExp
  }[] = [
    {
      name: 'oversized length',
      send: (c) => c.peer.sendRaw(Buffer.from([0x7f, 0xff, 0xff, 0xf0])),
      cause: ProtocolError,
      message: /frame length 2147483632/,
    },
    {
      name: 'negative length',
      send: (c) => c.peer.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0xfe])),
      cause: ProtocolError,
      message: /frame length -2/,
    },
    { name: 'truncated reply header', send: (c) => c.peer.send(Buffer.from([0, 0, 0])), cause: MarshallingError, message: /truncated/ },
    {
      name: 'reply to an xid not at the head',
      send: (c, xid) => c.reply(xid + 100),
      cause: ProtocolError,
      message: /does not match the oldest/,
    },
  ]
  for (const [i, c] of cases.entries()) {
    const call = rejection(getData(session, `/case${i}`))
    await server.until(() => server.last.seen(OpCode.getData).length === 1)
    c.send(server.last, server.last.seen(OpCode.getData)[0]!.xid)
    const err = await call
    t.type(err, ConnectionLossError, `${c.name}: the call fails with ConnectionLoss`)
    t.type((err as Error).cause, c.cause, `${c.name}: caused by ${c.cause.name}`)
    t.match(((err as Error).cause as Error).message, c.message)
    await server.until(() => server.conns.length === i + 2)
    await reached(session, 'connected')
  }
  server.respond = () => ({ body: dataReply('fine') })
  t.equal(await getData(session, '/still'), 'fine', 'the session carries on')
  await session.close()
})

t.test('a malformed reply body fails only that call', async (t) => {
  const { server, session } = setup()
  session.start()
  await reached(session, 'connected')
  server.respond = () => ({ body: (w) => w.int(1) }) // far too short for GetDataResponse
  const err = await rejection(getData(session, '/short'))
  t.type(err, MarshallingError)
  t.match(err, { op: 'getData', path: '/short' })
  server.respond = () => ({ body: dataReply('ok') })
  t.equal(await getData(session, '/next'), 'ok')
  t.equal(server.conns.length, 1)
  await session.close()
})

t.test('requests larger than maxBufferSize are refused before sending; the connection is untouched', async (t) => {
  const { server, session } = setup({ maxBufferSize: 1024 })
  const early = await rejection(getData(session, '/' + 'q'.repeat(2000)))
  t.type(early, BadArgumentsError, 'refused even before connecting')
  session.start()
  await reached(session, 'connected')
  const big = '/' + 'x'.repeat(2000)
  const err = await rejection(getData(session, big))
  t.type(err, BadArgumentsError, 'too large is a bad argument, not a marshalling failure')
  t.match(err, { op: 'getData', path: big, message: /getData request would take 2014 bytes, over jute.maxbuffer \(1024 bytes\)/ })
  // A frame of exactly jute.maxbuffer is what ZooKeeper still reads; one byte more it refuses.
  const fits = '/' + 'f'.repeat(1024 - 8 - 4 - 1 - 1)
  t.equal(await getData(session, fits), fits, 'a request of exactly maxBufferSize bytes goes out')
  t.type(await rejection(getData(session, fits + 'f')), BadArgumentsError, 'one byte more does not')
  const withData = await rejection(
    session.request(OpCode.setData, (w) => (w.ustring('/d'), w.buffer(Buffer.alloc(1020)), w.int(-1)), null, {
      op: 'setData',
      path: '/d',
      dataBytes: 1020,
    }),
  )
  t.match(
    withData,
    { message: /besides its data it takes 22 bytes, so its data may be at most 1002 bytes \(it has 1020\)/ },
    'says how much data would fit',
  )
  t.equal(await getData(session, '/small'), '/small')
  t.equal(server.seen(OpCode.getData).length, 2, 'the big ones never left')
  t.equal(server.conns.length, 1)
  const thrown = await rejection(
    session.request(
      OpCode.getData,
      () => {
        throw new BadArgumentsError('bad path', { op: 'getData', path: '/p' })
      },
      null,
      { op: 'getData', path: '/p' },
    ),
  )
  t.type(thrown, BadArgumentsError, 'an encoder error reaches the caller as is')
  await session.close()
})

t.test('auth: accepted credentials resolve; AUTHFAILED ends the session', async (t) => {
  const { server, session, states } = setup()
  server.authResult = (scheme) => (scheme === 'bad' ? ErrorCode.AUTHFAILED : scheme === 'odd' ? ErrorCode.BADARGUMENTS : 0)
  const early = session.addAuth('digest', Buffer.from('early'))
  session.start()
  await early
  t.pass('addAuth made before connecting resolves once the server accepted it')
  t.type(await rejection(session.addAuth('odd', Buffer.from('?'))), BadArgumentsError, 'a non-fatal refusal rejects that addAuth')
  t.equal(session.state, 'connected')
  server.respond = () => 'hold'
  const inflight = rejection(getData(session, '/x'))
  await server.until(() => server.seen(OpCode.getData).length === 1)
  const failed = await rejection(session.addAuth('bad', Buffer.from('nope')))
  t.type(failed, AuthFailedError)
  await reached(session, 'authFailed')
  t.type(await inflight, AuthFailedError, 'calls in flight fail with AuthFailed')
  t.type(await rejection(getData(session, '/later')), AuthFailedError)
  await idle()
  t.equal(server.conns.length, 1, 'no reconnect after an auth failure')
  t.same(states.slice(-1), ['connected→authFailed'])
  await session.close()
})

t.test('a refused credential is not re-sent after a reconnect; accepted ones are', async (t) => {
  const { server, session } = setup()
  server.authResult = (scheme) => (scheme === 'odd' ? ErrorCode.BADARGUMENTS : 0)
  session.start()
  await session.addAuth('digest', Buffer.from('u:p'))
  await rejection(session.addAuth('odd', Buffer.from('?')))
  server.conns[0]!.peer.cut()
  await server.until(() => server.conns.length === 2 && server.conns[1]!.seen(OpCode.auth).length === 1)
  await reached(session, 'connected')
  await idle(10)
  t.equal(server.conns[1]!.seen(OpCode.auth).length, 1)
  await session.close()
})
