// TreeCache: a local copy of a whole subtree (data and Stat of every node), kept current with one
// persistent recursive watch (ZooKeeper 3.6+). Emits 'added', 'updated', 'removed' (path, node) and
// 'initialized' once the first load is done.
import { AddWatchMode, NoNodeError, TypedEventEmitter, type Stat, type WatchedEvent, type ZooKeeper } from '../src/index.js'
import { connectionStateOf, type ConnectionState } from './connection-state.js'
import { reportError } from './internal/wait.js'

/** One node of a TreeCache. */
export interface CachedNode {
  /** The node's data. */
  data: Buffer
  /** The node's Stat as last seen. */
  stat: Stat
}

/** The events of a TreeCache. */
export interface TreeCacheEvents {
  /** A node appeared in the cache (during the first load too). */
  added: [path: string, node: CachedNode]
  /** A cached node's data changed. */
  updated: [path: string, node: CachedNode]
  /** A node left the cache (deleted), with what it held last. */
  removed: [path: string, node: CachedNode]
  /** The first load is done. */
  initialized: []
  /** Following the subtree failed. */
  error: [err: unknown]
}

/**
 * A local copy of a subtree, kept current by one persistent recursive watch. Emits 'added',
 * 'updated' and 'removed' (path, node), 'initialized' after the first load, 'error' on failures.
 * It follows the subtree into a new session too (RECONNECTED after LOST, with
 * `renewExpiredSession`): the watch is added again and the subtree read again, telling what changed
 * in between.
 */
export class TreeCache extends TypedEventEmitter<TreeCacheEvents> {
  private readonly nodes = new Map<string, CachedNode>()
  private handle: { remove(): Promise<void> } | undefined
  private following = false
  private readonly onWatch = (e: WatchedEvent) => void this.onEvent(e).catch((err) => reportError(this, err))
  private readonly onConnection = (state: ConnectionState, previous: ConnectionState | undefined) => {
    // A reconnect within the session needs nothing: the client restores the watch and its events.
    if (state === 'RECONNECTED' && previous === 'LOST') void this.resync().catch((err) => reportError(this, err))
  }

  /** @param root the top of the subtree (cached too) */
  constructor(
    private readonly zk: ZooKeeper,
    readonly root: string,
  ) {
    super()
  }

  /** Load the subtree and follow it. */
  async start(): Promise<void> {
    this.following = true
    connectionStateOf(this.zk).on('change', this.onConnection)
    // Watch first, then load: a change during the load is applied after it, never missed.
    this.handle = await this.zk.addWatch(this.root, AddWatchMode.PERSISTENT_RECURSIVE, this.onWatch)
    await this.load(this.root)
    this.emit('initialized')
  }

  /** The cached node at `path`. */
  get(path: string): CachedNode | undefined {
    return this.nodes.get(path)
  }

  /** Cached children names of `path`. */
  children(path: string): string[] {
    const prefix = path === '/' ? '/' : `${path}/`
    return [...this.nodes.keys()]
      .filter((p) => p.startsWith(prefix) && p !== path && !p.slice(prefix.length).includes('/'))
      .map((p) => p.slice(prefix.length))
      .sort()
  }

  /** Number of cached nodes. */
  get size(): number {
    return this.nodes.size
  }

  /** Stop following the subtree (removes the watch); the cache keeps what it has. */
  async close(): Promise<void> {
    this.following = false
    connectionStateOf(this.zk).off('change', this.onConnection)
    await this.handle?.remove().catch(() => {})
    this.handle = undefined
  }

  /** close(), for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** In a new session: watch again, read the subtree again, and drop what is no longer there. */
  private async resync(): Promise<void> {
    // Watch first, then load, as start() does.
    const handle = await this.zk.addWatch(this.root, AddWatchMode.PERSISTENT_RECURSIVE, this.onWatch)
    if (!this.following) return void (await handle.remove().catch(() => {}))
    this.handle = handle
    const seen = new Set<string>()
    await this.load(this.root, seen)
    // A cached node the load did not meet was deleted meanwhile, or came from an event during the
    // load: read each again (fetch() drops it when it is gone).
    await Promise.all([...this.nodes.keys()].filter((path) => !seen.has(path)).map((path) => this.fetch(path)))
  }

  private async load(path: string, seen?: Set<string>): Promise<void> {
    if (!(await this.fetch(path))) return
    seen?.add(path)
    let kids: string[]
    try {
      kids = await this.zk.getChildren(path)
    } catch (err) {
      if (err instanceof NoNodeError) return
      throw err
    }
    await Promise.all(kids.map((k) => this.load(path === '/' ? `/${k}` : `${path}/${k}`, seen)))
  }

  /** Read one node into the cache; false when it does not exist. */
  private async fetch(path: string): Promise<boolean> {
    try {
      const node = await this.zk.getData(path)
      const prev = this.nodes.get(path)
      if (prev && prev.stat.mzxid >= node.stat.mzxid) return true
      this.nodes.set(path, node)
      this.emit(prev ? 'updated' : 'added', path, node)
      return true
    } catch (err) {
      if (!(err instanceof NoNodeError)) throw err
      this.drop(path)
      return false
    }
  }

  private drop(path: string): void {
    for (const p of [...this.nodes.keys()]) {
      if (p === path || p.startsWith(`${path}/`)) {
        const node = this.nodes.get(p)!
        this.nodes.delete(p)
        this.emit('removed', p, node)
      }
    }
  }

  private async onEvent(e: WatchedEvent): Promise<void> {
    if (e.type === 'created' || e.type === 'dataChanged') await this.fetch(e.path)
    else if (e.type === 'deleted') this.drop(e.path)
  }
}
