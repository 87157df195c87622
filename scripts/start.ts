// `npm start`: the main job. Starts the bundled ensemble in-process and walks through the client on
// it: sessions, CRUD with Stat, sequential and ephemeral nodes, watches, a transaction, failure typing,
// a session expiry seen by a second client, and a 3-server ensemble surviving the crash of its leader.
import { startEnsemble } from '../src/ensemble/index.js'
import { ZooKeeper, CreateMode, NodeExistsError, withRetry, type WatchedEvent } from '../src/index.js'
import { Mutex, LeaderLatch } from '../recipes/index.js'

const step = (s: string) => console.log(`\n▸ ${s}`)

const t0 = performance.now()
await using ensemble = await startEnsemble({ tickTime: 200 })
console.log(`bundled ensemble serving on ${ensemble.connectString} (started in ${(performance.now() - t0).toFixed(1)} ms)`)

// A chroot must exist before clients under it can create anything.
const admin = await ZooKeeper.connect(ensemble.connectString)
await admin.createAll('/demo')
await admin.close()
await using zk = await ZooKeeper.connect(`${ensemble.connectString}/demo`, { sessionTimeout: 4000 })
console.log(`session 0x${zk.sessionId.toString(16)}, timeout ${zk.sessionTimeout} ms, chroot /demo`)

step('create, read and update a znode with its Stat')
const { stat } = await zk.create('/config', JSON.stringify({ feature: 'on' }))
console.log(`created /config (czxid ${stat.czxid}, version ${stat.version})`)
const changed = new Promise<WatchedEvent>((resolve) => void zk.getData('/config', { watch: resolve }))
const updated = await zk.setData('/config', JSON.stringify({ feature: 'off' }), { version: stat.version })
console.log(`watch fired: ${(await changed).type} ${(await changed).path}; now version ${updated.version}`)

step('sequential and ephemeral nodes (a work queue and a live-member list)')
await zk.createAll('/queue')
for (let i = 0; i < 3; i++)
  console.log('  enqueued', (await zk.create('/queue/job-', `job ${i}`, { mode: CreateMode.PERSISTENT_SEQUENTIAL })).path)
await zk.createAll('/members')
await zk.create('/members/node-a', 'host-a:8080', { mode: CreateMode.EPHEMERAL })
console.log('  members:', await zk.getChildren('/members'))

step('a transaction: all or nothing')
const results = await zk.transaction().create('/tx').setData('/config', 'v3').check('/queue', 0).commit()
console.log('  results:', results.map((r) => r.type).join(', '))
const failed = await zk
  .transaction()
  .create('/tx2')
  .create('/tx')
  .commit()
  .catch((e: unknown) => e)
console.log(`  second transaction rejected with ${(failed as Error).name}; /tx2 exists? ${(await zk.exists('/tx2')) !== null}`)
console.log(
  `  typed errors: creating /config again → ${(await zk.create('/config').catch((e: unknown) => e)) instanceof NodeExistsError ? 'NodeExistsError' : '?'}`,
)

step('recipes: a Curator-compatible lock and a leader latch')
const other = await ZooKeeper.connect(`${ensemble.connectString}/demo`)
const mine = new Mutex(zk, '/locks/report')
await mine.acquire()
console.log(`  we hold ${mine.nodePath} (fencing token ${await mine.fencingToken()})`)
console.log(
  `  another client tries for 100 ms: ${(await new Mutex(other, '/locks/report').acquire({ timeout: 100 })) ? 'got it?!' : 'refused, as it should be'}`,
)
await mine.release()
const latches = [new LeaderLatch(zk, '/leader', 'zk-a'), new LeaderLatch(other, '/leader', 'zk-b')]
for (const l of latches) await l.start()
await Promise.race(latches.map((l) => l.await()))
console.log('  participants:', (await latches[0]!.participants()).map((p) => `${p.id}${p.isLeader ? ' (leader)' : ''}`).join(', '))
await Promise.all(latches.map((l) => l.close()))
await other.close()

step('session expiry: ephemerals vanish and an observer is told')
const observer = await ZooKeeper.connect(`${ensemble.connectString}/demo`)
const gone = new Promise<WatchedEvent>((resolve) => void observer.exists('/members/node-a', { watch: resolve }))
await observer.sync('/members')
ensemble.expireSession(zk.sessionId)
console.log(`  observer saw: ${(await gone).type} /members/node-a`)
await new Promise<void>((resolve) => (zk.state === 'expired' ? resolve() : zk.once('expired', () => resolve())))
console.log(`  the expired client reports state "${zk.state}"`)
await observer.close()

step('three servers running Zab: the leader crashes, the client carries on')
const t1 = performance.now()
await using quorum = await startEnsemble({ size: 3 })
const first = quorum.leader()!
console.log(`  3 servers serving in ${(performance.now() - t1).toFixed(1)} ms: ${quorum.modes().join(', ')}`)
const qz = await ZooKeeper.connect(quorum.connectString)
await qz.create('/before', 'written while server ' + first + ' led')
const killedAt = performance.now()
await quorum.kill(first)
const second = await quorum.waitForLeader()
let retries = 0
// The connection to the dead server is lost (ConnectionLoss); the client reconnects by itself.
// setData is safe to retry (a create retried after ConnectionLoss might find its own node).
await withRetry(() => qz.setData('/before', 'rewritten after the crash'), { retries: 20, onRetry: () => void retries++ })
console.log(
  `  killed leader ${first}; server ${second} leads; the next write succeeded ${(performance.now() - killedAt).toFixed(0)} ms later (${retries} retr${retries === 1 ? 'y' : 'ies'})`,
)
console.log(`  /before now reads "${(await qz.getData('/before')).data}"`)
await quorum.restart(first)
await qz.close()

console.log(`\ndone in ${(performance.now() - t0).toFixed(0)} ms`)
