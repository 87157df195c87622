// NodeCache and the connection: it follows its node into a new session (LOST, then RECONNECTED with
// renewExpiredSession), where the old session's watch is gone.
import t from 'tap'
import { ensembleWithClients } from '../src/testing/ensemble-clients.js'
import { ZooKeeper } from '../src/index.js'
import { NodeCache, type NodeSnapshot } from './node-cache.js'
import { atConnectionState } from './testing/connection-states.js'

t.test('LOST then RECONNECTED in a new session: the node is read again and followed', async (t) => {
  const { ens, zks } = await ensembleWithClients(t, 1)
  const other = zks[0]!
  const zk = await ZooKeeper.connect(ens.connectString, { sessionTimeout: 2000, renewExpiredSession: true })
  t.teardown(() => zk.close())
  await other.create('/cfg', 'a')
  const cache = new NodeCache(zk, '/cfg')
  t.teardown(() => cache.close())
  await cache.start()
  const seen = (want: string) =>
    new Promise<void>((r) => cache.on('change', (s: NodeSnapshot | undefined) => s?.data.toString() === want && r()))
  const lost = atConnectionState(zk, 'LOST')
  const renewed = atConnectionState(zk, 'RECONNECTED')
  const sawB = seen('b')
  ens.expireSession(zk.sessionId)
  await lost
  await other.setData('/cfg', 'b') // while the cache's session is gone, or just after the new one
  await renewed
  await sawB
  const sawC = seen('c')
  await other.setData('/cfg', 'c')
  await sawC
  t.equal(cache.get()?.data.toString(), 'c', 'following in the new session')
})
