// The client-facing server: accepts connections, performs the handshake (new or resumed sessions),
// serves reads from the tree, sends writes through prep → commit → apply, delivers watch events
// before the reply that follows them, expires sessions, and answers four-letter words.
import net from 'node:net'
import { Reader } from '../jute/reader.js'
import { Writer } from '../jute/writer.js'
import { FrameDecoder } from '../transport/frame-decoder.js'
import * as P from '../jute/generated/proto.generated.js'
import { DEFAULT_MAX_BUFFER, ErrorCode, EventType, KeeperState, OpCode, Perms, Xid } from '../protocol.js'
import { MarshallingError } from '../errors.js'
import { logger } from '../debug.js'
import { DataTree } from './datatree.js'
import { WatchManager, type WatchTarget } from './watch-manager.js'
import { SessionTracker } from './session-tracker.js'
import { prepWrite, type RequestContext } from './pipeline.js'
import { authInfoOrder, authenticate, permitted, type AuthId } from './acl.js'
import { fourLetterWord, FOUR_LETTER_WORDS } from './four-letter.js'
import { ConnectionStats, lastOpName } from './connection-stats.js'
import type { Txn, TxnHeader } from './txn.js'
import { TxnLog } from './txnlog.js'
import { decodeConnectRequestLenient, encodeMultiResponse } from '../jute/quirks.js'
import { multiReadReply, multiResults } from './multi.js'
import type { ApplyResult } from './datatree.js'
import type { Forwarded } from './zab/wire.js'
import { QuorumPeer, type QuorumConfig } from './quorum-peer.js'
import { ServerMetrics } from './server-metrics.js'
import { AdminServer } from './admin-server.js'

const log = logger('ensemble')

/** Options of one server. */
export interface ServerOptions {
  /** Client port (default 0: the OS picks one; listen() resolves with it). */
  port?: number
  /** Address to bind (default 127.0.0.1). */
  host?: string
  /** ZooKeeper's tickTime in ms (default 2000): the unit of session timeouts and expiry checks. */
  tickTime?: number
  /** Shortest session timeout granted, ms (default 2 × tickTime, as in ZooKeeper). */
  minSessionTimeout?: number
  /** Longest session timeout granted, ms (default 20 × tickTime, as in ZooKeeper). */
  maxSessionTimeout?: number
  /** "super:<base64 sha1>" digest id granting super rights. */
  superDigest?: string
  /** Allow TTL nodes (default true, like a ZooKeeper started with extendedTypesEnabled). */
  ttlEnabled?: boolean
  /** jute.maxbuffer: largest request or znode payload accepted (default 0xfffff). */
  maxBuffer?: number
  /** Server id, as in ZooKeeper's myid (default 1); it seeds the session ids the server mints. */
  serverId?: number
  /** Keep a transaction log and snapshots here; without it the server is in-memory only. */
  dataDir?: string
  /** fsync the log before acknowledging a write (default true with a dataDir). */
  fsync?: boolean
  /** Take a snapshot after this many logged txns (default 10000). */
  snapshotEvery?: number
  /** How often empty containers and expired TTL nodes are reaped, ms (ZooKeeper's default 60000). */
  containerCheckInterval?: number
  /**
   * Serve ZooKeeper's AdminServer (`/commands` over HTTP, as admin.serverPort) on this port of
   * 127.0.0.1; 0 picks a free one (see `adminPort` once listening). Off when absent. In
   * startEnsemble() server i of a quorum takes adminPort + i (0: a free port each).
   */
  adminPort?: number
  /**
   * Run as one peer of a quorum (Zab) instead of standalone.
   * @internal startEnsemble() wires this up.
   */
  quorum?: QuorumConfig
  /** Secret that session passwords derive from; peers of one ensemble share it. */
  secret?: Buffer
}

/** A write waiting for its commit: the session's requests complete in order. */
interface PendingWrite {
  cxid: number
  done(zxid: bigint, txn: Txn, result: ApplyResult): void
}

/** What the server is doing: standalone, or its role in the quorum ("looking" serves no clients). */
export type ServerMode = 'standalone' | 'leader' | 'follower' | 'looking'

/** A commit function: turns a prepared txn into an applied one (local now; a quorum later). */
export type Commit = (hdr: Omit<TxnHeader, 'zxid'>, txn: Txn) => { zxid: bigint; result: ApplyResult }

/** One client connection. */
class Connection implements WatchTarget {
  sessionId = 0n
  ids: AuthId[] = []
  closed = false
  received = 0
  sent = 0
  /** Writes sent down the pipeline and not yet answered. */
  inflight = 0
  /** Requests held until this session's earlier writes complete (reads see their own writes). */
  backlog: Buffer[] = []
  /** The negotiated session timeout (0 before the handshake), for `cons`. */
  timeout = 0
  readonly stats = new ConnectionStats()
  /** Requests being answered, by xid: their opcode and arrival time, for the stats. */
  private readonly asked = new Map<number, { type: number; start: number; refused: boolean }>()
  private readonly w = new Writer(1024)
  private readonly frames: FrameDecoder

  constructor(readonly socket: net.Socket, private readonly server: ZooKeeperServer) {
    // As ZooKeeper's NIOServerCnxn: a request longer than jute.maxbuffer closes the connection.
    this.frames = new FrameDecoder(server.maxBuffer)
  }

  get address(): string {
    return this.socket.remoteAddress ?? ''
  }

  /** Write one frame: the length prefix then what `fill` writes. */
  frame(fill: (w: Writer) => void): void {
    if (this.closed) return
    const w = this.w.reset()
    const at = w.beginFrame()
    fill(w)
    w.endFrame(at)
    this.sent++
    this.server.packetsSent++
    const frame = w.toBuffer()
    this.server.metrics.responseSize.add(frame.length - 4)
    this.socket.write(frame)
  }

  reply(xid: number, zxid: bigint, err: number, body?: (w: Writer) => void): void {
    this.frame((w) => {
      P.encodeReplyHeader(w, { xid, zxid, err })
      if (err === 0) body?.(w)
    })
    this.answered(xid, zxid)
  }

  /** A request arrived. */
  asking(xid: number, type: number, start = Date.now()): void {
    this.asked.set(xid, { type, start, refused: false })
  }

  /** The write with this xid was refused in prep: ZooKeeper then reports its last op as "NA". */
  refused(xid: number): void {
    const a = this.asked.get(xid)
    if (a) a.refused = true
  }

  /** The reply to `xid` went out. */
  answered(xid: number, zxid: bigint): void {
    const a = this.asked.get(xid)
    if (!a) return
    this.asked.delete(xid)
    this.stats.replied(lastOpName(a.type, a.refused), xid, zxid, a.start)
    this.server.metrics.answered(this.stats.lastLatency, isWrite(a.type) ? 'write' : 'read')
  }

  deliver(type: number, path: string): void {
    this.frame((w) => {
      P.encodeReplyHeader(w, { xid: Xid.notification, zxid: -1n, err: 0 })
      P.encodeWatcherEvent(w, { type, state: KeeperState.SyncConnected, path })
    })
  }

  /** Feed socket bytes; returns whole frames, or throws on a bad length. */
  push(chunk: Buffer): Buffer[] {
    return this.frames.push(chunk)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.socket.end()
    this.socket.destroySoon?.()
  }
}

const WRITES = new Set<number>([OpCode.create, OpCode.create2, OpCode.createContainer, OpCode.createTTL, OpCode.delete, OpCode.deleteContainer, OpCode.setData, OpCode.setACL, OpCode.check, OpCode.multi, OpCode.reconfig, OpCode.closeSession])
const isWrite = (type: number) => WRITES.has(type)

/** A single ZooKeeper-compatible server. */
export class ZooKeeperServer {
  /** The znodes. @internal */
  tree: DataTree
  private readonly txnlog: TxnLog | undefined
  /** Server-side watch registrations. @internal */
  readonly watches = new WatchManager()
  /** Sessions and their expiry. @internal */
  readonly tracker: SessionTracker
  /** The jute.maxbuffer in force. @internal */
  readonly maxBuffer: number
  /** Open client connections. @internal */
  readonly connections = new Set<Connection>()
  private readonly bySession = new Map<bigint, Connection>()
  private listener: net.Server | undefined
  private expiryTimer: NodeJS.Timeout | undefined
  private reapTimer: NodeJS.Timeout | undefined
  private readonly tickTime: number
  /** When the server was created, ms since the epoch (for srvr/mntr). @internal */
  readonly startedAt = Date.now()
  /** Frames read from clients (for the four-letter words). @internal */
  packetsReceived = 0
  /** Frames sent to clients (for the four-letter words). @internal */
  packetsSent = 0
  /** The standalone commit stage: log, then apply. @internal */
  commit: Commit
  /** Writes of local sessions awaiting their commit, per session, in order. */
  private readonly pending = new Map<bigint, PendingWrite[]>()
  /** The quorum side, when this server is one peer of an ensemble. @internal */
  readonly quorum: QuorumPeer | undefined
  /** Counters for mntr, srvr and the AdminServer. @internal */
  readonly metrics: ServerMetrics
  private admin: AdminServer | undefined
  /** Told the zxid of every txn applied to the tree (tree-admin.ts waits on it). @internal */
  readonly appliedListeners = new Set<(zxid: bigint) => void>()

  /**
   * A server that does nothing until listen(); with a dataDir it first recovers its log and snapshot.
   * @param opts how to run; kept as `opts`
   */
  constructor(readonly opts: ServerOptions = {}) {
    this.tickTime = opts.tickTime ?? 2000
    this.maxBuffer = opts.maxBuffer ?? DEFAULT_MAX_BUFFER
    let secret: Buffer | undefined
    let sessions = new Map<bigint, number>()
    if (opts.dataDir && !opts.quorum) {
      this.txnlog = new TxnLog(opts.dataDir, { fsync: opts.fsync ?? true, snapshotEvery: opts.snapshotEvery })
      const rec = this.txnlog.recover()
      this.tree = rec.tree
      secret = rec.secret
      sessions = rec.sessions
    } else {
      this.tree = new DataTree()
    }
    if (opts.secret) secret = opts.secret
    this.tracker = new SessionTracker(this.tickTime, opts.quorum?.id ?? opts.serverId ?? 1, undefined, opts.minSessionTimeout ?? 2 * this.tickTime, opts.maxSessionTimeout ?? 20 * this.tickTime, secret)
    // Recovered sessions get a full timeout from now, as ZooKeeper gives them after a restart.
    for (const [id, timeout] of sessions) this.tracker.add(id, timeout, Date.now())
    this.commit = (hdr, txn) => {
      const full = { ...hdr, zxid: this.tree.lastZxid + 1n }
      // Logged (and synced) before it is applied and acknowledged.
      this.txnlog?.append(full, txn)
      const result = this.tree.applyTxn(full, txn)
      if (this.txnlog?.wantsSnapshot) this.txnlog.snapshot(this.tree, this.liveSessions())
      return { zxid: full.zxid, result }
    }
    this.metrics = new ServerMetrics(opts.quorum !== undefined)
    if (opts.quorum) this.quorum = new QuorumPeer(this, opts.quorum)
    this.quorum?.on('mode', (mode: string) => this.metrics.roleChanged(mode))
  }

  /** standalone, or this peer's role; "looking" while there is no established leader. */
  get mode(): ServerMode {
    return this.quorum ? this.quorum.mode : 'standalone'
  }

  /** Whether clients are served now (a quorum peer serves only once it leads or follows an established leader). @internal */
  get serving(): boolean {
    return !this.quorum || this.quorum.mode !== 'looking'
  }

  /** Whether this server decides writes (standalone, or the quorum's leader). @internal */
  get decides(): boolean {
    return !this.quorum || this.quorum.mode === 'leader'
  }

  /** Listen; resolves with the port. */
  async listen(): Promise<number> {
    const srv = net.createServer((socket) => this.accept(socket))
    this.listener = srv
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject)
      srv.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => resolve())
    })
    if (this.opts.adminPort !== undefined) {
      const admin = new AdminServer(this)
      try {
        await admin.listen(this.opts.adminPort)
      } catch (err) {
        // A server that cannot serve its AdminServer does not start half-way: the client port goes too.
        await new Promise<void>((resolve) => srv.close(() => resolve()))
        this.listener = undefined
        throw new Error(`AdminServer could not listen on 127.0.0.1:${this.opts.adminPort}: ${(err as Error).message}`, { cause: err })
      }
      this.admin = admin
    }
    this.startTimers()
    return (srv.address() as net.AddressInfo).port
  }

  /** The AdminServer's HTTP port while it listens (with the `adminPort` option), else undefined. */
  get adminPort(): number | undefined {
    return this.admin?.port
  }

  /** Listen on the quorum port (before start()); resolves with it. @internal */
  async listenQuorum(port?: number): Promise<number> {
    if (!this.quorum) throw new Error('not a quorum peer')
    return this.quorum.listen(port)
  }

  private startTimers(): void {
    this.expiryTimer = setInterval(() => this.expireSessions(), Math.max(10, Math.floor(this.tickTime / 2)))
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
    this.quorum?.pause()
    this.admin?.pause()
    this.stopTimers()
    for (const c of this.connections) c.socket.pause()
  }

  /** Undo pause(): sessions get a full timeout from now, then requests are read again. */
  resume(): void {
    if (!this.paused) return
    this.paused = false
    // Sessions were frozen with the server: they get a full timeout from now, as after a restart.
    for (const s of this.tracker.sessions.values()) this.tracker.touch(s.id, Date.now())
    for (const c of this.connections) c.socket.resume()
    this.quorum?.resume()
    this.admin?.resume()
    this.startTimers()
  }

  /** Cut every client connection (the server stays up; sessions live on until they expire). */
  dropConnections(): void {
    for (const c of [...this.connections]) c.socket.destroy()
  }

  /** Sessions and timeouts, for snapshots. */
  private liveSessions(): Map<bigint, number> {
    return new Map([...this.tracker.sessions.values()].map((s) => [s.id, s.timeout]))
  }

  /** Stop listening and drop every connection (sessions stay in the tree until expiry or restart). */
  async close(): Promise<void> {
    this.stopTimers()
    this.txnlog?.close()
    await this.quorum?.close()
    await this.admin?.close()
    for (const c of this.connections) {
      c.closed = true
      c.socket.destroy()
    }
    this.connections.clear()
    await new Promise<void>((resolve) => (this.listener ? this.listener.close(() => resolve()) : resolve()))
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

  /** Start over from an empty tree (a peer whose committed history was replaced). @internal */
  resetState(): void {
    this.dropClients()
    this.tree = new DataTree()
    this.tracker.sessions.clear()
  }

  /** Close every client connection and forget their pending writes (a peer that lost its leader). @internal */
  dropClients(): void {
    for (const c of [...this.connections]) c.close()
    this.pending.clear()
  }

  /** The client port while listening, else undefined. */
  get port(): number | undefined {
    return (this.listener?.address() as net.AddressInfo | null)?.port
  }

  // ---- connections ----------------------------------------------------------------------------

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true)
    if (this.paused) socket.pause()
    const conn = new Connection(socket, this)
    this.connections.add(conn)
    this.metrics.connectionRequests++
    let handshaken = false
    let first = true
    socket.on('data', (chunk: Buffer) => {
      if (conn.closed) return
      this.metrics.bytesReceived += chunk.length
      if (first && chunk.length >= 4) {
        first = false
        const word = chunk.subarray(0, 4).toString('latin1')
        if (FOUR_LETTER_WORDS.has(word)) {
          socket.end(fourLetterWord(word, this))
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
      for (const f of frames) {
        if (conn.closed) return
        this.packetsReceived++
        conn.received++
        try {
          if (!handshaken) {
            handshaken = true
            this.handshake(conn, f)
          } else {
            this.request(conn, f)
          }
        } catch (err) {
          // A malformed request costs only its own connection, as in ZooKeeper.
          log('bad request from %s: %s', conn.address, (err as Error).message)
          conn.close()
        }
      }
    })
    const gone = () => {
      conn.closed = true
      this.connections.delete(conn)
      this.watches.removeTarget(conn)
      if (this.bySession.get(conn.sessionId) === conn) this.bySession.delete(conn.sessionId)
    }
    socket.on('close', gone)
    socket.on('error', gone)
  }

  private handshake(conn: Connection, frame: Buffer): void {
    // The trailing readOnly byte is optional: clients before 3.4 do not send it.
    const req = decodeConnectRequestLenient(new Reader(frame))
    // ZooKeeper answers a client that sent no readOnly byte without one too.
    const sentReadOnly = frame.length > 28 + (req.passwd?.length ?? 0)
    if (req.lastZxidSeen > this.tree.lastZxid) {
      // The client has seen a newer state than ours: ZooKeeper refuses it so it tries another server.
      log('refusing client that has seen zxid 0x%s (ours 0x%s)', req.lastZxidSeen.toString(16), this.tree.lastZxid.toString(16))
      conn.close()
      return
    }
    const timeout = this.tracker.negotiate(req.timeOut)
    const respond = (valid: boolean, id: bigint) =>
      conn.frame((w) => {
        w.int(0)
          .int(valid ? timeout : 0)
          .long(valid ? id : 0n)
          .buffer(valid ? this.tracker.password(id) : Buffer.alloc(16))
        // Whether this server is read-only (it never is), whatever the client asked for.
        if (sentReadOnly) w.bool(false)
      })
    if (!this.serving) {
      // No established leader: ZooKeeper closes the connection and the client tries another server.
      conn.close()
      return
    }
    if (req.sessionId === 0n) {
      const id = this.tracker.newId()
      const body = Buffer.alloc(4)
      body.writeInt32BE(timeout)
      const start = Date.now()
      this.await(id, 0, (zxid) => {
        this.attach(conn, id)
        conn.timeout = timeout
        respond(true, id)
        conn.stats.replied(lastOpName(OpCode.createSession), 0, zxid, start)
        this.metrics.answered(conn.stats.lastLatency, 'write')
      })
      this.submit({ sessionId: id, cxid: 0, type: OpCode.createSession, body, ids: [], address: conn.address })
      return
    }
    // As ZooKeeper does, the session's current connection goes before the password is checked:
    // even a failed attempt to take the session over ends it.
    const current = this.bySession.get(req.sessionId)
    if (current && current !== conn) {
      this.bySession.delete(req.sessionId)
      current.close()
    }
    const s = this.tracker.sessions.get(req.sessionId)
    const ok = s !== undefined && !s.closing && req.passwd !== null && this.tracker.password(req.sessionId).equals(req.passwd)
    if (!ok) {
      respond(false, 0n)
      conn.close()
      return
    }
    s.timeout = timeout
    conn.timeout = timeout
    this.tracker.touch(req.sessionId, Date.now())
    this.quorum?.touched(req.sessionId)
    this.attach(conn, req.sessionId)
    respond(true, req.sessionId)
  }

  private attach(conn: Connection, id: bigint): void {
    const old = this.bySession.get(id)
    if (old && old !== conn) old.close()
    conn.sessionId = id
    this.bySession.set(id, conn)
  }


  // ---- requests -------------------------------------------------------------------------------

  private request(conn: Connection, frame: Buffer): void {
    // A session's requests are answered in order: while its writes are in the pipeline, later
    // requests other than writes wait (and everything after a waiting request waits too).
    if (conn.backlog.length || (conn.inflight > 0 && !isWrite(frame.readInt32BE(4)))) {
      conn.backlog.push(frame)
      return
    }
    this.handle(conn, frame)
  }

  /** A write of this connection completed: run what waited behind it. */
  private drain(conn: Connection): void {
    while (conn.backlog.length && !conn.closed) {
      if (conn.inflight > 0 && !isWrite(conn.backlog[0]!.readInt32BE(4))) return
      const f = conn.backlog.shift()!
      try {
        this.handle(conn, f)
      } catch (err) {
        log('bad request from %s: %s', conn.address, (err as Error).message)
        conn.close()
      }
    }
  }

  private handle(conn: Connection, frame: Buffer): void {
    const r = new Reader(frame)
    const { xid, type } = P.decodeRequestHeader(r)
    // Auth and SASL packets are answered outside ZooKeeper's request pipeline: no trace in the stats.
    if (type !== OpCode.auth && type !== OpCode.sasl) conn.asking(xid, type)
    if (!this.tracker.touch(conn.sessionId, Date.now())) {
      // The session expired under this connection.
      conn.close()
      return
    }
    this.quorum?.touched(conn.sessionId)
    switch (type) {
      case OpCode.ping:
        return conn.reply(Xid.ping, this.tree.lastZxid, 0)
      case OpCode.auth: {
        const p = P.decodeAuthPacket(r)
        const ids = authenticate(p.scheme, p.auth, this.opts.superDigest)
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
        // No SASL is configured: ZooKeeper answers with an empty token and carries on.
        return conn.reply(xid, 0n, 0, (w) => P.encodeSetSASLResponse(w, { token: null }))
      case OpCode.setWatches:
      case OpCode.setWatches2: {
        const sw = type === OpCode.setWatches ? { ...P.decodeSetWatches(r), persistentWatches: [], persistentRecursiveWatches: [] } : P.decodeSetWatches2(r)
        this.restoreWatches(conn, sw)
        // Answered with the request's own xid: the Java client sends SetWatches with an ordinary one.
        return conn.reply(xid, this.tree.lastZxid, 0)
      }
      case OpCode.sync:
        if (this.quorum) {
          const { path } = P.decodeSyncRequest(r)
          conn.inflight++
          this.await(conn.sessionId, xid, (zxid) => {
            conn.inflight--
            conn.reply(xid, zxid, 0, (w) => P.encodeSyncResponse(w, { path }))
            this.drain(conn)
          })
          this.quorum.sync(conn.sessionId, xid)
          return
        }
        return this.read(conn, xid, type, r)
      case OpCode.closeSession:
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
      case OpCode.delete:
      case OpCode.deleteContainer:
      case OpCode.setData:
      case OpCode.setACL:
      case OpCode.check:
      case OpCode.multi:
      case OpCode.reconfig:
        return this.write(conn, xid, type, r)
      case OpCode.multiRead:
        return this.multiRead(conn, xid, r)
      default:
        return this.read(conn, xid, type, r)
    }
  }

  private write(conn: Connection, xid: number, type: number, r: Reader): void {
    conn.inflight++
    this.await(conn.sessionId, xid, (zxid, txn, result) => {
      conn.inflight--
      this.answer(conn, xid, type, zxid, txn, result)
      this.drain(conn)
    })
    this.submit({ sessionId: conn.sessionId, cxid: xid, type, body: r.rest(), ids: conn.ids, address: conn.address })
  }

  /** Wait for the commit of a session's request. */
  private await(sessionId: bigint, cxid: number, done: PendingWrite['done']): void {
    let q = this.pending.get(sessionId)
    if (!q) this.pending.set(sessionId, (q = []))
    q.push({ cxid, done })
  }

  /** Send a write on: decided here (standalone, leader) or forwarded to the leader. @internal */
  submit(req: Forwarded): void {
    if (this.quorum) return this.quorum.submit(req)
    const { hdr, txn } = this.prepare(req, this.tree)
    this.propose(hdr, txn)
  }

  /** Prep a request against `view` (the tree with every change already decided). @internal */
  prepare(req: Forwarded, view: DataTree): { hdr: Omit<TxnHeader, 'zxid'>; txn: Txn } {
    const hdr = { clientId: req.sessionId, cxid: req.cxid, time: BigInt(Date.now()) }
    if (req.type === OpCode.createSession) return { hdr, txn: { type: 'createSession', timeout: req.body.readInt32BE(0) } }
    // As ZooKeeper's prep checks: a request of a session that is gone or closing changes nothing
    // (else an ephemeral could outlive its session).
    const session = this.tracker.sessions.get(req.sessionId)
    if (!session || session.closing) return { hdr, txn: { type: 'error', err: ErrorCode.SESSIONEXPIRED } }
    if (req.type === OpCode.closeSession) {
      session.closing = true
      return { hdr, txn: { type: 'closeSession' } }
    }
    const ctx: RequestContext = { sessionId: req.sessionId, ids: req.ids, address: req.address, ttlEnabled: this.opts.ttlEnabled ?? true, maxBuffer: this.maxBuffer }
    return { hdr, txn: prepWrite(view, req.type, new Reader(req.body), ctx) }
  }

  /** A decided txn: committed at once standalone, proposed to the quorum otherwise. @internal */
  propose(hdr: Omit<TxnHeader, 'zxid'>, txn: Txn): void {
    if (this.quorum) return this.quorum.propose(hdr, txn)
    const { zxid, result } = this.commit(hdr, txn)
    this.applied({ ...hdr, zxid }, txn, result)
  }

  /**
   * A committed txn was applied to the tree: keep the session table in step, fire watches, answer
   * the local request it came from, and close a closed session's connection.
   * @internal
   */
  applied(hdr: TxnHeader, txn: Txn, result: ApplyResult): void {
    const id = hdr.clientId
    if (txn.type === 'createSession') this.tracker.add(id, txn.timeout, Date.now())
    else if (txn.type === 'closeSession') this.tracker.remove(id)
    // Events first: a watcher on the requesting connection must see them before the reply.
    for (const e of result.events) this.watches.trigger(e.type, e.path)
    this.metrics.committed(result.events, (p) => this.tree.get(p)?.data?.length ?? 0)
    this.complete(id, hdr.cxid, hdr.zxid, txn, result)
    if (txn.type === 'closeSession') {
      this.pending.delete(id)
      const conn = this.bySession.get(id)
      if (conn) {
        this.bySession.delete(id)
        conn.close()
      }
      log('session 0x%s closed (%s)', id.toString(16), hdr.cxid === 0 ? 'expired' : 'by client')
    }
    for (const l of this.appliedListeners) l(hdr.zxid)
  }

  /** Answer the local request (session, cxid) if there is one. @internal */
  complete(sessionId: bigint, cxid: number, zxid: bigint, txn: Txn = { type: 'error', err: 0 }, result: ApplyResult = { err: 0, events: [] }): void {
    const q = this.pending.get(sessionId)
    if (!q) return
    const at = q.findIndex((p) => p.cxid === cxid)
    if (at < 0) return
    if (at > 0) {
      // Earlier requests of this session were lost on the way (a leader change): as ZooKeeper
      // would, drop the connection; the client retries them on its next one.
      this.pending.delete(sessionId)
      this.bySession.get(sessionId)?.close()
      return
    }
    const p = q.shift()!
    if (!q.length) this.pending.delete(sessionId)
    p.done(zxid, txn, result)
  }

  private answer(conn: Connection, xid: number, type: number, zxid: bigint, txn: Txn, result: ApplyResult): void {
    if (txn.type === 'error') conn.refused(xid)
    if (type === OpCode.closeSession) return conn.reply(xid, zxid, 0)
    if (type === OpCode.multi) {
      if (txn.type === 'error') return conn.reply(xid, zxid, txn.err)
      return conn.reply(xid, zxid, 0, (w) => encodeMultiResponse(w, multiResults(txn, result)))
    }
    if (result.err !== 0) return conn.reply(xid, zxid, result.err)
    // ZooKeeper 3.8 fails to write the reply of a check that passed (a SetDataResponse without a
    // Stat), so the client hears nothing; a failed check is answered with its error.
    if (type === OpCode.check) return
    conn.reply(xid, zxid, 0, (w) => {
      switch (type) {
        case OpCode.create:
          return P.encodeCreateResponse(w, { path: result.path! })
        case OpCode.create2:
        case OpCode.createContainer:
        case OpCode.createTTL:
          return P.encodeCreate2Response(w, { path: result.path!, stat: result.stat! })
        case OpCode.setData:
          return P.encodeSetDataResponse(w, { stat: result.stat! })
        case OpCode.setACL:
          return P.encodeSetACLResponse(w, { stat: result.stat! })
      }
    })
  }

  private read(conn: Connection, xid: number, type: number, r: Reader): void {
    const zxid = this.tree.lastZxid
    let out: ReturnType<ZooKeeperServer['readOp']>
    try {
      out = this.readOp(conn, type, r)
    } catch (err) {
      if (!(err instanceof MarshallingError)) throw err
      // A body that does not decode fails this request alone; the connection stays, as in ZooKeeper.
      out = ErrorCode.MARSHALLINGERROR
    }
    if (out === ErrorCode.UNIMPLEMENTED) {
      // ZooKeeper 3.8 answers an unknown opcode with UNIMPLEMENTED and zxid -1, then drops the connection.
      conn.reply(xid, -1n, out)
      conn.close()
      return
    }
    if (typeof out === 'number') return conn.reply(xid, zxid, out)
    conn.reply(xid, zxid, 0, out)
  }

  /** A read op: the reply body writer, or an error code. */
  private readOp(conn: Connection, type: number, r: Reader): ((w: Writer) => void) | number {
    const tree = this.tree
    // ZooKeeper validates the paths of writes only: a read of a path no node can have is NONODE.
    const readable = (p: string) => {
      const n = tree.get(p)
      if (!n) return ErrorCode.NONODE
      if (!permitted(n.acl, Perms.READ, conn.ids, conn.address)) return ErrorCode.NOAUTH
      return n
    }
    switch (type) {
      case OpCode.getData: {
        const { path, watch } = P.decodeGetDataRequest(r)
        const n = readable(path)
        if (typeof n === 'number') return n
        if (watch) this.watches.addData(path, conn)
        const stat = tree.stat(n)
        this.metrics.read(path, n.data?.length ?? 0)
        return (w) => P.encodeGetDataResponse(w, { data: n.data, stat })
      }
      case OpCode.exists: {
        const { path, watch } = P.decodeExistsRequest(r)
        // The one check ZooKeeper makes of a read's path.
        if (path.includes('\0')) return ErrorCode.BADARGUMENTS
        if (watch) this.watches.addData(path, conn)
        const n = tree.get(path)
        if (!n) return ErrorCode.NONODE
        const stat = tree.stat(n)
        this.metrics.read(path, 0)
        return (w) => P.encodeExistsResponse(w, { stat })
      }
      case OpCode.getChildren:
      case OpCode.getChildren2: {
        const { path, watch } = P.decodeGetChildrenRequest(r)
        const n = readable(path)
        if (typeof n === 'number') return n
        if (watch) this.watches.addChild(path, conn)
        const children = [...n.children]
        this.metrics.read(path, children.reduce((sum, c) => sum + c.length, 0))
        if (type === OpCode.getChildren) return (w) => P.encodeGetChildrenResponse(w, { children })
        const stat = tree.stat(n)
        return (w) => P.encodeGetChildren2Response(w, { children, stat })
      }
      case OpCode.getACL: {
        const { path } = P.decodeGetACLRequest(r)
        const n = tree.get(path)
        if (!n) return ErrorCode.NONODE
        if (!permitted(n.acl, Perms.READ | Perms.ADMIN, conn.ids, conn.address)) return ErrorCode.NOAUTH
        const stat = tree.stat(n)
        // Without ADMIN a caller sees who a digest entry names, not the hash of its password.
        const acl = permitted(n.acl, Perms.ADMIN, conn.ids, conn.address) ? n.acl : n.acl.map((a) => (a.id.scheme === 'digest' ? { perms: a.perms, id: { scheme: 'digest', id: a.id.id.replace(/:.*/s, ':x') } } : a))
        return (w) => P.encodeGetACLResponse(w, { acl, stat })
      }
      case OpCode.getAllChildrenNumber: {
        const { path } = P.decodeGetAllChildrenNumberRequest(r)
        const n = readable(path)
        if (typeof n === 'number') return n
        const totalNumber = tree.countDescendants(path)
        return (w) => P.encodeGetAllChildrenNumberResponse(w, { totalNumber })
      }
      case OpCode.getEphemerals: {
        const { prefixPath } = P.decodeGetEphemeralsRequest(r)
        // Unsorted, in the set's order, as ZooKeeper lists them; a blank prefix means all.
        const all = [...(tree.ephemerals.get(conn.sessionId) ?? [])]
        const mine = prefixPath.trim() === '' || prefixPath.trim() === '/' ? all : all.filter((p) => p.startsWith(prefixPath))
        return (w) => P.encodeGetEphemeralsResponse(w, { ephemerals: mine })
      }
      case OpCode.sync: {
        const { path } = P.decodeSyncRequest(r)
        return (w) => P.encodeSyncResponse(w, { path })
      }
      case OpCode.whoAmI: {
        // Like ZooKeeper's AuthenticationProvider.getUserName: a digest id shows only its user part.
        const clientInfo = authInfoOrder(conn.ids, conn.address).map((i) => ({ authScheme: i.scheme, user: i.scheme === 'digest' ? i.id.slice(0, i.id.indexOf(':')) : i.id }))
        return (w) => P.encodeWhoAmIResponse(w, { clientInfo })
      }
      case OpCode.addWatch: {
        const { path, mode } = P.decodeAddWatchRequest(r)
        // 0 PERSISTENT, 1 PERSISTENT_RECURSIVE; ZooKeeper fails any other mode as unmarshallable.
        if (mode !== 0 && mode !== 1) return ErrorCode.MARSHALLINGERROR
        this.watches.addPersistent(path, conn, mode === 1)
        // ZooKeeper answers with an ErrorResponse(0) body: the Java client reads it and drops the
        // connection on an empty one.
        return (w) => P.encodeErrorResponse(w, { err: 0 })
      }
      case OpCode.checkWatches:
      case OpCode.removeWatches: {
        const { path, type: kind } = type === OpCode.checkWatches ? P.decodeCheckWatchesRequest(r) : P.decodeRemoveWatchesRequest(r)
        // ZooKeeper 3.8.0 knows only Children (1), Data (2) and Any (3) here; others fail to unmarshal.
        if (kind < 1 || kind > 3) return ErrorCode.MARSHALLINGERROR
        if (!this.watches.remove(path, conn, kind, type === OpCode.checkWatches)) return ErrorCode.NOWATCHER
        return () => {}
      }
      default:
        return ErrorCode.UNIMPLEMENTED
    }
  }

  private multiRead(conn: Connection, xid: number, r: Reader): void {
    const zxid = this.tree.lastZxid
    const { err, results } = multiReadReply(this.tree, conn, r, (path, bytes) => this.metrics.read(path, bytes))
    // Not conn.reply: a multiRead of write ops is answered with an error AND a body.
    conn.frame((w) => {
      P.encodeReplyHeader(w, { xid, zxid, err })
      if (results) encodeMultiResponse(w, results)
    })
    conn.answered(xid, zxid)
  }

  /** Re-register watches after a reconnect, firing at once for changes the client missed. */
  private restoreWatches(conn: Connection, sw: P.SetWatches2): void {
    const rel = sw.relativeZxid
    for (const path of sw.dataWatches) {
      const n = this.tree.get(path)
      if (!n) conn.deliver(EventType.NodeDeleted, path)
      else if (n.mzxid > rel) conn.deliver(EventType.NodeDataChanged, path)
      else this.watches.addData(path, conn)
    }
    for (const path of sw.existWatches) {
      if (this.tree.get(path)) conn.deliver(EventType.NodeCreated, path)
      else this.watches.addData(path, conn)
    }
    for (const path of sw.childWatches) {
      const n = this.tree.get(path)
      if (!n) conn.deliver(EventType.NodeDeleted, path)
      else if (n.pzxid > rel) conn.deliver(EventType.NodeChildrenChanged, path)
      else this.watches.addChild(path, conn)
    }
    for (const path of sw.persistentWatches) this.watches.addPersistent(path, conn, false)
    for (const path of sw.persistentRecursiveWatches) this.watches.addPersistent(path, conn, true)
  }

  /** Expire a session: a closeSession txn with cxid 0 (ephemerals go, watches fire, its connection closes). */
  private expire(id: bigint): void {
    this.propose({ clientId: id, cxid: 0, time: BigInt(Date.now()) }, { type: 'closeSession' })
  }

  private expireSessions(): void {
    if (!this.decides) return
    for (const s of this.tracker.expired(Date.now())) this.expire(s.id)
  }

  /** Delete empty containers that once had children, and TTL nodes past their time with no children. */
  private reapContainersAndTtl(): void {
    if (!this.decides) return
    const now = BigInt(Date.now())
    const doomed: string[] = []
    // The leader looks at the tree with every decided change, committed or not.
    const view = this.quorum?.view ?? this.tree
    for (const [path, n] of view.nodes) {
      if (n.children.size > 0) continue
      if (n.ephemeralOwner === -0x8000000000000000n) {
        if (n.cversion > 0) doomed.push(path)
      } else if ((BigInt.asUintN(64, n.ephemeralOwner) & 0xff00000000000000n) === 0xff00000000000000n) {
        const ttl = BigInt.asUintN(64, n.ephemeralOwner) & 0xffffffffffn
        if (now - n.mtime > ttl) doomed.push(path)
      }
    }
    for (const path of doomed) this.propose({ clientId: 0n, cxid: 0, time: now }, { type: 'delete', path })
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

