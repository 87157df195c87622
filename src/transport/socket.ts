// TCP or TLS transport: connect with a timeout, split incoming bytes into frames, coalesce frames
// written in the same tick into one socket write, and hold further writes while the socket drains.
import net from 'node:net'
import tls from 'node:tls'
import { FrameDecoder } from './frame-decoder.js'
import type { ConnectOptions, HostPort, Transport, TransportFactory } from './transport.js'
import { ConnectionLossError } from '../errors.js'
import { logger } from '../debug.js'

const log = logger('transport')

/** A connected socket seen as a Transport. */
class SocketTransport implements Transport {
  onFrame: (frame: Buffer) => void = () => {}
  onClose: (err?: Error) => void = () => {}
  /** Frames written since the last flush. */
  private queue: Buffer[] = []
  private flushQueued = false
  /** socket.write() returned false: wait for 'drain' before writing more. */
  private blocked = false
  private closed = false
  private readonly decoder: FrameDecoder

  constructor(
    private readonly socket: net.Socket,
    readonly remote: string,
    maxFrame: number,
  ) {
    this.decoder = new FrameDecoder(maxFrame)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('drain', () => {
      this.blocked = false
      this.flush()
    })
    // Every socket error ends up here; none may escape as an unhandled 'error' event.
    socket.on('error', (err) => this.end(new ConnectionLossError(`connection to ${remote} failed: ${err.message}`, { cause: err })))
    socket.on('close', () => this.end(new ConnectionLossError(`connection to ${remote} closed by the server`)))
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return
    let frames: Buffer[]
    try {
      frames = this.decoder.push(chunk)
    } catch (err) {
      this.end(err as Error)
      return
    }
    for (const frame of frames) {
      if (this.closed) return
      try {
        this.onFrame(frame)
      } catch (err) {
        // The owner's bug must not become an exception inside the socket's event emitter.
        log('frame handler of %s threw; closing: %s', this.remote, (err as Error).message)
        this.end(err as Error)
        return
      }
    }
  }

  write(frame: Buffer): void {
    if (this.closed) return
    this.queue.push(frame)
    if (this.flushQueued || this.blocked) return
    this.flushQueued = true
    // Calls pipelined in one tick leave in one write: one syscall, and one TCP segment when small.
    queueMicrotask(() => {
      this.flushQueued = false
      this.flush()
    })
  }

  private flush(): void {
    if (this.closed || this.blocked || this.queue.length === 0) return
    const data = this.queue.length === 1 ? this.queue[0]! : Buffer.concat(this.queue)
    this.queue = []
    if (!this.socket.write(data)) {
      // The kernel buffer is full; keep further frames here until 'drain' rather than piling them
      // into the socket's own buffer.
      this.blocked = true
    }
  }

  close(): void {
    this.end(undefined)
  }

  private end(err: Error | undefined): void {
    if (this.closed) return
    this.closed = true
    this.queue = []
    this.socket.destroy()
    if (err) log('%s: %s', this.remote, err.message)
    this.onClose(err)
  }
}

/** Open a TCP connection (TLS when `opts.tls` is set), with TCP_NODELAY, within `opts.connectTimeout`. */
export const socketTransport: TransportFactory = (host: HostPort, opts: ConnectOptions) =>
  new Promise<Transport>((resolve, reject) => {
    const remote = net.isIPv6(host.host) ? `[${host.host}]:${host.port}` : `${host.host}:${host.port}`
    const useTls = opts.tls !== undefined && opts.tls !== false
    const socket = useTls
      ? tls.connect({
          host: host.host,
          port: host.port,
          // SNI only for names; sending an IP address as servername is not allowed.
          servername: net.isIP(host.host) ? undefined : host.host,
          ...(typeof opts.tls === 'object' ? opts.tls : {}),
        })
      : net.connect({ host: host.host, port: host.port })
    let settled = false
    const fail = (err: ConnectionLossError) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      reject(err)
    }
    const timer = setTimeout(() => {
      // Our own timer, not the OS's: give it the code a socket timeout has, so callers test one field.
      const timedOut = Object.assign(new Error(`connect ETIMEDOUT ${remote} (no connection within ${opts.connectTimeout} ms)`), {
        code: 'ETIMEDOUT',
      })
      fail(new ConnectionLossError(`connect to ${remote} timed out after ${opts.connectTimeout} ms`, { op: 'connect', cause: timedOut }))
    }, opts.connectTimeout)
    // Stays attached until the transport has its own handlers, so no error is ever unhandled.
    const onEarlyError = (err: Error) =>
      fail(new ConnectionLossError(`connect to ${remote} failed: ${err.message}`, { op: 'connect', cause: err }))
    socket.on('error', onEarlyError)
    socket.once('close', () => fail(new ConnectionLossError(`connection to ${remote} closed while connecting`, { op: 'connect' })))
    socket.once(useTls ? 'secureConnect' : 'connect', () => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.setNoDelay(true)
      const transport = new SocketTransport(socket, remote, opts.maxFrame)
      socket.off('error', onEarlyError)
      resolve(transport)
    })
  })
