// The option and callback types of client calls, on their own so that the files the client is built
// from (transaction.ts, write-ops.ts, watch-stream.ts) can name them without importing the client.
import type { ACL } from './jute/generated/proto.generated.js'
import type { CreateMode } from './protocol.js'
import type { SessionState } from './session/types.js'

/** Per-call options. */
export interface CallOptions {
  /** Abort the call: it rejects with an AbortedError (the request may already have reached the server). */
  signal?: AbortSignal
  /** ms; overrides ClientOptions.requestTimeout. */
  timeout?: number
}

/** Data accepted for a znode: bytes, or a string (UTF-8). */
export type Data = Buffer | Uint8Array | string | null | undefined

/** A watch notification as users see it. */
export interface WatchedEvent {
  /** What happened, by name ('none' for session events). */
  type:
    'created' | 'deleted' | 'dataChanged' | 'childrenChanged' | 'dataWatchRemoved' | 'childWatchRemoved' | 'persistentWatchRemoved' | 'none'
  /** The wire EventType. */
  eventType: number
  /** The session state the event reports: 'connected' for node events, 'expired'/'closed' at session end. */
  state: SessionState
  /** The wire KeeperState. */
  keeperState: number
  /** Client-side path (chroot stripped); '' for session events. */
  path: string
}

/** A watch callback. */
export type Watcher = (event: WatchedEvent) => void

/** Options of create(). */
export interface CreateOptions extends CallOptions {
  /** A CreateMode value or its name (default PERSISTENT). */
  mode?: CreateMode | keyof typeof CreateMode
  /** ACL of the new node (default ClientOptions.defaultACL). */
  acl?: ACL[]
  /** Time to live in ms, for the TTL modes only. */
  ttl?: number
}
