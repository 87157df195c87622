// The connection-state manager on its own: session states in, Curator's connection states out, and
// the two error policies. A stand-in client emits the states, so no server is involved.
import t from 'tap'
import { TypedEventEmitter, type SessionState, type ZooKeeper } from '../src/index.js'
import {
  ConnectionStateManager,
  connectionStateOf,
  isConnectedState,
  isErrorState,
  nextConnectionState,
  type ConnectionState,
} from './connection-state.js'

/** What the manager reads of a client: its state and its 'state' events. */
class StandInClient extends TypedEventEmitter<{ state: [next: SessionState, previous: SessionState] }> {
  constructor(public state: SessionState = 'connecting') {
    super()
  }
  report(...states: SessionState[]): void {
    for (const next of states) {
      const previous = this.state
      this.state = next
      this.emit('state', next, previous)
    }
  }
}

/** A manager on a fresh stand-in client, and every change it emits. */
function managed(initial?: SessionState) {
  const client = new StandInClient(initial)
  const manager = connectionStateOf(client as unknown as ZooKeeper)
  const changes: string[] = []
  manager.on('change', (state, previous) => changes.push(`${previous ?? '-'}>${state}`))
  return { client, manager, changes }
}

/** The states the pure translation gives for a sequence, from no state. */
function translate(states: SessionState[]): (ConnectionState | undefined)[] {
  let current: ConnectionState | undefined
  return states.map((s) => (current = nextConnectionState(current, s)))
}

t.test('translation: each session state sequence gives Curator states', async (t) => {
  t.same(translate(['connecting', 'connected']), [undefined, 'CONNECTED'], 'the first session is CONNECTED')
  t.same(translate(['connected', 'disconnected', 'connected']), ['CONNECTED', 'SUSPENDED', 'RECONNECTED'], 'a drop and a reconnect')
  t.same(
    translate(['connected', 'disconnected', 'connected', 'disconnected', 'connected']),
    ['CONNECTED', 'SUSPENDED', 'RECONNECTED', 'SUSPENDED', 'RECONNECTED'],
    'CONNECTED only once',
  )
  t.same(translate(['connected', 'disconnected', 'disconnected']), ['CONNECTED', 'SUSPENDED', 'SUSPENDED'], 'suspended stays suspended')
  for (const gone of ['expired', 'authFailed', 'closed'] as const) {
    t.same(translate(['connected', gone]), ['CONNECTED', 'LOST'], `${gone} while connected is LOST`)
    t.same(translate(['connected', 'disconnected', gone]), ['CONNECTED', 'SUSPENDED', 'LOST'], `${gone} while suspended is LOST`)
    t.same(translate(['connecting', gone]), [undefined, 'LOST'], `${gone} before any session is LOST`)
  }
  t.same(translate(['connected', 'expired', 'closed']), ['CONNECTED', 'LOST', 'LOST'], 'closing after expiry stays LOST')
  t.same(
    translate(['connected', 'expired', 'connecting', 'connected']),
    ['CONNECTED', 'LOST', 'LOST', 'RECONNECTED'],
    'a renewed session: LOST until RECONNECTED',
  )
  t.same(translate(['connected', 'expired', 'disconnected']), ['CONNECTED', 'LOST', 'LOST'], 'nothing suspends a lost connection')
  t.equal(nextConnectionState('RECONNECTED', 'connected'), 'RECONNECTED', 'a repeated connected changes nothing')
  t.equal(nextConnectionState('READ_ONLY', 'connected'), 'RECONNECTED', 'read-only to read-write is RECONNECTED')
})

t.test('error policies and isConnected', async (t) => {
  const all: (ConnectionState | undefined)[] = [undefined, 'CONNECTED', 'SUSPENDED', 'RECONNECTED', 'LOST', 'READ_ONLY']
  t.same(
    all.filter((s) => isErrorState(s, 'standard')),
    ['SUSPENDED', 'LOST'],
    'standard: SUSPENDED and LOST',
  )
  t.same(
    all.filter((s) => isErrorState(s)),
    ['SUSPENDED', 'LOST'],
    'standard is the default',
  )
  t.same(
    all.filter((s) => isErrorState(s, 'session-only')),
    ['LOST'],
    'session-only: LOST',
  )
  t.same(all.filter(isConnectedState), ['CONNECTED', 'RECONNECTED', 'READ_ONLY'])
})

t.test('the manager emits each change once, with the state before', async (t) => {
  const { client, manager, changes } = managed()
  t.equal(manager.state, undefined, 'no state before the first session')
  t.notOk(manager.isConnected)
  client.report('connected', 'disconnected', 'disconnected', 'connected', 'expired', 'connecting', 'connected', 'closed')
  t.same(changes, [
    '->CONNECTED',
    'CONNECTED>SUSPENDED',
    'SUSPENDED>RECONNECTED',
    'RECONNECTED>LOST',
    'LOST>RECONNECTED',
    'RECONNECTED>LOST',
  ])
  t.equal(manager.state, 'LOST')
  t.notOk(manager.canReconnect, 'a closed client cannot reconnect')
})

t.test('one manager per client, starting from where the client is', async (t) => {
  const client = new StandInClient('connected')
  const zk = client as unknown as ZooKeeper
  const manager = connectionStateOf(zk)
  t.equal(connectionStateOf(zk), manager, 'the same manager every time')
  t.ok(manager instanceof ConnectionStateManager)
  t.equal(manager.state, 'CONNECTED', 'a connected client starts CONNECTED')
  t.equal(client.listenerCount('state'), 1, 'one listener on the client')
  t.equal(managed('disconnected').manager.state, 'SUSPENDED', 'a suspended client starts SUSPENDED')
  t.equal(managed('expired').manager.state, 'LOST', 'a client whose session is gone starts LOST')
  const late = managed('disconnected')
  late.client.report('connected')
  t.same(late.changes, ['SUSPENDED>RECONNECTED'], 'and reconnects from there')
})

t.test('state is current even for a client listener that runs before the manager', async (t) => {
  const client = new StandInClient('connected')
  const seen: (ConnectionState | undefined)[] = []
  let manager: ConnectionStateManager | undefined
  client.on('state', () => seen.push(manager!.state))
  manager = connectionStateOf(client as unknown as ZooKeeper) // its listener comes second
  client.report('disconnected', 'connected', 'authFailed')
  t.same(seen, ['SUSPENDED', 'RECONNECTED', 'LOST'])
})

t.test('canReconnect: false only once the session is gone', async (t) => {
  const { client, manager } = managed()
  const seen: boolean[] = []
  for (const s of ['connected', 'disconnected', 'expired', 'connecting', 'connected', 'authFailed'] as const) {
    client.report(s)
    seen.push(manager.canReconnect)
  }
  t.same(seen, [true, true, false, true, true, false], 'a renewing client is connecting again after expired')
})

t.test('a listener that changes the client state: the nested change starts from the state being told', async (t) => {
  const { client, manager, changes } = managed('connected')
  manager.once('change', (state) => state === 'SUSPENDED' && client.report('closed'))
  client.report('disconnected')
  t.same(changes, ['CONNECTED>SUSPENDED', 'SUSPENDED>LOST'])
  t.equal(manager.state, 'LOST')
})
