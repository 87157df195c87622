// The TCP transport against a loopback server: frames both ways, coalesced writes, backpressure
// through 'drain', server close, oversized frames, refused and timed-out connects.
import t from 'tap'
import net from 'node:net'
import { once } from 'node:events'
import { socketTransport } from './socket.js'
import { FrameDecoder, encodeFrame } from './frame-decoder.js'
import { ConnectionLossError, ProtocolError } from '../errors.js'
import type { Transport } from './transport.js'

/** A loopback server; resolves with its port and a promise of the first accepted socket. */
async function listen(t: { teardown(fn: () => unknown): void }): Promise<{ port: number; accepted: Promise<net.Socket> }> {
  const server = net.createServer()
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { port: (server.address() as net.AddressInfo).port, accepted }
}

/** Whole frames the server side receives, as they arrive. */
function serverFrames(sock: net.Socket): Buffer[] {
  const d = new FrameDecoder(64 << 20)
  const frames: Buffer[] = []
  sock.on('data', (chunk: Buffer) => frames.push(...d.push(chunk)))
  return frames
}

const opts = { connectTimeout: 2000, maxFrame: 1 << 20 }

function closed(tr: Transport): Promise<Error | undefined> {
  return new Promise((resolve) => (tr.onClose = resolve))
}

t.test('frames both ways; writes in one tick leave in one socket write', async (t) => {
  const { port, accepted } = await listen(t)
  const tr = await socketTransport({ host: '127.0.0.1', port }, opts)
  t.teardown(() => tr.close())
  const sock = await accepted
  const got = serverFrames(sock)
  const writes: number[] = []
  const original = net.Socket.prototype.write
  net.Socket.prototype.write = function (this: net.Socket, ...args: Parameters<typeof original>) {
    writes.push((args[0] as Buffer).length)
    return original.apply(this, args)
  } as typeof original
  try {
    for (const s of ['a', 'bb', 'ccc']) tr.write(encodeFrame(Buffer.from(s)))
    await Promise.resolve()
  } finally {
    net.Socket.prototype.write = original
  }
  t.same(writes, [5 + 6 + 7], 'three frames, one write')
  while (got.length < 3) await once(sock, 'data')
  t.same(got.map(String), ['a', 'bb', 'ccc'])
  const incoming: string[] = []
  const arrived = new Promise<void>((resolve) => {
    tr.onFrame = (f) => {
      incoming.push(String(f))
      if (incoming.length === 2) resolve()
    }
  })
  const both = Buffer.concat([encodeFrame(Buffer.from('x')), encodeFrame(Buffer.from('yz'))])
  sock.write(both.subarray(0, 6))
  sock.write(both.subarray(6))
  await arrived
  t.same(incoming, ['x', 'yz'])
  t.equal(tr.remote, `127.0.0.1:${port}`)
})

t.test('holds writes while the socket drains, and loses nothing', async (t) => {
  const { port, accepted } = await listen(t)
  const tr = await socketTransport({ host: '127.0.0.1', port }, opts)
  t.teardown(() => tr.close())
  const sock = await accepted
  sock.pause() // the server stops reading: the client's buffers fill up
  let writes = 0
  const original = net.Socket.prototype.write
  net.Socket.prototype.write = function (this: net.Socket, ...args: Parameters<typeof original>) {
    writes++
    return original.apply(this, args)
  } as typeof original
  const count = 64
  const size = 256 * 1024
  try {
    for (let i = 0; i < count; i++) {
      tr.write(encodeFrame(Buffer.alloc(size, i)))
      await new Promise<void>((resolve) => setImmediate(resolve)) // a new tick per frame
    }
  } finally {
    net.Socket.prototype.write = original
  }
  t.ok(writes < count, `only ${writes} socket writes for ${count} ticks: the rest waited for 'drain'`)
  const got = serverFrames(sock)
  sock.resume()
  while (got.length < count) await once(sock, 'data')
  t.equal(got.length, count)
  t.ok(
    got.every((f, i) => f.length === size && f[0] === i && f[size - 1] === i),
    'every frame intact and in order',
  )
})

t.test('server close is reported once as ConnectionLoss', async (t) => {
  const { port, accepted } = await listen(t)
  const tr = await socketTransport({ host: '127.0.0.1', port }, opts)
  const end = closed(tr)
  ;(await accepted).end()
  t.type(await end, ConnectionLossError)
  tr.close()
  tr.write(encodeFrame(Buffer.from('ignored')))
})

t.test('an oversized incoming frame closes the link with ProtocolError', async (t) => {
  const { port, accepted } = await listen(t)
  const tr = await socketTransport({ host: '127.0.0.1', port }, { ...opts, maxFrame: 100 })
  const end = closed(tr)
  const len = Buffer.alloc(4)
  len.writeInt32BE(101, 0)
  ;(await accepted).write(len)
  const err = await end
  t.type(err, ProtocolError)
  t.match(err!.message, /101/)
})

t.test('a throwing frame handler closes the link instead of crashing', async (t) => {
  const { port, accepted } = await listen(t)
  const tr = await socketTransport({ host: '127.0.0.1', port }, opts)
  tr.onFrame = () => {
    throw new Error('handler bug')
  }
  const end = closed(tr)
  ;(await accepted).write(encodeFrame(Buffer.from('boom')))
  t.match(await end, { message: 'handler bug' })
})

t.test('a refused connect rejects with ConnectionLoss', async (t) => {
  const probe = net.createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const port = (probe.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  const err = await socketTransport({ host: '127.0.0.1', port }, opts).catch((e: unknown) => e)
  t.type(err, ConnectionLossError)
  t.match(err, { op: 'connect', message: /failed/ })
  t.match((err as Error).cause, { code: 'ECONNREFUSED' }, "the socket's own error is the cause")
})

t.test('a TLS handshake that never completes times out', async (t) => {
  const { port, accepted } = await listen(t) // plain TCP: never answers the ClientHello
  const started = Date.now()
  const err = await socketTransport({ host: '127.0.0.1', port }, { ...opts, connectTimeout: 100, tls: true }).catch((e: unknown) => e)
  t.type(err, ConnectionLossError)
  t.match(err, { message: /timed out after 100 ms/ })
  t.match(
    (err as Error).cause,
    { code: 'ETIMEDOUT', message: /ETIMEDOUT 127\.0\.0\.1:\d+/ },
    'the cause carries the code a socket timeout has',
  )
  t.ok(Date.now() - started >= 90)
  ;(await accepted).destroy()
})
