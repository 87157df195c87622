// The session state machine: one loop per connection (connect → handshake → auth → restore watches
// → serve → disconnected → next host), request/reply matching, pings, and expiry. Sockets live in the
// transport; time comes from the injected Clock.
import { Writer } from '../jute/writer.js'
import { Reader } from '../jute/reader.js'
import {
  decodeReplyHeader,
  decodeWatcherEvent,
  encodeAuthPacket,
  encodeConnectRequest,
  encodeRequestHeader,
  encodeSetWatches,
  encodeSetWatches2,
  type ConnectResponse,
} from '../jute/generated/proto.generated.js'
import { DEFAULT_MAX_BUFFER, ErrorCode, OpCode, PROTOCOL_VERSION, Xid, opName } from '../protocol.js'
import {
  AbortedError,
  AuthFailedError,
  ClientClosedError,
  ConnectionLossError,
  MarshallingError,
  OperationTimeoutError,
  ProtocolError,
  SessionExpiredError,
  ZooKeeperError,
  errorFromCode,
} from '../errors.js'
import { systemClock, type Clock, type TimerHandle } from '../clock.js'
import { logger, hex } from '../debug.js'
import { socketTransport } from '../transport/socket.js'
import type { Transport, TransportFactory } from '../transport/transport.js'
import { HostProvider } from './hosts.js'
import { canTransition, isTerminal } from './states.js'
import { backoffDelay } from '../retry.js'
import type { HostPort, RawWatcherEvent, RequestOptions, SessionLike, SessionState, WatchSet } from './types.js'

const log = logger('session')

/** Options of a Session. */
export interface SessionOptions {
  hosts: HostPort[]
  /** Requested session timeout in ms; the server clamps it (default 30000). */
  sessionTimeout?: number
  /** Timeout of one connection attempt including the handshake (default: sessionTimeout / 3, 1–10 s). */
  connectTimeout?: number
  /** Ask for a read-only session when the server is partitioned (ZooKeeper's readOnly flag). */
  readOnly?: boolean
  tls?: boolean | import('node:tls').ConnectionOptions
  /** Largest frame either way (jute.maxbuffer, default 0xfffff). */
  maxBufferSize?: number
  clock?: Clock
  transportFactory?: TransportFactory
  /** Shuffle the hosts once (default true), as ZooKeeper's client does. */
  shuffleHosts?: boolean
  /** Resume this session instead of creating one. */
  sessionId?: bigint
  sessionPassword?: Buffer
  /** Backoff between full cycles over the hosts (ms, default 50..2000). */
  reconnectDelay?: { min: number; max: number }
  /** Bound on calls waiting for a connection (default 10000). */
  maxUnsent?: number
}

/** Paths of SetWatches packets are split so that one packet stays well under jute.maxbuffer. */
const SET_WATCHES_MAX_BYTES = 128 * 1024

interface Pending {
  opcode: number
  opts: RequestOptions
  encode: ((w: Writer) => void) | null
  decode: ((r: Reader) => unknown) | null
  resolve: (v: unknown) => void
  reject: (e: unknown) => void
  /** Settled early (timeout/abort): the reply, when it comes, is matched and dropped. */
  done: boolean
  cleanup: () => void
  xid?: number
}

/** A ZooKeeper session over a sequence of connections. */
export class Session implements SessionLike {
  state: SessionState = 'connecting'
  sessionId: bigint
  sessionPassword: Buffer
  negotiatedTimeout = 0
  lastZxid = 0n

  private readonly opts: Required<Pick<SessionOptions, 'sessionTimeout' | 'maxBufferSize' | 'maxUnsent'>> & SessionOptions
  private readonly clock: Clock
  private readonly hosts: HostProvider
  private readonly factory: TransportFactory
  private transport: Transport | undefined
  private readonly writer = new Writer(4096)
  private xid = 0
  /** Sent and awaiting a reply, in send order (a Map iterates in insertion order). */
  private readonly pending = new Map<number, Pending>()
  /** Made while not connected; sent after the next handshake. */
  private unsent: Pending[] = []
  private readonly auths: { scheme: string; auth: Buffer }[] = []
  /** Waiters of auth replies (xid -4), in send order. */
  private authWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = []
  private watchSource: () => WatchSet = () => ({ data: [], exist: [], child: [], persistent: [], persistentRecursive: [] })
  private readonly eventListeners = new Set<(e: RawWatcherEvent) => void>()
  private readonly stateListeners = new Set<(next: SessionState, prev: SessionState) => void>()
  private lastRecv = 0
  private lastSend = 0
  private heartbeat: TimerHandle | undefined
  private expiryTimer: TimerHandle | undefined
  private wake: (() => void) | undefined
  private started = false
  private early: Buffer[] = []
  private closing: Promise<void> | undefined
  private hadSession: boolean

  constructor(opts: SessionOptions) {
    // Explicit undefined values (from option objects passed through) must not erase the defaults.
    this.opts = {
      ...opts,
      sessionTimeout: opts.sessionTimeout ?? 30_000,
      maxBufferSize: opts.maxBufferSize ?? DEFAULT_MAX_BUFFER,
      maxUnsent: opts.maxUnsent ?? 10_000,
    }
    this.clock = opts.clock ?? systemClock
    this.hosts = new HostProvider(opts.hosts, opts.shuffleHosts ?? true)
    this.factory = opts.transportFactory ?? socketTransport
    this.sessionId = opts.sessionId ?? 0n
    this.sessionPassword = opts.sessionPassword ?? Buffer.alloc(16)
    this.hadSession = this.sessionId !== 0n
  }

  /** Begin connecting (idempotent). */
  start(): void {
    if (this.started) return
    this.started = true
    void this.run()
  }

  onEvent(listener: (event: RawWatcherEvent) => void): () => void {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  onState(listener: (next: SessionState, prev: SessionState) => void): () => void {
    this.stateListeners.add(listener)
    return () => this.stateListeners.delete(listener)
  }

  setWatchSource(source: () => WatchSet): void {
    this.watchSource = source
  }

  // ---- the connection loop -------------------------------------------------------------------

  private async run(): Promise<void> {
    let failures = 0
    while (!isTerminal(this.state)) {
      if (this.hosts.cycled) {
        const delay = backoffDelay(failures++, this.opts.reconnectDelay?.min ?? 50, this.opts.reconnectDelay?.max ?? 2000)
        log('all %d host(s) tried; backing off %d ms', this.hosts.size, delay)
        await this.sleep(delay)
        if (isTerminal(this.state)) break
      }
      const host = this.hosts.next()
      let transport: Transport | undefined
      try {
        transport = await this.factory(host, {
          connectTimeout: this.connectTimeout(),
          maxFrame: this.opts.maxBufferSize + 1024,
          tls: this.opts.tls,
        })
        if (isTerminal(this.state)) {
          transport.close()
          break
        }
        const response = await this.handshake(transport)
        if (response.timeOut <= 0) {
          // The server no longer knows this session: it expired while we were away.
          transport.close()
          this.expire(`server ${transport.remote} reports session 0x${this.sessionId.toString(16)} expired`)
          break
        }
        failures = 0
        this.hosts.connected()
        this.established(transport, response)
        await this.serve(transport)
      } catch (err) {
        log('connection to %s:%d failed: %s', host.host, host.port, (err as Error).message)
        transport?.close()
      }
      this.lost(transport)
    }
  }

  private connectTimeout(): number {
    if (this.opts.connectTimeout !== undefined) return this.opts.connectTimeout
    return Math.min(10_000, Math.max(1_000, Math.floor(this.opts.sessionTimeout / 3)))
  }

  /** Send ConnectRequest and wait for ConnectResponse (the first frame back). */
  private handshake(t: Transport): Promise<ConnectResponse> {
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        t.close()
        reject(new ConnectionLossError(`handshake with ${t.remote} timed out`, { op: 'connect' }))
      }, this.connectTimeout())
      t.onFrame = (frame) => {
        timer.cancel()
        // Frames after the response (none are expected) wait for serve().
        t.onFrame = (f) => this.early.push(f)
        try {
          resolve(decodeConnectResponseLenient(frame))
        } catch (err) {
          reject(err)
        }
      }
      t.onClose = (err) => {
        timer.cancel()
        reject(err ?? new ConnectionLossError(`connection to ${t.remote} closed during handshake`, { op: 'connect' }))
      }
      const w = this.writer.reset()
      const at = w.beginFrame()
      encodeConnectRequest(w, {
        protocolVersion: PROTOCOL_VERSION,
        lastZxidSeen: this.lastZxid,
        timeOut: this.opts.sessionTimeout,
        sessionId: this.sessionId,
        passwd: this.sessionPassword,
        readOnly: this.opts.readOnly ?? false,
      })
      w.endFrame(at)
      t.write(w.toBuffer())
    })
  }

  /** A handshake succeeded: adopt the session, re-send auth and watches, flush waiting calls. */
  private established(t: Transport, r: ConnectResponse): void {
    if (this.hadSession && r.sessionId !== this.sessionId) {
      throw new ProtocolError(`server answered with session 0x${r.sessionId.toString(16)} instead of 0x${this.sessionId.toString(16)}`)
    }
    this.sessionId = r.sessionId
    this.sessionPassword = Buffer.from(r.passwd ?? Buffer.alloc(16))
    this.negotiatedTimeout = r.timeOut
    this.hadSession = true
    this.transport = t
    this.lastRecv = this.lastSend = this.clock.now()
    this.expiryTimer?.cancel()
    this.expiryTimer = undefined
    log('session 0x%s on %s, timeout %d ms', r.sessionId.toString(16), t.remote, r.timeOut)
    for (const a of this.auths) this.writeFrame(Xid.auth, OpCode.auth, (w) => encodeAuthPacket(w, { type: 0, scheme: a.scheme, auth: a.auth }))
    this.restoreWatches()
    const waiting = this.unsent
    this.unsent = []
    this.setState('connected')
    for (const p of waiting) if (!p.done) this.send(p)
    this.startHeartbeat()
  }

  /** Serve frames until the connection closes. */
  private serve(t: Transport): Promise<void> {
    return new Promise((resolve) => {
      const early = this.early.splice(0)
      t.onFrame = (frame) => {
        this.lastRecv = this.clock.now()
        try {
          this.onFrame(frame)
        } catch (err) {
          log('dropping connection to %s: %s', t.remote, (err as Error).message)
          t.close()
        }
      }
      t.onClose = (err) => {
        if (err) log('connection to %s closed: %s', t.remote, err.message)
        resolve()
      }
      for (const f of early) t.onFrame(f)
    })
  }

  /** The connection is gone: fail what was in flight, go disconnected, arm client-side expiry. */
  private lost(t: Transport | undefined): void {
    this.heartbeat?.cancel()
    this.heartbeat = undefined
    if (t && this.transport === t) this.transport = undefined
    const cause = new ConnectionLossError('connection lost')
    this.failPending((p) => new ConnectionLossError(`connection lost before the reply`, { op: p.opts.op, path: p.opts.path, cause }))
    for (const w of this.authWaiters.splice(0)) w.reject(new ConnectionLossError('connection lost before the auth reply', { op: 'addAuth' }))
    if (isTerminal(this.state)) return
    if (this.state === 'connected') this.setState('disconnected')
    if (this.hadSession && this.negotiatedTimeout > 0 && !this.expiryTimer) {
      // The server expires a silent session after its timeout; by then ours is surely gone, and we
      // say so even if no server can be reached to confirm it.
      const left = this.negotiatedTimeout - (this.clock.now() - this.lastRecv)
      this.expiryTimer = this.clock.setTimeout(() => {
        this.expiryTimer = undefined
        if (this.state === 'disconnected' || this.state === 'connecting') {
          this.expire(`no server reached within the session timeout (${this.negotiatedTimeout} ms)`)
        }
      }, Math.max(0, left))
    }
  }

  private expire(why: string): void {
    log('session 0x%s expired: %s', this.sessionId.toString(16), why)
    this.setState('expired')
    this.transport?.close()
    this.wake?.()
    const err = (p: Pending) => new SessionExpiredError(why, { op: p.opts.op, path: p.opts.path })
    this.failPending(err)
    this.failUnsent(err)
  }

  // ---- frames ----------------------------------------------------------------------------------

  private onFrame(frame: Buffer): void {
    const r = new Reader(frame)
    const hdr = decodeReplyHeader(r)
    switch (hdr.xid) {
      case Xid.notification: {
        const ev = decodeWatcherEvent(r)
        log('event type=%d state=%d path=%s', ev.type, ev.state, ev.path)
        for (const l of this.eventListeners) l(ev)
        return
      }
      case Xid.ping:
        return
      case Xid.auth: {
        const waiter = this.authWaiters.shift()
        if (hdr.err === ErrorCode.AUTHFAILED) {
          waiter?.reject(new AuthFailedError('authentication rejected by the server', { op: 'addAuth' }))
          this.authFailed()
        } else if (hdr.err !== 0) {
          waiter?.reject(errorFromCode(hdr.err, { op: 'addAuth' }))
        } else {
          waiter?.resolve()
        }
        return
      }
      case Xid.setWatches:
        if (hdr.err !== 0) log('setWatches failed with %d', hdr.err)
        return
    }
    const head = this.pending.entries().next()
    if (head.done || head.value[0] !== hdr.xid) {
      // ZooKeeper answers in request order; anything else means we no longer understand the stream.
      throw new ProtocolError(`reply xid ${hdr.xid} does not match the oldest request (${head.done ? 'none pending' : head.value[0]})`)
    }
    const p = head.value[1]
    this.pending.delete(hdr.xid)
    if (hdr.zxid > 0n) this.lastZxid = hdr.zxid
    // Register watches (and similar) before the promise settles and before the next frame.
    if (!p.done) p.opts.onReply?.(hdr.err, hdr.zxid)
    if (p.done) return
    p.done = true
    p.cleanup()
    if (hdr.err !== 0) {
      p.reject(errorFromCode(hdr.err, { op: p.opts.op, path: p.opts.path }))
      return
    }
    try {
      p.resolve(p.decode ? p.decode(r) : undefined)
    } catch (err) {
      p.reject(err instanceof ZooKeeperError ? new MarshallingError(`cannot decode the ${p.opts.op} reply: ${err.message}`, { op: p.opts.op, path: p.opts.path, cause: err }) : err)
    }
  }

  // ---- requests --------------------------------------------------------------------------------

  request<T>(opcode: number, encodeBody: ((w: Writer) => void) | null, decodeBody: ((r: Reader) => T) | null, opts: RequestOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const refused = this.refusal(opts)
      if (refused) return reject(refused)
      const p: Pending = { opcode, opts, encode: encodeBody, decode: decodeBody, resolve: resolve as (v: unknown) => void, reject, done: false, cleanup: () => {} }
      this.arm(p)
      if (p.done) return
      if (this.state === 'connected' && this.transport) this.send(p)
      else if (this.unsent.length >= this.opts.maxUnsent) this.settle(p, new ConnectionLossError(`not connected and ${this.unsent.length} calls already wait for a connection`, { op: opts.op, path: opts.path }))
      else this.unsent.push(p)
    })
  }

  /** The error a call gets at once in a terminal state, if any. */
  private refusal(opts: { op: string; path?: string }): ZooKeeperError | undefined {
    switch (this.state) {
      case 'closed':
        return new ClientClosedError({ op: opts.op, path: opts.path })
      case 'expired':
        return new SessionExpiredError(`session 0x${this.sessionId.toString(16)} has expired`, { op: opts.op, path: opts.path })
      case 'authFailed':
        return new AuthFailedError('authentication failed earlier; the session is unusable', { op: opts.op, path: opts.path })
    }
    return undefined
  }

  /** Attach timeout and abort handling to a pending call. */
  private arm(p: Pending): void {
    const { signal, timeout, op, path } = p.opts
    if (signal?.aborted) return this.settle(p, new AbortedError({ op, path, cause: signal.reason }))
    let timer: TimerHandle | undefined
    const onAbort = () => this.settle(p, new AbortedError({ op, path, cause: signal!.reason }))
    if (timeout !== undefined && timeout > 0) {
      timer = this.clock.setTimeout(() => this.settle(p, new OperationTimeoutError(`no reply within ${timeout} ms`, { op, path })), timeout)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    p.cleanup = () => {
      timer?.cancel()
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /** End a call early. A sent call stays in `pending` so FIFO matching of later replies holds. */
  private settle(p: Pending, err: unknown): void {
    if (p.done) return
    p.done = true
    p.cleanup()
    const i = this.unsent.indexOf(p)
    if (i >= 0) this.unsent.splice(i, 1)
    p.reject(err)
  }

  private send(p: Pending): void {
    const xid = this.nextXid()
    let frame: Buffer
    try {
      frame = this.encodeFrame(xid, p.opcode, p.encode)
    } catch (err) {
      return this.settle(p, err instanceof ZooKeeperError ? err : new MarshallingError(String(err), { op: p.opts.op, path: p.opts.path }))
    }
    if (frame.length - 4 > this.opts.maxBufferSize) {
      return this.settle(p, new MarshallingError(`request of ${frame.length - 4} bytes exceeds jute.maxbuffer (${this.opts.maxBufferSize})`, { op: p.opts.op, path: p.opts.path }))
    }
    p.xid = xid
    this.pending.set(xid, p)
    this.lastSend = this.clock.now()
    if (log.enabled) log('→ xid=%d %s %s %s', xid, opName(p.opcode), p.opts.path ?? '', hex(frame))
    this.transport!.write(frame)
  }

  private nextXid(): number {
    // 31-bit positive xids; 0 and the negatives are reserved.
    this.xid = (this.xid % 0x7fffffff) + 1
    return this.xid
  }

  private encodeFrame(xid: number, opcode: number, body: ((w: Writer) => void) | null): Buffer {
    const w = this.writer.reset()
    const at = w.beginFrame()
    encodeRequestHeader(w, { xid, type: opcode })
    body?.(w)
    w.endFrame(at)
    return w.toBuffer()
  }

  /** Write a frame with a reserved xid (auth, ping, setWatches): no pending entry. */
  private writeFrame(xid: number, opcode: number, body: ((w: Writer) => void) | null): void {
    if (!this.transport) return
    this.lastSend = this.clock.now()
    this.transport.write(this.encodeFrame(xid, opcode, body))
  }

  private failPending(errFor: (p: Pending) => unknown): void {
    const all = [...this.pending.values()]
    this.pending.clear()
    for (const p of all) this.settle(p, errFor(p))
  }

  private failUnsent(errFor: (p: Pending) => unknown): void {
    for (const p of this.unsent.splice(0)) this.settle(p, errFor(p))
  }

  // ---- auth, watches, heartbeat -----------------------------------------------------------------

  addAuth(scheme: string, auth: Buffer): Promise<void> {
    const refused = this.refusal({ op: 'addAuth' })
    if (refused) return Promise.reject(refused)
    this.auths.push({ scheme, auth: Buffer.from(auth) })
    if (this.state !== 'connected') return Promise.resolve() // sent with the next handshake
    return new Promise((resolve, reject) => {
      this.authWaiters.push({ resolve, reject })
      this.writeFrame(Xid.auth, OpCode.auth, (w) => encodeAuthPacket(w, { type: 0, scheme, auth }))
    })
  }

  private authFailed(): void {
    this.setState('authFailed')
    const err = (p: Pending) => new AuthFailedError('authentication failed', { op: p.opts.op, path: p.opts.path })
    this.failPending(err)
    this.failUnsent(err)
    this.transport?.close()
    this.wake?.()
  }

  /** Re-register every watch with SetWatches(2), split into packets of bounded size. */
  private restoreWatches(): void {
    const set = this.watchSource()
    const lists = [set.data, set.exist, set.child, set.persistent, set.persistentRecursive]
    if (lists.every((l) => l.length === 0)) return
    const usePersistent = set.persistent.length + set.persistentRecursive.length > 0
    const cursors = lists.map(() => 0)
    while (cursors.some((c, i) => c < lists[i]!.length)) {
      let budget = SET_WATCHES_MAX_BYTES
      const batch = lists.map((list, i) => {
        const out: string[] = []
        while (cursors[i]! < list.length && budget > 0) {
          const path = list[cursors[i]!++]!
          budget -= Buffer.byteLength(path) + 4
          out.push(path)
        }
        return out
      })
      const [dataWatches, existWatches, childWatches, persistentWatches, persistentRecursiveWatches] = batch as [string[], string[], string[], string[], string[]]
      const relativeZxid = this.lastZxid
      if (usePersistent) {
        this.writeFrame(Xid.setWatches, OpCode.setWatches2, (w) =>
          encodeSetWatches2(w, { relativeZxid, dataWatches, existWatches, childWatches, persistentWatches, persistentRecursiveWatches }),
        )
      } else {
        // Plain SetWatches keeps servers older than 3.6 (no SetWatches2) working.
        this.writeFrame(Xid.setWatches, OpCode.setWatches, (w) => encodeSetWatches(w, { relativeZxid, dataWatches, existWatches, childWatches }))
      }
    }
  }

  /** Ping when idle; drop the connection when the server is silent too long. */
  private startHeartbeat(): void {
    const readTimeout = Math.floor((this.negotiatedTimeout * 2) / 3)
    const pingAfter = Math.floor(readTimeout / 2)
    const tick = Math.max(10, Math.floor(readTimeout / 6))
    const check = () => {
      const t = this.transport
      if (!t || this.state !== 'connected') return
      const now = this.clock.now()
      if (now - this.lastRecv >= readTimeout) {
        log('no reply from %s for %d ms; dropping the connection', t.remote, now - this.lastRecv)
        t.close()
        return
      }
      if (now - this.lastSend >= pingAfter) this.writeFrame(Xid.ping, OpCode.ping, null)
      this.heartbeat = this.clock.setTimeout(check, tick)
    }
    this.heartbeat = this.clock.setTimeout(check, tick)
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.wake = undefined
        resolve()
      }, ms)
      this.wake = () => {
        timer.cancel()
        this.wake = undefined
        resolve()
      }
    })
  }

  // ---- state and close --------------------------------------------------------------------------

  private setState(next: SessionState): void {
    const prev = this.state
    if (prev === next) return
    if (!canTransition(prev, next)) {
      log('ignoring transition %s → %s', prev, next)
      return
    }
    this.state = next
    log('state %s → %s', prev, next)
    // Listeners run on a microtask so none of them re-enters the session mid-transition.
    queueMicrotask(() => {
      for (const l of this.stateListeners) l(next, prev)
    })
  }

  close(): Promise<void> {
    this.closing ??= this.doClose()
    return this.closing
  }

  private async doClose(): Promise<void> {
    this.expiryTimer?.cancel()
    if (this.state === 'connected' && this.transport) {
      const bound = Math.min(2_000, Math.max(200, this.negotiatedTimeout / 3))
      await this.request(OpCode.closeSession, null, null, { op: 'close', timeout: bound }).catch((err: unknown) => {
        log('closeSession: %s', (err as Error).message)
      })
    }
    this.setState('closed')
    const err = (p: Pending) => new ClientClosedError({ op: p.opts.op, path: p.opts.path })
    this.failPending(err)
    this.failUnsent(err)
    for (const w of this.authWaiters.splice(0)) w.reject(new ClientClosedError({ op: 'addAuth' }))
    this.heartbeat?.cancel()
    this.transport?.close()
    this.transport = undefined
    this.wake?.()
  }
}

/** ConnectResponse whose trailing readOnly byte may be missing (servers before 3.4 omit it). */
function decodeConnectResponseLenient(frame: Buffer): ConnectResponse {
  const r = new Reader(frame)
  const protocolVersion = r.int()
  const timeOut = r.int()
  const sessionId = r.long()
  const passwd = r.bufferOrNull()
  const readOnly = r.remaining > 0 ? r.bool() : false
  return { protocolVersion, timeOut, sessionId, passwd, readOnly }
}
