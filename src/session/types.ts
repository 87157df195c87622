// The contract between the session layer (src/session/) and the client (src/client.ts):
// what a session offers upward, independent of sockets, timers or records.
import type { Reader } from '../jute/reader.js'
import type { Writer } from '../jute/writer.js'

/**
 * Session states as users see them.
 * - connecting: no session yet (first connect in progress)
 * - connected: session established, requests flow
 * - disconnected: the connection dropped; the session may still be alive (Curator calls this SUSPENDED);
 *   requests made now wait in the unsent queue until reconnect, their timeout, or expiry
 * - expired: the server (or the client-side timer) declared the session dead; terminal
 * - authFailed: authentication was rejected; terminal
 * - closed: close() was called; terminal
 */
export type SessionState = 'connecting' | 'connected' | 'disconnected' | 'expired' | 'authFailed' | 'closed'

/** States after which a session never becomes usable again. */
export const TERMINAL_STATES: ReadonlySet<SessionState> = new Set(['expired', 'authFailed', 'closed'])

/** Server-side paths (chroot already applied) to re-register on reconnect with SetWatches2. */
export interface WatchSet {
  data: string[]
  exist: string[]
  child: string[]
  persistent: string[]
  persistentRecursive: string[]
}

/** A notification as it came off the wire (path is the server-side path). */
export interface RawWatcherEvent {
  type: number
  state: number
  path: string
}

/** Why the latest attempt to reach a server failed (or the latest connection ended). */
export interface ConnectFailure {
  /** "host:port" that was tried. */
  remote: string
  /**
   * The most specific error known: the socket's own (its `code` ECONNREFUSED, ENOTFOUND,
   * ETIMEDOUT…) when there was one, else the transport's or the handshake's.
   */
  error: Error
}

/** Per-call options accepted by Session.request(). */
export interface RequestOptions {
  /** Operation name for errors and logs ("getData"). */
  op: string
  /** Path for errors (client-side, chroot stripped). */
  path?: string
  /** Abort the call; the promise rejects with AbortedError. The request may already have been sent. */
  signal?: AbortSignal
  /** Milliseconds before the promise rejects with OperationTimeoutError (counted from the call). */
  timeout?: number
  /**
   * Called synchronously while the reply frame is processed, before the promise settles and before any
   * later frame is looked at. The client registers watches here (go-zookeeper's recvFunc habit) so a
   * notification that follows the reply always finds its watcher.
   */
  onReply?: (err: number, zxid: bigint) => void
  /** Bytes of znode data the request carries: lets a too-large request say how much data would fit. */
  dataBytes?: number
}

/** What the client needs from a session. */
export interface SessionLike {
  readonly state: SessionState
  readonly sessionId: bigint
  readonly sessionPassword: Buffer
  /** Timeout the server granted, in ms (0 before the first connect). */
  readonly negotiatedTimeout: number
  /** Highest zxid seen in any reply. */
  readonly lastZxid: bigint
  /** Why the latest connection attempt failed; cleared once a server grants the session. */
  readonly lastConnectFailure?: ConnectFailure | undefined
  /**
   * Send a request and resolve with its decoded reply body. Rejects with the typed ZooKeeperError for a
   * non-zero reply err (via errorFromCode with op/path), ConnectionLossError when the connection drops
   * before the reply, SessionExpiredError / ClientClosedError in terminal states, OperationTimeoutError,
   * AbortedError. `encodeBody` null means no body; `decodeBody` null means the reply has no body.
   */
  request<T>(
    opcode: number,
    encodeBody: ((w: Writer) => void) | null,
    decodeBody: ((r: Reader) => T) | null,
    opts: RequestOptions,
  ): Promise<T>
  /** Send an AuthPacket (xid -4); remembered and re-sent after every reconnect. Rejects with AuthFailedError. */
  addAuth(scheme: string, auth: Buffer): Promise<void>
  /** The watch layer tells the session which watches to restore after a reconnect. */
  setWatchSource(source: () => WatchSet): void
  /** Notification listener: called synchronously in frame order. */
  onEvent(listener: (event: RawWatcherEvent) => void): () => void
  /** State listener: called with (next, previous) after each transition, never re-entrantly. */
  onState(listener: (next: SessionState, prev: SessionState) => void): () => void
  /** Send closeSession, wait for its reply (bounded), close the socket; idempotent. */
  close(): Promise<void>
}
