// The transition table and the wire-state mapping.
import t from 'tap'
import { isTerminal, sessionStateOf, transition, type SessionInput } from './states.js'
import { KeeperState } from '../protocol.js'
import type { SessionState } from './types.js'

const states: SessionState[] = ['connecting', 'connected', 'disconnected', 'expired', 'authFailed', 'closed']
const inputs: SessionInput[] = ['handshake', 'lost', 'expire', 'authFail', 'close']

t.test('the usual life of a session', async (t) => {
  let s: SessionState = 'connecting'
  const walk = (['lost', 'handshake', 'lost', 'lost', 'handshake', 'close'] as SessionInput[]).map((i) => (s = transition(s, i)!))
  t.same(walk, ['connecting', 'connected', 'disconnected', 'disconnected', 'connected', 'closed'])
  t.equal(transition('disconnected', 'expire'), 'expired')
  t.equal(transition('connected', 'authFail'), 'authFailed')
  t.equal(transition('connected', 'handshake'), undefined, 'no handshake while connected')
})

t.test('terminal states are never left, except expired/authFailed → closed', async (t) => {
  for (const from of states.filter(isTerminal)) {
    for (const input of inputs) {
      const to = transition(from, input)
      if (from !== 'closed' && input === 'close') t.equal(to, 'closed', `${from} + close`)
      else t.equal(to, undefined, `${from} + ${input}`)
    }
  }
  t.same(states.filter(isTerminal), ['expired', 'authFailed', 'closed'])
})

t.test('every live state can expire, fail auth and close', async (t) => {
  for (const from of states.filter((s) => !isTerminal(s))) {
    t.equal(transition(from, 'expire'), 'expired')
    t.equal(transition(from, 'authFail'), 'authFailed')
    t.equal(transition(from, 'close'), 'closed')
  }
})

t.test('wire KeeperState → SessionState', async (t) => {
  t.equal(sessionStateOf(KeeperState.SyncConnected), 'connected')
  t.equal(sessionStateOf(KeeperState.ConnectedReadOnly), 'connected')
  t.equal(sessionStateOf(KeeperState.SaslAuthenticated), 'connected')
  t.equal(sessionStateOf(KeeperState.Disconnected), 'disconnected')
  t.equal(sessionStateOf(KeeperState.Expired), 'expired')
  t.equal(sessionStateOf(KeeperState.AuthFailed), 'authFailed')
  t.equal(sessionStateOf(KeeperState.Closed), 'closed')
  t.equal(sessionStateOf(42), undefined)
})
