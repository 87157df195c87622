// TCP links between peers on loopback. Each peer dials every other peer for what it sends and
// accepts their connections for what it receives, so each direction is one FIFO stream. A broken or
// refused connection is reported (`down`) so Zab can react as ZooKeeper does when a learner's socket
// closes. Fault injection lives here too: cut a peer off both ways (a partition), drop or delay what
// this peer sends to another (one-way faults).
import net from 'node:net'
import { Writer } from '../jute/writer.js'
import { FrameDecoder } from '../transport/frame-decoder.js'
import { logger } from '../debug.js'
import { decodeWire, encodeWire, type WireMsg } from './peer-wire.js'

const log = logger('links')
const HELLO = 0x5a4b5052 // "ZKPR"
const MAX_FRAME = 512 * 1024 * 1024
/** After a failed dial, wait this long before dialling the same peer again. */
const REDIAL_MS = 25
/** Messages queued while a connection is being set up. */
const MAX_QUEUED = 100_000

export interface LinkHandlers {
  message(from: number, m: WireMsg): void
  /** The connection to or from `peer` broke, or it could not be reached. */
  down(peer: number): void
}

export interface PeerAddress {
  host: string
  port: number
}

interface Outbound {
  socket: net.Socket
  ready: boolean
  queue: Buffer[]
}

interface Delayed {
  due: number
  frame: Buffer
}

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

  constructor(
    readonly self: number,
    readonly addresses: Map<number, PeerAddress>,
    private readonly h: LinkHandlers,
  ) {}

  /** Accept connections from the other peers; resolves with the port. */
  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    const srv = net.createServer((s) => this.accept(s))
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
    let from: number | undefined
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[]
      try {
        frames = framer.push(chunk)
      } catch (err) {
        log('peer %d: bad frame from %s: %s', this.self, from ?? '?', (err as Error).message)
        return void socket.destroy()
      }
      for (const f of frames) {
        if (socket.destroyed) return
        if (from === undefined) {
          if (f.length !== 8 || f.readInt32BE(0) !== HELLO) return void socket.destroy()
          const id = f.readInt32BE(4)
          this.pendingInbound.delete(socket)
          if (!this.addresses.has(id) || this.blocked.has(id)) return void socket.destroy()
          from = id
          // A newer connection from the same peer replaces the old one.
          const old = this.inbound.get(id)
          this.inbound.set(id, socket)
          if (old) old.destroy()
          continue
        }
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
      this.pendingInbound.delete(socket)
      if (from !== undefined && this.inbound.get(from) === socket) {
        this.inbound.delete(from)
        if (!this.closed) this.h.down(from)
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
    const socket = net.connect(addr.port, addr.host)
    socket.setNoDelay(true)
    const o: Outbound = { socket, ready: false, queue: [] }
    this.out.set(to, o)
    socket.once('connect', () => {
      if (this.out.get(to) !== o) return
      const hello = Buffer.alloc(12)
      hello.writeInt32BE(8, 0)
      hello.writeInt32BE(HELLO, 4)
      hello.writeInt32BE(this.self, 8)
      socket.write(hello)
      o.ready = true
      for (const f of o.queue) socket.write(f)
      o.queue = []
    })
    // What the other side sends back on our outbound socket is nothing; a close means it is gone.
    socket.on('data', () => {})
    socket.on('error', () => {})
    socket.on('close', () => {
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
