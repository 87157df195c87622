// The session state machine against a scripted in-memory server: handshake, pipelining, errors,
// reconnect with the same session and its watches and auth, expiry (server and client side),
// timeouts and aborts, close, and hostile frames.
import t from 'tap'
import { Session } from './session.js'
import { FakeZooKeeper } from '../testing/fake-zookeeper.js'
import { ManualClock } from '../clock.js'
import { OpCode, ErrorCode } from '../protocol.js'
import { encodeGetDataRequest, decodeGetDataRequest, encodeGetDataResponse, decodeGetDataResponse, decodeSetWatches, decodeAuthPacket } from '../jute/generated/proto.generated.js'
import { AbortedError, ConnectionLossError, NoNodeError, OperationTimeoutError, SessionExpiredError, ClientClosedError } from '../errors.js'
import type { SessionState } from './types.js'

const stat = { czxid: 1n, mzxid: 1n, ctime: 0n, mtime: 0n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 1, numChildren: 0, pzxid: 1n }

function setup(opts: { clock?: ManualClock; hosts?: number; sessionTimeout?: number } = {}) {
  const fake = new FakeZooKeeper(opts.hosts ?? 3)
  // Echo getData: the reply's data is the requested path, so order is visible.
  fake.handler = (req) => {
    if (req.header.type !== OpCode.getData) return {}
    const { path } = decodeGetDataRequest(req.body)
    if (path === '/missing') return { err: ErrorCode.NONODE }
    return { zxid: 5n, body: (w) => encodeGetDataResponse(w, { data: Buffer.from(path), stat }) }
  }
  const session = new Session({
    hosts: fake.hosts,
    transportFactory: fake.factory,
    shuffleHosts: false,
    sessionTimeout: opts.sessionTimeout ?? 9000,
    clock: opts.clock,
    reconnectDelay: { min: 1, max: 2 },
  })
  const states: SessionState[] = []
  session.onState((s) => states.push(s))
  return { fake, session, states }
}

function getData(session: Session, path: string, extra: { signal?: AbortSignal; timeout?: number } = {}) {
  return session.request(OpCode.getData, (w) => encodeGetDataRequest(w, { path, watch: false }), (r) => String(decodeGetDataResponse(r).data), { op: 'getData', path, ...extra })
}

function reached(session: Session, state: SessionState): Promise<void> {
  if (session.state === state) return Promise.resolve()
  return new Promise((resolve) => {
    const off = session.onState((s) => {
      if (s === state) {
        off()
        resolve()
      }
    })
  })
}

t.test('handshake: session id, negotiated timeout, connected state', async (t) => {
  const { fake, session, states } = setup()
  fake.grantTimeout = 4000
  session.start()
  await reached(session, 'connected')
  t.equal(session.negotiatedTimeout, 4000)
  t.equal(session.sessionId, 0x100n)
  t.equal(fake.connections[0]!.connect.timeOut, 9000, 'asked for the configured timeout')
  t.equal(fake.connections[0]!.connect.sessionId, 0n, 'a new session')
  t.same(states, ['connected'])
  await session.close()
})

t.test('pipelined requests resolve in order; error replies are typed', async (t) => {
  const { session } = setup()
  session.start()
  const results = await Promise.all(['/a', '/b', '/c'].map((p) => getData(session, p)))
  t.same(results, ['/a', '/b', '/c'])
  const err = await getData(session, '/missing').catch((e: unknown) => e)
  t.ok(err instanceof NoNodeError)
  t.equal((err as NoNodeError).op, 'getData')
  t.equal((err as NoNodeError).path, '/missing')
  t.equal(session.lastZxid, 5n)
  await session.close()
})

t.test('connection loss: pending calls fail, the same session resumes on the next host with watches and auth', async (t) => {
  const { fake, session, states } = setup()
  session.setWatchSource(() => ({ data: ['/d'], exist: ['/e'], child: ['/c'], persistent: [], persistentRecursive: [] }))
  session.start()
  await reached(session, 'connected')
  await session.addAuth('digest', Buffer.from('u:p'))
  await getData(session, '/warm')
  fake.handler = () => 'hold' // the next call stays in flight
  const inflight = getData(session, '/x')
  await fake.until(() => fake.requests.some((r) => r.header.type === OpCode.getData && r.conn === fake.connections[0]) && fake.requests.length >= 3)
  fake.connections[0]!.peer.cut()
  const err = await inflight.catch((e: unknown) => e)
  t.ok(err instanceof ConnectionLossError, 'in-flight call fails with ConnectionLoss')
  await fake.until(() => fake.connections.length === 2)
  await reached(session, 'connected')
  const second = fake.connections[1]!
  t.equal(second.peer.host.host, 'h1', 'moved to the next host')
  t.equal(second.connect.sessionId, 0x100n, 'same session id')
  t.same(second.connect.passwd, Buffer.alloc(16, 7), 'same password')
  t.equal(second.connect.lastZxidSeen, 5n)
  const on2 = (op: number) => fake.seen(op).filter((r) => r.conn === second)
  await fake.until(() => on2(OpCode.setWatches).length === 1 && on2(OpCode.auth).length === 1)
  const sw = decodeSetWatches(on2(OpCode.setWatches)[0]!.body)
  t.same(sw, { relativeZxid: 5n, dataWatches: ['/d'], existWatches: ['/e'], childWatches: ['/c'] })
  t.same(decodeAuthPacket(on2(OpCode.auth)[0]!.body).auth, Buffer.from('u:p'), 'auth re-sent')
  t.same(states.slice(0, 3), ['connected', 'disconnected', 'connected'])
  await session.close()
})

t.test('calls made while disconnected wait and are sent after the reconnect', async (t) => {
  const { fake, session } = setup({ hosts: 2 })
  session.start()
  await reached(session, 'connected')
  fake.down.add('h1')
  fake.connections[0]!.peer.cut()
  await reached(session, 'disconnected')
  const waiting = getData(session, '/later')
  fake.down.clear()
  t.equal(await waiting, '/later')
  await session.close()
})

t.test('server-side expiry on reconnect: Expired, everything fails, no new session', async (t) => {
  const { fake, session } = setup()
  session.start()
  await reached(session, 'connected')
  fake.expired.add(session.sessionId)
  fake.connections[0]!.peer.cut()
  await reached(session, 'disconnected')
  const queued = getData(session, '/q')
  await reached(session, 'expired')
  t.ok((await queued.catch((e: unknown) => e)) instanceof SessionExpiredError)
  t.ok((await getData(session, '/after').catch((e: unknown) => e)) instanceof SessionExpiredError)
  t.equal(fake.connections.length, 1, 'no new session was created')
  t.equal(session.sessionId, 0x100n)
  await session.close()
})

t.test('client-side expiry when no server answers within the session timeout', async (t) => {
  const clock = new ManualClock(1_000)
  const { fake, session } = setup({ clock, sessionTimeout: 3000 })
  session.start()
  await reached(session, 'connected')
  for (const h of fake.hosts) fake.down.add(h.host)
  fake.connections[0]!.peer.cut()
  await reached(session, 'disconnected')
  clock.advance(2999)
  await Promise.resolve()
  t.equal(session.state, 'disconnected')
  clock.advance(1)
  await reached(session, 'expired')
  t.pass('expired by the client-side timer')
  await session.close()
})

t.test('per-call timeout and abort keep FIFO matching intact', async (t) => {
  const clock = new ManualClock()
  const { fake, session } = setup({ clock })
  session.start()
  await reached(session, 'connected')
  const held: number[] = []
  fake.handler = (req) => {
    held.push(req.header.xid)
    return 'hold'
  }
  const ac = new AbortController()
  const timed = getData(session, '/slow', { timeout: 100 })
  const aborted = getData(session, '/abort', { signal: ac.signal })
  const normal = getData(session, '/ok')
  await fake.until(() => held.length === 3)
  clock.advance(100)
  ac.abort()
  t.ok((await timed.catch((e: unknown) => e)) instanceof OperationTimeoutError)
  t.ok((await aborted.catch((e: unknown) => e)) instanceof AbortedError)
  // Late replies for the abandoned calls arrive first and must be matched and dropped.
  const conn = fake.connections[0]!
  for (const xid of held) conn.reply(xid, { body: (w) => encodeGetDataResponse(w, { data: Buffer.from(`reply-${xid}`), stat }) })
  t.equal(await normal, `reply-${held[2]}`)
  t.equal(session.state, 'connected')
  await session.close()
})

t.test('pings when idle; a silent server is dropped after the read timeout', async (t) => {
  const clock = new ManualClock()
  const { fake, session } = setup({ clock, sessionTimeout: 3000 })
  session.start()
  await reached(session, 'connected')
  clock.advance(1400) // idle past timeout/3, checked every readTimeout/6
  await fake.until(() => fake.seen(OpCode.ping).length >= 1)
  t.pass('pinged after idling')
  // Now the server stops answering anything, pings included.
  fake.connections[0]!.peer.send = () => {}
  fake.connections[0]!.reply = () => {}
  clock.advance(2500) // past the read timeout (2/3 of 3000) plus one check interval
  await reached(session, 'disconnected')
  t.pass('dropped the silent connection')
  await session.close()
})

t.test('close sends closeSession and fails later calls', async (t) => {
  const { fake, session } = setup()
  session.start()
  await reached(session, 'connected')
  await session.close()
  t.equal(fake.seen(OpCode.closeSession).length, 1)
  t.equal(session.state, 'closed')
  t.ok((await getData(session, '/x').catch((e: unknown) => e)) instanceof ClientClosedError)
  await session.close() // idempotent
})

t.test('hostile frames: oversized length and out-of-order xid drop the connection, never the process', async (t) => {
  const { fake, session } = setup()
  session.start()
  await reached(session, 'connected')
  fake.handler = () => 'hold'
  const a = getData(session, '/a')
  await fake.until(() => fake.seen(OpCode.getData).length === 1)
  const huge = Buffer.alloc(4)
  huge.writeInt32BE(0x7ffffff0, 0)
  fake.connections[0]!.peer.sendRaw(huge)
  t.ok((await a.catch((e: unknown) => e)) instanceof ConnectionLossError, 'oversized frame → ConnectionLoss')
  await fake.until(() => fake.connections.length === 2)
  await reached(session, 'connected')
  const b = getData(session, '/b')
  await fake.until(() => fake.seen(OpCode.getData).length === 2)
  fake.connections[1]!.reply(12345, {})
  t.ok((await b.catch((e: unknown) => e)) instanceof ConnectionLossError, 'unexpected xid → ConnectionLoss')
  await session.close()
})
