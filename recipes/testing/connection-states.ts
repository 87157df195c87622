// For recipe tests: wait for a client's connection to reach a connection state, and look at a
// recipe at that very moment.
import type { ZooKeeper } from '../../src/index.js'
import { connectionStateOf, type ConnectionState } from '../connection-state.js'

/**
 * Resolve at the next change of `zk`'s connection to `state` with what `probe` returns then. Call it
 * after the recipe has started: its own listener then runs first, so `probe` sees how it reacted.
 */
export function atConnectionState<T = void>(zk: ZooKeeper, state: ConnectionState, probe: () => T = () => undefined as T): Promise<T> {
  const manager = connectionStateOf(zk)
  return new Promise((resolve) => {
    const onChange = (next: ConnectionState) => {
      if (next !== state) return
      manager.off('change', onChange)
      resolve(probe())
    }
    manager.on('change', onChange)
  })
}
