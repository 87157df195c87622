// TCP links between peers on loopback. Each peer dials every other peer for what it sends and
// accepts their connections for what it receives, so each direction is one FIFO stream. Every link
// opens with a handshake (peer-auth.ts) in which both sides prove they hold the ensemble's secret;
// until it completes nothing else is read, only a few KiB are accepted, and a link that does not
// finish within a deadline is closed. A broken or refused connection is reported (`down`) so Zab can
// react as ZooKeeper does when a learner's socket closes. Fault injection lives here too: cut a peer
// off both ways (a partition), drop or delay what this peer sends to another (one-way faults).
// With `tls` (ZooKeeper's sslQuorum) every link is mutual TLS under one CA, the handshake on top.
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
  port: number
}

/** A peer's TLS material (PEM): both sides of every link present a certificate signed by `ca`. */
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
  /** Run every link over mutual TLS (ZooKeeper's sslQuorum); the secret's handshake still follows. */
  tls?: PeerTls
}

interface Outbound {
  socket: net.Socket
  /** The peer proved itself and we sent our proof: frames may go. */
  ready: boolean
  queue: Buffer[]
}

interface Delayed {
  due: number
  frame: Buffer
}

/** Where an inbound link is in its handshake. */
type InboundStage = { name: 'hello' } | { name: 'proof'; dialer: number; expected: Buffer } | { name: 'open'; from: number }

/** One peer's links to the others. */
export class PeerLinks {
  private listener: net.Server | undefined
  private readonly out = new Map<number, Outbound>()
  private readonly inbound = new Map<number, net.Socket>()
  private readonly pendingInbound = new Set<net.Socket>()
  private readonly failedAt = new Map<number, number>()
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

  /** Accept connections from the other peers; resolves with the port. */
  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
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
          (s) => this.accept(s),
        )
      : net.createServer((s) => this.accept(s))
    if (this.tls)
      srv.on('tlsClientError', (err, s) => {
        log('peer %d: refused a TLS link from %s:%s: %s', this.self, s.remoteAddress, s.remotePort, err.message)
        s.destroy()
      })
    this.listener = srv
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject)
      srv.listen(port, host, () => resolve())
    })
    return (srv.address() as net.AddressInfo).port
  }

  private accept(socket: net.Socket): void {
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
          const old = this.inbound.get(from)
          this.inbound.set(from, socket)
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
        this.received++
        try {
          this.h.message(from, m)
        } catch (err) {
          // A bug handling one message must not take the process down: drop the link, so both
          // sides start over (a new election or sync), and say why.
          log('peer %d: handling %s from %d failed: %s', this.self, m.t, from, (err as Error).stack)
          return void socket.destroy()
        }
      }
    })
    const gone = () => {
      clearTimeout(deadline)
      this.pendingInbound.delete(socket)
      if (stage.name === 'open' && this.inbound.get(stage.from) === socket) {
        this.inbound.delete(stage.from)
        if (!this.closed) this.h.down(stage.from)
      }
    }
    socket.on('close', gone)
    socket.on('error', () => {})
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
    const delay = this.delays.get(to) ?? 0
    // Frames delayed before a delay ended still go first: the link stays first-in, first-out.
    if (delay > 0 || this.delayed.get(to)?.queue.length) return this.later(to, frame, delay)
    this.transmit(to, frame)
  }

  private later(to: number, frame: Buffer, delay: number): void {
    let d = this.delayed.get(to)
    if (!d) this.delayed.set(to, (d = { queue: [] }))
    d.queue.push({ due: Date.now() + delay, frame })
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
          const { frame } = d.queue.shift()!
          if (!this.closed && !this.blocked.has(to) && !this.dropping.has(to)) this.transmit(to, frame)
        }
        this.armDelay(to)
      },
      Math.max(0, d.queue[0]!.due - Date.now()),
    )
    d.timer.unref?.()
  }

  private transmit(to: number, frame: Buffer): void {
    let o = this.out.get(to)
    // A socket cut (block) or failing is replaced by a fresh dial rather than written to.
    if (o?.socket.destroyed) {
      this.out.delete(to)
      o = undefined
    }
    if (!o) {
      if (Date.now() - (this.failedAt.get(to) ?? 0) < REDIAL_MS) return
      o = this.dial(to)
      if (!o) return
    }
    this.sent++
    if (o.ready) o.socket.write(frame)
    else if (o.queue.length < MAX_QUEUED) o.queue.push(frame)
  }

  private dial(to: number): Outbound | undefined {
    const addr = this.addresses.get(to)
    if (!addr) return undefined
    const socket = this.tls
      ? tls.connect({ ...this.tls, host: addr.host, port: addr.port, minVersion: 'TLSv1.2' })
      : net.connect(addr.port, addr.host)
    socket.setNoDelay(true)
    const o: Outbound = { socket, ready: false, queue: [] }
    this.out.set(to, o)
    const nonce = newNonce()
    const framer = new FrameDecoder(HANDSHAKE_MAX_BYTES)
    const fail = (why: string) => {
      log('peer %d: link to peer %d closed: %s', this.self, to, why)
      socket.destroy()
    }
    const deadline = setTimeout(() => fail(`it did not authenticate within ${this.authTimeoutMs} ms`), this.authTimeoutMs)
    deadline.unref()
    // Over TLS nothing goes before the other side's certificate checked out.
    socket.once(this.tls ? 'secureConnect' : 'connect', () => {
      if (this.out.get(to) !== o) return
      socket.write(helloFrame({ dialer: this.self, acceptor: to, nonce }))
    })
    socket.on('data', (chunk: Buffer) => {
      // After its challenge the other side has nothing to say on our outbound link.
      if (o.ready) return fail('it sent data after the handshake')
      let frames: Buffer[]
      try {
        frames = framer.push(chunk)
      } catch (err) {
        return fail((err as Error).message)
      }
      if (!frames.length) return
      if (frames.length > 1) return fail('it sent data after the handshake')
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
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(deadline)
      if (this.out.get(to) !== o) return
      this.out.delete(to)
      if (!o.ready) this.failedAt.set(to, Date.now())
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
    for (const s of this.pendingInbound) s.pause()
  }

  resume(): void {
    this.paused = false
    for (const s of this.inbound.values()) s.resume()
    for (const s of this.pendingInbound) s.resume()
  }

  /** Close every link (as a crash: nothing is flushed). */
  async close(): Promise<void> {
    this.closed = true
    for (const o of this.out.values()) o.socket.destroy()
    for (const s of this.inbound.values()) s.destroy()
    for (const s of this.pendingInbound) s.destroy()
    for (const d of this.delayed.values()) if (d.timer) clearTimeout(d.timer)
    this.out.clear()
    this.inbound.clear()
    await new Promise<void>((resolve) => (this.listener ? this.listener.close(() => resolve()) : resolve()))
  }
}
