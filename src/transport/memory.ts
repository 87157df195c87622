// In-process transport for tests: a connection whose server side is a callback, with hooks to cut
// the link or hold traffic. No sockets, no timers.
import { FrameDecoder } from './frame-decoder.js'
import type { ConnectOptions, Transport, TransportFactory } from './transport.js'
import type { HostPort } from '../session/types.js'
import { ConnectionLossError } from '../errors.js'

/** The server end of one in-memory connection. */
export interface MemoryPeer {
  readonly host: HostPort
  /** Send raw bytes to the client (a whole frame needs its 4-byte length prefix). */
  sendRaw(bytes: Buffer): void
  /** Send one frame body (the length prefix is added). */
  send(body: Buffer): void
  /** Close the connection from the server side. */
  cut(): void
  readonly closed: boolean
  /** Frames the client sent (bodies, without length prefix), in order. */
  readonly received: Buffer[]
}

/** A factory of in-memory connections: `onConnect` plays the server for each new connection. */
export function memoryNetwork(onConnect: (peer: MemoryPeer, onFrame: (cb: (frame: Buffer) => void) => void) => void, opts: { refuse?: (host: HostPort) => boolean } = {}): TransportFactory {
  return async (host: HostPort, conn: ConnectOptions): Promise<Transport> => {
    if (opts.refuse?.(host)) throw new ConnectionLossError(`connect to ${host.host}:${host.port} refused`)
    const toServer = new FrameDecoder(Number.MAX_SAFE_INTEGER)
    const toClient = new FrameDecoder(conn.maxFrame)
    let serverHandler: (frame: Buffer) => void = () => {}
    let closed = false
    const received: Buffer[] = []
    const transport: Transport = {
      remote: `${host.host}:${host.port}`,
      onFrame: () => {},
      onClose: () => {},
      write(frame) {
        if (closed) return
        for (const f of toServer.push(frame)) {
          received.push(f)
          // Deliver on a microtask, like a socket would deliver later, never re-entrantly.
          queueMicrotask(() => !closed && serverHandler(f))
        }
      },
      close() {
        shut(undefined)
      },
    }
    const shut = (err: Error | undefined) => {
      if (closed) return
      closed = true
      queueMicrotask(() => transport.onClose(err))
    }
    const peer: MemoryPeer = {
      host,
      received,
      get closed() {
        return closed
      },
      sendRaw(bytes) {
        if (closed) return
        queueMicrotask(() => {
          if (closed) return
          let frames: Buffer[]
          try {
            frames = toClient.push(bytes)
          } catch (err) {
            shut(err as Error)
            return
          }
          for (const f of frames) if (!closed) transport.onFrame(f)
        })
      },
      send(body) {
        const framed = Buffer.alloc(4 + body.length)
        framed.writeInt32BE(body.length, 0)
        body.copy(framed, 4)
        peer.sendRaw(framed)
      },
      cut() {
        // After anything already sent, like a socket that flushes before its FIN.
        queueMicrotask(() => shut(new ConnectionLossError('connection cut by the server')))
      },
    }
    onConnect(peer, (cb) => (serverHandler = cb))
    return transport
  }
}
