// One connection-state manager per client for the recipes (Curator's ConnectionStateManager): the
// client's session states translated into Curator's CONNECTED, SUSPENDED, RECONNECTED, LOST and
// READ_ONLY, and the error policy that says which of them cost a recipe its leadership.
import { TypedEventEmitter, type SessionState, type ZooKeeper } from '../src/index.js'

/**
 * The connection as Curator names it:
 * - CONNECTED: the first session of this client is established (told once per client)
 * - SUSPENDED: the connection dropped; the session may still be alive, or may expire before the
 *   client is back (whatever a recipe holds may be lost)
 * - RECONNECTED: connected again after SUSPENDED (the same session) or after LOST (a new session,
 *   with `renewExpiredSession: true`; what the old session held is gone)
 * - LOST: the session is gone: it expired (the server said so, or no server answered within the
 *   session timeout: the client decides that by itself, as Curator 5 does after its session timeout
 *   while suspended), the server refused the client's credentials, or the client was closed. Its
 *   ephemeral nodes are gone. LOST stays until a new session connects
 * - READ_ONLY: connected to a server that lost its quorum. The client does not tell a read-only
 *   session from a read-write one (both are 'connected'), so this state is never produced today; it
 *   is part of the vocabulary so that code written against Curator's states keeps compiling
 */
export type ConnectionState = 'CONNECTED' | 'SUSPENDED' | 'RECONNECTED' | 'LOST' | 'READ_ONLY'

/**
 * Which connection states count as errors for a recipe that leads or holds something (Curator's
 * ConnectionStateErrorPolicy):
 * - 'standard' (the default, Curator's StandardConnectionStateErrorPolicy): SUSPENDED and LOST; a
 *   leader steps down as soon as the connection drops, so two leaders never act at once even when
 *   the session expires unseen
 * - 'session-only' (Curator's SessionConnectionStateErrorPolicy): only LOST; a leader keeps leading
 *   through a dropped connection and steps down only once the session is gone, trading that
 *   guarantee for fewer leadership changes on a flaky network
 */
export type ConnectionStateErrorPolicy = 'standard' | 'session-only'

/** The option of the recipes that take an error policy (LeaderLatch, LeaderSelector). */
export interface ErrorPolicyOptions {
  /** When leadership must be given up; 'standard' (SUSPENDED or LOST) unless set. */
  errorPolicy?: ConnectionStateErrorPolicy
}

/**
 * The client's states in which its session is gone for good. They are the client's terminal states;
 * the client does not export that set, and recipes use only its public API.
 */
const SESSION_GONE: ReadonlySet<SessionState> = new Set(['expired', 'authFailed', 'closed'])

/**
 * The connection state after the client reports `session`, given the state before (undefined while
 * no session was ever established). Pure: the manager's whole translation.
 */
export function nextConnectionState(current: ConnectionState | undefined, session: SessionState): ConnectionState | undefined {
  if (SESSION_GONE.has(session)) return 'LOST'
  switch (session) {
    case 'connected':
      if (current === undefined) return 'CONNECTED'
      // Already connected: a repeated report changes nothing.
      return current === 'CONNECTED' || current === 'RECONNECTED' ? current : 'RECONNECTED'
    case 'disconnected':
      // Curator suspends only a connection that is neither suspended nor lost already.
      return current === 'SUSPENDED' || current === 'LOST' ? current : 'SUSPENDED'
    default:
      // 'connecting': looking for a (new) session tells nothing new; after LOST it stays LOST.
      return current
  }
}

/** Whether `state` means connected (Curator's isConnected: CONNECTED, RECONNECTED or READ_ONLY). */
export function isConnectedState(state: ConnectionState | undefined): boolean {
  return state === 'CONNECTED' || state === 'RECONNECTED' || state === 'READ_ONLY'
}

/** Whether `state` is an error under `policy` (see ConnectionStateErrorPolicy); no state yet is none. */
export function isErrorState(state: ConnectionState | undefined, policy: ConnectionStateErrorPolicy = 'standard'): boolean {
  return state === 'LOST' || (state === 'SUSPENDED' && policy === 'standard')
}

/** The events of a ConnectionStateManager. */
export interface ConnectionStateEvents {
  /** The connection state changed: the new one, and the one before (undefined before the first). */
  change: [state: ConnectionState, previous: ConnectionState | undefined]
}

/**
 * The connection states of one client. Get it with connectionStateOf(zk): every recipe on a client
 * shares one, so they all agree on what happened. 'change' is emitted synchronously while the
 * client emits its 'state' event, each change once.
 */
export class ConnectionStateManager extends TypedEventEmitter<ConnectionStateEvents> {
  private current: ConnectionState | undefined

  /** @internal use connectionStateOf(zk), which keeps one manager per client */
  constructor(private readonly zk: ZooKeeper) {
    super()
    // Every recipe on the client listens here (the client itself then has one listener): dozens
    // of locks and caches on one client are normal, not a leak.
    this.setMaxListeners(0)
    // A client that is already connected (or suspended, or gone) starts from where it is.
    this.current = nextConnectionState(undefined, zk.state)
    zk.on('state', (session) => this.observe(session))
  }

  /**
   * The current state (undefined before the first session). Read from the client's state as it is
   * now, so it is right even inside another 'state' listener that runs before this manager's.
   */
  get state(): ConnectionState | undefined {
    return nextConnectionState(this.current, this.zk.state)
  }

  /** Whether the client is connected now (Curator's isConnected). */
  get isConnected(): boolean {
    return isConnectedState(this.state)
  }

  /**
   * Whether the client may still get a session: false once it is closed, its credentials were
   * refused, or its session expired without `renewExpiredSession` (with it, the client is already
   * connecting again once the 'expired' listeners have run). After that nothing can be taken again.
   */
  get canReconnect(): boolean {
    return !SESSION_GONE.has(this.zk.state)
  }

  private observe(session: SessionState): void {
    const previous = this.current
    const next = nextConnectionState(previous, session)
    if (next === undefined || next === previous) return
    // Set before emitting: a listener that changes the client's state re-enters with this one.
    this.current = next
    this.emit('change', next, previous)
  }
}

const managers = new WeakMap<ZooKeeper, ConnectionStateManager>()

/** The connection-state manager of `zk`, made on first use and kept as long as the client. */
export function connectionStateOf(zk: ZooKeeper): ConnectionStateManager {
  let manager = managers.get(zk)
  if (!manager) {
    manager = new ConnectionStateManager(zk)
    managers.set(zk, manager)
  }
  return manager
}
