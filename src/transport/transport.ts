// The narrow interface the session uses to talk to one server: frames out, frames in, close.
import type { HostPort } from '../session/types.js'

/** One connection to one server. Frames are whole records with their 4-byte length prefix (out) or without it (in). */
export interface Transport {
  /** Queue a frame (length prefix included). Frames written in one tick go out in one socket write. */
  write(frame: Buffer): void
  /** Close the connection; onClose fires once. */
  close(): void
  /** Called for each whole incoming frame body, in order. */
  onFrame: (frame: Buffer) => void
  /** Called once when the connection is gone, with the reason when it failed. */
  onClose: (err?: Error) => void
  /** "host:port" of the server, for logs. */
  readonly remote: string
}

/** Options of a connection attempt. */
export interface ConnectOptions {
  connectTimeout: number
  /** Largest incoming frame body accepted. */
  maxFrame: number
  tls?: boolean | import('node:tls').ConnectionOptions
}

/** Opens a connection to one server; rejects when it cannot be opened within the timeout. */
export type TransportFactory = (host: HostPort, opts: ConnectOptions) => Promise<Transport>
