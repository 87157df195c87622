// The narrow interface the session uses to talk to one server: whole frames out, whole frames in,
// close, and one notice when the link is gone. Sockets (socket.ts) and tests (memory.ts) implement it.
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls'

/** One server to connect to: a host of the connect string. */
export interface HostPort {
  host: string
  port: number
}

/** One connection to one server. */
export interface Transport {
  /**
   * Queue one frame, its 4-byte length prefix included. Frames written in the same tick leave in one
   * socket write. Writing after close is a no-op. The buffer must not be modified afterwards.
   */
  write(frame: Buffer): void
  /** Close the link; onClose fires once (possibly synchronously). Idempotent. */
  close(): void
  /** Set by the owner: called with each whole incoming frame body (no length prefix), in order. */
  onFrame: (frame: Buffer) => void
  /**
   * Set by the owner: called exactly once when the link is gone, with the reason when it failed
   * (e.g. a ProtocolError for an oversized frame), or undefined after close().
   */
  onClose: (err?: Error) => void
  /** "host:port" of the server, for logs and messages. */
  readonly remote: string
}

/** Options of one connection attempt. */
export interface ConnectOptions {
  /** Give up opening the link after this many ms. */
  connectTimeout: number
  /** Largest incoming frame body accepted; a larger one closes the link with a ProtocolError. */
  maxFrame: number
  /** Use TLS (true: default options; an object: node:tls connect options). */
  tls?: boolean | TlsConnectionOptions
}

/** Opens a connection to one server; rejects (ConnectionLossError) when it cannot within the timeout. */
export type TransportFactory = (host: HostPort, opts: ConnectOptions) => Promise<Transport>
