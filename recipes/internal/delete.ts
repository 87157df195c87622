// Guaranteed deletion of a recipe's own node (Curator's guaranteed delete).
import { ConnectionLossError, NoNodeError, type ZooKeeper } from '../../src/index.js'
import { connectionStateOf } from '../connection-state.js'

/**
 * Delete our node for sure (Curator's guaranteed delete): retried through connection loss until it
 * is gone; once the session is LOST its ephemeral node is gone already.
 */
export async function deleteQuietly(zk: ZooKeeper, path: string): Promise<void> {
  for (;;) {
    try {
      await zk.delete(path)
      return
    } catch (err) {
      if (err instanceof NoNodeError || connectionStateOf(zk).state === 'LOST') return
      if (!(err instanceof ConnectionLossError)) throw err
      await zk.waitForConnected().catch(() => {})
    }
  }
}
