// A session that has never connected: what it remembers of its failed attempts, how calls made
// meanwhile end when initialConnectTimeout passes (instead of waiting until close), and what a
// timed-out call says about whether it was ever sent. Manual clock, scripted in-memory servers.
import t from 'tap'
import { Session, type SessionOptions } from './session.js'
import { FakeServer } from './fake-server.test-helper.js'
import { ManualClock } from '../clock.js'
import { OpCode } from '../protocol.js'
import { encodeGetDataRequest } from '../jute/generated/proto.generated.js'
import { ConnectionLossError, OperationTimeoutError } from '../errors.js'
import type { SessionState } from './types.js'

function setup(extra: Omit<Partial<SessionOptions>, 'hosts'> = {}) {
  const server = new FakeServer(2)
  const clock = new ManualClock()
  const session = new Session({
    hosts: server.hosts,
    transportFactory: server.factory,
    shuffleHosts: false,
    sessionTimeout: 9000,
    reconnectDelay: { min: 100, max: 100 },
    clock,
    ...extra,
  })
  t.teardown(() => session.close())
  return { server, session, clock }
}

const getData = (session: Session, path: string, extra: { timeout?: number } = {}) =>
  session.request(OpCode.getData, (w) => encodeGetDataRequest(w, { path, watch: false }), null, { op: 'getData', path, ...extra })

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  )

/** Let queued microtasks run until `cond()` holds (the in-memory network runs on microtasks). */
async function settle(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (cond()) return
    await Promise.resolve()
  }
  throw new Error(`never happened: ${what}`)
}

function reached(session: Session, state: SessionState): Promise<void> {
  if (session.state === state) return Promise.resolve()
  return new Promise((resolve) => {
    const off = session.onState((next) => next === state && (off(), resolve()))
  })
}

t.test('calls made before the first session fail once initialConnectTimeout passes, naming the last failed attempt', async (t) => {
  const { server, session, clock } = setup({ initialConnectTimeout: 1000 })
  for (const h of server.hosts) server.down.add(h.host)
  session.start()
  const waiting = rejection(getData(session, '/w'))
  const auth = rejection(session.addAuth('digest', Buffer.from('u:p')))
  await server.until(() => server.attempts.length === 2)
  t.match(session.lastConnectFailure, { remote: 'z1:2181', error: { message: /connect to z1:2181 refused/ } })

  clock.advance(999)
  await Promise.resolve()
  t.equal(server.attempts.length >= 2 && session.state, 'connecting', 'still trying before the deadline')
  clock.advance(1)
  const err = await waiting
  t.type(err, ConnectionLossError)
  t.match(err, {
    op: 'getData',
    path: '/w',
    message: /^CONNECTIONLOSS \(getData \/w\): not sent: not connected within 1000 ms: last attempt to z\d:2181 failed: .*refused$/,
  })
  t.type((err as Error).cause, Error, 'the last failure is the cause')
  t.match(await auth, { name: 'ConnectionLossError', op: 'addAuth' }, 'an addAuth waiting for the first session ends too')
  t.match(
    await rejection(getData(session, '/later')),
    { name: 'ConnectionLossError', message: /not connected within 1000 ms/ },
    'later calls fail at once while there is still no session',
  )

  // It keeps trying: once a server answers, calls flow again and the failure is forgotten.
  server.down.clear()
  const connected = reached(session, 'connected')
  clock.advance(100)
  await connected
  t.equal(session.lastConnectFailure, undefined)
  server.respond = () => ({})
  t.equal(await getData(session, '/now'), undefined)
})

t.test('a server that takes the link but never answers the handshake is the failure reported', async (t) => {
  const { server, session, clock } = setup({ connectTimeout: 300, initialConnectTimeout: 650 })
  server.mute.add('z0')
  server.mute.add('z1')
  session.start()
  const waiting = rejection(getData(session, '/w'))
  for (const n of [1, 2]) {
    await settle(() => server.conns.length === n && server.conns[n - 1]!.connect !== undefined, `ConnectRequest ${n} arrived`)
    clock.advance(300)
  }
  await settle(() => session.lastConnectFailure?.remote === 'z1:2181', 'z1 given up')
  clock.advance(50)
  t.match(await waiting, {
    name: 'ConnectionLossError',
    message: /: last attempt to z1:2181 failed: CONNECTIONLOSS \(connect\): no handshake reply from z1:2181 within 300 ms$/,
  })
})

t.test('without initialConnectTimeout a call waits for the first session', async (t) => {
  const { server, session, clock } = setup()
  server.down.add('z0')
  server.down.add('z1')
  session.start()
  let settled = false
  const call = getData(session, '/w').finally(() => (settled = true))
  for (let cycle = 1; cycle <= 3; cycle++) {
    await settle(() => server.attempts.length === 2 * cycle && clock.pending > 0, `cycle ${cycle} over, backing off`)
    clock.advance(20_000)
  }
  t.equal(settled, false, 'still waiting after a minute')
  server.down.clear()
  await settle(() => server.attempts.length === 7 || clock.pending > 0, 'next attempt or backoff')
  clock.advance(100)
  await call
  t.pass('sent once connected')
})

t.test('a timed-out call says whether it was ever sent', async (t) => {
  const { server, session, clock } = setup()
  server.down.add('z0')
  server.down.add('z1')
  session.start()
  const unsent = rejection(getData(session, '/u', { timeout: 50 }))
  await settle(() => server.attempts.length === 2 && clock.pending > 1, 'backing off')
  clock.advance(50)
  t.type(await unsent, OperationTimeoutError)
  t.match(await unsent, {
    message: /^OPERATIONTIMEOUT \(getData \/u\): not sent within 50 ms \(the timeout option\): no connection to send it on$/,
  })
  server.down.clear()
  clock.advance(100)
  await reached(session, 'connected')
  server.respond = () => 'hold'
  const sent = rejection(getData(session, '/s', { timeout: 70 }))
  await server.until(() => server.seen(OpCode.getData).length === 1)
  clock.advance(70)
  t.match(await sent, {
    name: 'OperationTimeoutError',
    op: 'getData',
    path: '/s',
    message: /: no reply within 70 ms \(the timeout option\)$/,
  })
})
