// The shared engine of the lock-like recipes (Curator's LockInternals idea): contenders create
// ephemeral-sequential children of one directory; a contender holds when fewer than `maxLeases`
// eligible nodes sort before it; otherwise it watches only the node that must go first (no herd).
import { NoNodeError, type ZooKeeper, type WatchedEvent } from '../../src/index.js'
import { createProtectedSequential, sortBySequence } from './protected.js'
import { deleteQuietly } from './delete.js'
import { abortedBy, throwIfAborted } from './wait.js'

export { deleteQuietly }

/** How a recipe decides whether a contender holds and whom it waits for. */
export interface ContenderDriver {
  /** The sequence marker in node names: "lock-", "latch-", "__READ__", "__WRIT__". */
  readonly marker: string
  /**
   * Given the sorted children and our index among them, say whether we hold, or which child to
   * watch. Curator's StandardLockInternalsDriver: hold when index < maxLeases, else watch
   * children[index - maxLeases].
   */
  decide(sorted: string[], ours: number): { holds: true } | { holds: false; watch: string }
  /** Sort key for every child of the directory (read/write locks mix two markers). */
  sort?(children: string[]): string[]
}

/** Curator's standard driver: the first `maxLeases` nodes hold. */
export function standardDriver(marker: string, maxLeases = 1): ContenderDriver {
  return {
    marker,
    decide(sorted, ours) {
      if (ours < maxLeases) return { holds: true }
      return { holds: false, watch: sorted[ours - maxLeases]! }
    },
  }
}

/** Options of one attempt to hold. */
export interface AttemptOptions {
  signal?: AbortSignal
  /** Give up after this many ms (resolve false); undefined waits forever. */
  timeout?: number
  data?: Buffer
}

/** A contender's node: the directory, its full path and its name. */
export interface Contender {
  path: string
  name: string
}

/**
 * Create our node and wait until the driver says we hold. Resolves with the node, or undefined when
 * the timeout passed (our node is then deleted). Aborting deletes our node and rejects with the
 * signal's reason. Any other error also deletes the node before it propagates.
 */
export async function contend(
  zk: ZooKeeper,
  dir: string,
  driver: ContenderDriver,
  opts: AttemptOptions = {},
): Promise<Contender | undefined> {
  const path = await createProtectedSequential(zk, dir, driver.marker, opts.data ?? Buffer.alloc(0), { signal: opts.signal })
  const name = path.slice(dir.length + 1)
  try {
    const held = await waitToHold(zk, dir, name, driver, opts)
    if (held) return { path, name }
  } catch (err) {
    await deleteQuietly(zk, path)
    throw err
  }
  await deleteQuietly(zk, path)
  return undefined
}

async function waitToHold(zk: ZooKeeper, dir: string, name: string, driver: ContenderDriver, opts: AttemptOptions): Promise<boolean> {
  const deadline = opts.timeout === undefined ? undefined : Date.now() + opts.timeout
  for (;;) {
    throwIfAborted(opts.signal, { op: 'acquire', path: dir })
    const children = await zk.getChildren(dir)
    const sorted = driver.sort ? driver.sort(children) : sortBySequence(children, driver.marker)
    const ours = sorted.indexOf(name)
    // Our node is gone: the session expired or someone deleted it. Holding is impossible now.
    if (ours < 0) throw new NoNodeError('contender node disappeared (session lost or node deleted)', { op: 'lock', path: `${dir}/${name}` })
    const d = driver.decide(sorted, ours)
    if (d.holds) return true
    const left = deadline === undefined ? undefined : deadline - Date.now()
    if (left !== undefined && left <= 0) return false
    // Watch only the predecessor. If it is already gone, exists() returns null and we look again.
    const gone = await waitForDeletion(zk, `${dir}/${d.watch}`, left, opts.signal)
    if (gone === 'timeout') return false
  }
}

/** Resolve 'deleted' once `path` is gone (or was gone already), 'timeout' after `ms`. */
function waitForDeletion(zk: ZooKeeper, path: string, ms: number | undefined, signal?: AbortSignal): Promise<'deleted' | 'timeout'> {
  return new Promise((resolve, reject) => {
    let done = false
    let timer: NodeJS.Timeout | undefined
    const finish = (fn: () => void) => {
      if (done) return
      done = true
      if (timer) clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      fn()
    }
    const onAbort = () => finish(() => reject(abortedBy(signal!, { op: 'acquire', path })))
    signal?.addEventListener('abort', onAbort, { once: true })
    if (ms !== undefined) timer = setTimeout(() => finish(() => resolve('timeout')), ms)
    // Any event on the predecessor (deleted, or a session event) is a reason to look again.
    const watch = (_e: WatchedEvent) => finish(() => resolve('deleted'))
    zk.exists(path, { watch }).then(
      (stat) => {
        if (stat === null) finish(() => resolve('deleted'))
      },
      (err: unknown) => finish(() => reject(err)),
    )
  })
}
