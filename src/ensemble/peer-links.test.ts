// Peer links over loopback: messages arrive in order, a peer that goes away is reported down, the
// fault hooks cut, drop and delay traffic as documented, and only a peer that proves it holds the
// ensemble's secret gets a message through or replaces a link.
import t from 'tap'
import net from 'node:net'
import { once, EventEmitter } from 'node:events'
import { PeerLinks, type PeerAddress, type PeerTls } from './peer-links.js'
import type { WireMsg } from './peer-wire.js'
import { FrameDecoder } from '../transport/frame-decoder.js'
import { HANDSHAKE_MAX_BYTES, helloFrame, newNonce, parseChallenge, proofFrame } from './peer-auth.js'
import { generateTestCerts, type TestCerts } from './test-certs.js'

const SECRET = Buffer.from('the ensemble secret of these tests')

class Node extends EventEmitter {
  links: PeerLinks
  got: { from: number; m: WireMsg }[] = []
  downs: number[] = []
  constructor(id: number, addrs: Map<number, PeerAddress>, secret: Buffer = SECRET, authTimeoutMs?: number, tls?: PeerTls) {
    super()
    this.links = new PeerLinks(
      id,
      addrs,
      {
        message: (from, m) => {
          this.got.push({ from, m })
          this.emit('message', from, m)
        },
        down: (p) => {
          this.downs.push(p)
          this.emit('down', p)
        },
      },
      { secret, authTimeoutMs, tls },
    )
  }
  /** Resolve once `n` messages have arrived in total. */
  async until(n: number): Promise<void> {
    while (this.got.length < n) await once(this, 'message')
  }
}

async function pair(
  t: { teardown(f: () => unknown): void },
  opts: { secretOfB?: Buffer; authTimeoutMs?: number; tlsOfA?: PeerTls; tlsOfB?: PeerTls } = {},
) {
  const addrs = new Map<number, PeerAddress>()
  const a = new Node(1, addrs, SECRET, opts.authTimeoutMs, opts.tlsOfA)
  const b = new Node(2, addrs, opts.secretOfB ?? SECRET, opts.authTimeoutMs, opts.tlsOfB)
  addrs.set(1, { host: '127.0.0.1', port: await a.links.listen() })
  addrs.set(2, { host: '127.0.0.1', port: await b.links.listen() })
  t.teardown(async () => {
    await a.links.close()
    await b.links.close()
  })
  return { a, b, addrs }
}

t.test('messages arrive in order, each direction on its own connection', async (t) => {
  const { a, b } = await pair(t)
  for (let i = 1; i <= 500; i++) a.links.send(2, { t: 'ack', zxid: BigInt(i) })
  b.links.send(1, { t: 'ping' })
  await b.until(500)
  await a.until(1)
  t.same(
    b.got.map((g) => (g.m.t === 'ack' ? Number(g.m.zxid) : -1)),
    Array.from({ length: 500 }, (_, i) => i + 1),
  )
  t.ok(b.got.every((g) => g.from === 1))
  t.same(a.got, [{ from: 2, m: { t: 'ping' } }])
})

t.test('a peer that closes is reported down; an unreachable peer too', async (t) => {
  const { a, b } = await pair(t)
  a.links.send(2, { t: 'ping' })
  await b.until(1)
  const down = once(b, 'down')
  await a.links.close()
  t.same(await down, [1], 'the receiver hears that peer 1 went away')
  // b now dials a dead port: reported down, nothing thrown.
  const again = once(b, 'down')
  b.links.send(1, { t: 'ping' })
  t.same(await again, [1])
})

t.test('block cuts both ways; heal lets traffic through again', async (t) => {
  const { a, b } = await pair(t)
  a.links.send(2, { t: 'ping' })
  await b.until(1)
  const down = once(b, 'down')
  a.links.block([2])
  b.links.block([1])
  await down
  a.links.send(2, { t: 'commit', zxid: 1n })
  b.links.send(1, { t: 'commit', zxid: 1n })
  a.links.heal()
  b.links.heal()
  a.links.send(2, { t: 'commit', zxid: 2n })
  await b.until(2)
  t.same(b.got[1]!.m, { t: 'commit', zxid: 2n }, 'what was sent while blocked is lost; later traffic arrives')
})

t.test('drop loses one direction only; delay keeps order', async (t) => {
  const { a, b } = await pair(t)
  a.links.drop(2)
  a.links.send(2, { t: 'ack', zxid: 1n })
  b.links.send(1, { t: 'ack', zxid: 1n })
  await a.until(1)
  a.links.drop(2, false)
  a.links.delay(2, 30)
  const t0 = Date.now()
  for (let i = 2; i <= 20; i++) a.links.send(2, { t: 'ack', zxid: BigInt(i) })
  a.links.delay(2, 0)
  await b.until(19)
  t.ok(Date.now() - t0 >= 25, 'delayed')
  t.same(
    b.got.map((g) => (g.m.t === 'ack' ? Number(g.m.zxid) : -1)),
    Array.from({ length: 19 }, (_, i) => i + 2),
    'the dropped message never arrives; delayed ones arrive in order',
  )
})

t.test('ending a delay does not let new messages overtake delayed ones', async (t) => {
  const { a, b } = await pair(t)
  a.links.delay(2, 40)
  for (let i = 1; i <= 5; i++) a.links.send(2, { t: 'ack', zxid: BigInt(i) })
  a.links.delay(2, 0)
  for (let i = 6; i <= 10; i++) a.links.send(2, { t: 'ack', zxid: BigInt(i) })
  a.links.heal()
  for (let i = 11; i <= 12; i++) a.links.send(2, { t: 'ack', zxid: BigInt(i) })
  await b.until(12)
  t.same(
    b.got.map((g) => (g.m.t === 'ack' ? Number(g.m.zxid) : -1)),
    Array.from({ length: 12 }, (_, i) => i + 1),
  )
})

t.test('a stranger or garbage on the quorum port is disconnected', async (t) => {
  const { b, addrs } = await pair(t)
  const s = net.connect(addrs.get(2)!.port, '127.0.0.1')
  await once(s, 'connect')
  s.write(Buffer.from([0, 0, 0, 8, 1, 2, 3, 4, 0, 0, 0, 1]))
  await once(s, 'close')
  t.same(b.got, [], 'nothing delivered')
})

/** A raw connection to a peer's quorum port that speaks the handshake by hand. */
async function stranger(t: { teardown(f: () => unknown): void }, port: number) {
  const s = net.connect(port, '127.0.0.1')
  s.on('error', () => {})
  t.teardown(() => s.destroy())
  const framer = new FrameDecoder(HANDSHAKE_MAX_BYTES)
  const frames: Buffer[] = []
  const arrived = new EventEmitter()
  s.on('data', (c: Buffer) => {
    frames.push(...framer.push(c))
    arrived.emit('frame')
  })
  // Not once(): it rejects on the ECONNRESET that a peer closing on unread data causes.
  const closed = new Promise<boolean>((resolve) => s.once('close', () => resolve(true)))
  await new Promise((resolve) => s.once('connect', resolve))
  return {
    s,
    closed,
    async next(): Promise<Buffer | undefined> {
      while (!frames.length) {
        if (await Promise.race([closed, once(arrived, 'frame').then(() => false)])) return undefined
      }
      return frames.shift()
    },
  }
}

t.test('peers with different secrets never link; neither hears a message', async (t) => {
  const { a, b } = await pair(t, { secretOfB: Buffer.from('another ensemble') })
  const downA = once(a, 'down')
  a.links.send(2, { t: 'ping' })
  t.same(await downA, [2], 'the dialer gives up on a peer that cannot prove the secret')
  const downB = once(b, 'down')
  b.links.send(1, { t: 'ping' })
  t.same(await downB, [1])
  t.same(a.got, [])
  t.same(b.got, [])
})

t.test("a stranger naming a known peer does not replace that peer's link", async (t) => {
  const { a, b, addrs } = await pair(t)
  a.links.send(2, { t: 'ack', zxid: 1n })
  await b.until(1)
  const x = await stranger(t, addrs.get(2)!.port)
  x.s.write(helloFrame({ dialer: 1, acceptor: 2, nonce: newNonce() }))
  const c = parseChallenge((await x.next())!)
  t.type(c, 'object', 'peer 2 challenges the claim')
  if (typeof c === 'string') return
  // The best a stranger can do: answer with what it was sent (a reflection), or with noise.
  x.s.write(proofFrame(c.mac))
  t.ok(await x.closed, 'a reflected answer is refused and the connection closed')
  const y = await stranger(t, addrs.get(2)!.port)
  y.s.write(helloFrame({ dialer: 1, acceptor: 2, nonce: newNonce() }))
  await y.next()
  y.s.write(proofFrame(Buffer.alloc(32, 7)))
  t.ok(await y.closed, 'a wrong answer is refused too')
  a.links.send(2, { t: 'ack', zxid: 2n })
  await b.until(2)
  t.same(b.downs, [], 'the real link from peer 1 never went down')
  t.same(
    b.got.map((g) => g.m),
    [
      { t: 'ack', zxid: 1n },
      { t: 'ack', zxid: 2n },
    ],
  )
})

t.test('a HELLO for another peer, from an unknown id or from itself is refused', async (t) => {
  const { b, addrs } = await pair(t)
  for (const [dialer, acceptor] of [
    [1, 3],
    [9, 2],
    [-1, 2],
    [2, 2],
  ] as const) {
    const x = await stranger(t, addrs.get(2)!.port)
    x.s.write(helloFrame({ dialer, acceptor, nonce: newNonce() }))
    t.equal(await x.next(), undefined, `HELLO ${dialer} -> ${acceptor}: closed without a challenge`)
  }
  t.same(b.got, [])
})

t.test('a stranger streaming before it authenticates is cut off after a few KiB', async (t) => {
  const { addrs } = await pair(t)
  const x = await stranger(t, addrs.get(2)!.port)
  const huge = Buffer.alloc(4)
  huge.writeInt32BE(400 * 1024 * 1024, 0)
  x.s.write(huge)
  const chunk = Buffer.alloc(64 * 1024, 1)
  let written = 0
  let closed = false
  void x.closed.then(() => (closed = true))
  // Stop at 64 MiB: by then the kernel's buffers alone could not explain the peer still reading.
  while (!closed && written < 64 * 1024 * 1024) {
    written += chunk.length
    if (!x.s.write(chunk)) await new Promise((resolve) => (x.s.once('drain', resolve), x.s.once('close', resolve)))
  }
  t.ok(closed, `closed after ${written} bytes were written`)
})

t.test('a connection that does not authenticate in time is closed', async (t) => {
  const { addrs } = await pair(t, { authTimeoutMs: 100 })
  const silent = await stranger(t, addrs.get(2)!.port)
  t.ok(await silent.closed, 'silent from the start')
  const halfway = await stranger(t, addrs.get(2)!.port)
  halfway.s.write(helloFrame({ dialer: 1, acceptor: 2, nonce: newNonce() }))
  t.ok(await halfway.next(), 'challenged')
  t.ok(await halfway.closed, 'and closed when no proof follows')
})

t.test('a peer that answers our dial without proving itself is dropped', async (t) => {
  const addrs = new Map<number, PeerAddress>()
  const a = new Node(1, addrs)
  const fake = net.createServer((s) => {
    s.on('error', () => {})
    // Answers every HELLO with a challenge it cannot have computed.
    s.once('data', () => s.write(Buffer.concat([Buffer.from([0, 0, 0, 68]), Buffer.from('ZKC1'), Buffer.alloc(64, 3)])))
  })
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()))
  t.teardown(async () => {
    await a.links.close()
    await new Promise((r) => fake.close(r))
  })
  addrs.set(1, { host: '127.0.0.1', port: await a.links.listen() })
  addrs.set(2, { host: '127.0.0.1', port: (fake.address() as net.AddressInfo).port })
  const down = once(a, 'down')
  a.links.send(2, { t: 'ping' })
  t.same(await down, [2])
})

t.test('over TLS (sslQuorum) messages arrive in order both ways; a certificate from another CA never links', async (t) => {
  const certs = await generateTestCerts()
  const other = await generateTestCerts({ caName: 'another CA' })
  t.teardown(() => (certs.remove(), other.remove()))
  const peerTls = (c: TestCerts, ca = c.ca): PeerTls => ({ ca, cert: c.server.cert, key: c.server.key })

  const { a, b } = await pair(t, { tlsOfA: peerTls(certs), tlsOfB: peerTls(certs) })
  for (let i = 1; i <= 200; i++) a.links.send(2, { t: 'ack', zxid: BigInt(i) })
  b.links.send(1, { t: 'pong' })
  await b.until(200)
  await a.until(1)
  t.same(
    b.got.map((g) => (g.m.t === 'ack' ? Number(g.m.zxid) : -1)),
    Array.from({ length: 200 }, (_, i) => i + 1),
  )
  t.same(a.got, [{ from: 2, m: { t: 'pong' } }])

  // B trusts our CA but presents a certificate of its own CA: neither side accepts the other.
  const rogue = await pair(t, { tlsOfA: peerTls(certs), tlsOfB: peerTls(other, certs.ca) })
  const downA = once(rogue.a, 'down')
  rogue.a.links.send(2, { t: 'ping' })
  t.same(await downA, [2], 'the dialer gives up on a peer whose certificate another CA signed')
  const downB = once(rogue.b, 'down')
  rogue.b.links.send(1, { t: 'ping' })
  t.same(await downB, [1], 'and that peer cannot link to us either')
  t.same(rogue.a.got, [])
  t.same(rogue.b.got, [])
})
