// Service discovery: two API servers register themselves (ephemeral nodes under /services/api, in
// the JSON layout of Curator's x-discovery), and a client follows the list. When a server's
// session ends, its registration goes with it and the client is told.
//
// Run: npx tsx --tsconfig examples/tsconfig.json examples/service-discovery.ts
import { once } from 'node:events'
import { ZooKeeper } from 'zookit'
import { ServiceDiscovery, type ServiceInstance } from 'zookit/recipes'
import { startEnsemble } from 'zookit/ensemble'

await using ensemble = await startEnsemble()

/** An API server: its own session, registered while it runs. */
async function startServer(port: number) {
  const zk = await ZooKeeper.connect(ensemble.connectString)
  const instance = await new ServiceDiscovery<{ version: string }>(zk).register({
    name: 'api',
    address: '127.0.0.1',
    port,
    payload: { version: '1.4.2' },
  })
  return { zk, instance }
}

await using client = await ZooKeeper.connect(ensemble.connectString)
const discovery = new ServiceDiscovery<{ version: string }>(client)
const show = (list: ServiceInstance<{ version: string }>[]) =>
  list
    .map((i) => `${i.address}:${i.port}`)
    .sort()
    .join(', ') || '(none)'

const a = await startServer(8081)
const b = await startServer(8082)
console.log('api instances:', show(await discovery.instances('api')))

// watch() emits 'change' with the full list now and after every membership change.
const watcher = discovery.watch('api')
const [initial] = await once(watcher, 'change')
console.log('watching, current:', show(initial))

const changed = once(watcher, 'change')
await a.zk.close() // a crash does the same once the session times out
console.log(`after ${a.instance.address}:${a.instance.port} went away:`, show((await changed)[0]))

watcher.close()
await b.zk.close()
