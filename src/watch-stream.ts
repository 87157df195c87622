// ZooKeeper.watch()'s async iterator: one-shot watches re-armed after each event, or one standing
// watch removed when the loop ends; events queue between iterations, and the session's end ends it.
import { AddWatchMode } from './protocol.js'
import { SessionExpiredError } from './errors.js'
import type { CallOptions, WatchedEvent, Watcher } from './call-types.js'
import type { SessionState } from './session/types.js'

/** The client calls a watch stream makes. */
export interface WatchClient {
  readonly state: SessionState
  addWatch(path: string, mode: AddWatchMode, listener: Watcher, opts?: CallOptions): Promise<{ remove(): Promise<void> }>
  getChildren(path: string, opts?: CallOptions & { watch?: Watcher }): Promise<unknown>
  exists(path: string, opts?: CallOptions & { watch?: Watcher }): Promise<unknown>
}

/** Kinds of async watch streams. */
export type WatchStreamKind = 'data' | 'exists' | 'children' | 'persistent' | 'persistentRecursive'

/** Every WatchStreamKind, for checking the kind a caller gives. */
export const WATCH_STREAM_KINDS: readonly WatchStreamKind[] = ['data', 'exists', 'children', 'persistent', 'persistentRecursive']

/** The async iterator behind ZooKeeper.watch(). */
export async function* watchStream(
  zk: WatchClient,
  path: string,
  kind: WatchStreamKind,
  signal?: AbortSignal,
): AsyncGenerator<WatchedEvent> {
  const queue: WatchedEvent[] = []
  let wake: (() => void) | undefined
  const push = (e: WatchedEvent) => {
    queue.push(e)
    wake?.()
  }
  const onAbort = () => wake?.()
  signal?.addEventListener('abort', onAbort)
  const next = async (): Promise<WatchedEvent | undefined> => {
    while (queue.length === 0) {
      if (signal?.aborted) return undefined
      await new Promise<void>((resolve) => (wake = resolve))
      wake = undefined
    }
    return queue.shift()
  }
  const sessionEnd = (e: WatchedEvent) => {
    if (e.state === 'expired') throw new SessionExpiredError('session expired while watching', { op: 'watch', path })
    return e.state === 'closed' || e.state === 'authFailed'
  }
  let standing: { remove(): Promise<void> } | undefined
  try {
    if (kind === 'persistent' || kind === 'persistentRecursive') {
      standing = await zk.addWatch(path, kind === 'persistent' ? AddWatchMode.PERSISTENT : AddWatchMode.PERSISTENT_RECURSIVE, push)
      for (;;) {
        const e = await next()
        if (!e || (e.type === 'none' && sessionEnd(e))) return
        yield e
      }
    }
    for (;;) {
      // A fresh callback each round: the registry keys watchers by callback.
      const once: Watcher = (e) => push(e)
      if (kind === 'children') await zk.getChildren(path, { watch: once, signal })
      else await zk.exists(path, { watch: once, signal })
      const e = await next()
      if (!e || (e.type === 'none' && sessionEnd(e))) return
      yield e
    }
  } finally {
    signal?.removeEventListener('abort', onAbort)
    if (standing && zk.state === 'connected') await standing.remove().catch(() => {})
  }
}
