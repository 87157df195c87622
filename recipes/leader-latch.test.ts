// LeaderLatch and the connection: what SUSPENDED, RECONNECTED and LOST do to a leader under each
// error policy, against the bundled ensemble (dropped connections, an expired session, a close).
import t, { type Test } from 'tap'
import { ensembleWithClients } from '../src/testing/ensemble-clients.js'
import { LeaderLatch } from './leader-latch.js'
import type { ConnectionStateErrorPolicy } from './connection-state.js'
import { atConnectionState } from './testing/connection-states.js'

/** A started latch that leads, on the only client of a fresh ensemble, and the events it tells from now on. */
async function leading(t: Test, errorPolicy?: ConnectionStateErrorPolicy) {
  const { ens, zks } = await ensembleWithClients(t, 1, 4000)
  const zk = zks[0]!
  const latch = new LeaderLatch(zk, '/latch', 'a', { errorPolicy })
  t.teardown(() => latch.close())
  await latch.start()
  t.ok(await latch.await({ timeout: 5000 }), 'leads')
  const events: string[] = []
  latch.on('isLeader', () => events.push('isLeader'))
  latch.on('notLeader', () => events.push('notLeader'))
  const node = async () => (await latch.participants()).map((p) => p.node)
  return { ens, zk, latch, events, node }
}

t.test('standard policy: SUSPENDED costs leadership, which comes back with a fresh node', async (t) => {
  const { ens, zk, latch, events, node } = await leading(t)
  const before = await node()
  const atSuspended = atConnectionState(zk, 'SUSPENDED', () => latch.hasLeadership())
  ens.dropConnections()
  t.equal(await atSuspended, false, 'no leadership while suspended')
  t.ok(await latch.await({ timeout: 5000 }), 'leads again after the reconnect')
  t.same(events, ['notLeader', 'isLeader'])
  t.not((await node())[0], before[0], 'it re-entered with a new node')
  t.equal((await node()).length, 1, 'and left no old node behind')
})

t.test('session-only policy: leadership and node survive SUSPENDED', async (t) => {
  const { ens, zk, latch, events, node } = await leading(t, 'session-only')
  const before = await node()
  const atSuspended = atConnectionState(zk, 'SUSPENDED', () => latch.hasLeadership())
  const atReconnected = atConnectionState(zk, 'RECONNECTED', () => latch.hasLeadership())
  ens.dropConnections()
  t.equal(await atSuspended, true, 'still leads while suspended')
  t.equal(await atReconnected, true, 'and after the reconnect')
  t.same(events, [], 'no notLeader, no isLeader')
  t.same(await node(), before, 'the same node: no re-entry')
})

for (const errorPolicy of ['standard', 'session-only'] as const) {
  t.test(`${errorPolicy} policy: LOST (the session expired) costs leadership`, async (t) => {
    const { ens, zk, latch, events } = await leading(t, errorPolicy)
    const atLost = atConnectionState(zk, 'LOST', () => latch.hasLeadership())
    ens.expireSession(zk.sessionId)
    t.equal(await atLost, false, 'no leadership once LOST')
    t.same(events, ['notLeader'], 'told once')
  })
}

t.test('closing the client is LOST too: notLeader', async (t) => {
  const { zk, latch, events } = await leading(t)
  const atLost = atConnectionState(zk, 'LOST', () => latch.hasLeadership())
  await zk.close()
  t.equal(await atLost, false)
  t.same(events, ['notLeader'], 'told, as for an expired session')
})
