// In-process transport for tests: a client Transport whose other end is a MemoryPeer played by the
// test (or a fake server), with hooks to cut the link, hold traffic, or refuse connections. No
// sockets and no timers: everything is delivered on microtasks, in order, never re-entrantly.
import { FrameDecoder, encodeFrame } from './frame-decoder.js'
import type { ConnectOptions, HostPort, Transport, TransportFactory } from './transport.js'
import { ConnectionLossError } from '../errors.js'

/** The server end of one in-memory connection. */
export interface MemoryPeer {
  readonly host: HostPort
  /** Send raw bytes to the client (a whole frame needs its 4-byte length prefix). */
  sendRaw(bytes: Buffer): void
  /** Send one frame body to the client (the length prefix is added). */
  send(body: Buffer): void
  /** Break the link from the server side, after whatever was already sent has been delivered. */
  cut(): void
  /** Hold traffic in both directions (a stalled network) until resume(); held bytes then arrive in order. */
  pause(): void
  resume(): void
  /** True once either side closed the link. */
  readonly closed: boolean
  /** Frame bodies the client sent, in order. */
  readonly received: Buffer[]
  /** Set by the server side: told when the link closes, from either end. */
  onClose: (err?: Error) => void
}

/** Plays the server for each new connection: `onFrame(cb)` registers the handler of client frames. */
export type MemoryAcceptor = (peer: MemoryPeer, onFrame: (cb: (frame: Buffer) => void) => void) => void

/** Options of memoryNetwork(). */
export interface MemoryNetworkOptions {
  /** Hosts for which a connect attempt fails at once (a server that is down). */
  refuse?: (host: HostPort) => boolean
}

/** One client↔server link; the client end is a Transport. */
export function memoryLink(
  host: HostPort,
  conn: Pick<ConnectOptions, 'maxFrame'>,
): { transport: Transport; peer: MemoryPeer; onServerFrame: (cb: (frame: Buffer) => void) => void } {
  const toServer = new FrameDecoder(Number.MAX_SAFE_INTEGER)
  const toClient = new FrameDecoder(conn.maxFrame)
  let serverHandler: (frame: Buffer) => void = () => {}
  let closed = false
  let paused = false
  const held: (() => void)[] = []
  const received: Buffer[] = []

  /** Run `deliver` on a microtask, or later on resume() while paused; nothing runs after close. */
  const schedule = (deliver: () => void) => {
    const run = () => {
      if (!closed) deliver()
    }
    if (paused) held.push(run)
    else queueMicrotask(run)
  }

  const shut = (err: Error | undefined) => {
    if (closed) return
    closed = true
    held.length = 0
    queueMicrotask(() => {
      transport.onClose(err)
      peer.onClose(err)
    })
  }

  const transport: Transport = {
    remote: `${host.host}:${host.port}`,
    onFrame: () => {},
    onClose: () => {},
    write(frame) {
      if (closed) return
      const bodies = toServer.push(frame)
      for (const body of bodies) {
        received.push(body)
        schedule(() => serverHandler(body))
      }
    },
    close() {
      shut(undefined)
    },
  }

  const peer: MemoryPeer = {
    host,
    received,
    onClose: () => {},
    get closed() {
      return closed
    },
    sendRaw(bytes) {
      if (closed) return
      const copy = Buffer.from(bytes)
      schedule(() => {
        let frames: Buffer[]
        try {
          frames = toClient.push(copy)
        } catch (err) {
          // An oversized or negative length: the client side drops the link, as a socket would.
          shut(err as Error)
          return
        }
        for (const f of frames) if (!closed) transport.onFrame(f)
      })
    },
    send(body) {
      peer.sendRaw(encodeFrame(body))
    },
    cut() {
      // Queued behind what was sent before, like a FIN after the data; a paused link just breaks.
      if (paused) shut(new ConnectionLossError(`connection to ${transport.remote} cut`))
      else queueMicrotask(() => shut(new ConnectionLossError(`connection to ${transport.remote} cut by the server`)))
    },
    pause() {
      paused = true
    },
    resume() {
      if (!paused) return
      paused = false
      for (const run of held.splice(0)) queueMicrotask(run)
    },
  }
  return { transport, peer, onServerFrame: (cb) => (serverHandler = cb) }
}

/** A TransportFactory of in-memory links; `accept` plays the server side of each new one. */
export function memoryNetwork(accept: MemoryAcceptor, opts: MemoryNetworkOptions = {}): TransportFactory {
  return async (host: HostPort, conn: ConnectOptions): Promise<Transport> => {
    if (opts.refuse?.(host)) throw new ConnectionLossError(`connect to ${host.host}:${host.port} refused`, { op: 'connect' })
    const link = memoryLink(host, conn)
    accept(link.peer, link.onServerFrame)
    return link.transport
  }
}
