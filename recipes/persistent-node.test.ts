// PersistentNode and the connection: a reconnect puts the node back (or finds it in place) and tells
// 'ready'. LOST followed by a new session is in more.test.ts (renewExpiredSession).
import t from 'tap'
import { ensembleWithClients } from '../src/testing/ensemble-clients.js'
import { PersistentNode } from './persistent-node.js'
import { atConnectionState } from './testing/connection-states.js'

t.test('SUSPENDED then RECONNECTED: the node is checked again and told ready', async (t) => {
  const { ens, zks } = await ensembleWithClients(t, 2, 4000)
  const [zk, other] = zks as [NonNullable<(typeof zks)[0]>, NonNullable<(typeof zks)[0]>]
  const node = new PersistentNode(zk, '/pn/me', 'me')
  t.teardown(() => node.close())
  await node.start()
  const suspended = atConnectionState(zk, 'SUSPENDED')
  const readyAgain = new Promise<void>((r) => node.once('ready', () => r()))
  ens.dropConnections()
  await suspended
  await readyAgain
  t.equal((await other.exists('/pn/me'))?.ephemeralOwner, zk.sessionId, 'in place, owned by the same session')
})
