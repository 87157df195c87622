// Guaranteed deletion of a recipe's own node (Curator's guaranteed delete).
import { ConnectionLossError, NoNodeError, type ZooKeeper } from '../../src/index.js'

/**
 * Delete our node for sure (Curator's guaranteed delete): retried through connection loss until it
 * is gone; a node of an expired or closed session is gone already.
 */
export async function deleteQuietly(zk: ZooKeeper, path: string): Promise<void> {
  for (;;) {
    try {
      await zk.delete(path)
      return
    } catch (err) {
      if (err instanceof NoNodeError || zk.state === 'expired' || zk.state === 'closed' || zk.state === 'authFailed') return
      if (!(err instanceof ConnectionLossError)) throw err
      await zk.waitForConnected().catch(() => {})
    }
  }
}
