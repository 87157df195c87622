// A ZooKeeper client on a bare socket, for tests that must control exactly what a server is sent and
// when it is read: pipelined or hostile requests, a client that stops reading. It opens a session
// with a ConnectRequest and collects whole reply frames as they come; nothing more.
import net from 'node:net'
import { once } from 'node:events'
import { Writer } from '../jute/writer.js'
import { Reader } from '../jute/reader.js'
import * as P from '../jute/generated/proto.generated.js'
import { FrameDecoder } from '../transport/frame-decoder.js'
import { OpCode, Xid } from '../protocol.js'
import type { ZooKeeperServer } from '../ensemble/server.js'
import type { ClientConnection } from '../ensemble/client-connection.js'

/** A length-prefixed frame of what `fill` writes. */
export function frame(fill: (w: Writer) => void): Buffer {
  const w = new Writer(256)
  const at = w.beginFrame()
  fill(w)
  w.endFrame(at)
  return w.toBuffer()
}

export const getDataFrame = (xid: number, path: string, watch = false): Buffer =>
  frame((w) => {
    P.encodeRequestHeader(w, { xid, type: OpCode.getData })
    P.encodeGetDataRequest(w, { path, watch })
  })

export const setDataFrame = (xid: number, path: string, data: Buffer): Buffer =>
  frame((w) => {
    P.encodeRequestHeader(w, { xid, type: OpCode.setData })
    P.encodeSetDataRequest(w, { path, data, version: -1 })
  })

/** A ConnectRequest for a new session of `timeout` ms. */
export const connectRequestFrame = (timeout = 30_000): Buffer =>
  frame((w) =>
    P.encodeConnectRequest(w, {
      protocolVersion: 0,
      lastZxidSeen: 0n,
      timeOut: timeout,
      sessionId: 0n,
      passwd: Buffer.alloc(16),
      readOnly: false,
    }),
  )

export const pingFrame = (): Buffer => frame((w) => P.encodeRequestHeader(w, { xid: Xid.ping, type: OpCode.ping }))

/** Each reply's header (xid, zxid, err), in the order they came. */
export const replies = (frames: Buffer[]): P.ReplyHeader[] => frames.map((f) => P.decodeReplyHeader(new Reader(f)))

export class RawClient {
  /** Reply frames (length prefix removed) not yet taken. */
  readonly frames: Buffer[] = []
  private readonly decoder = new FrameDecoder(64 << 20)
  private waiting: (() => void) | undefined

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.frames.push(...this.decoder.push(chunk))
      this.waiting?.()
    })
    socket.on('error', () => {})
  }

  /** Connect to 127.0.0.1:port; the socket is destroyed at the test's teardown. */
  static async connect(t: { teardown(fn: () => void): void }, port: number): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1')
    t.teardown(() => void socket.destroy())
    await once(socket, 'connect')
    return new RawClient(socket)
  }

  /** Open a session: the ConnectRequest, then its answer. */
  async handshake(timeout = 30_000): Promise<void> {
    this.socket.write(connectRequestFrame(timeout))
    await this.next(1)
    this.frames.shift()
  }

  /** Resolve once `count` frames have come (or reject when the server closes first). */
  async next(count: number): Promise<void> {
    while (this.frames.length < count) {
      if (this.socket.destroyed || this.socket.readableEnded) throw new Error(`closed after ${this.frames.length} of ${count} frames`)
      await new Promise<void>((resolve) => {
        const done = () => {
          this.socket.off('close', done)
          this.waiting = undefined
          resolve()
        }
        this.waiting = done
        this.socket.once('close', done)
      })
    }
  }

  /** Send one request and resolve with its reply frame (the frames before it stay). */
  async call(request: Buffer): Promise<Buffer> {
    const before = this.frames.length
    this.socket.write(request)
    await this.next(before + 1)
    return this.frames.splice(before, 1)[0]!
  }

  /** The server side of this connection. */
  on(server: ZooKeeperServer): ClientConnection {
    const conn = [...server.connections].find((c) => c.socket.remotePort === this.socket.localPort)
    if (!conn) throw new Error(`no connection from port ${this.socket.localPort}`)
    return conn
  }
}
