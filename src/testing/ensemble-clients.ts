// An in-process bundled ensemble with connected clients, torn down with the test (recipe tests).
import { startEnsemble, type Ensemble } from '../ensemble/index.js'
import { ZooKeeper } from '../client.js'

/** Start an ensemble (tickTime 100) and `clients` connected clients; all stopped at teardown. */
export async function ensembleWithClients(
  t: { teardown(fn: () => unknown): void },
  clients: number,
  sessionTimeout = 2000,
): Promise<{ ens: Ensemble; zks: ZooKeeper[] }> {
  const ens = await startEnsemble({ tickTime: 100 })
  t.teardown(() => ens.stop())
  const zks = await Promise.all(Array.from({ length: clients }, () => ZooKeeper.connect(ens.connectString, { sessionTimeout })))
  t.teardown(() => Promise.all(zks.map((z) => z.close())))
  return { ens, zks }
}
