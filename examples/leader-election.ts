// Leader election with LeaderLatch: three candidates join; exactly one leads. When the leader's
// session ends (here it closes; a crash would do the same once its session expires), the next
// candidate in line takes over.
//
// Run: npx tsx --tsconfig examples/tsconfig.json examples/leader-election.ts
import { ZooKeeper } from 'zookit'
import { LeaderLatch } from 'zookit/recipes'
import { startEnsemble } from 'zookit/ensemble'

await using ensemble = await startEnsemble()

// Each candidate has its own session, as separate processes would.
const candidates = await Promise.all(
  ['node-a', 'node-b', 'node-c'].map(async (id) => {
    const zk = await ZooKeeper.connect(ensemble.connectString)
    const latch = new LeaderLatch(zk, '/election/scheduler', id)
    latch.on('isLeader', () => console.log(`${id}: I lead`))
    await latch.start()
    return { id, zk, latch }
  }),
)

/** The candidate that leads now, or the first of `among` to be told it leads. */
function leader(among: typeof candidates): Promise<(typeof candidates)[number]> {
  const now = among.find((c) => c.latch.hasLeadership())
  if (now) return Promise.resolve(now)
  return new Promise((resolve) => among.forEach((c) => c.latch.once('isLeader', () => resolve(c))))
}

const first = await leader(candidates)
console.log('participants:', (await first.latch.participants()).map((p) => `${p.id}${p.isLeader ? ' (leader)' : ''}`).join(', '))

// The leader goes away: its latch node is ephemeral, so it goes with the session. Listen first,
// so the handover cannot be missed.
const rest = candidates.filter((c) => c !== first)
const next = leader(rest)
await first.zk.close()
const second = await next
console.log(`${first.id} left; ${second.id} took over`)

// Followers leave first, so leadership does not move again on the way out.
for (const c of [...rest.filter((c) => c !== second), second]) {
  await c.latch.close()
  await c.zk.close()
}
