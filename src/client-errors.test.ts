// Errors a newcomer understands (issue #9): a connect that fails says why, calls on a client that
// never connected end, aborts and closes read as what they are, invalid options are refused by name,
// the data limit is the one ZooKeeper applies to the whole request, and a missing chroot is named.
import t, { type Test } from 'tap'
import net from 'node:net'
import { once } from 'node:events'
import { ZooKeeper, type ClientOptions } from './client.js'
import { Session } from './session/session.js'
import { FakeServer } from './session/fake-server.test-helper.js'
import { ManualClock } from './clock.js'
import { DEFAULT_MAX_BUFFER, ErrorCode, OpCode } from './protocol.js'
import { AbortedError, BadArgumentsError, ClientClosedError, ConnectionLossError, NoNodeError, OperationTimeoutError } from './errors.js'
import { startEnsemble } from './ensemble/index.js'

/** A loopback port nothing listens on (it was just closed), so connecting is refused at once. */
async function refusingPort(): Promise<number> {
  const probe = net.createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as net.AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  )

/** A client of a scripted in-memory server that holds every ordinary request unanswered. */
async function holdingClient(t: Test, extra: ClientOptions = {}) {
  const fake = new FakeServer(1)
  fake.respond = () => 'hold'
  const zk = await ZooKeeper.connect('z0:2181', { ...extra, sessionFactory: (o) => new Session({ ...o, transportFactory: fake.factory }) })
  t.teardown(() => zk.close())
  return { fake, zk }
}

t.test('a connect that times out names the last attempt and carries the socket error', async (t) => {
  const port = await refusingPort()
  const err = await rejection(ZooKeeper.connect(`127.0.0.1:${port}`, { initialConnectTimeout: 300 }))
  t.type(err, OperationTimeoutError)
  t.match(err, {
    op: 'connect',
    message: new RegExp(
      `^OPERATIONTIMEOUT \\(connect\\): not connected within 300 ms: last attempt to 127\\.0\\.0\\.1:${port} failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`,
    ),
  })
  t.match((err as Error).cause, { code: 'ECONNREFUSED' }, 'cause is the socket error itself')
})

t.test('a call on a client that never connected ends when the initial connect gives up, and on close', async (t) => {
  const port = await refusingPort()
  const zk = new ZooKeeper(`127.0.0.1:${port}`, { initialConnectTimeout: 300 })
  t.teardown(() => zk.close())
  const err = await rejection(zk.getData('/x'))
  t.type(err, ConnectionLossError)
  t.match(err, {
    op: 'getData',
    path: '/x',
    message: /^CONNECTIONLOSS \(getData \/x\): not sent: not connected within 300 ms: last attempt to .* failed: connect ECONNREFUSED/,
  })
  t.match((err as Error).cause, { code: 'ECONNREFUSED' })
  t.equal(zk.state, 'connecting', 'it goes on trying in the background')

  const patient = new ZooKeeper(`127.0.0.1:${port}`, { initialConnectTimeout: 60_000 })
  const waiting = rejection(patient.exists('/y'))
  await patient.close()
  const closed = await waiting
  t.type(closed, ClientClosedError)
  t.match(closed, { code: ErrorCode.CONNECTIONLOSS, message: /^CLOSED \(exists \/y\): the client was closed/ })
})

t.test('an abort keeps its reason as the cause and reads as an abort', async (t) => {
  const { zk } = await holdingClient(t)
  const ac = new AbortController()
  const reason = new Error('the user went away')
  const call = rejection(zk.getData('/x', { signal: ac.signal }))
  ac.abort(reason)
  const err = await call
  t.type(err, AbortedError)
  t.equal((err as Error).cause, reason)
  t.equal((err as Error).message, 'ABORTED (getData /x): aborted by its signal: the user went away')
  t.match(await rejection(zk.sync('/x', { signal: AbortSignal.abort('shutting down') })), {
    name: 'AbortedError',
    cause: 'shutting down',
    message: /: aborted by its signal: shutting down$/,
  })
  const plain = await rejection(zk.exists('/x', { signal: AbortSignal.abort() }))
  t.match(plain, { name: 'AbortedError', message: /^ABORTED \(exists \/x\): aborted by its signal: This operation was aborted$/ })

  const port = await refusingPort()
  const never = new ZooKeeper(`127.0.0.1:${port}`)
  t.teardown(() => never.close())
  const stop = new AbortController()
  const connecting = rejection(never.waitForConnected({ signal: stop.signal }))
  stop.abort(reason)
  const aborted = await connecting
  t.type(aborted, AbortedError, 'waitForConnected rejects with an AbortedError, not the bare reason')
  t.match(aborted, { op: 'connect', cause: reason })
})

t.test('a closed client reads as closed, never as a lost connection', async (t) => {
  const { zk } = await holdingClient(t)
  await zk.close()
  const err = await rejection(zk.getData('/x'))
  t.type(err, ClientClosedError)
  t.notMatch((err as Error).message, /CONNECTIONLOSS/)
  t.match(await rejection(zk.waitForConnected()), { name: 'ClientClosedError', op: 'connect', message: /^CLOSED \(connect\)/ })
})

t.test('a per-call timeout is a timeout naming the op, the path and how long', async (t) => {
  const clock = new ManualClock()
  const { fake, zk } = await holdingClient(t, { clock })
  const call = rejection(zk.getChildren('/slow', { timeout: 250 }))
  await fake.until(() => fake.seen(OpCode.getChildren2).length === 1)
  clock.advance(250)
  const err = await call
  t.type(err, OperationTimeoutError)
  t.equal((err as Error).message, 'OPERATIONTIMEOUT (getChildren /slow): no reply within 250 ms (the timeout option)')
  for (const timeout of [0, -1]) {
    t.match(await rejection(zk.getData('/x', { timeout })), {
      name: 'BadArgumentsError',
      op: 'getData',
      path: '/x',
      message: new RegExp(`timeout must be a number of ms in 1\\.\\.2147483647, not the number ${timeout}`),
    })
  }
})

t.test('invalid client options are refused, naming the option and the value', async (t) => {
  const cases: [Partial<Record<keyof ClientOptions, unknown>>, RegExp][] = [
    [{ sessionTimeout: '1000' }, /sessionTimeout must be a whole number of ms in 1\.\.2147483647, not the string "1000"/],
    [{ sessionTimeout: -1 }, /sessionTimeout .* not the number -1/],
    [{ sessionTimeout: 0 }, /sessionTimeout .* not the number 0/],
    [{ sessionTimeout: NaN }, /sessionTimeout .* not the number NaN/],
    [{ sessionTimeout: Infinity }, /sessionTimeout .* not the number Infinity/],
    [{ sessionTimeout: 1500.5 }, /sessionTimeout .* not the number 1500\.5/],
    [{ connectTimeout: 0 }, /connectTimeout must be a number of ms in 1\.\./],
    [{ initialConnectTimeout: -5 }, /initialConnectTimeout .* not the number -5/],
    [{ initialConnectTimeout: 2 ** 31 }, /initialConnectTimeout .* not the number 2147483648/],
    [{ requestTimeout: 0 }, /requestTimeout .* not the number 0/],
    [{ maxBufferSize: '1m' }, /maxBufferSize must be a whole number of bytes .* not the string "1m"/],
    [{ readOnly: 'yes' }, /readOnly must be true or false, not the string "yes"/],
    [{ shuffleHosts: 1 }, /shuffleHosts must be true or false, not the number 1/],
    [{ renewExpiredSession: 'true' }, /renewExpiredSession must be true or false/],
    [{ tls: 'on' }, /tls must be true, false or node:tls connection options, not the string "on"/],
    [{ sessionId: 5 }, /sessionId must be a bigint .* not the number 5/],
    [{ sessionPassword: 'secret' }, /sessionPassword must be a Buffer, not the string "secret"/],
    [{ auth: { scheme: 'digest' } }, /auth must be an array of \{ scheme, auth \}, not an object/],
    [{ auth: [{ scheme: '', auth: 'u:p' }] }, /auth\[0\]\.scheme must be a non-empty string, not the string ""/],
    [{ auth: [{ scheme: 'digest', auth: 42 }] }, /auth\[0\]\.auth must be a string or a Buffer, not the number 42/],
    [{ reconnectDelay: { min: 100, max: 10 } }, /reconnectDelay needs both min and max, with min <= max/],
    [{ reconnectDelay: { min: -1, max: 10 } }, /reconnectDelay\.min must be a number of ms in 0\.\..* not the number -1/],
    [{ sessionFactory: 'mine' }, /sessionFactory must be a function, not the string "mine"/],
    [{ sasl: 'bob:pw' }, /sasl must be \{ username, password \}, not the string "bob:pw"/],
    [{ sasl: { username: '', password: 'pw' } }, /sasl\.username must be a non-empty string, not the string ""/],
    [{ sasl: { username: 'bob' } }, /sasl\.password must be a string, not undefined/],
  ]
  for (const [opts, message] of cases) {
    const label = JSON.stringify(opts, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))
    t.throws(
      () => new ZooKeeper('127.0.0.1:2181', opts as ClientOptions),
      { name: 'BadArgumentsError', code: ErrorCode.BADARGUMENTS, op: 'connect', message },
      label,
    )
  }
  await t.rejects(
    ZooKeeper.connect('127.0.0.1:2181', { sessionTimeout: '1000' as unknown as number }),
    BadArgumentsError,
    'connect() rejects the same way',
  )
  t.throws(() => new ZooKeeper('127.0.0.1:2181', null as unknown as ClientOptions), {
    name: 'BadArgumentsError',
    message: /client options must be an object, not null/,
  })
})

t.test('against the bundled server', async (t) => {
  const ensemble = await startEnsemble({ tickTime: 200 })
  t.teardown(() => ensemble.stop())
  const root = await ZooKeeper.connect(ensemble.connectString)
  t.teardown(() => root.close())

  t.test('the data limit is the one ZooKeeper applies: the whole request within jute.maxbuffer', async (t) => {
    // create2 /big, OPEN_ACL_UNSAFE: header 8 + path 4+4 + data 4+n + ACL 4+(4+4+5+4+6) + flags 4 = 51 + n.
    const most = DEFAULT_MAX_BUFFER - 51
    const full = await rejection(root.create('/big', Buffer.alloc(DEFAULT_MAX_BUFFER)))
    t.type(full, BadArgumentsError, 'data of exactly jute.maxbuffer is refused up front, not a MARSHALLINGERROR')
    t.match(full, {
      op: 'create',
      path: '/big',
      message: new RegExp(
        `create request would take 1048626 bytes, over jute.maxbuffer \\(1048575 bytes\\).* its data may be at most ${most} bytes \\(it has 1048575\\)`,
      ),
    })
    t.type(await rejection(root.create('/big', Buffer.alloc(most + 1))), BadArgumentsError, 'one byte over the limit')
    t.equal(await root.exists('/big'), null, 'neither was applied')
    await root.create('/big', Buffer.alloc(most, 7))
    t.equal((await root.getData('/big')).data.length, most, 'the largest request that fits is stored whole')
    // setData /big: header 8 + path 4+4 + data 4+n + version 4 = 24 + n.
    await root.setData('/big', Buffer.alloc(DEFAULT_MAX_BUFFER - 24))
    t.type(await rejection(root.setData('/big', Buffer.alloc(DEFAULT_MAX_BUFFER - 23))), BadArgumentsError)
    t.equal(root.state, 'connected', 'the connection was never at risk')
  })

  t.test('a missing chroot is named in the error, with code, op and path kept', async (t) => {
    const zk = await ZooKeeper.connect(`${ensemble.connectString}/app`)
    t.teardown(() => zk.close())
    const top = await rejection(zk.create('/x'))
    t.type(top, NoNodeError)
    t.match(top, {
      code: ErrorCode.NONODE,
      op: 'create',
      path: '/x',
      message: /^NONODE \(create \/x\): under chroot \/app: the chroot does not exist/,
    })
    t.type((top as Error).cause, NoNodeError, "the server's answer is the cause")
    t.match(await rejection(zk.create('/a/b')), {
      name: 'NoNodeError',
      path: '/a/b',
      message: /under chroot \/app: the parent \/a does not exist \(does the chroot\?\)/,
    })
    // createAll used to retry for ever: there is no parent above the chroot to create.
    t.match(await rejection(zk.createAll('/x/y', null, { signal: AbortSignal.timeout(5000) })), {
      name: 'NoNodeError',
      path: '/x',
      message: /the chroot does not exist/,
    })
    await root.create('/app')
    t.equal((await zk.create('/x')).path, '/x', 'once the chroot exists, creates work')
  })
})
