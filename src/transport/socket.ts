// TCP or TLS transport: connect with a timeout, split incoming bytes into frames, coalesce frames
// written in the same tick into one socket write.
import net from 'node:net'
import tls from 'node:tls'
import { FrameDecoder } from './frame-decoder.js'
import type { ConnectOptions, Transport, TransportFactory } from './transport.js'
import type { HostPort } from '../session/types.js'
import { ConnectionLossError } from '../errors.js'

class SocketTransport implements Transport {
  onFrame: (frame: Buffer) => void = () => {}
  onClose: (err?: Error) => void = () => {}
  private queue: Buffer[] = []
  private flushScheduled = false
  private closed = false
  private readonly decoder: FrameDecoder

  constructor(private readonly socket: net.Socket, readonly remote: string, maxFrame: number) {
    this.decoder = new FrameDecoder(maxFrame)
    socket.on('data', (chunk: Buffer) => {
      if (this.closed) return
      let frames: Buffer[]
      try {
        frames = this.decoder.push(chunk)
      } catch (err) {
        this.fail(err as Error)
        return
      }
      for (const f of frames) {
        if (this.closed) return
        this.onFrame(f)
      }
    })
    socket.on('error', (err) => this.fail(err))
    socket.on('close', () => this.fail(new ConnectionLossError(`connection to ${remote} closed`)))
  }

  write(frame: Buffer): void {
    if (this.closed) return
    this.queue.push(frame)
    if (!this.flushScheduled) {
      this.flushScheduled = true
      // Pipelined calls made in one tick leave in one write (one syscall, one TCP segment when small).
      queueMicrotask(() => this.flush())
    }
  }

  private flush(): void {
    this.flushScheduled = false
    if (this.closed || this.queue.length === 0) return
    const data = this.queue.length === 1 ? this.queue[0]! : Buffer.concat(this.queue)
    this.queue = []
    this.socket.write(data)
  }

  close(): void {
    this.fail(undefined)
  }

  private fail(err: Error | undefined): void {
    if (this.closed) return
    this.closed = true
    this.queue = []
    this.socket.destroy()
    this.onClose(err)
  }
}

/** Connect over TCP (or TLS when `opts.tls` is set). */
export const socketTransport: TransportFactory = (host: HostPort, opts: ConnectOptions) =>
  new Promise<Transport>((resolve, reject) => {
    const remote = `${host.host}:${host.port}`
    const useTls = opts.tls !== undefined && opts.tls !== false
    const socket = useTls
      ? tls.connect({ host: host.host, port: host.port, servername: net.isIP(host.host) ? undefined : host.host, ...(typeof opts.tls === 'object' ? opts.tls : {}) })
      : net.connect({ host: host.host, port: host.port })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new ConnectionLossError(`connect to ${remote} timed out after ${opts.connectTimeout} ms`))
    }, opts.connectTimeout)
    const onError = (err: Error) => {
      clearTimeout(timer)
      socket.destroy()
      reject(new ConnectionLossError(`connect to ${remote} failed: ${err.message}`, { cause: err }))
    }
    socket.once('error', onError)
    socket.once(useTls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer)
      socket.off('error', onError)
      socket.setNoDelay(true)
      resolve(new SocketTransport(socket, remote, opts.maxFrame))
    })
  })
