// TreeCache and the connection: it follows its subtree into a new session (LOST, then RECONNECTED
// with renewExpiredSession): the watch is added again and what changed in between is told.
import t from 'tap'
import { ensembleWithClients } from '../src/testing/ensemble-clients.js'
import { ZooKeeper } from '../src/index.js'
import { TreeCache, type CachedNode } from './tree-cache.js'
import { atConnectionState } from './testing/connection-states.js'

t.test('LOST then RECONNECTED in a new session: the subtree is read again and followed', async (t) => {
  const { ens, zks } = await ensembleWithClients(t, 1)
  const other = zks[0]!
  const zk = await ZooKeeper.connect(ens.connectString, { sessionTimeout: 2000, renewExpiredSession: true })
  t.teardown(() => zk.close())
  await other.createAll('/tree/old', 'x')
  const cache = new TreeCache(zk, '/tree')
  t.teardown(() => cache.close())
  await cache.start()
  t.same(cache.children('/tree'), ['old'])
  const told = (event: 'added' | 'removed', want: string) =>
    new Promise<void>((r) => cache.on(event, (path: string, _node: CachedNode) => path === want && r()))
  const removedOld = told('removed', '/tree/old')
  const addedMid = told('added', '/tree/mid')
  const lost = atConnectionState(zk, 'LOST')
  ens.expireSession(zk.sessionId)
  await lost
  // While the cache's session is gone (or just after the new one): either way it must be told.
  await other.delete('/tree/old')
  await other.create('/tree/mid', 'y')
  await Promise.all([removedOld, addedMid])
  const addedNew = told('added', '/tree/new')
  await other.create('/tree/new', 'z')
  await addedNew
  t.same(cache.children('/tree'), ['mid', 'new'], 'following in the new session')
})
