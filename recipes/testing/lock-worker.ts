// A separate process for the cross-process mutex test: increments a counter znode N times, each
// read-modify-write under the Mutex, then exits 0.
import { ZooKeeper } from '../../src/index.js'
import { Mutex } from '../lock.js'

const [connectString, lockPath, counterPath, times] = process.argv.slice(2) as [string, string, string, string]
const zk = await ZooKeeper.connect(connectString, { sessionTimeout: 5000 })
const m = new Mutex(zk, lockPath)
for (let i = 0; i < Number(times); i++) {
  await m.acquire()
  const n = Number((await zk.getData(counterPath)).data)
  await zk.setData(counterPath, String(n + 1))
  await m.release()
}
await zk.close()
