// LeaderSelector and the connection: which connection states interrupt a running leader under each
// error policy, and that a selector on a client that cannot reconnect stops queueing.
import t, { type Test } from 'tap'
import { ensembleWithClients } from '../src/testing/ensemble-clients.js'
import { IllegalStateError } from '../src/index.js'
import { LeaderSelector } from './leader-selector.js'
import type { ConnectionStateErrorPolicy } from './connection-state.js'
import { atConnectionState } from './testing/connection-states.js'

/** A started selector whose leader runs until its signal aborts; `turn()` resolves at each new turn with its signal. */
async function selecting(t: Test, errorPolicy?: ConnectionStateErrorPolicy) {
  const { ens, zks } = await ensembleWithClients(t, 1, 4000)
  const zk = zks[0]!
  const signals: AbortSignal[] = []
  let onTurn: (() => void) | undefined
  const turn = () => new Promise<AbortSignal>((resolve) => (onTurn = () => resolve(signals.at(-1)!)))
  const first = turn()
  const selector = new LeaderSelector(
    zk,
    '/select',
    (signal) => {
      signals.push(signal)
      onTurn?.()
      return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()))
    },
    { errorPolicy },
  )
  selector.start()
  t.teardown(() => selector.close())
  return { ens, zk, selector, signals, turn, first: await first }
}

/** The message of the error a signal aborted with. */
const reasonOf = (signal: AbortSignal) => (signal.reason instanceof IllegalStateError ? signal.reason.message : String(signal.reason))

t.test('standard policy: SUSPENDED interrupts the leader, who is elected again after the reconnect', async (t) => {
  const { ens, zk, selector, turn, first } = await selecting(t)
  const atSuspended = atConnectionState(zk, 'SUSPENDED', () => first.aborted)
  const second = turn()
  ens.dropConnections()
  t.equal(await atSuspended, true, 'interrupted at SUSPENDED')
  t.match(reasonOf(first), /connection SUSPENDED: leadership may be lost/)
  t.equal((await second).aborted, false, 'a new turn once reconnected')
  t.ok(selector.hasLeadership())
})

t.test('session-only policy: SUSPENDED does not interrupt the leader', async (t) => {
  const { ens, zk, selector, signals, first } = await selecting(t, 'session-only')
  const atSuspended = atConnectionState(zk, 'SUSPENDED', () => first.aborted)
  const atReconnected = atConnectionState(zk, 'RECONNECTED', () => first.aborted)
  ens.dropConnections()
  t.equal(await atSuspended, false, 'not interrupted while suspended')
  t.equal(await atReconnected, false, 'nor after the reconnect')
  t.ok(selector.hasLeadership(), 'the same turn goes on')
  t.equal(signals.length, 1)
})

for (const errorPolicy of ['standard', 'session-only'] as const) {
  t.test(`${errorPolicy} policy: LOST interrupts the leader, and an expired client queues no more`, async (t) => {
    const { ens, zk, selector, signals, first } = await selecting(t, errorPolicy)
    const atLost = atConnectionState(zk, 'LOST', () => first.aborted)
    ens.expireSession(zk.sessionId)
    t.equal(await atLost, true, 'interrupted by LOST at the latest')
    // With standard, the SUSPENDED the expiry starts with comes first.
    t.match(reasonOf(first), errorPolicy === 'standard' ? /connection SUSPENDED/ : /connection LOST/)
    await selector.close()
    t.equal(signals.length, 1, 'no further turn')
    t.notOk(selector.hasLeadership())
  })
}

t.test('refused credentials are LOST: the leader is interrupted and the selector stops', async (t) => {
  const { zk, selector, signals, first } = await selecting(t)
  const atLost = atConnectionState(zk, 'LOST', () => first.aborted)
  await t.rejects(zk.addAuth('no-such-scheme', Buffer.from('x')))
  t.equal(await atLost, true, 'interrupted')
  t.match(reasonOf(first), /connection LOST/)
  await selector.close()
  // Had it queued again, acquire() would fail at once, forever, and close() would never return.
  t.equal(signals.length, 1, 'no further turn')
})
