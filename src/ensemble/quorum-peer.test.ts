// The quorum host survives a bug in the Zab core: an exception while handling one peer's message or
// one tick is logged, reported as 'fault', and the peer looks for a leader again; the process (here,
// every server of the ensemble and this test) goes on, and so do writes.
import t from 'tap'
import { once } from 'node:events'
import { startEnsemble } from './index.js'
import { ZooKeeper } from '../index.js'

for (const input of ['step', 'tick'] as const) {
  t.test(`a core that throws in ${input}() costs an election, not the process`, async (t) => {
    const ens = await startEnsemble({ size: 3 })
    t.teardown(() => ens.stop())
    const follower = [0, 1, 2].find((i) => i !== ens.leader())!
    const q = ens.servers[follower]!.quorum!
    const peer = q.peer as unknown as Record<typeof input, (...args: unknown[]) => unknown>
    const real = peer[input]!.bind(q.peer)
    let thrown = 0
    peer[input] = (...args: unknown[]) => {
      if (thrown++ === 0) throw new TypeError(`a bug in ${input}`)
      return real(...args)
    }
    const [err] = (await once(q, 'fault')) as [Error]
    t.match(err.message, `a bug in ${input}`, 'the failure is reported, not thrown')
    t.equal(await ens.waitForMode(follower, ['leader', 'follower']), q.mode, 'the server serves again')
    const zk = await ZooKeeper.connect(ens.connectStringOf(follower), { sessionTimeout: 6000 })
    t.teardown(() => zk.close())
    await zk.create('/after-fault', Buffer.from('ok'))
    t.equal((await zk.getData('/after-fault')).data.toString(), 'ok', 'a write through it succeeds')
  })
}

// The host acts on what peers say as it arrives: with a tick too long to ever fire within the test,
// three servers still elect and serve, and when the leader is killed the followers learn it from
// the broken learner link and elect the next one at once.
t.test('with no tick firing, 3 servers elect, serve, and replace a killed leader', async (t) => {
  const ens = await startEnsemble({ size: 3, peerTickMs: 3_600_000 })
  t.teardown(() => ens.stop())
  const first = ens.leader()!
  t.ok(
    ens.modes().every((m) => m === 'leader' || m === 'follower'),
    'every server serves',
  )
  const zk = await ZooKeeper.connect(ens.connectString, { sessionTimeout: 6000 })
  t.teardown(() => zk.close())
  await zk.create('/before', Buffer.from('1'))
  await ens.kill(first)
  const next = await ens.waitForLeader(10_000)
  t.not(next, first, 'another server leads')
  await zk.create('/after', Buffer.from('2'))
  t.equal((await zk.getData('/before')).data.toString(), '1', 'the write before the kill survived')
})
