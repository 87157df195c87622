// The client-facing server, the one object that wires the rooms together: it accepts connections
// (client-connection.ts does the framing and the handshake), keeps each session's requests in order,
// answers reads (read-ops.ts), sends writes down the write pipeline (pipeline.ts, whose commit stage is
// standalone or a quorum: commit.ts), runs the expiry and reaping timers, and offers the fault hooks.
import net from 'node:net'
import type tls from 'node:tls'
import { Reader } from '../jute/reader.js'
import * as P from '../jute/generated/proto.generated.js'
import { DEFAULT_MAX_BUFFER, ErrorCode, OpCode, Xid } from '../protocol.js'
import { MarshallingError } from '../errors.js'
import { logger } from '../debug.js'
import { DataTree } from './datatree.js'
import { WatchManager } from './watch-manager.js'
import { SessionTracker } from './session-tracker.js'
import { authenticate, certificateIds } from './acl.js'
import { fourLetterAnswer } from './four-letter.js'
import { DigestMd5Server, SaslFailure } from './sasl.js'
import { TxnLog } from './txnlog.js'
import { QuorumPeer } from './quorum-peer.js'
import type { PeerPorts } from './peer-links.js'
import { ServerMetrics } from './server-metrics.js'
import { AdminServer } from './admin-server.js'
import { StandaloneCommit, type Commit, type Prepared, type ServerMode } from './commit.js'
import { WritePipeline } from './pipeline.js'
import { ClientConnection, handshake, isWrite } from './client-connection.js'
import { answerMultiRead, answerRead, restoreWatches } from './read-ops.js'
import { answerSync, answerWrite } from './replies.js'
import {
  DEFAULT_GLOBAL_OUTSTANDING_LIMIT,
  DEFAULT_MAX_CLIENT_CNXNS,
  DEFAULT_SESSIONLESS_CONNECTION_TIMEOUT,
  type ServerOptions,
  type ServerView,
} from './server-view.js'
import { listenSecure } from './secure-listener.js'
import { nextTurn, turnSpent } from './turn.js'

export type { ServerMode } from './commit.js'
export type { ServerOptions } from './server-view.js'

const log = logger('ensemble')

/**
 * Reply bytes a connection's socket may hold unwritten before the server stops reading it: a
 * client that sends and never reads cannot make the server queue replies without end.
 */
export const MAX_UNWRITTEN_REPLY_BYTES = 1 << 20

/** A single ZooKeeper-compatible server. */
export class ZooKeeperServer implements ServerView {
  /** The write path: prep, commit, apply, reply. @internal */
  readonly pipeline: WritePipeline
  /** The commit stage: standalone, or this server's quorum peer. @internal */
  readonly commit: Commit
  /** The quorum side, when this server is one peer of an ensemble. @internal */
  readonly quorum: QuorumPeer | undefined
  /** Server-side watch registrations. @internal */
  readonly watches = new WatchManager()
  /** Sessions and their expiry. @internal */
  readonly tracker: SessionTracker
  /** The jute.maxbuffer in force. @internal */
  readonly maxBuffer: number
  /** Open client connections. @internal */
  readonly connections = new Set<ClientConnection>()
  /** Told whenever the server stops or starts reading a connection (backpressure tests wait on it). @internal */
  readonly readingListeners = new Set<(conn: ClientConnection, reading: boolean) => void>()
  /** Requests read and not yet answered, all connections together (ZooKeeper's requests in process). */
  outstanding = 0
  /** Connections not read now: throttled, or the server paused. */
  private readonly notReading = new Set<ClientConnection>()
  /** Connections with requests left over when a turn's budget ran out, in the order they are served next. */
  private readonly deferred = new Set<ClientConnection>()
  /** Open connections by remote address, for maxClientCnxns. */
  private readonly perAddress = new Map<string, number>()
  private readonly bySession = new Map<bigint, ClientConnection>()
  private listener: net.Server | undefined
  private secureListener: tls.Server | undefined
  private expiryTimer: NodeJS.Timeout | undefined
  private reapTimer: NodeJS.Timeout | undefined
  private readonly tickTime: number
  /** When the server was created, ms since the epoch (for srvr/mntr). @internal */
  readonly startedAt = Date.now()
  /** Frames read from clients (for the four-letter words). @internal */
  packetsReceived = 0
  /** Frames sent to clients (for the four-letter words). @internal */
  packetsSent = 0
  /** Counters for mntr, srvr and the AdminServer. @internal */
  readonly metrics: ServerMetrics
  private admin: AdminServer | undefined

  /**
   * A server that does nothing until listen(); with a dataDir it first recovers its log and snapshot.
   * @param opts how to run; kept as `opts`
   */
  constructor(readonly opts: ServerOptions = {}) {
    this.tickTime = opts.tickTime ?? 2000
    this.maxBuffer = opts.maxBuffer ?? DEFAULT_MAX_BUFFER
    let secret: Buffer | undefined
    let sessions = new Map<bigint, number>()
    let tree = new DataTree()
    let txnlog: TxnLog | undefined
    if (opts.dataDir && !opts.quorum) {
      txnlog = new TxnLog(opts.dataDir, { fsync: opts.fsync ?? true, snapshotEvery: opts.snapshotEvery })
      const rec = txnlog.recover()
      tree = rec.tree
      secret = rec.secret
      sessions = rec.sessions
    }
    if (opts.secret) secret = opts.secret
    this.tracker = new SessionTracker(
      this.tickTime,
      opts.quorum?.id ?? opts.serverId ?? 1,
      undefined,
      opts.minSessionTimeout ?? 2 * this.tickTime,
      opts.maxSessionTimeout ?? 20 * this.tickTime,
      secret,
    )
    // Recovered sessions get a full timeout from now, as ZooKeeper gives them after a restart.
    for (const [id, timeout] of sessions) this.tracker.add(id, timeout, Date.now())
    this.metrics = new ServerMetrics(opts.quorum !== undefined)
    this.pipeline = new WritePipeline(
      {
        tracker: this.tracker,
        watches: this.watches,
        metrics: this.metrics,
        ttlEnabled: opts.ttlEnabled ?? true,
        enforceQuota: opts.enforceQuota ?? false,
        maxBuffer: this.maxBuffer,
        providers: { sasl: opts.sasl !== undefined, x509: opts.secureClient !== undefined },
        closeSession: (id) => {
          const conn = this.bySession.get(id)
          if (!conn) return
          this.bySession.delete(id)
          conn.close()
        },
        closeAll: () => {
          for (const c of [...this.connections]) c.close()
        },
      },
      tree,
    )
    if (opts.quorum) {
      this.quorum = new QuorumPeer(this.pipeline, opts.quorum)
      this.quorum.on('mode', (mode: string) => this.metrics.roleChanged(mode))
      this.commit = this.quorum
    } else {
      this.commit = new StandaloneCommit(this.pipeline, txnlog)
    }
    this.pipeline.attach(this.commit)
  }

  /** The znodes, as committed. @internal */
  get tree(): DataTree {
    return this.pipeline.tree
  }

  /** Told the zxid of every txn applied to the tree (tree-admin.ts waits on it). @internal */
  get appliedListeners(): Set<(zxid: bigint) => void> {
    return this.pipeline.appliedListeners
  }

  /** standalone, or this peer's role; "looking" while there is no established leader. */
  get mode(): ServerMode {
    return this.commit.mode
  }

  /** Whether clients are served now (a quorum peer serves only once it leads or follows an established leader). @internal */
  get serving(): boolean {
    return this.commit.mode !== 'looking'
  }

  /** Whether this server decides writes (standalone, or the quorum's leader). @internal */
  get decides(): boolean {
    return this.commit.mode === 'standalone' || this.commit.mode === 'leader'
  }

  /** A txn decided by this server (tree-admin.ts's changes); ignored unless it decides. @internal */
  propose(p: Prepared): void {
    this.pipeline.propose(p)
  }

  /** Listen (on the secure client port too, with `secureClient`); resolves with the plain port, or the secure one with `secureClient.only`. */
  async listen(): Promise<number> {
    const host = this.opts.host ?? '127.0.0.1'
    try {
      if (!this.opts.secureClient?.only) {
        const srv = net.createServer((socket) => this.accept(socket))
        this.listener = srv
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject)
          srv.listen(this.opts.port ?? 0, host, () => resolve())
        })
      }
      if (this.opts.secureClient)
        this.secureListener = await listenSecure(this.opts.secureClient, host, (socket, subject) => this.accept(socket, subject))
    } catch (err) {
      // Both client ports or neither: a server does not start half-way.
      await this.closeListeners()
      throw err
    }
    if (this.opts.adminPort !== undefined) {
      const admin = new AdminServer(this)
      try {
        await admin.listen(this.opts.adminPort)
      } catch (err) {
        // A server that cannot serve its AdminServer does not start half-way: the client ports go too.
        await this.closeListeners()
        throw new Error(`AdminServer could not listen on 127.0.0.1:${this.opts.adminPort}: ${(err as Error).message}`, { cause: err })
      }
      this.admin = admin
    }
    this.startTimers()
    return (this.port ?? this.securePort)!
  }

  private async closeListeners(): Promise<void> {
    const closing = [this.listener, this.secureListener].map(
      (l) => new Promise<void>((resolve) => (l ? l.close(() => resolve()) : resolve())),
    )
    this.listener = this.secureListener = undefined
    await Promise.all(closing)
  }

  /** The AdminServer's HTTP port while it listens (with the `adminPort` option), else undefined. */
  get adminPort(): number | undefined {
    return this.admin?.port
  }

  /** Bind the election and learner ports (before start()); resolves with both. @internal */
  async listenQuorum(ports?: Partial<PeerPorts>): Promise<PeerPorts> {
    if (!this.quorum) throw new Error('not a quorum peer')
    return this.quorum.listen(ports)
  }

  private startTimers(): void {
    // After the loop has read what is waiting: a server that was busy for longer than a session's
    // timeout first hears the pings that came meanwhile (and the touches of a leader's followers).
    this.expiryTimer = setInterval(() => setImmediate(() => this.expireSessions()), Math.max(10, Math.floor(this.tickTime / 2)))
    this.expiryTimer.unref()
    this.reapTimer = setInterval(() => this.reapContainersAndTtl(), this.opts.containerCheckInterval ?? 60_000)
    this.reapTimer.unref()
  }

  private stopTimers(): void {
    if (this.expiryTimer) clearInterval(this.expiryTimer)
    if (this.reapTimer) clearInterval(this.reapTimer)
    this.expiryTimer = this.reapTimer = undefined
  }

  /** Whether pause() froze the server. */
  paused = false

  /**
   * Freeze the server as SIGSTOP would a process: connections stay open but nothing is read or
   * answered, and no session expires, until resume().
   */
  pause(): void {
    if (this.paused) return
    this.paused = true
    this.commit.pause()
    this.admin?.pause()
    this.stopTimers()
    for (const c of this.connections) this.pump(c)
  }

  /** Undo pause(): sessions get a full timeout from now, then requests are read again. */
  resume(): void {
    if (!this.paused) return
    this.paused = false
    // Sessions were frozen with the server: they get a full timeout from now, as after a restart.
    for (const s of this.tracker.sessions.values()) this.tracker.touch(s.id, Date.now())
    for (const c of [...this.connections]) this.pump(c)
    if (this.deferred.size) nextTurn(this.serveDeferred)
    this.commit.resume()
    this.admin?.resume()
    this.startTimers()
  }

  /** Cut every client connection (the server stays up; sessions live on until they expire). */
  dropConnections(): void {
    for (const c of [...this.connections]) c.socket.destroy()
  }

  /** Stop listening and drop every connection (sessions stay in the tree until expiry or restart). */
  async close(): Promise<void> {
    this.stopTimers()
    await this.commit.close()
    await this.admin?.close()
    for (const c of this.connections) {
      c.closed = true
      c.socket.destroy()
    }
    this.connections.clear()
    await this.closeListeners()
  }

  /** Expire a session now (fault injection). */
  expireSession(id: bigint): boolean {
    if (!this.decides) return false
    const s = this.tracker.sessions.get(id)
    if (!s || s.closing) return false
    s.closing = true
    this.expire(id)
    return true
  }

  /** The client port while listening, else undefined. */
  get port(): number | undefined {
    return (this.listener?.address() as net.AddressInfo | null)?.port
  }

  /** The secure (TLS) client port while listening, else undefined. */
  get securePort(): number | undefined {
    return (this.secureListener?.address() as net.AddressInfo | null)?.port
  }

  // ---- connections ----------------------------------------------------------------------------

  /** A new client socket; `subject` is that of the certificate a TLS client showed. */
  private accept(socket: net.Socket, subject?: string): void {
    const address = socket.remoteAddress ?? ''
    const perAddress = this.perAddress.get(address) ?? 0
    const maxPerAddress = this.opts.maxClientCnxns ?? DEFAULT_MAX_CLIENT_CNXNS
    if (maxPerAddress > 0 && perAddress >= maxPerAddress) {
      // As ZooKeeper 3.8 (seen on the wire): closed at once, without a byte of answer.
      log('Too many connections from %s - max is %d', address, maxPerAddress)
      this.metrics.connectionRejected++
      socket.on('error', () => {})
      socket.destroy()
      return
    }
    this.perAddress.set(address, perAddress + 1)
    socket.setNoDelay(true)
    const conn = new ClientConnection(socket, this)
    if (subject !== undefined) {
      // As ZooKeeper's X509AuthenticationProvider at the end of the TLS handshake, before any request.
      conn.certificateIds = certificateIds(subject, this.opts.secureClient?.superUser)
      conn.ids.push(...conn.certificateIds)
    }
    this.connections.add(conn)
    this.metrics.connectionRequests++
    if (this.paused) this.pump(conn)
    const sessionless = () => {
      if (conn.closed || conn.handshaken) return
      // A frozen server expires nothing.
      if (this.paused) return void (handshakeTimer = setTimeout(sessionless, this.sessionlessTimeout).unref())
      log('closing %s: no ConnectRequest within %d ms', conn.address, this.sessionlessTimeout)
      this.metrics.sessionlessConnectionsExpired++
      conn.closed = true
      socket.destroy()
    }
    let handshakeTimer = setTimeout(sessionless, this.sessionlessTimeout).unref()
    // The first four bytes say whether this is a four-letter word or a frame's length, as ZooKeeper
    // reads them: held until all four came, however TCP split them (the sessionless timeout bounds the wait).
    let head: Buffer | undefined = Buffer.alloc(0)
    socket.on('data', (data: Buffer) => {
      if (conn.closed) return
      this.metrics.bytesReceived += data.length
      let chunk = data
      if (head !== undefined) {
        chunk = head.length === 0 ? data : Buffer.concat([head, data])
        if (chunk.length < 4) return void (head = chunk)
        head = undefined
        const answer = fourLetterAnswer(chunk.subarray(0, 4).toString('latin1'), this.opts.fourLetterWords ?? '*', this)
        if (answer !== undefined) {
          socket.end(answer)
          conn.closed = true
          return
        }
      }
      let frames: Buffer[]
      try {
        frames = conn.push(chunk)
      } catch (err) {
        log('closing %s: %s', conn.address, (err as Error).message)
        conn.close()
        return
      }
      if (frames.length === 0) return
      // The session is alive from the moment its requests arrive, as in ZooKeeper, even when they
      // wait for a later turn: a server that was busy does not expire the sessions it kept waiting.
      if (conn.handshaken) this.tracker.touch(conn.sessionId, Date.now())
      if (conn.unread.length) conn.unread.push(...frames)
      else conn.unread = frames
      this.pump(conn)
    })
    socket.on('drain', () => this.pump(conn))
    const gone = () => {
      conn.closed = true
      clearTimeout(handshakeTimer)
      if (!this.connections.delete(conn)) return
      const left = (this.perAddress.get(address) ?? 1) - 1
      if (left > 0) this.perAddress.set(address, left)
      else this.perAddress.delete(address)
      // What waited behind this session's writes will never run; its writes in flight still settle.
      this.outstanding -= conn.backlog.length
      conn.backlog = []
      conn.unread = []
      this.notReading.delete(conn)
      this.deferred.delete(conn)
      this.watches.removeTarget(conn)
      if (this.bySession.get(conn.sessionId) === conn) this.bySession.delete(conn.sessionId)
    }
    socket.on('close', gone)
    socket.on('error', gone)
  }

  private get sessionlessTimeout(): number {
    return this.opts.sessionlessConnectionTimeout ?? DEFAULT_SESSIONLESS_CONNECTION_TIMEOUT
  }

  /**
   * Whether the server takes more requests from `conn` now. As ZooKeeper's throttle: not while the
   * server is over its global outstanding limit and `conn` has requests of its own outstanding;
   * and not while its socket holds more than MAX_UNWRITTEN_REPLY_BYTES of replies unwritten.
   */
  private mayRead(conn: ClientConnection): boolean {
    if (this.paused || conn.closed) return false
    if (conn.unwrittenBytes > MAX_UNWRITTEN_REPLY_BYTES) return false
    const limit = this.opts.globalOutstandingLimit ?? DEFAULT_GLOBAL_OUTSTANDING_LIMIT
    return !(this.outstanding > limit && conn.outstanding > 0)
  }

  /**
   * Take the frames read off `conn` while the server may and the turn's budget lasts, then read its
   * socket on or stop: while throttled, and while frames wait for the next turn.
   */
  private pump(conn: ClientConnection): void {
    const frames = conn.unread
    let i = 0
    while (i < frames.length && this.mayRead(conn)) {
      if (turnSpent('clients')) {
        this.later(conn)
        break
      }
      this.take(conn, frames[i++]!)
    }
    conn.unread = i === frames.length ? [] : frames.slice(i)
    const reading = this.mayRead(conn)
    if (!conn.closed) {
      if (reading && conn.unread.length === 0) conn.socket.resume()
      else conn.socket.pause()
    }
    // Listeners hear of throttling only: waiting for a turn is not backpressure.
    if (reading === conn.reading || (conn.closed && !reading)) return
    conn.reading = reading
    if (reading) this.notReading.delete(conn)
    else this.notReading.add(conn)
    for (const l of this.readingListeners) l(conn, reading)
  }

  /** `conn` has requests left that wait for the next turn. */
  private later(conn: ClientConnection): void {
    this.deferred.add(conn)
    nextTurn(this.serveDeferred)
  }

  /** A new turn: the connections that waited, in turn, as long as its budget lasts. */
  private readonly serveDeferred = (): void => {
    // A frozen server serves nothing; resume() brings them back.
    if (this.paused) return
    const queue = [...this.deferred]
    this.deferred.clear()
    let i = 0
    for (; i < queue.length && !turnSpent('clients'); i++) {
      const conn = queue[i]!
      if (conn.closed) continue
      this.drain(conn)
      this.pump(conn)
    }
    // Those not reached go first next time, ahead of any that ran out of budget this time.
    const ranOut = [...this.deferred]
    this.deferred.clear()
    for (const conn of [...queue.slice(i), ...ranOut]) this.deferred.add(conn)
    if (this.deferred.size) nextTurn(this.serveDeferred)
  }

  /** One frame of `conn`: its ConnectRequest, or a request. */
  private take(conn: ClientConnection, frame: Buffer): void {
    this.packetsReceived++
    conn.received++
    try {
      if (!conn.handshaken) {
        conn.handshaken = true
        handshake(conn, frame, this.handshakeDeps)
      } else {
        this.request(conn, frame)
      }
    } catch (err) {
      // A malformed request costs only its own connection, as in ZooKeeper.
      log('bad request from %s: %s', conn.address, (err as Error).message)
      conn.close()
    }
  }

  /** A request was answered: connections held back by the global limit may be read again. */
  private settled(): void {
    this.outstanding--
    // In the next turn: the answer is given from inside the pipeline, which should not take new requests then.
    if (this.notReading.size) nextTurn(this.wakeThrottled)
  }

  private readonly wakeThrottled = (): void => {
    for (const c of [...this.notReading]) this.pump(c)
  }

  private get handshakeDeps() {
    return {
      tracker: this.tracker,
      pipeline: this.pipeline,
      commit: this.commit,
      metrics: this.metrics,
      serving: this.serving,
      bySession: this.bySession,
      opened: (conn: ClientConnection) => this.drain(conn),
    }
  }

  // ---- requests -------------------------------------------------------------------------------

  private request(conn: ClientConnection, frame: Buffer): void {
    // A session's requests are answered in order: while its writes are in the pipeline, later
    // requests other than writes wait (and everything after a waiting request waits too).
    if (conn.awaitingSession || conn.backlog.length || (conn.inflight > 0 && !isWrite(frame.readInt32BE(4)))) {
      conn.backlog.push(frame)
      this.outstanding++
      return
    }
    this.handle(conn, frame)
  }

  /** A write of this connection completed: run what waited behind it, as long as the turn's budget lasts. */
  private drain(conn: ClientConnection): void {
    while (conn.backlog.length && !conn.closed && !conn.awaitingSession) {
      if (conn.inflight > 0 && !isWrite(conn.backlog[0]!.readInt32BE(4))) return
      if (turnSpent('clients')) return this.later(conn)
      const f = conn.backlog.shift()!
      this.outstanding--
      try {
        this.handle(conn, f)
      } catch (err) {
        log('bad request from %s: %s', conn.address, (err as Error).message)
        conn.close()
      }
    }
  }

  private handle(conn: ClientConnection, frame: Buffer): void {
    const r = new Reader(frame)
    const { xid, type } = P.decodeRequestHeader(r)
    // Auth and SASL packets are answered outside ZooKeeper's request pipeline: no trace in the stats.
    if (type !== OpCode.auth && type !== OpCode.sasl) conn.asking(xid, type)
    if (!this.tracker.touch(conn.sessionId, Date.now())) {
      // The session expired under this connection.
      conn.close()
      return
    }
    this.commit.touched(conn.sessionId)
    if (this.opts.sasl?.enforce && type !== OpCode.auth && type !== OpCode.sasl && !conn.ids.some((i) => i.scheme === 'sasl')) {
      // As ZooKeeper's enforce.auth: the refusal carries the request's xid and no body.
      conn.reply(xid, 0n, ErrorCode.SESSIONCLOSEDREQUIRESASLAUTH)
      conn.close()
      return
    }
    switch (type) {
      case OpCode.ping:
        return conn.reply(Xid.ping, this.tree.lastZxid, 0)
      case OpCode.auth: {
        const p = P.decodeAuthPacket(r)
        const ids = authenticate(p.scheme, p.auth, this.opts.superDigest, conn.certificateIds)
        // ZooKeeper answers auth packets with zxid 0, success or not.
        if (!ids) {
          conn.reply(Xid.auth, 0n, ErrorCode.AUTHFAILED)
          conn.close()
          return
        }
        for (const id of ids) if (!conn.ids.some((i) => i.scheme === id.scheme && i.id === id.id)) conn.ids.push(id)
        return conn.reply(Xid.auth, 0n, 0)
      }
      case OpCode.sasl:
        return this.sasl(conn, xid, r)
      case OpCode.setWatches:
      case OpCode.setWatches2: {
        const sw =
          type === OpCode.setWatches
            ? { ...P.decodeSetWatches(r), persistentWatches: [], persistentRecursiveWatches: [] }
            : P.decodeSetWatches2(r)
        restoreWatches(this, conn, sw)
        // Answered with the request's own xid: the Java client sends SetWatches with an ordinary one.
        return conn.reply(xid, this.tree.lastZxid, 0)
      }
      case OpCode.sync:
        return this.sync(conn, xid, r)
      case OpCode.multiRead:
        return answerMultiRead(this, conn, xid, r)
      default:
        if (isWrite(type)) return this.write(conn, xid, type, r)
        return answerRead(this, conn, xid, type, r)
    }
  }

  /** One SASL token. Without SASL configured ZooKeeper answers with no token and carries on. */
  private sasl(conn: ClientConnection, xid: number, r: Reader): void {
    const { token } = P.decodeGetSASLRequest(r)
    const users = this.opts.sasl?.users
    if (!users) return conn.reply(xid, 0n, 0, (w) => P.encodeSetSASLResponse(w, { token: null }))
    conn.sasl ??= new DigestMd5Server(users)
    try {
      const step = conn.sasl.evaluate(token ?? Buffer.alloc(0))
      if (step.authorizationId !== undefined) {
        const id = { scheme: 'sasl', id: step.authorizationId }
        if (!conn.ids.some((i) => i.scheme === id.scheme && i.id === id.id)) conn.ids.push(id)
      }
      conn.reply(xid, 0n, 0, (w) => P.encodeSetSASLResponse(w, { token: step.token }))
    } catch (err) {
      if (!(err instanceof SaslFailure)) throw err
      log('SASL from %s failed: %s', conn.address, err.message)
      const code = this.opts.sasl?.enforce ? ErrorCode.SESSIONCLOSEDREQUIRESASLAUTH : ErrorCode.AUTHFAILED
      // Unlike other error replies, this one carries a body: a SetSASLResponse with no token.
      conn.frame((w) => {
        P.encodeReplyHeader(w, { xid, zxid: 0n, err: code })
        P.encodeSetSASLResponse(w, { token: null })
      })
      conn.close()
    }
  }

  private write(conn: ClientConnection, xid: number, type: number, r: Reader): void {
    conn.inflight++
    this.outstanding++
    this.pipeline.write(
      { sessionId: conn.sessionId, cxid: xid, type, body: r.rest(), ids: conn.ids, address: conn.address },
      (zxid, txn, result) => {
        conn.inflight--
        answerWrite(conn, xid, type, zxid, txn, result)
        this.drain(conn)
        this.settled()
      },
    )
  }

  /** A sync waits in the pipeline until this server has applied every write decided before it. */
  private sync(conn: ClientConnection, xid: number, r: Reader): void {
    let path: string
    try {
      path = P.decodeSyncRequest(r).path
    } catch (err) {
      if (!(err instanceof MarshallingError)) throw err
      // As any read whose body does not decode: this request fails, the connection stays.
      return conn.reply(xid, this.tree.lastZxid, ErrorCode.MARSHALLINGERROR)
    }
    conn.inflight++
    this.outstanding++
    this.pipeline.sync(conn.sessionId, xid, (zxid) => {
      conn.inflight--
      answerSync(conn, xid, zxid, path)
      this.drain(conn)
      this.settled()
    })
  }

  /** Expire a session: a closeSession txn with cxid 0 (ephemerals go, watches fire, its connection closes). */
  private expire(id: bigint): void {
    this.pipeline.propose({ hdr: { clientId: id, cxid: 0, time: BigInt(Date.now()) }, txn: { type: 'closeSession' } })
  }

  private expireSessions(): void {
    if (!this.decides || this.paused || !this.expiryTimer) return
    for (const s of this.tracker.expired(Date.now())) this.expire(s.id)
  }

  /** Delete empty containers that once had children, and TTL nodes past their time with no children. */
  private reapContainersAndTtl(): void {
    if (!this.decides) return
    const now = BigInt(Date.now())
    const doomed: string[] = []
    // The leader looks at the tree with every decided change, committed or not.
    const view = this.commit.view ?? this.tree
    for (const [path, n] of view.nodes) {
      if (n.children.size > 0) continue
      if (n.ephemeralOwner === -0x8000000000000000n) {
        if (n.cversion > 0) doomed.push(path)
      } else if ((BigInt.asUintN(64, n.ephemeralOwner) & 0xff00000000000000n) === 0xff00000000000000n) {
        const ttl = BigInt.asUintN(64, n.ephemeralOwner) & 0xffffffffffn
        if (now - n.mtime > ttl) doomed.push(path)
      }
    }
    for (const path of doomed) this.pipeline.propose({ hdr: { clientId: 0n, cxid: 0, time: now }, txn: { type: 'delete', path } })
  }

  /** How many znodes the tree holds, for the four-letter words. @internal */
  nodeCount(): number {
    return this.tree.nodes.size
  }

  /** For dump/cons: sessions with their connections. @internal */
  sessionList(): { id: bigint; timeout: number; address?: string; ephemerals: string[] }[] {
    return [...this.tracker.sessions.values()].map((s) => ({
      id: s.id,
      timeout: s.timeout,
      address: this.bySession.get(s.id)?.address,
      ephemerals: [...(this.tree.ephemerals.get(s.id) ?? [])],
    }))
  }
}
