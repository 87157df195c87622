// A scripted ZooKeeper server over the in-memory transport, for session and client unit tests: it
// speaks the handshake and request framing, answers pings and closeSession, and lets each test decide
// every other reply.
import { Reader } from '../jute/reader.js'
import { Writer } from '../jute/writer.js'
import {
  decodeConnectRequest,
  decodeRequestHeader,
  encodeConnectResponse,
  encodeReplyHeader,
  encodeWatcherEvent,
  type ConnectRequest,
  type RequestHeader,
} from '../jute/generated/proto.generated.js'
import { OpCode, Xid } from '../protocol.js'
import { memoryNetwork, type MemoryPeer } from '../transport/memory.js'
import type { TransportFactory } from '../transport/transport.js'
import type { HostPort } from '../session/types.js'

/** A request as the fake server saw it. */
export interface FakeRequest {
  conn: FakeConnection
  header: RequestHeader
  /** A fresh reader positioned at the request body (each access starts over). */
  readonly body: Reader
}

/** What a handler answers: a reply now (err and body writer), or 'hold' to answer later via conn.reply(). */
export type FakeAnswer = { err?: number; zxid?: bigint; body?: (w: Writer) => void } | 'hold'

/** One client connection to the fake server. */
export interface FakeConnection {
  peer: MemoryPeer
  connect: ConnectRequest
  sessionId: bigint
  /** Send a reply for `xid`. */
  reply(xid: number, answer: { err?: number; zxid?: bigint; body?: (w: Writer) => void }): void
  /** Send a watch notification. */
  notify(type: number, path: string, state?: number): void
}

/** A fake ensemble of hosts h0..hN on the in-memory network. */
export class FakeZooKeeper {
  readonly hosts: HostPort[]
  readonly connections: FakeConnection[] = []
  readonly requests: FakeRequest[] = []
  /** Session timeout to grant (default: what the client asked for). */
  grantTimeout: number | undefined
  /** Sessions the server has expired: reconnects get timeOut 0. */
  readonly expired = new Set<bigint>()
  /** Hosts that refuse connections. */
  readonly down = new Set<string>()
  /** Answer to every ordinary request; default: err 0 with no body. */
  handler: (req: FakeRequest) => FakeAnswer = () => ({})
  /** Called when a client connects (after the handshake reply). */
  onConnection: (conn: FakeConnection) => void = () => {}
  private nextSession = 0x100n
  private waiters: { test: () => boolean; resolve: () => void }[] = []

  constructor(count = 3) {
    this.hosts = Array.from({ length: count }, (_, i) => ({ host: `h${i}`, port: 2181 }))
  }

  /** The transport factory to give the session. */
  get factory(): TransportFactory {
    return memoryNetwork((peer, onFrame) => this.accept(peer, onFrame), { refuse: (h) => this.down.has(h.host) })
  }

  /** Resolve once `test()` holds (checked after every frame the server gets). */
  until(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ test, resolve }))
  }

  /** Requests of one opcode seen so far. */
  seen(op: number): FakeRequest[] {
    return this.requests.filter((r) => r.header.type === op)
  }

  private check(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.test()) return true
      w.resolve()
      return false
    })
  }

  private accept(peer: MemoryPeer, onFrame: (cb: (frame: Buffer) => void) => void): void {
    let conn: FakeConnection | undefined
    onFrame((frame) => {
      const r = new Reader(frame)
      if (!conn) {
        const req = decodeConnectRequest(r)
        const resumed = req.sessionId !== 0n
        const dead = resumed && this.expired.has(req.sessionId)
        const sessionId = resumed ? req.sessionId : this.nextSession++
        const w = new Writer()
        encodeConnectResponse(w, {
          protocolVersion: 0,
          timeOut: dead ? 0 : (this.grantTimeout ?? req.timeOut),
          sessionId: dead ? 0n : sessionId,
          passwd: Buffer.alloc(16, 7),
          readOnly: false,
        })
        peer.send(w.toBuffer())
        conn = {
          peer,
          connect: req,
          sessionId,
          reply: (xid, a) => {
            const rw = new Writer()
            encodeReplyHeader(rw, { xid, zxid: a.zxid ?? 0n, err: a.err ?? 0 })
            a.body?.(rw)
            peer.send(rw.toBuffer())
          },
          notify: (type, path, state = 3) => {
            const nw = new Writer()
            encodeReplyHeader(nw, { xid: Xid.notification, zxid: -1n, err: 0 })
            encodeWatcherEvent(nw, { type, state, path })
            peer.send(nw.toBuffer())
          },
        }
        if (dead) {
          peer.cut()
        } else {
          this.connections.push(conn)
          this.onConnection(conn)
        }
        this.check()
        return
      }
      const header = decodeRequestHeader(r)
      const at = r.offset
      const c = conn
      const req: FakeRequest = {
        conn: c,
        header,
        get body() {
          return new Reader(frame, at)
        },
      }
      this.requests.push(req)
      if (header.type === OpCode.ping) conn.reply(Xid.ping, {})
      else if (header.type === OpCode.closeSession) conn.reply(header.xid, {})
      else if (header.xid === Xid.auth || header.xid === Xid.setWatches) {
        const a = this.handler(req)
        conn.reply(header.xid, a === 'hold' ? {} : a)
      } else {
        const a = this.handler(req)
        if (a !== 'hold') conn.reply(header.xid, a)
      }
      this.check()
    })
  }
}
