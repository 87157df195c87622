// TCP links between peers on loopback, on two ports as ZooKeeper has them. Votes travel over
// election links: each peer dials every other for what it sends and accepts their connections for
// what it receives, so each direction is one FIFO stream. Everything else travels over learner
// links: only a leader listens on its learner port, each learner dials it, and that one socket
// carries their traffic both ways. Every link opens with a handshake (peer-auth.ts) in which both
// sides prove they hold the ensemble's secret; until it completes nothing else is read, only a few
// KiB are accepted, and a link that does not finish within a deadline is closed. A broken or refused
// connection is reported (`down`) so Zab can react as ZooKeeper does when a learner's socket closes.
// Fault injection lives here too: cut a peer off both ways (a partition), drop or delay what this
// peer sends to another (one-way faults). With `tls` (ZooKeeper's sslQuorum) every link is mutual
// TLS under one CA, the handshake on top.
import net from 'node:net'
import tls from 'node:tls'
import { Writer } from '../jute/writer.js'
import { FrameDecoder } from '../transport/frame-decoder.js'
import { logger } from '../debug.js'
import { decodeWire, encodeWire, type WireMsg } from './peer-wire.js'
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
  /** The connection to or from `peer` broke, or it could not be reached. */
  down(peer: number): void
}

export interface PeerAddress {
  host: string
  /** The election port (votes). */
  port: number
  /** The learner port, where this peer listens while it leads (ZooKeeper's quorum port). */
  learnerPort?: number
}

/** Which link a message travels on. */
type Channel = 'election' | 'learner'

/** What may arrive on each kind of link, by who sent it. */
const ELECTION_TYPES = new Set<WireMsg['t']>(['vote'])
const FROM_LEARNER = new Set<WireMsg['t']>(['followerinfo', 'ackepoch', 'acknewleader', 'ack', 'pong', 'request', 'touch', 'syncreq'])
const FROM_LEADER = new Set<WireMsg['t']>(['leaderinfo', 'sync', 'uptodate', 'proposal', 'commit', 'ping', 'syncdone'])

/** A peer's TLS material (PEM): both sides of every link present a certificate signed by `ca`. */
export interface PeerTls {
  ca: string | Buffer
  cert: string | Buffer
  key: string | Buffer
}

export interface LinkOptions {
  /** The ensemble's shared secret: peers prove they hold it before any message is accepted. */
  secret: Buffer
  /** How long a new link has to complete the handshake before it is closed (default 1000 ms). */
  authTimeoutMs?: number
  /** Run every link over mutual TLS (ZooKeeper's sslQuorum); the secret's handshake still follows. */
  tls?: PeerTls
}

interface Outbound {
  socket: net.Socket
  /** The peer proved itself and we sent our proof: frames may go. */
  ready: boolean
  queue: Buffer[]
  /** A learner's dial to a leader that is not listening yet: it is tried again, keeping the queue. */
  retrying?: boolean
}

interface Delayed {
  due: number
  frame: Buffer
  channel: Channel
}

/** Where an inbound link is in its handshake. */
type InboundStage = { name: 'hello' } | { name: 'proof'; dialer: number; expected: Buffer } | { name: 'open'; from: number }

/** One peer's links to the others. */
export class PeerLinks {
  private listener: net.Server | undefined
  private learnerListener: net.Server | undefined
  /** Where this peer listens for learners while it leads (reserved by listen()). */
  learnerPort = 0
  private host = '127.0.0.1'
  private leading = false
  private readonly out = new Map<number, Outbound>()
  private readonly inbound = new Map<number, net.Socket>()
  /** Leader: the learners that dialled in, each on one socket both ways. */
  private readonly learners = new Map<number, net.Socket>()
  /** Learner: the link it dialled to its leader (both ways). */
  private readonly toLeader = new Map<number, Outbound>()
  private readonly pendingInbound = new Set<net.Socket>()
  private readonly failedAt = { election: new Map<number, number>(), learner: new Map<number, number>() }
  /** Peers cut off both ways. */
  private readonly blocked = new Set<number>()
  /** Peers whose messages from us are silently lost. */
  private readonly dropping = new Set<number>()
  private readonly delays = new Map<number, number>()
  private readonly delayed = new Map<number, { queue: Delayed[]; timer?: NodeJS.Timeout }>()
  private readonly w = new Writer(1 << 16)
  private closed = false
  /** Frames sent and received, for stats. */
  sent = 0
  received = 0

  private readonly secret: Buffer
  private readonly authTimeoutMs: number
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
    this.tls = opts.tls
  }

  /**
   * Accept election links from the other peers, and reserve the learner port (opened only while
   * leading: lead()); resolves with the election port.
   */
  async listen(port = 0, host = '127.0.0.1', learnerPort = 0): Promise<number> {
    this.host = host
    this.listener = await this.bind(port, host, 'election')
    const reserved = await this.bind(learnerPort, host, 'learner')
    this.learnerPort = (reserved.address() as net.AddressInfo).port
    await new Promise<void>((resolve) => reserved.close(() => resolve()))
    return (this.listener.address() as net.AddressInfo).port
  }

  /** Open (or close) the learner port: a leader accepts learners there, nobody else listens on it. */
  lead(on: boolean): void {
    if (this.closed) return
    this.leading = on
    if (on && !this.learnerListener) {
      this.bind(this.learnerPort, this.host, 'learner').then(
        (srv) => {
          if (this.learnerListener || this.closed || !this.leading) return void srv.close()
          this.learnerListener = srv
        },
        (err: Error) => log('peer %d: cannot open the learner port %d: %s', this.self, this.learnerPort, err.message),
      )
    } else if (!on && this.learnerListener) {
      this.learnerListener.close()
      this.learnerListener = undefined
      for (const s of this.learners.values()) s.destroy()
    }
  }

  private async bind(port: number, host: string, channel: Channel): Promise<net.Server> {
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
          (s) => this.accept(s, channel),
        )
      : net.createServer((s) => this.accept(s, channel))
    if (this.tls)
      srv.on('tlsClientError', (err, s) => {
        log('peer %d: refused a TLS link from %s:%s: %s', this.self, s.remoteAddress, s.remotePort, err.message)
        s.destroy()
      })
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject)
      srv.listen(port, host, () => resolve())
    })
    return srv
  }

  private accept(socket: net.Socket, channel: Channel): void {
    if (this.closed) return void socket.destroy()
    socket.setNoDelay(true)
    if (this.paused) socket.pause()
    this.pendingInbound.add(socket)
    const framer = new FrameDecoder(MAX_FRAME)
    let stage: InboundStage = { name: 'hello' }
    const who = () =>
      stage.name === 'hello' ? `${socket.remoteAddress}:${socket.remotePort}` : `${stage.name === 'open' ? stage.from : stage.dialer}`
    // The existing link from the same peer stays whatever a failed attempt said.
    const refuse = (why: string) => {
      log('peer %d: refused a link from %s: %s', this.self, who(), why)
      socket.destroy()
    }
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
          clearTimeout(deadline)
          this.pendingInbound.delete(socket)
          stage = { name: 'open', from }
          // Only a peer that proved itself replaces its earlier link (it restarted or redialled).
          const links = channel === 'election' ? this.inbound : this.learners
          const old = links.get(from)
          links.set(from, socket)
          if (old) old.destroy()
          continue
        }
        const from = stage.from
        let m: WireMsg
        try {
          m = decodeWire(f)
        } catch (err) {
          log('peer %d: undecodable message from %d: %s', this.self, from, (err as Error).message)
          return void socket.destroy()
        }
        if (!(channel === 'election' ? ELECTION_TYPES : FROM_LEARNER).has(m.t)) {
          log('peer %d: a %s from %d does not belong on a%s link', this.self, m.t, from, channel === 'election' ? 'n election' : ' learner')
          return void socket.destroy()
        }
        this.delivered(from, m, socket)
      }
    })
    const gone = () => {
      clearTimeout(deadline)
      this.pendingInbound.delete(socket)
      const links = channel === 'election' ? this.inbound : this.learners
      if (stage.name === 'open' && links.get(stage.from) === socket) {
        links.delete(stage.from)
        if (!this.closed) this.h.down(stage.from)
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

  private frame(m: WireMsg): Buffer {
    const w = this.w.reset()
    const at = w.beginFrame()
    encodeWire(w, m)
    w.endFrame(at)
    return w.toBuffer()
  }

  /** Send a message; lost (as on a network) when the peer is unreachable or cut off. */
  send(to: number, m: WireMsg): void {
    if (this.closed || to === this.self || this.blocked.has(to) || this.dropping.has(to)) return
    const frame = this.frame(m)
    const channel: Channel = ELECTION_TYPES.has(m.t) ? 'election' : 'learner'
    const delay = this.delays.get(to) ?? 0
    // Frames delayed before a delay ended still go first: the link stays first-in, first-out.
    if (delay > 0 || this.delayed.get(to)?.queue.length) return this.later(to, frame, delay, channel)
    this.transmit(to, frame, channel)
  }

  private later(to: number, frame: Buffer, delay: number, channel: Channel): void {
    let d = this.delayed.get(to)
    if (!d) this.delayed.set(to, (d = { queue: [] }))
    d.queue.push({ due: Date.now() + delay, frame, channel })
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
          const { frame, channel } = d.queue.shift()!
          if (!this.closed && !this.blocked.has(to) && !this.dropping.has(to)) this.transmit(to, frame, channel)
        }
        this.armDelay(to)
      },
      Math.max(0, d.queue[0]!.due - Date.now()),
    )
    d.timer.unref?.()
  }

  private transmit(to: number, frame: Buffer, channel: Channel): void {
    if (channel === 'learner') {
      // A leader answers on the socket its learner opened; one that has not dialled in hears nothing.
      const learner = this.learners.get(to)
      if (learner || this.leading) {
        if (learner && !learner.destroyed) (this.sent++, learner.write(frame))
        return
      }
    }
    const links = channel === 'election' ? this.out : this.toLeader
    let o = links.get(to)
    // A socket cut (block) or failing is replaced by a fresh dial rather than written to.
    if (o?.socket.destroyed && !o.retrying) {
      links.delete(to)
      o = undefined
    }
    if (!o) {
      if (Date.now() - (this.failedAt[channel].get(to) ?? 0) < REDIAL_MS) return
      o = this.dial(to, channel, Date.now() + this.authTimeoutMs)
      if (!o) return
    }
    this.sent++
    if (o.ready) o.socket.write(frame)
    else if (o.queue.length < MAX_QUEUED) o.queue.push(frame)
  }

  /** Dial `to`'s election or learner port; a learner keeps trying until `giveUpAt` while the leader is not listening yet. */
  private dial(to: number, channel: Channel, giveUpAt: number, queue: Buffer[] = []): Outbound | undefined {
    const addr = this.addresses.get(to)
    const port = channel === 'election' ? addr?.port : addr?.learnerPort
    if (!addr || port === undefined) return undefined
    const links = channel === 'election' ? this.out : this.toLeader
    const socket = this.tls ? tls.connect({ ...this.tls, host: addr.host, port, minVersion: 'TLSv1.2' }) : net.connect(port, addr.host)
    socket.setNoDelay(true)
    if (this.paused && channel === 'learner') socket.pause()
    const o: Outbound = { socket, ready: false, queue }
    links.set(to, o)
    const nonce = newNonce()
    let framer = new FrameDecoder(HANDSHAKE_MAX_BYTES)
    // What the leader says on a learner link, once it proved itself.
    const fromLeader = (frames: Buffer[]) => {
      for (const f of frames) {
        if (socket.destroyed) return
        let m: WireMsg
        try {
          m = decodeWire(f)
        } catch (err) {
          return fail(`undecodable message: ${(err as Error).message}`)
        }
        if (!FROM_LEADER.has(m.t)) return fail(`a ${m.t} does not come from a leader`)
        this.delivered(to, m, socket)
      }
    }
    const fail = (why: string) => {
      log('peer %d: link to peer %d closed: %s', this.self, to, why)
      socket.destroy()
    }
    const deadline = setTimeout(() => fail(`it did not authenticate within ${this.authTimeoutMs} ms`), this.authTimeoutMs)
    deadline.unref()
    // Over TLS nothing goes before the other side's certificate checked out.
    socket.once(this.tls ? 'secureConnect' : 'connect', () => {
      if (links.get(to) !== o) return
      socket.write(helloFrame({ dialer: this.self, acceptor: to, nonce }))
    })
    socket.on('data', (chunk: Buffer) => {
      // After its challenge the other side has nothing to say on an election link.
      if (o.ready && channel === 'election') return fail('it sent data after the handshake')
      let frames: Buffer[]
      try {
        frames = framer.push(chunk)
      } catch (err) {
        return fail((err as Error).message)
      }
      if (o.ready) return fromLeader(frames)
      if (!frames.length) return
      if (frames.length > 1 && channel === 'election') return fail('it sent data after the handshake')
      const c = parseChallenge(frames[0]!)
      if (typeof c === 'string') return fail(c)
      const ids = { dialer: this.self, acceptor: to }
      const nonces = { dialer: nonce, acceptor: c.nonce }
      if (!macMatches(handshakeMac(this.secret, 'acceptor', ids, nonces), c.mac))
        return fail("its answer does not match the ensemble's secret")
      clearTimeout(deadline)
      socket.write(proofFrame(handshakeMac(this.secret, 'dialer', ids, nonces)))
      o.ready = true
      for (const f of o.queue) socket.write(f)
      o.queue = []
      if (channel === 'learner') {
        framer = new FrameDecoder(MAX_FRAME)
        fromLeader(frames.slice(1))
      }
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(deadline)
      if (links.get(to) !== o) return
      // A leader just elected may not listen yet (ZooKeeper's learners retry their connect too).
      if (channel === 'learner' && !o.ready && !this.closed && !this.blocked.has(to) && Date.now() < giveUpAt) {
        o.retrying = true
        const retry = setTimeout(() => {
          if (links.get(to) === o && !this.closed) this.dial(to, channel, giveUpAt, o.queue)
        }, REDIAL_MS)
        retry.unref()
        return
      }
      links.delete(to)
      if (!o.ready) this.failedAt[channel].set(to, Date.now())
      if (!this.closed) this.h.down(to)
    })
    return o
  }

  /** Cut this peer off from `peers` both ways (call on both sides for a partition). */
  block(peers: Iterable<number>): void {
    for (const p of peers) {
      if (p === this.self) continue
      this.blocked.add(p)
      this.out.get(p)?.socket.destroy()
      this.inbound.get(p)?.destroy()
      this.learners.get(p)?.destroy()
      this.toLeader.get(p)?.socket.destroy()
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

  private paused = false

  /** Stop reading from every link (a frozen process); resume() reads again. */
  pause(): void {
    this.paused = true
    for (const s of this.inbound.values()) s.pause()
    for (const s of this.learners.values()) s.pause()
    for (const o of this.toLeader.values()) o.socket.pause()
    for (const s of this.pendingInbound) s.pause()
  }

  resume(): void {
    this.paused = false
    for (const s of this.inbound.values()) s.resume()
    for (const s of this.learners.values()) s.resume()
    for (const o of this.toLeader.values()) o.socket.resume()
    for (const s of this.pendingInbound) s.resume()
  }

  /** Close every link (as a crash: nothing is flushed). */
  async close(): Promise<void> {
    this.closed = true
    for (const o of [...this.out.values(), ...this.toLeader.values()]) o.socket.destroy()
    for (const s of [...this.inbound.values(), ...this.learners.values()]) s.destroy()
    for (const s of this.pendingInbound) s.destroy()
    for (const d of this.delayed.values()) if (d.timer) clearTimeout(d.timer)
    this.out.clear()
    this.inbound.clear()
    this.learnerListener?.close()
    this.learnerListener = undefined
    await new Promise<void>((resolve) => (this.listener ? this.listener.close(() => resolve()) : resolve()))
  }
}
