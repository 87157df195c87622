// A distributed lock: three workers, each with its own ZooKeeper session (as three processes would
// have), append to a shared log under a Mutex. The lock makes each read-modify-write exclusive, and
// its fencing token (the lock node's creation zxid) grows with every holder.
//
// Run: npx tsx --tsconfig examples/tsconfig.json examples/lock.ts
import { ZooKeeper } from 'zookit'
import { Mutex } from 'zookit/recipes'
import { startEnsemble } from 'zookit/ensemble'

// A bundled ZooKeeper-compatible server on a random port, stopped when this scope ends.
await using ensemble = await startEnsemble()

async function worker(name: string, rounds: number): Promise<void> {
  await using zk = await ZooKeeper.connect(ensemble.connectString)
  const lock = new Mutex(zk, '/locks/log')
  for (let i = 0; i < rounds; i++) {
    // acquire() resolves false on timeout, and then leaves no node behind.
    if (!(await lock.acquire({ timeout: 10_000 }))) throw new Error(`${name}: no lock within 10 s`)
    try {
      const token = await lock.fencingToken()
      // Without the lock, two workers could read the same log and one append would be lost.
      const { data, stat } = await zk.getData('/log')
      const lines = data.toString() + `${name} round ${i} (token ${token})\n`
      await zk.setData('/log', lines, { version: stat.version })
    } finally {
      await lock.release()
    }
  }
}

await using admin = await ZooKeeper.connect(ensemble.connectString)
await admin.create('/log', '')
await Promise.all([worker('alice', 3), worker('bob', 3), worker('carol', 3)])

const log = (await admin.getData('/log')).data.toString()
process.stdout.write(log)
const appended = log.split('\n').filter(Boolean).length
if (appended !== 9) throw new Error(`expected 9 appends, found ${appended}`)
console.log('every append kept: the lock serialised them')
