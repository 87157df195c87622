// TCP links between peers on loopback, on two ports per server as ZooKeeper has them. The election
// port links every pair of peers and carries votes only: each peer dials every other for the votes it
// sends and accepts their links for the votes it receives, so each direction is one FIFO stream. The
// learner port (ZooKeeper's quorum port) carries everything else: a learner dials its leader there,
// and that one socket carries their traffic both ways. Both ports are bound for the peer's whole life,
// so no other process can take one while the peer runs, but only a leader serves its learner port: a
// peer that does not lead closes whatever connects there before reading a byte (a ZooKeeper follower
// has nothing listening on its quorum port), and a leader that steps down drops its learners. Every
// link opens with a handshake (peer-auth.ts) in which both sides prove they hold the ensemble's
// secret; until it completes nothing else is read, only a few KiB are accepted, and a link that does
// not finish within a deadline is closed. A learner link that breaks or cannot be opened is reported
// (`down`) so Zab can react as ZooKeeper does when a learner's socket closes; election links come and
// go unreported, as votes are re-sent until an election settles. Fault injection lives here too: cut a
// peer off both ways (a partition), drop or delay what this peer sends to another (one-way faults),
// on both kinds of link. With `tls` (ZooKeeper's sslQuorum) every link is mutual TLS under one CA,
// the handshake on top.
import net from 'node:net'
import tls from 'node:tls'
import { Writer } from '../jute/writer.js'
import { FrameDecoder } from '../transport/frame-decoder.js'
import { logger } from '../debug.js'
import { decodeWire, encodeWire, type WireMsg } from './peer-wire.js'
import { GatheredWrites } from './gathered-writes.js'
import {
  HANDSHAKE_MAX_BYTES,
  challengeFrame,
  handshakeMac,
  helloFrame,
  macMatches,
  newNonce,
  parseChallenge,
  parseHello,
  parseProof,
  proofFrame,
} from './peer-auth.js'

const log = logger('links')
/**
 * Largest frame from an authenticated peer: a SYNC carries the leader's whole snapshot in one frame,
 * so this bounds the tree a follower can sync; strangers never get past HANDSHAKE_MAX_BYTES.
 */
const MAX_FRAME = 512 * 1024 * 1024
/** After a failed dial, wait this long before dialling the same peer again. */
const REDIAL_MS = 25
/** Messages queued while a connection is being set up. */
const MAX_QUEUED = 100_000
/** Default time a link has to authenticate. */
const AUTH_TIMEOUT_MS = 1000

export interface LinkHandlers {
  message(from: number, m: WireMsg): void
  /** The learner link to our leader or from one of our learners broke, or our leader could not be reached. */
  down(peer: number): void
}

/** A peer's two ports. */
export interface PeerPorts {
  /** The election port: votes, between every pair of peers. */
  port: number
  /** The learner port (ZooKeeper's quorum port): where the peer takes its learners while it leads. */
  learnerPort: number
}

export interface PeerAddress extends PeerPorts {
  host: string
}

/** Mutual TLS between peers (startEnsemble's `quorumTls`), all PEM. */
export interface PeerTls {
  /** The CA that signed every peer's certificate: only peers it signed are linked. */
  ca: string | Buffer
  /** This ensemble's peer certificate, presented by every server. */
  cert: string | Buffer
  /** The certificate's private key. */
  key: string | Buffer
}

export interface LinkOptions {
  /** The ensemble's shared secret: peers prove they hold it before any message is accepted. */
  secret: Buffer
  /** How long a new link has to complete the handshake before it is closed (default 1000 ms). */
  authTimeoutMs?: number
  /**
   * How long a learner keeps dialling a leader that does not take it yet (one just elected may not
   * know it leads) before reporting it down (default: authTimeoutMs).
   */
  leaderDialMs?: number
  /** Run every link over mutual TLS (ZooKeeper's sslQuorum); the secret's handshake still follows. */
  tls?: PeerTls
}

/** Which link a message travels on: votes between any two peers, the rest up to or down from a leader. */
type Route = 'election' | 'toLeader' | 'toLearner'
const ROUTES: Record<WireMsg['t'], Route> = {
  vote: 'election',
  followerinfo: 'toLeader',
  ackepoch: 'toLeader',
  acknewleader: 'toLeader',
  ack: 'toLeader',
  pong: 'toLeader',
  request: 'toLeader',
  touch: 'toLeader',
  syncreq: 'toLeader',
  leaderinfo: 'toLearner',
  sync: 'toLearner',
  uptodate: 'toLearner',
  proposal: 'toLearner',
  commit: 'toLearner',
  ping: 'toLearner',
  syncdone: 'toLearner',
}

/** The two ports a peer listens on. */
type Port = 'election' | 'learner'

/** A link this peer dialled. */
interface Outbound {
  socket: net.Socket
  /** The peer proved itself and we sent our proof: frames may go. */
  ready: boolean
  queue: Buffer[]
}

/** A learner's link to its leader: redialled quietly, keeping what is queued, until `giveUpAt`. */
interface LeaderLink extends Outbound {
  to: number
  giveUpAt: number
  retry?: NodeJS.Timeout
}

interface Delayed {
  due: number
  frame: Buffer
  route: Route
}

/** Where an inbound link is in its handshake. */
type InboundStage = { name: 'hello' } | { name: 'proof'; dialer: number; expected: Buffer } | { name: 'open'; from: number }

/** One peer's links to the others. */
export class PeerLinks {
  private readonly listeners: net.Server[] = []
  /** Election links we dialled, and those dialled to us. */
  private readonly out = new Map<number, Outbound>()
  private readonly inbound = new Map<number, net.Socket>()
  /** Leader: each learner's link, which it dialled. */
  private readonly learners = new Map<number, net.Socket>()
  /** Learner: the link to its leader. */
  private leaderLink: LeaderLink | undefined
  /** Whether this peer leads now: only then does its learner port take learners. */
  private leading = false
  private readonly pendingInbound = new Set<net.Socket>()
  private readonly failedAt = new Map<number, number>()
  /** Peers cut off both ways. */
  private readonly blocked = new Set<number>()
  /** Peers whose messages from us are silently lost. */
  private readonly dropping = new Set<number>()
  private readonly delays = new Map<number, number>()
  private readonly delayed = new Map<number, { queue: Delayed[]; timer?: NodeJS.Timeout }>()
  private readonly w = new Writer(1 << 16)
  /** What each open link is sent in one callback, written at once (a proposal, ACK or commit each is a lot of writes). */
  private readonly gathered = new WeakMap<net.Socket, GatheredWrites>()
  private closed = false
  private paused = false
  /** Frames sent and received, for stats. */
  sent = 0
  received = 0
  /** Socket writes that carried the frames sent on open links (many frames each under load). */
  socketWrites = 0

  private readonly secret: Buffer
  private readonly authTimeoutMs: number
  private readonly leaderDialMs: number
  private readonly tls: PeerTls | undefined

  constructor(
    readonly self: number,
    readonly addresses: Map<number, PeerAddress>,
    private readonly h: LinkHandlers,
    opts: LinkOptions,
  ) {
    if (!opts.secret?.length) throw new TypeError(`PeerLinks: peer ${self} needs a non-empty shared secret to authenticate its links`)
    this.secret = opts.secret
    this.authTimeoutMs = opts.authTimeoutMs ?? AUTH_TIMEOUT_MS
    this.leaderDialMs = opts.leaderDialMs ?? this.authTimeoutMs
    this.tls = opts.tls
  }

  /**
   * Bind the election port and the learner port (0 or left out: any free one), both until close();
   * resolves with the two ports.
   */
  async listen(ports: Partial<PeerPorts> = {}, host = '127.0.0.1'): Promise<PeerPorts> {
    const election = await this.bind(ports.port ?? 0, host, 'election')
    const learner = await this.bind(ports.learnerPort ?? 0, host, 'learner')
    const portOf = (srv: net.Server) => (srv.address() as net.AddressInfo).port
    return { port: portOf(election), learnerPort: portOf(learner) }
  }

  private async bind(port: number, host: string, kind: Port): Promise<net.Server> {
    const srv = this.tls
      ? tls.createServer(
          {
            ...this.tls,
            requestCert: true,
            rejectUnauthorized: true,
            minVersion: 'TLSv1.2',
            // A stranger that never finishes the TLS handshake is cut off as one that never proves the secret.
            handshakeTimeout: this.authTimeoutMs,
          },
          (s) => this.accept(s, kind),
        )
      : net.createServer((s) => this.accept(s, kind))
    if (this.tls)
      srv.on('tlsClientError', (err, s) => {
        log('peer %d: refused a TLS link from %s:%s: %s', this.self, s.remoteAddress, s.remotePort, err.message)
        s.destroy()
      })
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject)
      srv.listen(port, host, () => resolve())
    })
    // Kept for close(), which closes every port bound so far (also after the second bind failed).
    this.listeners.push(srv)
    return srv
  }

  /**
   * Where this peer stands: it leads (`leader` is itself), follows `leader`, or looks for a leader
   * (undefined). Only a leader takes learners, and a role left behind takes its links along: a leader
   * that steps down drops its learners, a learner drops its link to a leader it no longer follows.
   * Links closed here are not reported down: the peer already moved on.
   */
  setLeader(leader: number | undefined): void {
    this.leading = leader === this.self
    if (!this.leading)
      for (const [id, s] of this.learners) {
        this.learners.delete(id)
        s.destroy()
      }
    if (this.leaderLink && this.leaderLink.to !== leader) this.dropLeaderLink()
  }

  /** Close the link to the leader this peer followed, unreported. */
  private dropLeaderLink(): void {
    const link = this.leaderLink
    if (!link) return
    this.leaderLink = undefined
    clearTimeout(link.retry)
    link.socket.destroy()
  }

  private accept(socket: net.Socket, port: Port): void {
    if (this.closed) return void socket.destroy()
    // Not leading, this peer has no learners: it says nothing and reads nothing, as a ZooKeeper
    // follower, which has nothing listening on its quorum port.
    if (port === 'learner' && !this.leading) {
      log('peer %d: refused a learner link from %s:%s: this peer does not lead', this.self, socket.remoteAddress, socket.remotePort)
      return void socket.destroy()
    }
    socket.setNoDelay(true)
    if (this.paused) socket.pause()
    this.pendingInbound.add(socket)
    const framer = new FrameDecoder(MAX_FRAME)
    let stage: InboundStage = { name: 'hello' }
    const who = () =>
      stage.name === 'hello' ? `${socket.remoteAddress}:${socket.remotePort}` : `${stage.name === 'open' ? stage.from : stage.dialer}`
    // The existing link from the same peer stays whatever a failed attempt said.
    const refuse = (why: string) => {
      log('peer %d: refused a%s link from %s: %s', this.self, port === 'learner' ? ' learner' : 'n election', who(), why)
      socket.destroy()
    }
    const links = port === 'election' ? this.inbound : this.learners
    // An election link carries votes; a learner's link carries what a learner says to its leader.
    const expected: Route = port === 'election' ? 'election' : 'toLeader'
    const deadline = setTimeout(() => refuse(`did not authenticate within ${this.authTimeoutMs} ms`), this.authTimeoutMs)
    deadline.unref()
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[]
      try {
        frames = framer.push(chunk)
      } catch (err) {
        return refuse(`bad frame: ${(err as Error).message}`)
      }
      // Before the handshake is done, a stranger may not make us hold more than a few KiB.
      if (stage.name !== 'open' && framer.pending > HANDSHAKE_MAX_BYTES)
        return refuse(`sent over ${HANDSHAKE_MAX_BYTES} bytes before authenticating`)
      for (const f of frames) {
        if (socket.destroyed) return
        if (stage.name === 'hello') {
          const hello = parseHello(f)
          if (typeof hello === 'string') return refuse(hello)
          const { dialer, acceptor } = hello
          if (acceptor !== this.self) return refuse(`HELLO is for peer ${acceptor}, this is peer ${this.self}`)
          if (dialer === this.self || !this.addresses.has(dialer)) return refuse(`HELLO names ${dialer}, not another peer of this ensemble`)
          if (this.blocked.has(dialer)) return refuse(`peer ${dialer} is cut off`)
          const nonces = { dialer: hello.nonce, acceptor: newNonce() }
          const ids = { dialer, acceptor }
          socket.write(challengeFrame({ nonce: nonces.acceptor, mac: handshakeMac(this.secret, 'acceptor', ids, nonces) }))
          stage = { name: 'proof', dialer, expected: handshakeMac(this.secret, 'dialer', ids, nonces) }
          continue
        }
        if (stage.name === 'proof') {
          const mac = parseProof(f)
          if (typeof mac === 'string') return refuse(mac)
          if (!macMatches(stage.expected, mac)) return refuse(`peer ${stage.dialer}'s proof does not match the ensemble's secret`)
          const from = stage.dialer
          if (this.blocked.has(from)) return refuse(`peer ${from} is cut off`)
          if (port === 'learner' && !this.leading) return refuse('this peer stopped leading')
          clearTimeout(deadline)
          this.pendingInbound.delete(socket)
          stage = { name: 'open', from }
          // Only a peer that proved itself replaces its earlier link (it restarted or redialled).
          const old = links.get(from)
          links.set(from, socket)
          if (old) old.destroy()
          continue
        }
        const from = stage.from
        // A leader that stepped down dropped this link; nothing that was still buffered is handled.
        if (port === 'learner' && !this.leading) return refuse('this peer does not lead')
        let m: WireMsg
        try {
          m = decodeWire(f)
        } catch (err) {
          return refuse(`undecodable message: ${(err as Error).message}`)
        }
        if (ROUTES[m.t] !== expected) return refuse(`a ${m.t} does not belong on this link`)
        this.delivered(from, m, socket)
      }
    })
    const gone = () => {
      clearTimeout(deadline)
      this.pendingInbound.delete(socket)
      if (stage.name === 'open' && links.get(stage.from) === socket) {
        links.delete(stage.from)
        if (port === 'learner' && !this.closed) this.h.down(stage.from)
      }
    }
    socket.on('close', gone)
    socket.on('error', () => {})
  }

  /** Hand a message to the host; a bug handling it closes the link it came on instead of the process. */
  private delivered(from: number, m: WireMsg, socket: net.Socket): void {
    this.received++
    try {
      this.h.message(from, m)
    } catch (err) {
      // A bug handling one message must not take the process down: drop the link, so both
      // sides start over (a new election or sync), and say why.
      log('peer %d: handling %s from %d failed: %s', this.self, m.t, from, (err as Error).stack)
      socket.destroy()
    }
  }

  /** `m` framed, as a view of this.w: valid until the next message is framed (copy it to keep it). */
  private frame(m: WireMsg): Buffer {
    const w = this.w.reset()
    const at = w.beginFrame()
    encodeWire(w, m)
    w.endFrame(at)
    return w.view()
  }

  /** Send a frame on an open link, with whatever else it is sent in this callback. */
  private gather(socket: net.Socket, frame: Buffer): void {
    let g = this.gathered.get(socket)
    if (!g) this.gathered.set(socket, (g = new GatheredWrites(socket, () => this.socketWrites++)))
    g.raw(frame)
  }

  /** Send a message; lost (as on a network) when the peer is unreachable or cut off. */
  send(to: number, m: WireMsg): void {
    if (this.closed || to === this.self || this.blocked.has(to) || this.dropping.has(to)) return
    const frame = this.frame(m)
    const route = ROUTES[m.t]
    const delay = this.delays.get(to) ?? 0
    // Frames delayed before a delay ended still go first: what goes to one peer stays first-in, first-out.
    if (delay > 0 || this.delayed.get(to)?.queue.length) return this.later(to, frame, route, delay)
    this.transmit(to, frame, route)
  }

  private later(to: number, frame: Buffer, route: Route, delay: number): void {
    let d = this.delayed.get(to)
    if (!d) this.delayed.set(to, (d = { queue: [] }))
    d.queue.push({ due: Date.now() + delay, frame: Buffer.from(frame), route })
    this.armDelay(to)
  }

  private armDelay(to: number): void {
    const d = this.delayed.get(to)
    if (!d || d.timer || !d.queue.length) return
    d.timer = setTimeout(
      () => {
        d.timer = undefined
        const now = Date.now()
        // In order: a frame waits for those queued before it.
        while (d.queue.length && d.queue[0]!.due <= now) {
          const { frame, route } = d.queue.shift()!
          if (!this.closed && !this.blocked.has(to) && !this.dropping.has(to)) this.transmit(to, frame, route)
        }
        this.armDelay(to)
      },
      Math.max(0, d.queue[0]!.due - Date.now()),
    )
    d.timer.unref?.()
  }

  private transmit(to: number, frame: Buffer, route: Route): void {
    if (route === 'election') return this.toElection(to, frame)
    if (route === 'toLeader') return this.toLeader(to, frame)
    // A leader answers on the link its learner opened; a peer that has not dialled in hears nothing.
    const learner = this.learners.get(to)
    if (!learner || learner.destroyed) return
    this.sent++
    this.gather(learner, frame)
  }

  private toElection(to: number, frame: Buffer): void {
    let o = this.out.get(to)
    // A socket cut (block) or failing is replaced by a fresh dial rather than written to.
    if (o?.socket.destroyed) {
      this.out.delete(to)
      o = undefined
    }
    if (!o) {
      if (Date.now() - (this.failedAt.get(to) ?? 0) < REDIAL_MS) return
      const addr = this.addresses.get(to)
      if (!addr) return
      const link: Outbound = (o = { socket: undefined!, ready: false, queue: [] })
      this.out.set(to, link)
      this.dial(to, 'election', link, () => {
        if (this.out.get(to) !== link) return
        this.out.delete(to)
        if (!link.ready) this.failedAt.set(to, Date.now())
      })
    }
    this.write(o, frame)
  }

  /** A learner's message: on the one link to its leader, dialled now if there is none (a new leader replaces the old). */
  private toLeader(to: number, frame: Buffer): void {
    if (this.leaderLink && this.leaderLink.to !== to) this.dropLeaderLink()
    let link = this.leaderLink
    if (!link) {
      if (!this.addresses.has(to)) return
      link = this.leaderLink = { to, socket: undefined!, ready: false, queue: [], giveUpAt: Date.now() + this.leaderDialMs }
      this.dialLeader(link)
    }
    this.write(link, frame)
  }

  private write(o: Outbound, frame: Buffer): void {
    this.sent++
    if (o.ready) this.gather(o.socket, frame)
    else if (o.queue.length < MAX_QUEUED) o.queue.push(Buffer.from(frame))
  }

  private dialLeader(link: LeaderLink): void {
    this.dial(link.to, 'learner', link, () => {
      if (this.leaderLink !== link) return
      // A leader just elected may not know it leads yet, and until it does it closes our link: try
      // again for a while, as ZooKeeper's learners retry their connect to the leader.
      if (!link.ready && !this.closed && !this.blocked.has(link.to) && Date.now() < link.giveUpAt) {
        link.retry = setTimeout(() => {
          link.retry = undefined
          if (this.leaderLink === link && !this.closed) this.dialLeader(link)
        }, REDIAL_MS)
        link.retry.unref()
        return
      }
      this.leaderLinkBroke(link)
    })
  }

  /** The link to our leader is gone for good: tell Zab, which looks for a leader again. */
  private leaderLinkBroke(link: LeaderLink): void {
    if (this.leaderLink !== link) return
    this.dropLeaderLink()
    if (!this.closed) this.h.down(link.to)
  }

  /**
   * Dial `to`'s election or learner port into `link` and prove ourselves; once the other side has
   * proved itself too, what is queued goes out. Nothing may arrive on an election link after the
   * handshake; on a learner link, what a leader says to its learner. `closed` runs once the socket
   * closes, unless the link has been given another socket meanwhile.
   */
  private dial(to: number, port: Port, link: Outbound, closed: () => void): void {
    const addr = this.addresses.get(to)!
    const target = port === 'election' ? addr.port : addr.learnerPort
    const socket = this.tls
      ? tls.connect({ ...this.tls, host: addr.host, port: target, minVersion: 'TLSv1.2' })
      : net.connect(target, addr.host)
    socket.setNoDelay(true)
    if (this.paused && port === 'learner') socket.pause()
    link.socket = socket
    link.ready = false
    const nonce = newNonce()
    const framer = new FrameDecoder(port === 'learner' ? MAX_FRAME : HANDSHAKE_MAX_BYTES)
    const fail = (why: string) => {
      log('peer %d: %s link to peer %d closed: %s', this.self, port, to, why)
      socket.destroy()
    }
    const deadline = setTimeout(() => fail(`it did not authenticate within ${this.authTimeoutMs} ms`), this.authTimeoutMs)
    deadline.unref()
    // Over TLS nothing goes before the other side's certificate checked out.
    socket.once(this.tls ? 'secureConnect' : 'connect', () => {
      if (link.socket === socket) socket.write(helloFrame({ dialer: this.self, acceptor: to, nonce }))
    })
    socket.on('data', (chunk: Buffer) => {
      if (link.ready && port === 'election') return fail('it sent data after the handshake')
      let frames: Buffer[]
      try {
        frames = framer.push(chunk)
      } catch (err) {
        return fail((err as Error).message)
      }
      if (link.ready) return this.fromLeader(to, frames, socket, fail)
      if (framer.pending > HANDSHAKE_MAX_BYTES) return fail(`it sent over ${HANDSHAKE_MAX_BYTES} bytes before authenticating`)
      if (!frames.length) return
      // The other side speaks after the challenge only once it has our proof.
      if (frames.length > 1) return fail('it sent data before we proved ourselves')
      const c = parseChallenge(frames[0]!)
      if (typeof c === 'string') return fail(c)
      const ids = { dialer: this.self, acceptor: to }
      const nonces = { dialer: nonce, acceptor: c.nonce }
      if (!macMatches(handshakeMac(this.secret, 'acceptor', ids, nonces), c.mac))
        return fail("its answer does not match the ensemble's secret")
      clearTimeout(deadline)
      socket.write(proofFrame(handshakeMac(this.secret, 'dialer', ids, nonces)))
      link.ready = true
      for (const f of link.queue) socket.write(f)
      link.queue = []
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(deadline)
      if (link.socket === socket) closed()
    })
  }

  /** What a leader said on its learner's link: only a leader's messages are taken. */
  private fromLeader(from: number, frames: Buffer[], socket: net.Socket, fail: (why: string) => void): void {
    for (const f of frames) {
      if (socket.destroyed) return
      let m: WireMsg
      try {
        m = decodeWire(f)
      } catch (err) {
        return fail(`undecodable message: ${(err as Error).message}`)
      }
      if (ROUTES[m.t] !== 'toLearner') return fail(`a ${m.t} does not come from a leader`)
      this.delivered(from, m, socket)
    }
  }

  /** Cut this peer off from `peers` both ways (call on both sides for a partition). */
  block(peers: Iterable<number>): void {
    for (const p of peers) {
      if (p === this.self) continue
      this.blocked.add(p)
      this.out.get(p)?.socket.destroy()
      this.inbound.get(p)?.destroy()
      this.learners.get(p)?.destroy()
      if (this.leaderLink?.to === p) this.leaderLinkBroke(this.leaderLink)
      this.delayed.get(p)?.queue.splice(0)
    }
  }

  /** Undo every block, drop and delay. */
  heal(): void {
    this.blocked.clear()
    this.dropping.clear()
    this.delays.clear()
  }

  /** Silently lose (or stop losing) what this peer sends to `to`; connections stay up. */
  drop(to: number, on = true): void {
    if (on) this.dropping.add(to)
    else this.dropping.delete(to)
  }

  /** Delay what this peer sends to `to` by `ms` (0 to stop), keeping order. */
  delay(to: number, ms: number): void {
    if (ms > 0) this.delays.set(to, ms)
    else this.delays.delete(to)
  }

  /** Every socket this peer reads from. */
  private readSockets(): net.Socket[] {
    return [
      ...this.inbound.values(),
      ...this.learners.values(),
      ...this.pendingInbound,
      ...(this.leaderLink ? [this.leaderLink.socket] : []),
    ]
  }

  /** Stop reading from every link (a frozen process); resume() reads again. */
  pause(): void {
    this.paused = true
    for (const s of this.readSockets()) s.pause()
  }

  resume(): void {
    this.paused = false
    for (const s of this.readSockets()) s.resume()
  }

  /** Close every link and both ports (as a crash: nothing is flushed). */
  async close(): Promise<void> {
    this.closed = true
    for (const o of this.out.values()) o.socket.destroy()
    for (const s of this.readSockets()) s.destroy()
    if (this.leaderLink) clearTimeout(this.leaderLink.retry)
    for (const d of this.delayed.values()) if (d.timer) clearTimeout(d.timer)
    this.out.clear()
    this.inbound.clear()
    this.learners.clear()
    this.leaderLink = undefined
    await Promise.all(this.listeners.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))))
  }
}
