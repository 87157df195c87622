// Peer links over loopback: votes travel on election links, everything else on the one link a
// learner dials to its leader's learner port, in order; only a leader takes learners, though every
// peer keeps its learner port bound; a learner link that goes away is reported down; the fault hooks
// cut, drop and delay traffic as documented; and only a peer that proves it holds the ensemble's
// secret gets a message through or replaces a link.
import t from 'tap'
import net from 'node:net'
import { once, EventEmitter } from 'node:events'
import { PeerLinks, type PeerAddress, type PeerTls } from './peer-links.js'
import { encodeWire, type WireMsg } from './peer-wire.js'
import { FrameDecoder } from '../transport/frame-decoder.js'
import {
  HANDSHAKE_MAX_BYTES,
  challengeFrame,
  handshakeMac,
  helloFrame,
  newNonce,
  parseChallenge,
  parseHello,
  parseProof,
  proofFrame,
} from './peer-auth.js'
import { Writer } from '../jute/writer.js'
import { generateTestCerts, type TestCerts } from './test-certs.js'

const SECRET = Buffer.from('the ensemble secret of these tests')

/** A peer message as it goes on the wire, framed. */
function wireFrame(m: WireMsg): Buffer {
  const w = new Writer(64)
  const at = w.beginFrame()
  encodeWire(w, m)
  w.endFrame(at)
  return w.toBuffer()
}

/** A vote (what election links carry), told apart by its round. */
const vote = (n: number): WireMsg => ({
  t: 'vote',
  n: { from: 1, state: 'LOOKING', vote: { leader: 1, zxid: 0n, peerEpoch: 0n }, round: BigInt(n) },
})
/** What tells the test messages apart: a vote's round, an ack's or commit's zxid. */
const seq = (m: WireMsg): number => (m.t === 'vote' ? Number(m.n.round) : m.t === 'ack' || m.t === 'commit' ? Number(m.zxid) : -1)

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

/**
 * Two peers, 1 (a) and 2 (b). With `leader: 2`, b leads and a follows it: a's messages to b go up
 * the learner link a dials to b's learner port, and b answers on it.
 */
/** Node `a` listens as server 1 and `fake` stands in for server 2 on both its ports; the test stops both. */
async function withFakePeer2(t: { teardown(f: () => unknown): void }, a: Node, addrs: Map<number, PeerAddress>, fake: net.Server) {
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()))
  t.teardown(async () => {
    await a.links.close()
    await new Promise((r) => fake.close(r))
  })
  addrs.set(1, { host: '127.0.0.1', ...(await a.links.listen()) })
  const fakePort = (fake.address() as net.AddressInfo).port
  addrs.set(2, { host: '127.0.0.1', port: fakePort, learnerPort: fakePort })
}

async function pair(
  t: { teardown(f: () => unknown): void },
  opts: { secretOfB?: Buffer; authTimeoutMs?: number; tlsOfA?: PeerTls; tlsOfB?: PeerTls; leader?: 2 } = {},
) {
  const addrs = new Map<number, PeerAddress>()
  const a = new Node(1, addrs, SECRET, opts.authTimeoutMs, opts.tlsOfA)
  const b = new Node(2, addrs, opts.secretOfB ?? SECRET, opts.authTimeoutMs, opts.tlsOfB)
  addrs.set(1, { host: '127.0.0.1', ...(await a.links.listen()) })
  addrs.set(2, { host: '127.0.0.1', ...(await b.links.listen()) })
  t.teardown(async () => {
    await a.links.close()
    await b.links.close()
  })
  if (opts.leader) {
    b.links.setLeader(2)
    a.links.setLeader(2)
  }
  return { a, b, addrs }
}

/** Whether a TCP connection to `port` is accepted and then closed by the other side without a byte. */
function closedUnanswered(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    let answered = false
    s.on('data', () => (answered = true))
    s.once('error', () => {})
    s.once('connect', () => s.write(helloFrame({ dialer: 1, acceptor: 2, nonce: newNonce() })))
    s.once('close', () => resolve(!answered))
  })
}

t.test('votes arrive in order, each direction on its own election link', async (t) => {
  const { a, b } = await pair(t)
  for (let i = 1; i <= 500; i++) a.links.send(2, vote(i))
  b.links.send(1, vote(0))
  await b.until(500)
  await a.until(1)
  t.same(
    b.got.map((g) => seq(g.m)),
    Array.from({ length: 500 }, (_, i) => i + 1),
  )
  t.ok(b.got.every((g) => g.from === 1))
  t.same(a.got, [{ from: 2, m: vote(0) }])
  t.same([...a.downs, ...b.downs], [], 'election links are never reported down')
})

t.test('a learner and its leader talk both ways, in order, on the one link the learner dialled', async (t) => {
  const { a, b } = await pair(t, { leader: 2 })
  for (let i = 1; i <= 500; i++) a.links.send(2, { t: 'ack', zxid: BigInt(i) })
  await b.until(500)
  t.same(
    b.got.map((g) => seq(g.m)),
    Array.from({ length: 500 }, (_, i) => i + 1),
  )
  // a does not lead, so its own learner port takes nobody: b's answers can only come back on a's link.
  for (let i = 1; i <= 3; i++) b.links.send(1, { t: 'commit', zxid: BigInt(i) })
  await a.until(3)
  t.same(
    a.got.map((g) => [g.from, g.m.t, seq(g.m)]),
    [
      [2, 'commit', 1],
      [2, 'commit', 2],
      [2, 'commit', 3],
    ],
  )
})

t.test('what one callback sends on a link goes in one socket write, both ways', async (t) => {
  const { a, b } = await pair(t, { leader: 2 })
  a.links.send(2, { t: 'ack', zxid: 0n })
  await b.until(1)
  const n = 300
  const [learnerWrites, leaderWrites] = [a.links.socketWrites, b.links.socketWrites]
  for (let i = 1; i <= n; i++) b.links.send(1, { t: 'commit', zxid: BigInt(i) })
  for (let i = 1; i <= n; i++) a.links.send(2, { t: 'ack', zxid: BigInt(i) })
  await Promise.all([a.until(n), b.until(n + 1)])
  t.equal(b.links.socketWrites - leaderWrites, 1, `${n} commits to the learner, one write`)
  t.equal(a.links.socketWrites - learnerWrites, 1, `${n} ACKs to the leader, one write`)
  t.same(
    a.got.map((g) => seq(g.m)),
    Array.from({ length: n }, (_, i) => i + 1),
    'in order',
  )
  t.same(
    b.got.map((g) => seq(g.m)),
    Array.from({ length: n + 1 }, (_, i) => i),
  )
})

t.test('a peer that does not lead takes no learner, even one holding the secret; its learner port stays bound', async (t) => {
  const { a, b, addrs } = await pair(t, { authTimeoutMs: 300 })
  const learnerPortOfB = addrs.get(2)!.learnerPort
  t.ok(await closedUnanswered(learnerPortOfB), 'a HELLO on the learner port of a peer that does not lead gets no answer')
  // A real peer (it holds the secret) dials it as its leader: refused until it gives up, then reported down.
  const down = once(a, 'down')
  a.links.send(2, { t: 'followerinfo', acceptedEpoch: 1n })
  t.same(await down, [2], 'the learner gives up on a peer that never leads')
  t.same(b.got, [], 'and nothing it sent was handled')
  t.same(b.downs, [], 'nor is a link reported that never opened')
  const squatter = net.createServer()
  const err = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    squatter.once('error', resolve)
    squatter.listen(learnerPortOfB, '127.0.0.1', () => resolve(undefined))
  })
  if (!err) squatter.close()
  t.equal(err?.code, 'EADDRINUSE', 'no one else can bind its learner port')
})

t.test('a learner that dials before its leader knows it leads is taken once it does', async (t) => {
  const { a, b } = await pair(t)
  a.links.setLeader(2)
  a.links.send(2, { t: 'followerinfo', acceptedEpoch: 7n })
  // Refused at first; the learner redials quietly, keeping what it queued.
  setTimeout(() => b.links.setLeader(2), 60)
  await b.until(1)
  t.same(b.got, [{ from: 1, m: { t: 'followerinfo', acceptedEpoch: 7n } }])
  t.same(a.downs, [], 'the learner never reported its leader down')
})

t.test('a leader that steps down drops its learners, and they hear it; a learner that moves on drops its link', async (t) => {
  const { a, b, addrs } = await pair(t, { leader: 2 })
  a.links.send(2, { t: 'ack', zxid: 1n })
  await b.until(1)
  const down = once(a, 'down')
  b.links.setLeader(undefined)
  t.same(await down, [2], 'the learner hears its leader go')
  t.same(b.downs, [], 'the leader that stepped down reports nothing')
  t.ok(await closedUnanswered(addrs.get(2)!.learnerPort), 'and takes no learner any more')

  b.links.setLeader(2)
  a.links.send(2, { t: 'ack', zxid: 2n })
  await b.until(2)
  const gone = once(b, 'down')
  a.links.setLeader(undefined)
  t.same(await gone, [1], 'a learner looking for a new leader closes its link; the leader hears it')
  t.same(a.downs, [2], 'the learner reports nothing of the link it closed')
})

t.test('each link carries only what its side may say, even from a peer that knows the secret', async (t) => {
  const { a, b, addrs } = await pair(t, { leader: 2 })
  a.links.send(2, { t: 'ack', zxid: 1n })
  await b.until(1)
  // Each insider proves itself as peer 1, so it takes over peer 1's link; what it says decides the rest.
  const cases: [string, number, WireMsg][] = [
    ['a learner speaking as a leader', addrs.get(2)!.learnerPort, { t: 'commit', zxid: 2n }],
    ['a vote on a learner link', addrs.get(2)!.learnerPort, vote(2)],
    ['a learner message on an election link', addrs.get(2)!.port, { t: 'ack', zxid: 2n }],
  ]
  for (const [what, port, wrong] of cases) {
    const x = await insider(t, port, { dialer: 1, acceptor: 2 })
    x.s.write(wireFrame(wrong))
    t.ok(await x.closed, `${what}: the link is closed`)
  }
  t.same(b.got, [{ from: 1, m: { t: 'ack', zxid: 1n } }], 'none of it was handled')
})

t.test('a leader drops what it has for a learner that has not dialled in', async (t) => {
  const { a, b } = await pair(t, { leader: 2 })
  b.links.send(1, { t: 'leaderinfo', epoch: 1n })
  a.links.send(2, { t: 'ack', zxid: 1n })
  await b.until(1)
  b.links.send(1, { t: 'commit', zxid: 1n })
  await a.until(1)
  t.same(a.got, [{ from: 2, m: { t: 'commit', zxid: 1n } }], 'only what was sent once the learner was linked arrives')
})

t.test('a learner link that closes is reported down on both sides; an unreachable leader too', async (t) => {
  const { a, b } = await pair(t, { leader: 2 })
  a.links.send(2, { t: 'ack', zxid: 1n })
  await b.until(1)
  const down = once(b, 'down')
  await a.links.close()
  t.same(await down, [1], 'the leader hears that its learner went away')
  // b now dials a closed port as its leader: reported down, nothing thrown.
  b.links.setLeader(1)
  const again = once(b, 'down')
  b.links.send(1, { t: 'ack', zxid: 1n })
  t.same(await again, [1])
})

t.test('block cuts both kinds of link both ways; heal lets traffic through again', async (t) => {
  const { a, b } = await pair(t, { leader: 2 })
  a.links.send(2, { t: 'ack', zxid: 1n })
  a.links.send(2, vote(1))
  await b.until(2)
  const downs = [once(a, 'down'), once(b, 'down')]
  a.links.block([2])
  b.links.block([1])
  t.same(await Promise.all(downs), [[2], [1]], 'the learner link is reported down on both sides')
  a.links.send(2, { t: 'ack', zxid: 2n })
  a.links.send(2, vote(2))
  b.links.send(1, { t: 'commit', zxid: 2n })
  b.links.send(1, vote(2))
  a.links.heal()
  b.links.heal()
  a.links.send(2, { t: 'ack', zxid: 3n })
  a.links.send(2, vote(3))
  await b.until(4)
  t.same(
    b.got
      .slice(2)
      .map((g) => [g.m.t, seq(g.m)])
      .sort(),
    [
      ['ack', 3],
      ['vote', 3],
    ].sort(),
    'what was sent while blocked is lost; later traffic arrives',
  )
  t.same(a.got, [], 'nothing reached the blocked side either')
})

t.test('drop loses one direction only; delay keeps order', async (t) => {
  const { a, b } = await pair(t, { leader: 2 })
  a.links.send(2, { t: 'ack', zxid: 0n })
  await b.until(1)
  b.got = []
  a.links.drop(2)
  a.links.send(2, { t: 'ack', zxid: 1n })
  b.links.send(1, { t: 'commit', zxid: 1n })
  await a.until(1)
  a.links.drop(2, false)
  a.links.delay(2, 30)
  const t0 = Date.now()
  for (let i = 2; i <= 20; i++) a.links.send(2, { t: 'ack', zxid: BigInt(i) })
  a.links.delay(2, 0)
  await b.until(19)
  t.ok(Date.now() - t0 >= 25, 'delayed')
  t.same(
    b.got.map((g) => seq(g.m)),
    Array.from({ length: 19 }, (_, i) => i + 2),
    'the dropped message never arrives; delayed ones arrive in order',
  )
})

t.test('ending a delay does not let new messages overtake delayed ones', async (t) => {
  const { a, b } = await pair(t)
  a.links.delay(2, 40)
  for (let i = 1; i <= 5; i++) a.links.send(2, vote(i))
  a.links.delay(2, 0)
  for (let i = 6; i <= 10; i++) a.links.send(2, vote(i))
  a.links.heal()
  for (let i = 11; i <= 12; i++) a.links.send(2, vote(i))
  await b.until(12)
  t.same(
    b.got.map((g) => seq(g.m)),
    Array.from({ length: 12 }, (_, i) => i + 1),
  )
})

t.test('a stranger or garbage on either peer port is disconnected', async (t) => {
  const { b, addrs } = await pair(t, { leader: 2 })
  for (const port of [addrs.get(2)!.port, addrs.get(2)!.learnerPort]) {
    const s = net.connect(port, '127.0.0.1')
    await once(s, 'connect')
    s.write(Buffer.from([0, 0, 0, 8, 1, 2, 3, 4, 0, 0, 0, 1]))
    await once(s, 'close')
  }
  t.same(b.got, [], 'nothing delivered')
})

/** A raw connection to a peer port that speaks the handshake by hand. */
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
  const { a, b } = await pair(t, { secretOfB: Buffer.from('another ensemble'), leader: 2 })
  a.links.send(2, vote(1))
  b.links.send(1, vote(1))
  const downA = once(a, 'down')
  a.links.send(2, { t: 'followerinfo', acceptedEpoch: 1n })
  t.same(await downA, [2], 'the learner gives up on a leader that cannot prove the secret')
  a.links.setLeader(1)
  b.links.setLeader(1)
  const downB = once(b, 'down')
  b.links.send(1, { t: 'followerinfo', acceptedEpoch: 1n })
  t.same(await downB, [1], 'and the other way round')
  t.same(a.got, [])
  t.same(b.got, [])
})

t.test("a stranger naming a known peer does not replace that peer's link", async (t) => {
  const { a, b, addrs } = await pair(t, { leader: 2 })
  a.links.send(2, vote(1))
  a.links.send(2, { t: 'ack', zxid: 1n })
  await b.until(2)
  for (const [name, port] of [
    ['election', addrs.get(2)!.port],
    ['learner', addrs.get(2)!.learnerPort],
  ] as const) {
    const x = await stranger(t, port)
    x.s.write(helloFrame({ dialer: 1, acceptor: 2, nonce: newNonce() }))
    const c = parseChallenge((await x.next())!)
    t.type(c, 'object', `peer 2 challenges the claim on its ${name} port`)
    if (typeof c === 'string') return
    // The best a stranger can do: answer with what it was sent (a reflection), or with noise.
    x.s.write(proofFrame(c.mac))
    t.ok(await x.closed, 'a reflected answer is refused and the connection closed')
    const y = await stranger(t, port)
    y.s.write(helloFrame({ dialer: 1, acceptor: 2, nonce: newNonce() }))
    await y.next()
    y.s.write(proofFrame(Buffer.alloc(32, 7)))
    t.ok(await y.closed, 'a wrong answer is refused too')
  }
  a.links.send(2, vote(2))
  a.links.send(2, { t: 'ack', zxid: 2n })
  await b.until(4)
  t.same(b.downs, [], 'the real links from peer 1 never went down')
  t.same(b.got.map((g) => [g.m.t, seq(g.m)]).sort(), [
    ['ack', 1],
    ['ack', 2],
    ['vote', 1],
    ['vote', 2],
  ])
})

/** A raw connection that proves itself as `ids.dialer` with the ensemble's secret (an insider). */
async function insider(t: { teardown(f: () => unknown): void }, port: number, ids: { dialer: number; acceptor: number }) {
  const x = await stranger(t, port)
  const nonce = newNonce()
  x.s.write(helloFrame({ ...ids, nonce }))
  const c = parseChallenge((await x.next()) ?? Buffer.alloc(0))
  if (typeof c === 'string') throw new Error(`no challenge: ${c}`)
  x.s.write(proofFrame(handshakeMac(SECRET, 'dialer', ids, { dialer: nonce, acceptor: c.nonce })))
  return x
}

t.test('a peer that knows the secret and linked as a learner gets nothing handled once its leader steps down', async (t) => {
  const { b, addrs } = await pair(t, { leader: 2 })
  const x = await insider(t, addrs.get(2)!.learnerPort, { dialer: 1, acceptor: 2 })
  x.s.write(wireFrame({ t: 'ack', zxid: 1n }))
  await b.until(1)
  t.same(b.got, [{ from: 1, m: { t: 'ack', zxid: 1n } }], 'linked while peer 2 leads')
  b.links.setLeader(3)
  x.s.write(Buffer.concat([wireFrame({ t: 'followerinfo', acceptedEpoch: 9n }), wireFrame({ t: 'ack', zxid: 2n })]))
  t.ok(await x.closed, 'the link closes when peer 2 stops leading')
  t.same(b.got.length, 1, 'and nothing sent after that is handled')
})

t.test('a HELLO for another peer, from an unknown id or from itself is refused', async (t) => {
  const { b, addrs } = await pair(t, { leader: 2 })
  for (const port of [addrs.get(2)!.port, addrs.get(2)!.learnerPort])
    for (const [dialer, acceptor] of [
      [1, 3],
      [9, 2],
      [-1, 2],
      [2, 2],
    ] as const) {
      const x = await stranger(t, port)
      x.s.write(helloFrame({ dialer, acceptor, nonce: newNonce() }))
      t.equal(await x.next(), undefined, `HELLO ${dialer} -> ${acceptor}: closed without a challenge`)
    }
  t.same(b.got, [])
})

t.test('a stranger streaming before it authenticates is cut off after a few KiB', async (t) => {
  const { addrs } = await pair(t, { leader: 2 })
  for (const port of [addrs.get(2)!.port, addrs.get(2)!.learnerPort]) {
    const x = await stranger(t, port)
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
  }
})

t.test('a connection that does not authenticate in time is closed', async (t) => {
  const { addrs } = await pair(t, { authTimeoutMs: 100, leader: 2 })
  for (const port of [addrs.get(2)!.port, addrs.get(2)!.learnerPort]) {
    const silent = await stranger(t, port)
    t.ok(await silent.closed, 'silent from the start')
    const halfway = await stranger(t, port)
    halfway.s.write(helloFrame({ dialer: 1, acceptor: 2, nonce: newNonce() }))
    t.ok(await halfway.next(), 'challenged')
    t.ok(await halfway.closed, 'and closed when no proof follows')
  }
})

t.test('a peer that answers our dial without proving itself is dropped', async (t) => {
  const addrs = new Map<number, PeerAddress>()
  const a = new Node(1, addrs)
  const fake = net.createServer((s) => {
    s.on('error', () => {})
    // Answers every HELLO with a challenge it cannot have computed.
    s.once('data', () => s.write(Buffer.concat([Buffer.from([0, 0, 0, 68]), Buffer.from('ZKC1'), Buffer.alloc(64, 3)])))
  })
  await withFakePeer2(t, a, addrs, fake)
  const down = once(a, 'down')
  a.links.send(2, { t: 'followerinfo', acceptedEpoch: 1n })
  t.same(await down, [2], 'the learner gives up on it')
  t.same(a.got, [])
})

t.test('a learner takes only what a leader may say, even from a leader that proved the secret', async (t) => {
  const addrs = new Map<number, PeerAddress>()
  const a = new Node(1, addrs, SECRET, 200)
  // A leader that proves itself, then says what only a learner may: an ack.
  const fake = net.createServer((s) => {
    s.on('error', () => {})
    const framer = new FrameDecoder(HANDSHAKE_MAX_BYTES)
    let hello: ReturnType<typeof parseHello> | undefined
    const nonce = newNonce()
    s.on('data', (chunk: Buffer) => {
      for (const f of framer.push(chunk)) {
        if (!hello) {
          hello = parseHello(f)
          if (typeof hello === 'string') return s.destroy()
          const ids = { dialer: hello.dialer, acceptor: hello.acceptor }
          s.write(challengeFrame({ nonce, mac: handshakeMac(SECRET, 'acceptor', ids, { dialer: hello.nonce, acceptor: nonce }) }))
        } else if (parseProof(f) instanceof Buffer) {
          s.write(
            Buffer.concat([wireFrame({ t: 'commit', zxid: 1n }), wireFrame({ t: 'ack', zxid: 1n }), wireFrame({ t: 'commit', zxid: 2n })]),
          )
          return
        }
      }
    })
  })
  await withFakePeer2(t, a, addrs, fake)
  a.links.setLeader(2)
  const down = once(a, 'down')
  a.links.send(2, { t: 'followerinfo', acceptedEpoch: 1n })
  t.same(await down, [2], 'the learner closes the link')
  t.same(a.got, [{ from: 2, m: { t: 'commit', zxid: 1n } }], 'and handles nothing from the ack on')
})

t.test('over TLS (sslQuorum) messages arrive in order both ways; a certificate from another CA never links', async (t) => {
  const certs = await generateTestCerts()
  const other = await generateTestCerts({ caName: 'another CA' })
  t.teardown(() => (certs.remove(), other.remove()))
  const peerTls = (c: TestCerts, ca = c.ca): PeerTls => ({ ca, cert: c.server.cert, key: c.server.key })

  const { a, b } = await pair(t, { tlsOfA: peerTls(certs), tlsOfB: peerTls(certs), leader: 2 })
  for (let i = 1; i <= 200; i++) a.links.send(2, i % 2 ? { t: 'ack', zxid: BigInt(i) } : vote(i))
  b.links.send(1, vote(0))
  await b.until(200)
  b.links.send(1, { t: 'commit', zxid: 1n })
  await a.until(2)
  t.same(
    b.got.map((g) => seq(g.m)).sort((x, y) => x - y),
    Array.from({ length: 200 }, (_, i) => i + 1),
  )
  t.same(a.got.map((g) => g.m.t).sort(), ['commit', 'vote'])

  // B trusts our CA but presents a certificate of its own CA: neither side accepts the other.
  const rogue = await pair(t, { tlsOfA: peerTls(certs), tlsOfB: peerTls(other, certs.ca), leader: 2 })
  const downA = once(rogue.a, 'down')
  rogue.a.links.send(2, { t: 'followerinfo', acceptedEpoch: 1n })
  t.same(await downA, [2], 'the learner gives up on a leader whose certificate another CA signed')
  rogue.a.links.setLeader(1)
  rogue.b.links.setLeader(1)
  const downB = once(rogue.b, 'down')
  rogue.b.links.send(1, { t: 'followerinfo', acceptedEpoch: 1n })
  t.same(await downB, [1], 'and that peer cannot link to us either')
  rogue.a.links.send(2, vote(1))
  rogue.b.links.send(1, vote(1))
  t.same(rogue.a.got, [])
  t.same(rogue.b.got, [])
})
