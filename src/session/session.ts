// The session: one short loop per connection (pick host → connect → handshake → auth → restore
// watches → flush waiting calls → serve until the link fails → disconnected → next host), request/
// reply matching, and expiry. Sockets live in the transport, time comes from the injected Clock.
import { Writer } from '../jute/writer.js'
import { Reader } from '../jute/reader.js'
import { decodeConnectResponseLenient } from '../jute/quirks.js'
import {
  decodeReplyHeader,
  decodeWatcherEvent,
  decodeSetSASLResponse,
  encodeAuthPacket,
  encodeConnectRequest,
  encodeGetSASLRequest,
  encodeRequestHeader,
  encodeSetWatches,
  encodeSetWatches2,
  type ConnectResponse,
} from '../jute/generated/proto.generated.js'
import { DEFAULT_MAX_BUFFER, ErrorCode, OpCode, PROTOCOL_VERSION, Xid, opName } from '../protocol.js'
import {
  AuthFailedError,
  BadArgumentsError,
  ClientClosedError,
  ConnectionLossError,
  OperationTimeoutError,
  ProtocolError,
  SessionExpiredError,
  errorFromCode,
  type ZooKeeperError,
} from '../errors.js'
import { systemClock, type Clock, type TimerHandle } from '../clock.js'
import { logger, hex } from '../debug.js'
import { DigestMd5Client, type SaslCredentials } from '../sasl-digest-md5.js'
import { Backoff, DEFAULT_RECONNECT_DELAY } from '../retry.js'
import { FRAME_SLACK } from '../transport/frame-decoder.js'
import type { HostPort, Transport, TransportFactory } from '../transport/transport.js'
import { HostProvider } from './hosts.js'
import { Heartbeat } from './heartbeat.js'
import { Pending, PendingMap, UnsentQueue, encodingError } from './pending.js'
import { isTerminal, transition, type SessionInput } from './states.js'
import type { ConnectFailure, RawWatcherEvent, RequestOptions, SessionLike, SessionState, WatchSet } from './types.js'

const log = logger('session')

/** Options of a Session. */
export interface SessionOptions {
  /** Servers to connect to (see parseConnectString). */
  hosts: HostPort[]
  /** Requested session timeout in ms; the server clamps it to its min/max (default 30000). */
  sessionTimeout?: number
  /** Limit of one connection attempt, handshake included (default sessionTimeout / number of hosts, as ZooKeeper's client, at least 1 s). */
  connectTimeout?: number
  /** Accept a read-only session from a server cut off from its quorum (ZooKeeper's readOnly flag). */
  readOnly?: boolean
  /** Log in with SASL DIGEST-MD5 on every connection, before anything else is sent. */
  sasl?: SaslCredentials
  /** Connect with TLS (true, or node:tls options). */
  tls?: boolean | import('node:tls').ConnectionOptions
  /** jute.maxbuffer: the largest request sent and (plus FRAME_SLACK) the largest frame accepted (default 0xfffff). */
  maxBufferSize?: number
  /** Time source (default the system clock; tests pass a ManualClock). */
  clock?: Clock
  /** How connections are opened: the client hands in TCP/TLS sockets, tests an in-memory network. */
  transportFactory: TransportFactory
  /** Shuffle the hosts once before use (default true), as ZooKeeper's client does. */
  shuffleHosts?: boolean
  /** Resume this existing session (with its password) instead of creating one. */
  sessionId?: bigint
  sessionPassword?: Buffer
  /** Backoff after every full cycle over the hosts fails, ms (default 10..2000, exponential with jitter). */
  reconnectDelay?: { min: number; max: number }
  /** Bound on calls waiting for a connection (default 10000); beyond it calls fail with ConnectionLossError. */
  maxUnsent?: number
  /**
   * How long calls may wait for the first session, ms (default: as long as it takes). Past it, the
   * calls waiting and those made until a session exists fail with ConnectionLossError naming the
   * last failed attempt; the session keeps trying to connect.
   */
  initialConnectTimeout?: number
}

/** ": last attempt to host:port failed: …", to end a message about not being connected; "" when nothing failed yet. */
export function describeConnectFailure(failure: ConnectFailure | undefined): string {
  return failure ? `: last attempt to ${failure.remote} failed: ${failure.error.message}` : ''
}

/** Watch paths per SetWatches packet: ZooKeeper's client splits at 128 KB so no packet nears jute.maxbuffer. */
const SET_WATCHES_MAX_BYTES = 128 * 1024
/** Bounds on how long close() waits for the closeSession reply. */
const CLOSE_WAIT_MIN = 100
const CLOSE_WAIT_MAX = 2000

/** A credential given to addAuth(): re-sent after every reconnect; its waiters settle on the server's answer. */
interface AuthEntry {
  scheme: string
  auth: Buffer
  waiters: { resolve: () => void; reject: (err: unknown) => void }[]
}

/** One of the session's connections: its transport, why it ended, its heartbeat and auths in flight, and frames that arrived before anyone listened. */
class SessionConnection {
  /** Resolves (never rejects) once the link is gone, with the first reason recorded. */
  readonly ended: Promise<Error>
  reason: Error | undefined
  heartbeat: Heartbeat | undefined
  /** Auth packets written on this link and not yet answered, in order (their replies come in order). */
  readonly authSent: AuthEntry[] = []
  private settle!: (reason: Error) => void
  private handler: ((frame: Buffer) => void) | undefined
  private backlog: Buffer[] = []

  constructor(readonly transport: Transport) {
    this.ended = new Promise((resolve) => (this.settle = resolve))
    transport.onFrame = (frame) => {
      if (this.reason) return
      this.heartbeat?.received()
      if (this.handler) this.handler(frame)
      else this.backlog.push(frame)
    }
    transport.onClose = (err) => this.finish(err ?? new ConnectionLossError(`connection to ${transport.remote} closed`))
  }

  get remote(): string {
    return this.transport.remote
  }

  /** Hand frames to `handler`, first those that waited in the backlog; a handler that throws drops the link. */
  listen(handler: (frame: Buffer) => void): void {
    const guarded = (frame: Buffer) => {
      try {
        handler(frame)
      } catch (err) {
        log('dropping the connection to %s: %s', this.remote, (err as Error).message)
        this.drop(err instanceof Error ? err : new ProtocolError(String(err)))
      }
    }
    this.handler = guarded
    for (const frame of this.backlog.splice(0)) {
      if (this.reason || this.handler !== guarded) break
      guarded(frame)
    }
  }

  /** Keep later frames in the backlog until the next listen(). */
  unlisten(): void {
    this.handler = undefined
  }

  write(frame: Buffer): void {
    if (this.reason) return
    this.heartbeat?.sent()
    this.transport.write(frame)
  }

  /** Close the link because of `reason` (the first reason given is the one reported). */
  drop(reason: Error): void {
    this.finish(reason)
    this.transport.close()
  }

  private finish(reason: Error): void {
    if (this.reason) return
    this.reason = reason
    this.heartbeat?.stop()
    this.backlog = []
    this.settle(reason)
  }
}

/** A ZooKeeper session carried over a sequence of connections; see SessionLike for the contract. */
export class Session implements SessionLike {
  private currentState: SessionState = 'connecting'
  private id: bigint
  private password: Buffer
  private timeout = 0
  private zxid = 0n
  private roServer = false

  private readonly clock: Clock
  private readonly hosts: HostProvider
  private readonly factory: TransportFactory
  private readonly backoff: Backoff
  private readonly sessionTimeout: number
  private readonly maxBufferSize: number
  private readonly writer = new Writer(4096)
  private readonly pending = new PendingMap()
  private readonly unsent: UnsentQueue
  private readonly auths: AuthEntry[] = []
  private readonly eventListeners = new Set<(e: RawWatcherEvent) => void>()
  private readonly stateListeners = new Set<(next: SessionState, prev: SessionState) => void>()
  private watchSource: () => WatchSet = () => ({ data: [], exist: [], child: [], persistent: [], persistentRecursive: [] })
  /** The connection being opened or in use. */
  private conn: SessionConnection | undefined
  private lastXid = 0
  /** Clock time of the last frame heard from a server of this session. */
  private lastHeard = 0
  private hadSession: boolean
  private expiryTimer: TimerHandle | undefined
  /** Ends a backoff sleep early (close/expiry). */
  private wake: (() => void) | undefined
  private started = false
  private closeRequested = false
  private closing: Promise<void> | undefined
  /** Why the latest attempt failed, for errors about not being connected. */
  private lastFailure: ConnectFailure | undefined
  private initialConnectTimer: TimerHandle | undefined
  /** No session came within initialConnectTimeout: calls fail instead of waiting, until one does. */
  private initialConnectOverdue = false

  constructor(private readonly opts: SessionOptions) {
    // Option objects passed through by the client may hold explicit undefineds: default with ??.
    this.clock = opts.clock ?? systemClock
    this.hosts = new HostProvider(opts.hosts, opts.shuffleHosts ?? true)
    this.factory = opts.transportFactory
    this.backoff = new Backoff(opts.reconnectDelay ?? DEFAULT_RECONNECT_DELAY)
    this.sessionTimeout = opts.sessionTimeout ?? 30_000
    this.maxBufferSize = opts.maxBufferSize ?? DEFAULT_MAX_BUFFER
    this.unsent = new UnsentQueue(opts.maxUnsent ?? 10_000)
    this.id = opts.sessionId ?? 0n
    this.password = Buffer.from(opts.sessionPassword ?? Buffer.alloc(16))
    this.hadSession = this.id !== 0n
  }

  get state(): SessionState {
    return this.currentState
  }
  get sessionId(): bigint {
    return this.id
  }
  get sessionPassword(): Buffer {
    return this.password
  }
  get negotiatedTimeout(): number {
    return this.timeout
  }
  get lastZxid(): bigint {
    return this.zxid
  }
  /** The current server serves this session read-only (it has lost its quorum). */
  get readOnly(): boolean {
    return this.roServer
  }
  get lastConnectFailure(): ConnectFailure | undefined {
    return this.lastFailure
  }

  /** Begin connecting; idempotent, and a no-op once closed. */
  start(): void {
    if (this.started || !this.active) return
    this.started = true
    if (this.hadSession) {
      // A resumed session may already be dying: count its timeout from now, even if no server answers.
      this.lastHeard = this.clock.now()
      this.armExpiry()
    } else if (this.opts.initialConnectTimeout !== undefined) {
      this.armInitialConnectDeadline(this.opts.initialConnectTimeout)
    }
    this.run().catch((err: unknown) => {
      // A bug in the loop must not crash the process nor hang callers: end the session visibly.
      log('connection loop failed: %s', err instanceof Error ? err.stack : String(err))
      void this.close()
    })
  }

  onEvent(listener: (event: RawWatcherEvent) => void): () => void {
    this.eventListeners.add(listener)
    return () => void this.eventListeners.delete(listener)
  }

  onState(listener: (next: SessionState, prev: SessionState) => void): () => void {
    this.stateListeners.add(listener)
    return () => void this.stateListeners.delete(listener)
  }

  setWatchSource(source: () => WatchSet): void {
    this.watchSource = source
  }

  // ---- the connection loop ---------------------------------------------------------------------

  /** Still trying to keep the session: not terminal, not closing. */
  private get active(): boolean {
    return !isTerminal(this.currentState) && !this.closeRequested
  }

  private async run(): Promise<void> {
    while (this.active) {
      const host = await this.pickHost()
      if (!this.active) break
      const conn = await this.open(host)
      if (!conn) continue
      const reason = await this.serve(conn)
      this.connectionLost(conn, reason)
    }
    log('connection loop done (%s)', this.currentState)
  }

  /** The next host; after a full cycle of failures, back off first (exponential, with jitter). */
  private async pickHost(): Promise<HostPort> {
    if (this.hosts.cycled) {
      const delay = this.backoff.next()
      log('all %d host(s) failed; next attempt in %d ms', this.hosts.size, delay)
      await this.sleep(delay)
    }
    return this.hosts.next()
  }

  /** Open a transport to `host`; undefined when that fails (the loop moves on). */
  private async open(host: HostPort): Promise<SessionConnection | undefined> {
    let transport: Transport
    try {
      transport = await this.factory(host, {
        connectTimeout: this.connectTimeout(),
        maxFrame: this.maxBufferSize + FRAME_SLACK,
        tls: this.opts.tls,
      })
    } catch (err) {
      log('connect to %s:%d failed: %s', host.host, host.port, (err as Error).message)
      this.noteFailure(host.host.includes(':') ? `[${host.host}]:${host.port}` : `${host.host}:${host.port}`, err)
      return undefined
    }
    if (!this.active) {
      transport.close()
      return undefined
    }
    this.conn = new SessionConnection(transport)
    return this.conn
  }

  /** One connection's life, handshake to failure; resolves with the reason it ended. */
  private async serve(conn: SessionConnection): Promise<Error> {
    try {
      const res = await this.handshake(conn)
      if (res.timeOut <= 0) {
        // The server no longer knows the session: it expired while we were away. Never fall back
        // to a new session: ephemerals and watches are gone, and the application must know.
        this.expire(`server ${conn.remote} reports session 0x${this.id.toString(16)} expired`)
        return conn.reason ?? new SessionExpiredError('session expired')
      }
      // The link may have died right behind its ConnectResponse; then waiting calls keep waiting.
      if (conn.reason) return conn.reason
      this.adopt(conn, res)
      conn.listen((frame) => this.onFrame(conn, frame))
      if (conn.reason) return conn.reason
      if (this.opts.sasl && !(await this.saslLogin(conn, this.opts.sasl))) return await conn.ended
      this.authenticate(conn)
      this.restoreWatches(conn)
      this.setState('handshake')
      this.flushUnsent(conn)
      this.startHeartbeat(conn)
      return await conn.ended
    } catch (err) {
      conn.drop(err instanceof Error ? err : new ProtocolError(String(err)))
      return conn.reason!
    }
  }

  /** Send ConnectRequest and wait for ConnectResponse, the first frame back (no headers either way). */
  private handshake(conn: SessionConnection): Promise<ConnectResponse> {
    return new Promise((resolve, reject) => {
      const limit = this.connectTimeout()
      const timer = this.clock.setTimeout(
        () => conn.drop(new ConnectionLossError(`no handshake reply from ${conn.remote} within ${limit} ms`, { op: 'connect' })),
        limit,
      )
      void conn.ended.then((reason) => {
        timer.cancel()
        reject(reason)
      })
      conn.listen((frame) => {
        timer.cancel()
        // Whatever follows the response waits until the session is set up.
        conn.unlisten()
        resolve(decodeConnectResponseLenient(new Reader(frame)))
      })
      const w = this.writer.reset()
      const at = w.beginFrame()
      encodeConnectRequest(w, {
        protocolVersion: PROTOCOL_VERSION,
        lastZxidSeen: this.zxid,
        timeOut: this.sessionTimeout,
        sessionId: this.id,
        passwd: this.password,
        readOnly: this.opts.readOnly ?? false,
      })
      conn.write(w.endFrame(at).toBuffer())
    })
  }

  /** Take the session the server granted. */
  private adopt(conn: SessionConnection, res: ConnectResponse): void {
    if (this.hadSession && res.sessionId !== this.id) {
      throw new ProtocolError(
        `server ${conn.remote} answered with session 0x${res.sessionId.toString(16)} instead of 0x${this.id.toString(16)}`,
      )
    }
    this.id = res.sessionId
    this.password = Buffer.from(res.passwd ?? Buffer.alloc(16))
    this.timeout = res.timeOut
    this.roServer = res.readOnly
    this.hadSession = true
    this.lastHeard = this.clock.now()
    this.hosts.connected()
    this.backoff.reset()
    this.cancelExpiry()
    this.lastFailure = undefined
    this.initialConnectTimer?.cancel()
    this.initialConnectOverdue = false
    log('session 0x%s on %s, timeout %d ms%s', this.id.toString(16), conn.remote, this.timeout, this.roServer ? ' (read-only)' : '')
  }

  /**
   * SASL DIGEST-MD5, as ZooKeeper's Java client logs in: tokens go as ordinary requests (OpCode.sasl)
   * until the server's rspauth checks out. True once authenticated; false when the link died (the
   * loop moves on) or the login was refused, which fails the session (authFailed) as Java's does.
   */
  private async saslLogin(conn: SessionConnection, credentials: SaslCredentials): Promise<boolean> {
    const client = new DigestMd5Client(credentials)
    try {
      let token: Buffer | undefined = Buffer.alloc(0)
      while (token) token = client.evaluate((await this.saslStep(conn, token)) ?? Buffer.alloc(0))
      return true
    } catch (err) {
      if (conn.reason) return false
      if (err instanceof OperationTimeoutError) {
        conn.drop(new ConnectionLossError(`no SASL reply from ${conn.remote}: ${err.message}`, { op: 'sasl' }))
        return false
      }
      log('SASL login as %s on %s failed: %s', credentials.username, conn.remote, (err as Error).message)
      this.authFailed()
      return false
    }
  }

  /** One SASL token out, the server's token (or null) back; bounded like the handshake. */
  private saslStep(conn: SessionConnection, token: Buffer): Promise<Buffer | null> {
    return new Promise((resolve, reject) => {
      const frame = this.frame(0, OpCode.sasl, (w) => encodeGetSASLRequest(w, { token }))
      const decode = (r: Reader) => decodeSetSASLResponse(r).token
      const p = new Pending(OpCode.sasl, frame, decode, { op: 'sasl', timeout: this.connectTimeout() }, resolve, reject)
      p.arm(this.clock, () => {})
      if (!p.settled) this.send(conn, p as Pending)
    })
  }

  /** Re-send every credential (xid -4); the server answers each, in order. */
  private authenticate(conn: SessionConnection): void {
    for (const entry of this.auths) this.sendAuth(conn, entry)
  }

  private sendAuth(conn: SessionConnection, entry: AuthEntry): void {
    conn.authSent.push(entry)
    conn.write(this.frame(Xid.auth, OpCode.auth, (w) => encodeAuthPacket(w, { type: 0, scheme: entry.scheme, auth: entry.auth })))
  }

  /**
   * Re-register watches (xid -8) relative to the last zxid seen, so the server fires those whose
   * nodes changed meanwhile. Split into packets of ~128 KB of paths; like ZooKeeper's client, a
   * packet without persistent watches uses plain SetWatches, which servers before 3.6 understand.
   */
  private restoreWatches(conn: SessionConnection): void {
    let set: WatchSet
    try {
      set = this.watchSource()
    } catch (err) {
      log('watch source threw; no watches restored: %s', (err as Error).message)
      return
    }
    const lists = [set.data, set.exist, set.child, set.persistent, set.persistentRecursive]
    const queue = lists.flatMap((paths, kind) => paths.map((path) => ({ kind, path })))
    const relativeZxid = this.zxid
    for (let i = 0; i < queue.length;) {
      const batch: string[][] = [[], [], [], [], []]
      for (let bytes = 0; i < queue.length && bytes < SET_WATCHES_MAX_BYTES; i++) {
        batch[queue[i]!.kind]!.push(queue[i]!.path)
        bytes += Buffer.byteLength(queue[i]!.path) + 4
      }
      const [dataWatches, existWatches, childWatches, persistentWatches, persistentRecursiveWatches] = batch as [
        string[],
        string[],
        string[],
        string[],
        string[],
      ]
      if (persistentWatches.length + persistentRecursiveWatches.length > 0) {
        conn.write(
          this.frame(Xid.setWatches, OpCode.setWatches2, (w) =>
            encodeSetWatches2(w, { relativeZxid, dataWatches, existWatches, childWatches, persistentWatches, persistentRecursiveWatches }),
          ),
        )
      } else {
        conn.write(
          this.frame(Xid.setWatches, OpCode.setWatches, (w) =>
            encodeSetWatches(w, { relativeZxid, dataWatches, existWatches, childWatches }),
          ),
        )
      }
    }
    if (queue.length > 0) log('restoring %d watch(es) from zxid 0x%s', queue.length, relativeZxid.toString(16))
  }

  /** Send the calls that waited for a connection, in the order they were made. */
  private flushUnsent(conn: SessionConnection): void {
    for (const p of this.unsent.drain()) this.send(conn, p)
  }

  private startHeartbeat(conn: SessionConnection): void {
    conn.heartbeat = new Heartbeat(this.clock, this.timeout, {
      ping: () => conn.write(PING_FRAME),
      dead: (silent) => conn.drop(new ConnectionLossError(`nothing heard from ${conn.remote} for ${silent} ms (read timeout)`)),
    })
    conn.heartbeat.start()
  }

  /** The link is gone: fail what was in flight, go disconnected, and start the client-side expiry clock. */
  private connectionLost(conn: SessionConnection, reason: Error): void {
    if (this.conn === conn) this.conn = undefined
    conn.drop(reason)
    if (conn.heartbeat) this.lastHeard = Math.max(this.lastHeard, conn.heartbeat.lastReceived)
    log('connection to %s ended: %s', conn.remote, reason.message)
    if (this.active) this.noteFailure(conn.remote, reason)
    // The server may or may not have applied them; only the caller can decide to retry.
    this.pending.failAll(
      (p) =>
        new ConnectionLossError(`connection to ${conn.remote} lost before the reply: ${reason.message}`, {
          op: p.opts.op,
          path: p.opts.path,
          cause: reason,
        }),
    )
    if (!this.active) return
    this.setState('lost')
    this.armExpiry()
  }

  /**
   * A server expires a session it has not heard from for the session timeout, so past that time
   * ours is surely gone: say so even when no server can be reached to confirm it.
   */
  private armExpiry(): void {
    if (!this.hadSession || this.expiryTimer || !this.active) return
    const limit = this.timeout > 0 ? this.timeout : this.sessionTimeout
    const left = limit - (this.clock.now() - this.lastHeard)
    this.expiryTimer = this.clock.setTimeout(
      () => {
        this.expiryTimer = undefined
        if (this.active && this.currentState !== 'connected') this.expire(`no server reached within the session timeout (${limit} ms)`)
      },
      Math.max(0, left),
    )
  }

  private cancelExpiry(): void {
    this.expiryTimer?.cancel()
    this.expiryTimer = undefined
  }

  /** Remember why an attempt failed, keeping the socket's own error (ECONNREFUSED…) when it is known. */
  private noteFailure(remote: string, err: unknown): void {
    const error = err instanceof Error ? err : new ConnectionLossError(String(err))
    const socketError =
      error.cause instanceof Error && typeof (error.cause as NodeJS.ErrnoException).code === 'string' ? error.cause : undefined
    this.lastFailure = { remote, error: socketError ?? error }
  }

  /**
   * Without a deadline, a call made before the first session would wait for as long as no server
   * answers (there is no session to expire yet). Past it, such calls fail and say why.
   */
  private armInitialConnectDeadline(limit: number): void {
    this.initialConnectTimer = this.clock.setTimeout(() => {
      this.initialConnectTimer = undefined
      if (this.hadSession || !this.active) return
      this.initialConnectOverdue = true
      log('no session within %d ms; failing waiting calls%s', limit, describeConnectFailure(this.lastFailure))
      this.unsent.failAll((p) => this.notConnectedError(p.opts.op, p.opts.path))
      for (const entry of this.auths) for (const w of entry.waiters.splice(0)) w.reject(this.notConnectedError('addAuth'))
    }, limit)
  }

  /** The error of a call refused because no session came within initialConnectTimeout. */
  private notConnectedError(op: string, path?: string): ConnectionLossError {
    const why = `not sent: not connected within ${this.opts.initialConnectTimeout} ms${describeConnectFailure(this.lastFailure)}`
    return new ConnectionLossError(why, { op, path, cause: this.lastFailure?.error })
  }

  private expire(why: string): void {
    if (!this.setState('expire')) return
    log('session 0x%s expired: %s', this.id.toString(16), why)
    this.endEverything((ctx) => new SessionExpiredError(why, ctx))
  }

  private authFailed(): void {
    if (!this.setState('authFail')) return
    log('session 0x%s: authentication failed', this.id.toString(16))
    this.endEverything((ctx) => new AuthFailedError('authentication was rejected by the server; the session is unusable', ctx))
  }

  /** In a terminal state: fail every call and auth waiter with `errFor`, drop the link, stop the loop. */
  private endEverything(errFor: (ctx: { op: string; path?: string }) => ZooKeeperError): void {
    this.cancelExpiry()
    this.initialConnectTimer?.cancel()
    const byCall = (p: Pending) => errFor({ op: p.opts.op, path: p.opts.path })
    this.pending.failAll(byCall)
    this.unsent.failAll(byCall)
    for (const entry of this.auths) for (const w of entry.waiters.splice(0)) w.reject(errFor({ op: 'addAuth' }))
    this.conn?.drop(errFor({ op: 'connect' }))
    this.wake?.()
  }

  // ---- incoming frames ---------------------------------------------------------------------------

  /** One reply frame; a throw (malformed header, out-of-order xid) drops the connection. */
  private onFrame(conn: SessionConnection, frame: Buffer): void {
    const r = new Reader(frame)
    const header = decodeReplyHeader(r)
    switch (header.xid) {
      case Xid.notification:
        // Delivered synchronously, in frame order: an event always precedes the reply behind it.
        this.deliver(decodeWatcherEvent(r))
        return
      case Xid.ping:
        return
      case Xid.auth:
        this.onAuthReply(conn, header.err)
        return
      case Xid.setWatches:
        if (header.err !== ErrorCode.OK) log('restoring watches failed on %s: %s', conn.remote, errorFromCode(header.err).message)
        return
    }
    const p = this.pending.take(header.xid)
    // Like ZooKeeper's clients, only ordinary replies move lastZxid (it is what this session has seen).
    if (header.zxid > 0n) this.zxid = header.zxid
    if (log.enabled) log('← xid=%d %s err=%d zxid=0x%s %s', header.xid, opName(p.opcode), header.err, header.zxid.toString(16), hex(frame))
    p.complete(header.err, header.zxid, r)
  }

  private deliver(event: RawWatcherEvent): void {
    if (log.enabled) log('event type=%d state=%d path=%s', event.type, event.state, event.path)
    for (const listener of this.eventListeners) {
      try {
        listener(event)
      } catch (err) {
        log('event listener threw: %s', (err as Error).message)
      }
    }
  }

  private onAuthReply(conn: SessionConnection, err: number): void {
    const entry = conn.authSent.shift()
    if (err === ErrorCode.AUTHFAILED) {
      this.authFailed()
      return
    }
    if (!entry) return
    if (err === ErrorCode.OK) {
      for (const w of entry.waiters.splice(0)) w.resolve()
      return
    }
    // Rejected without failing the session: forget this credential so it is not re-sent.
    this.auths.splice(this.auths.indexOf(entry), 1)
    for (const w of entry.waiters.splice(0)) w.reject(errorFromCode(err, { op: 'addAuth' }))
  }

  // ---- outgoing calls ----------------------------------------------------------------------------

  request<T>(
    opcode: number,
    encodeBody: ((w: Writer) => void) | null,
    decodeBody: ((r: Reader) => T) | null,
    opts: RequestOptions,
  ): Promise<T> {
    const refused = this.refusal(opts.op, opts.path)
    if (refused) return Promise.reject(refused)
    // Encode now: a bad or oversized request fails here, without touching the connection.
    let frame: Buffer
    try {
      frame = this.frame(0, opcode, encodeBody)
    } catch (err) {
      return Promise.reject(encodingError(err, opts.op, opts.path))
    }
    if (frame.length - 4 > this.maxBufferSize) return Promise.reject(tooLargeError(frame.length - 4, this.maxBufferSize, opts))
    return new Promise<T>((resolve, reject) => {
      const p = new Pending<T>(opcode, frame, decodeBody, opts, resolve, reject) as Pending
      p.arm(this.clock, (ended) => this.unsent.remove(ended))
      if (p.settled) return
      const conn = this.liveConnection()
      if (conn) this.send(conn, p)
      else this.unsent.push(p)
    })
  }

  /** The connection requests may be written to: only while connected. */
  private liveConnection(): SessionConnection | undefined {
    return this.currentState === 'connected' && this.conn && !this.conn.reason ? this.conn : undefined
  }

  /** The error a call gets at once when the session can no longer serve it. */
  private refusal(op: string, path?: string): ZooKeeperError | undefined {
    if (this.closeRequested || this.currentState === 'closed') return new ClientClosedError({ op, path })
    if (this.currentState === 'expired') return new SessionExpiredError(`session 0x${this.id.toString(16)} has expired`, { op, path })
    if (this.currentState === 'authFailed')
      return new AuthFailedError('authentication failed earlier; the session is unusable', { op, path })
    if (this.initialConnectOverdue && !this.hadSession) return this.notConnectedError(op, path)
    return undefined
  }

  /** Give the call its xid and put it on the wire; the FIFO entry is made before the write. */
  private send(conn: SessionConnection, p: Pending): void {
    const frame = p.frame!
    p.frame = undefined
    p.xid = this.nextXid()
    frame.writeInt32BE(p.xid, 4)
    this.pending.add(p)
    if (log.enabled) log('→ xid=%d %s %s %s', p.xid, opName(p.opcode), p.opts.path ?? '', hex(frame))
    conn.write(frame)
  }

  /** 1..2^31-1, wrapping; 0 and the negatives are reserved (notification, ping, auth, setWatches). */
  private nextXid(): number {
    this.lastXid = this.lastXid >= 0x7fffffff ? 1 : this.lastXid + 1
    return this.lastXid
  }

  /** A whole request frame: length prefix, RequestHeader{xid, type}, body. */
  private frame(xid: number, opcode: number, body: ((w: Writer) => void) | null): Buffer {
    const w = this.writer.reset()
    const at = w.beginFrame()
    encodeRequestHeader(w, { xid, type: opcode })
    body?.(w)
    return w.endFrame(at).toBuffer()
  }

  addAuth(scheme: string, auth: Buffer): Promise<void> {
    const refused = this.refusal('addAuth')
    if (refused) return Promise.reject(refused)
    return new Promise((resolve, reject) => {
      const bytes = Buffer.from(auth)
      let entry = this.auths.find((a) => a.scheme === scheme && a.auth.equals(bytes))
      if (!entry) {
        entry = { scheme, auth: bytes, waiters: [] }
        this.auths.push(entry)
      }
      entry.waiters.push({ resolve, reject })
      // Not connected: it goes out right after the next handshake, and settles on that answer.
      const conn = this.liveConnection()
      if (conn) this.sendAuth(conn, entry)
    })
  }

  // ---- state and close ---------------------------------------------------------------------------

  /** The only writer of state: applies the transition table, logs, and notifies on a microtask. */
  private setState(input: SessionInput): boolean {
    const prev = this.currentState
    const next = transition(prev, input)
    if (next === undefined) {
      log('ignoring %s in state %s', input, prev)
      return false
    }
    if (next === prev) return true
    this.currentState = next
    log('state %s → %s (%s)', prev, next, input)
    // On a microtask, so no listener ever runs in the middle of a transition.
    queueMicrotask(() => {
      for (const listener of [...this.stateListeners]) {
        try {
          listener(next, prev)
        } catch (err) {
          log('state listener threw: %s', (err as Error).message)
        }
      }
    })
    return true
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.wake = undefined
        timer.cancel()
        resolve()
      }
      const timer = this.clock.setTimeout(done, ms)
      this.wake = done
    })
  }

  private connectTimeout(): number {
    // As ZooKeeper's client: the session timeout shared among the hosts; but never below a second,
    // since the requested timeout may be far below what any server grants (it negotiates it up).
    return this.opts.connectTimeout ?? Math.max(1000, Math.floor(this.sessionTimeout / this.hosts.size))
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown()
    return this.closing
  }

  private async shutdown(): Promise<void> {
    this.closeRequested = true
    this.cancelExpiry()
    const conn = this.liveConnection()
    if (conn) {
      // closeSession rides the FIFO like any call, so replies to earlier calls still arrive first.
      const wait = Math.max(CLOSE_WAIT_MIN, Math.min(CLOSE_WAIT_MAX, Math.floor(this.timeout / 3)))
      await new Promise<void>((resolve) => {
        const done = (err?: unknown) => {
          if (err) log('closeSession: %s', (err as Error).message)
          resolve()
        }
        const p = new Pending<unknown>(
          OpCode.closeSession,
          this.frame(0, OpCode.closeSession, null),
          null,
          { op: 'close', timeout: wait },
          () => done(),
          done,
        )
        p.arm(this.clock, () => {})
        this.send(conn, p)
      })
    }
    this.setState('close')
    log('session 0x%s closed', this.id.toString(16))
    this.endEverything((ctx) => new ClientClosedError(ctx))
  }
}

/**
 * A request whose frame body is over jute.maxbuffer: ZooKeeper would drop the connection on reading
 * its length ("Len error"), so it is refused here, and says how much data would have fit.
 */
function tooLargeError(size: number, max: number, opts: RequestOptions): BadArgumentsError {
  let why = `the ${opts.op} request would take ${size} bytes, over jute.maxbuffer (${max} bytes), the largest request a ZooKeeper server accepts`
  if (opts.dataBytes !== undefined) {
    const overhead = size - opts.dataBytes
    why += `; besides its data it takes ${overhead} bytes, so its data may be at most ${Math.max(0, max - overhead)} bytes (it has ${opts.dataBytes})`
  }
  return new BadArgumentsError(why, { op: opts.op, path: opts.path })
}

/** The ping frame never changes: RequestHeader{xid -2, type ping}, no body. */
const PING_FRAME = (() => {
  const w = new Writer(16)
  const at = w.beginFrame()
  encodeRequestHeader(w, { xid: Xid.ping, type: OpCode.ping })
  return w.endFrame(at).toBuffer()
})()
