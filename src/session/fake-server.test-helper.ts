// A scripted in-process ZooKeeper responder for the session tests: it decodes ConnectRequest and
// RequestHeader, answers the handshake, pings, auth, SetWatches and closeSession itself, and lets
// each test script every other reply (or hold it and answer later, or send raw hostile bytes).
import { Reader } from '../jute/reader.js'
import { Writer } from '../jute/writer.js'
import {
  decodeAuthPacket,
  decodeConnectRequest,
  decodeRequestHeader,
  encodeConnectResponse,
  encodeReplyHeader,
  encodeWatcherEvent,
  type ConnectRequest,
} from '../jute/generated/proto.generated.js'
import { ErrorCode, KeeperState, OpCode, Xid } from '../protocol.js'
import { memoryNetwork, type MemoryPeer } from '../transport/memory.js'
import type { HostPort, TransportFactory } from '../transport/transport.js'

/** A reply to script: error code, zxid, and a body writer. */
export interface ScriptedReply {
  err?: number
  zxid?: bigint
  body?: (w: Writer) => void
}

/** A request as the server received it. */
export interface Received {
  conn: ServerConn
  xid: number
  type: number
  /** The request body (after the header). */
  body: Buffer
  /** A reader over the body, fresh on each access. */
  readonly reader: Reader
}

/** One accepted client connection. */
export class ServerConn {
  /** The ConnectRequest that opened it. */
  connect!: ConnectRequest
  /** The session it serves (0n until the handshake was answered). */
  sessionId = 0n
  readonly requests: Received[] = []

  constructor(readonly peer: MemoryPeer) {}

  get host(): string {
    return this.peer.host.host
  }

  /** Send a reply frame for `xid`. */
  reply(xid: number, r: ScriptedReply = {}): void {
    this.peer.send(replyFrame(xid, r))
  }

  /** Send a watch notification (xid -1). */
  notify(type: number, path: string, state: number = KeeperState.SyncConnected): void {
    this.peer.send(notificationFrame(type, path, state))
  }

  /** Requests of one opcode on this connection. */
  seen(type: number): Received[] {
    return this.requests.filter((r) => r.type === type)
  }
}

/** A reply frame body: ReplyHeader and the scripted body. */
export function replyFrame(xid: number, r: ScriptedReply = {}): Buffer {
  const w = new Writer()
  encodeReplyHeader(w, { xid, zxid: r.zxid ?? 0n, err: r.err ?? 0 })
  r.body?.(w)
  return w.toBuffer()
}

/** A notification frame body: ReplyHeader{xid -1, zxid -1} and a WatcherEvent. */
export function notificationFrame(type: number, path: string, state: number = KeeperState.SyncConnected): Buffer {
  const w = new Writer()
  encodeReplyHeader(w, { xid: Xid.notification, zxid: -1n, err: 0 })
  encodeWatcherEvent(w, { type, state, path })
  return w.toBuffer()
}

/** An ensemble of fake servers z0..z(n-1) on the in-memory network. */
export class FakeServer {
  readonly hosts: HostPort[]
  readonly conns: ServerConn[] = []
  /** Every request received, in order, over all connections. */
  readonly log: Received[] = []
  /** Hosts that refuse connections. */
  readonly down = new Set<string>()
  /** Every connection attempt, refused or not, by host name. */
  readonly attempts: string[] = []
  /** Hosts that accept the link but never answer the handshake. */
  readonly mute = new Set<string>()
  /** Sessions the server considers expired: a reconnect gets timeOut 0. */
  readonly expired = new Set<bigint>()
  /** Timeout to grant; default: what the client asked for. */
  grant: ((requested: number) => number) | undefined
  /** Answer to ordinary requests; 'hold' leaves the reply to the test. Default: ok, no body. */
  respond: (req: Received) => ScriptedReply | 'hold' = () => ({})
  /** Error code for an auth packet (default 0). */
  authResult: (scheme: string, auth: Buffer | null) => number = () => 0
  private nextSession = 0x1000n
  private waiters: { ready: () => boolean; resolve: () => void }[] = []

  constructor(count = 3) {
    this.hosts = Array.from({ length: count }, (_, i) => ({ host: `z${i}`, port: 2181 }))
  }

  /** The TransportFactory to hand the session. */
  readonly factory: TransportFactory = memoryNetwork((peer, onFrame) => this.accept(peer, onFrame), {
    refuse: (h) => {
      this.attempts.push(h.host)
      const refused = this.down.has(h.host)
      if (refused) queueMicrotask(() => this.poke())
      return refused
    },
  })

  /** Resolves once `ready()` holds; re-checked after every connection, frame and close. */
  until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ ready, resolve }))
  }

  /** Requests of one opcode, over all connections. */
  seen(type: number): Received[] {
    return this.log.filter((r) => r.type === type)
  }

  /** The newest connection. */
  get last(): ServerConn {
    return this.conns[this.conns.length - 1]!
  }

  private poke(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.ready()) return true
      w.resolve()
      return false
    })
  }

  private accept(peer: MemoryPeer, onFrame: (cb: (frame: Buffer) => void) => void): void {
    const conn = new ServerConn(peer)
    this.conns.push(conn)
    peer.onClose = () => this.poke()
    let greeted = false
    onFrame((frame) => {
      if (!greeted) {
        greeted = true
        conn.connect = decodeConnectRequest(new Reader(frame))
        if (!this.mute.has(conn.host)) this.handshake(conn)
      } else {
        this.request(conn, frame)
      }
      this.poke()
    })
    this.poke()
  }

  private handshake(conn: ServerConn): void {
    const req = conn.connect
    const dead = req.sessionId !== 0n && this.expired.has(req.sessionId)
    conn.sessionId = req.sessionId !== 0n ? req.sessionId : this.nextSession++
    const w = new Writer()
    encodeConnectResponse(w, {
      protocolVersion: 0,
      timeOut: dead ? 0 : (this.grant?.(req.timeOut) ?? req.timeOut),
      sessionId: dead ? 0n : conn.sessionId,
      passwd: Buffer.alloc(16, 0xab),
      readOnly: false,
    })
    conn.peer.send(w.toBuffer())
    // A real server closes the link right after telling a client its session expired.
    if (dead) conn.peer.cut()
  }

  private request(conn: ServerConn, frame: Buffer): void {
    const r = new Reader(frame)
    const { xid, type } = decodeRequestHeader(r)
    const body = frame.subarray(r.offset)
    const req: Received = {
      conn,
      xid,
      type,
      body,
      get reader() {
        return new Reader(body)
      },
    }
    conn.requests.push(req)
    this.log.push(req)
    switch (type) {
      case OpCode.ping:
        conn.reply(Xid.ping)
        return
      case OpCode.auth: {
        const { scheme, auth } = decodeAuthPacket(req.reader)
        const err = this.authResult(scheme, auth)
        conn.reply(Xid.auth, { err })
        // ZooKeeper closes the connection after refusing credentials.
        if (err === ErrorCode.AUTHFAILED) conn.peer.cut()
        return
      }
      case OpCode.setWatches:
      case OpCode.setWatches2:
        conn.reply(Xid.setWatches)
        return
      case OpCode.closeSession:
        conn.reply(xid)
        conn.peer.cut()
        return
    }
    const answer = this.respond(req)
    if (answer !== 'hold') conn.reply(xid, answer)
  }
}
