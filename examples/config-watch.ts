// A live configuration value: ConfigWatcher follows a znode holding JSON and keeps a typed value
// current, falling back to a default while the node does not exist. An operator changes the config
// from another session; the service sees every change without polling.
//
// Run: npx tsx --tsconfig examples/tsconfig.json examples/config-watch.ts
import { once } from 'node:events'
import { ZooKeeper } from 'zookit'
import { ConfigWatcher } from 'zookit/recipes'
import { startEnsemble } from 'zookit/ensemble'

interface Limits {
  maxConnections: number
  readOnly: boolean
}

await using ensemble = await startEnsemble()
await using service = await ZooKeeper.connect(ensemble.connectString)
await using operator = await ZooKeeper.connect(ensemble.connectString)

const limits = new ConfigWatcher<Limits>(service, '/config/limits', { maxConnections: 10, readOnly: false })
console.log('at start (no node yet, the fallback):', await limits.start())

// Subscribe before changing anything, so the event cannot be missed.
let changed = once(limits, 'change')
await operator.createAll('/config/limits', JSON.stringify({ maxConnections: 100, readOnly: false }))
console.log('after the operator created it:', (await changed)[0])

changed = once(limits, 'change')
await operator.setData('/config/limits', JSON.stringify({ maxConnections: 100, readOnly: true }))
console.log('after a change:', (await changed)[0])

changed = once(limits, 'change')
await operator.delete('/config/limits')
console.log('after it was deleted (the fallback again):', (await changed)[0])

if (limits.get().maxConnections !== 10) throw new Error('expected the fallback after the delete')
limits.close()
