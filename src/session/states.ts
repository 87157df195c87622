// Session state rules, pure: the transition table (state, input) → state, and the one mapping from
// wire KeeperStates (as carried in WatcherEvent.state) to the user-facing SessionState.
import { KeeperState } from '../protocol.js'
import { TERMINAL_STATES, type SessionState } from './types.js'

/**
 * What can happen to a session:
 * - handshake: a server accepted the session (ConnectResponse with a positive timeout)
 * - lost: the connection dropped, or an attempt failed
 * - expire: the server said timeout 0, or no server was reachable within the session timeout
 * - authFail: the server answered an auth packet with AUTHFAILED
 * - close: the user closed the session
 */
export type SessionInput = 'handshake' | 'lost' | 'expire' | 'authFail' | 'close'

const TABLE: Readonly<Record<SessionState, Partial<Record<SessionInput, SessionState>>>> = {
  // Failed attempts before the first session keep us 'connecting': there is nothing to suspend yet.
  connecting: { handshake: 'connected', lost: 'connecting', expire: 'expired', authFail: 'authFailed', close: 'closed' },
  connected: { lost: 'disconnected', expire: 'expired', authFail: 'authFailed', close: 'closed' },
  disconnected: { handshake: 'connected', lost: 'disconnected', expire: 'expired', authFail: 'authFailed', close: 'closed' },
  // Terminal states only give way to 'closed', so close() after expiry still reports that it ran.
  expired: { close: 'closed' },
  authFailed: { close: 'closed' },
  closed: {},
}

/** The state after `input` in state `from`, or undefined when the input is not allowed there. */
export function transition(from: SessionState, input: SessionInput): SessionState | undefined {
  return TABLE[from][input]
}

/** Whether a state is final: the session is unusable and never connects again. */
export function isTerminal(s: SessionState): boolean {
  return TERMINAL_STATES.has(s)
}

/**
 * The SessionState a wire KeeperState stands for: SyncConnected and ConnectedReadOnly (and
 * SaslAuthenticated, which only arrives on a live connection) are 'connected'; unknown values give
 * undefined.
 */
export function sessionStateOf(keeperState: number): SessionState | undefined {
  switch (keeperState) {
    case KeeperState.SyncConnected:
    case KeeperState.ConnectedReadOnly:
    case KeeperState.SaslAuthenticated:
      return 'connected'
    case KeeperState.Disconnected:
      return 'disconnected'
    case KeeperState.Expired:
      return 'expired'
    case KeeperState.AuthFailed:
      return 'authFailed'
    case KeeperState.Closed:
      return 'closed'
    default:
      return undefined
  }
}
