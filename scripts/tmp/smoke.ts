import { startEnsemble } from '../../src/ensemble/index.js'
import { ZooKeeper } from '../../src/index.js'
const t0 = performance.now()
const ens = await startEnsemble({ size: 3 })
console.log('started in', (performance.now() - t0).toFixed(1), 'ms; leader', ens.leader(), ens.servers.map((s) => s.mode))
const f = ens.leader() === 0 ? 1 : 0
const zk = await ZooKeeper.connect(ens.connectStringOf(f))

const r = await zk.create('/a', Buffer.from('x'))
console.log('created', r)
console.log(await zk.getData('/a'))
await zk.setData('/a', Buffer.from('y'))
const zk2 = await ZooKeeper.connect(ens.connectString)
console.log('via leader', (await zk2.getData('/a')).data.toString())
await zk.create('/e', null, { mode: 1 }).catch((e) => console.log('E', e.message))
await zk.sync('/a')
const l = ens.leader()!
const t1 = performance.now()
await ens.kill(l)
const nl = await ens.waitForLeader()
console.log('new leader', nl, 'after', (performance.now() - t1).toFixed(1), 'ms', ens.servers.map((s) => s.mode))
console.log('after failover', (await zk2.getData('/a').catch(e=>e.message)))
await ens.restart(l)
await ens.waitForLeader()
console.log(ens.servers.map((s) => s.mode))
await zk.close(); await zk2.close()
await ens.stop()
