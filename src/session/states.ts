// Session state rules: which transitions are allowed, and how wire KeeperStates map to them.
import { KeeperState } from '../protocol.js'
import { TERMINAL_STATES, type SessionState } from './types.js'

const ALLOWED: Record<SessionState, readonly SessionState[]> = {
  connecting: ['connected', 'expired', 'authFailed', 'closed'],
  connected: ['disconnected', 'expired', 'authFailed', 'closed'],
  disconnected: ['connected', 'expired', 'authFailed', 'closed'],
  expired: ['closed'],
  authFailed: ['closed'],
  closed: [],
}

/** Whether `from → to` is a legal transition (a terminal state is never left, except for closed). */
export function canTransition(from: SessionState, to: SessionState): boolean {
  return ALLOWED[from].includes(to)
}

/** Whether a state is final. */
export function isTerminal(s: SessionState): boolean {
  return TERMINAL_STATES.has(s)
}

/** The wire KeeperState matching a session state (for events delivered to watchers). */
export function keeperStateOf(s: SessionState): number {
  switch (s) {
    case 'connected':
      return KeeperState.SyncConnected
    case 'expired':
      return KeeperState.Expired
    case 'authFailed':
      return KeeperState.AuthFailed
    case 'closed':
      return KeeperState.Closed
    default:
      return KeeperState.Disconnected
  }
}
