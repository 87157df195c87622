// One client connection and its handshake: frames in and out, the per-connection stats that cons
// and stat print, watch delivery, and the ConnectRequest that opens or resumes a session.
import type net from 'node:net'
import { Reader } from '../jute/reader.js'
import type { Writer } from '../jute/writer.js'
import { FrameDecoder } from '../transport/frame-decoder.js'
import * as P from '../jute/generated/proto.generated.js'
import { KeeperState, OpCode, Xid } from '../protocol.js'
import { decodeConnectRequestLenient } from '../jute/quirks.js'
import { logger } from '../debug.js'
import type { AuthId } from './acl.js'
import type { DigestMd5Server } from './sasl.js'
import { ConnectionStats, lastOpName } from './connection-stats.js'
import type { ServerMetrics } from './server-metrics.js'
import type { SessionTracker } from './session-tracker.js'
import type { WatchTarget } from './watch-manager.js'
import type { WritePipeline } from './pipeline.js'
import type { Commit } from './commit.js'
import { GatheredWrites } from './gathered-writes.js'

const log = logger('ensemble')

const WRITES = new Set<number>([
  OpCode.create,
  OpCode.create2,
  OpCode.createContainer,
  OpCode.createTTL,
  OpCode.delete,
  OpCode.deleteContainer,
  OpCode.setData,
  OpCode.setACL,
  OpCode.check,
  OpCode.multi,
  OpCode.reconfig,
  OpCode.closeSession,
])

/** Whether a request of this opcode goes through the write pipeline. */
export const isWrite = (type: number) => WRITES.has(type)

/** The server-wide counters a connection adds to. */
export interface ConnectionCounters {
  readonly maxBuffer: number
  readonly metrics: ServerMetrics
  /** Frames sent to clients, all connections together. */
  packetsSent: number
}

/** One client connection of the server. */
export class ClientConnection implements WatchTarget {
  sessionId = 0n
  ids: AuthId[] = []
  /** The identities the client's TLS certificate earned (x509, and super for the super user), if it showed one. */
  certificateIds: AuthId[] | undefined
  /** This connection's SASL exchange, once the client started one on a server with SASL users. */
  sasl: DigestMd5Server | undefined
  closed = false
  received = 0
  sent = 0
  /** Requests sent down the write pipeline (writes, syncs) and not yet answered. */
  inflight = 0
  /** Requests held until this session's earlier writes complete (reads see their own writes). */
  backlog: Buffer[] = []
  /** Frames read off the socket but not yet looked at, while the server does not read this connection. */
  unread: Buffer[] = []
  /** Whether the first frame (the ConnectRequest) has come. */
  handshaken = false
  /** A new session is being created for this connection: its requests wait until it exists (ZooKeeper's disableRecv). */
  awaitingSession = false
  /** Whether the server reads this connection now (false while throttled or paused), for `cons`. */
  reading = true
  /** The most reply bytes the socket held unwritten at once (backpressure tests read it). */
  peakUnwrittenBytes = 0
  /** The negotiated session timeout (0 before the handshake), for `cons`. */
  timeout = 0
  readonly stats = new ConnectionStats()
  /** Requests being answered, by xid: their opcode and arrival time, for the stats. */
  private readonly asked = new Map<number, { type: number; start: number; refused: boolean }>()
  /** Replies produced in one callback go out in one socket write. */
  private readonly out: GatheredWrites
  private readonly frames: FrameDecoder

  constructor(
    readonly socket: net.Socket,
    private readonly counters: ConnectionCounters,
  ) {
    // As ZooKeeper's NIOServerCnxn: a request longer than jute.maxbuffer closes the connection.
    this.frames = new FrameDecoder(counters.maxBuffer)
    this.out = new GatheredWrites(socket)
  }

  /** Reply bytes not yet on the wire: gathered for this turn's write, or held by the socket. */
  get unwrittenBytes(): number {
    return this.out.unwrittenBytes
  }

  /** Socket writes made for this connection's frames. */
  get socketWrites(): number {
    return this.out.writes
  }

  /** Requests read and not yet answered: writes in the pipeline and what waits behind them. */
  get outstanding(): number {
    return this.inflight + this.backlog.length
  }

  get address(): string {
    return this.socket.remoteAddress ?? ''
  }

  /** Send one frame (the length prefix then what `fill` writes), with the others of this turn. */
  frame(fill: (w: Writer) => void): void {
    if (this.closed) return
    const length = this.out.frame(fill)
    this.sent++
    this.counters.packetsSent++
    this.counters.metrics.responseSize.add(length - 4)
    const unwritten = this.out.unwrittenBytes
    if (unwritten > this.peakUnwrittenBytes) this.peakUnwrittenBytes = unwritten
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
    this.counters.metrics.answered(this.stats.lastLatency, isWrite(a.type) ? 'write' : 'read')
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
    // What was answered before the close still goes, as it would have without the gathering.
    this.out.flush()
    this.socket.end()
    this.socket.destroySoon?.()
  }
}

/** What a handshake needs of the server. */
export interface HandshakeDeps {
  readonly tracker: SessionTracker
  readonly pipeline: WritePipeline
  readonly commit: Commit
  readonly metrics: ServerMetrics
  /** Whether clients are served now (a looking quorum peer serves none). */
  readonly serving: boolean
  /** The connection that holds each session on this server. */
  readonly bySession: Map<bigint, ClientConnection>
  /** A new session of `conn` exists: run the requests that waited for it. */
  opened(conn: ClientConnection): void
}

/** The first frame of a connection: a ConnectRequest that opens a new session or resumes one. */
export function handshake(conn: ClientConnection, frame: Buffer, deps: HandshakeDeps): void {
  const { tracker, pipeline } = deps
  // The trailing readOnly byte is optional: clients before 3.4 do not send it.
  const req = decodeConnectRequestLenient(new Reader(frame))
  // ZooKeeper answers a client that sent no readOnly byte without one too.
  const sentReadOnly = frame.length > 28 + (req.passwd?.length ?? 0)
  const lastZxid = pipeline.tree.lastZxid
  if (req.lastZxidSeen > lastZxid) {
    // The client has seen a newer state than ours: ZooKeeper refuses it so it tries another server.
    log('refusing client that has seen zxid 0x%s (ours 0x%s)', req.lastZxidSeen.toString(16), lastZxid.toString(16))
    conn.close()
    return
  }
  const timeout = tracker.negotiate(req.timeOut)
  const respond = (valid: boolean, id: bigint) =>
    conn.frame((w) => {
      w.int(0)
        .int(valid ? timeout : 0)
        .long(valid ? id : 0n)
        .buffer(valid ? tracker.password(id) : Buffer.alloc(16))
      // Whether this server is read-only (it never is), whatever the client asked for.
      if (sentReadOnly) w.bool(false)
    })
  if (!deps.serving) {
    // No established leader: ZooKeeper closes the connection and the client tries another server.
    conn.close()
    return
  }
  if (req.sessionId === 0n) {
    const id = tracker.newId()
    const body = Buffer.alloc(4)
    body.writeInt32BE(timeout)
    const start = Date.now()
    conn.awaitingSession = true
    pipeline.write({ sessionId: id, cxid: 0, type: OpCode.createSession, body, ids: [], address: conn.address }, (zxid) => {
      attach(conn, id, deps.bySession)
      conn.timeout = timeout
      respond(true, id)
      conn.stats.replied(lastOpName(OpCode.createSession), 0, zxid, start)
      deps.metrics.answered(conn.stats.lastLatency, 'write')
      // Requests the client sent before this answer run now, in order, under the new session.
      conn.awaitingSession = false
      deps.opened(conn)
    })
    return
  }
  // As ZooKeeper does, the session's current connection goes before the password is checked:
  // even a failed attempt to take the session over ends it.
  const current = deps.bySession.get(req.sessionId)
  if (current && current !== conn) {
    deps.bySession.delete(req.sessionId)
    current.close()
  }
  const s = tracker.sessions.get(req.sessionId)
  const ok = s !== undefined && !s.closing && req.passwd !== null && tracker.password(req.sessionId).equals(req.passwd)
  if (!ok) {
    respond(false, 0n)
    conn.close()
    return
  }
  s.timeout = timeout
  conn.timeout = timeout
  tracker.touch(req.sessionId, Date.now())
  deps.commit.touched(req.sessionId)
  attach(conn, req.sessionId, deps.bySession)
  respond(true, req.sessionId)
}

function attach(conn: ClientConnection, id: bigint, bySession: Map<bigint, ClientConnection>): void {
  const old = bySession.get(id)
  if (old && old !== conn) old.close()
  conn.sessionId = id
  bySession.set(id, conn)
}
