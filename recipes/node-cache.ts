// NodeCache: keeps the current data and Stat of one znode, following it with watches (Curator's
// NodeCache); ConfigWatcher: a typed value parsed from a znode, kept current.
import { NoNodeError, TypedEventEmitter, type Stat, type ZooKeeper } from '../src/index.js'
import { connectionStateOf, type ConnectionState } from './connection-state.js'
import { reportError } from './internal/wait.js'
import { requireFunction } from './internal/arguments.js'

/** The node as last seen, or undefined when it does not exist. */
export interface NodeSnapshot {
  /** The node's data. */
  data: Buffer
  /** The node's Stat when it was read. */
  stat: Stat
}

/** The events of a NodeCache. */
export interface NodeCacheEvents {
  /** The node changed: its new snapshot, or undefined when it was deleted (or does not exist). */
  change: [snapshot: NodeSnapshot | undefined]
  /** Following the node failed (e.g. the connection was lost while reading it). */
  error: [err: unknown]
}

/**
 * Follows one znode. Emits 'change' (snapshot or undefined) after every change; 'error' on failures.
 * It follows the node into a new session too (RECONNECTED after LOST, with `renewExpiredSession`),
 * reading it again there: the old session's watch is gone and changes in between were missed.
 */
export class NodeCache extends TypedEventEmitter<NodeCacheEvents> {
  private current: NodeSnapshot | undefined
  private running = false
  private readonly onConnection = (state: ConnectionState, previous: ConnectionState | undefined) => {
    // A reconnect within the session needs nothing: the client restores the watch and its events.
    if (state === 'RECONNECTED' && previous === 'LOST') void this.refresh().catch((err) => reportError(this, err))
  }

  /** @param path the znode to follow (it need not exist yet) */
  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
  ) {
    super()
  }

  /** Load the node and start following it. */
  async start(): Promise<void> {
    this.running = true
    connectionStateOf(this.zk).on('change', this.onConnection)
    await this.refresh()
  }

  /** The last seen state. */
  get(): NodeSnapshot | undefined {
    return this.current
  }

  /** Stop following; no more 'change' events. */
  close(): void {
    this.running = false
    connectionStateOf(this.zk).off('change', this.onConnection)
  }

  /** close(), for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
  }

  private async refresh(): Promise<void> {
    if (!this.running) return
    const again = () => void this.refresh().catch((err) => reportError(this, err))
    // exists() watches creation as well as change and deletion.
    const stat = await this.zk.exists(this.path, { watch: (e) => e.type !== 'none' && again() })
    let next: NodeSnapshot | undefined
    if (stat) {
      try {
        next = await this.zk.getData(this.path)
      } catch (err) {
        if (!(err instanceof NoNodeError)) throw err
      }
    }
    const prev = this.current
    this.current = next
    if (prev?.stat.mzxid !== next?.stat.mzxid || (prev === undefined) !== (next === undefined)) this.emit('change', next)
  }
}

/** The events of a ConfigWatcher of values of type T. */
export interface ConfigWatcherEvents<T> {
  /** The value changed (the fallback when the node was deleted). */
  change: [value: T]
  /** The node could not be followed, or its data did not parse (the last good value is kept). */
  error: [err: unknown]
}

/** A typed configuration value following a znode (JSON by default). */
export class ConfigWatcher<T> extends TypedEventEmitter<ConfigWatcherEvents<T>> {
  private readonly cache: NodeCache
  private value: T

  /**
   * @param path the znode holding the value
   * @param fallback the value while the node is missing
   * @param parse bytes to value (JSON by default); a parse error keeps the last good value
   */
  constructor(
    zk: ZooKeeper,
    readonly path: string,
    readonly fallback: T,
    private readonly parse: (data: Buffer) => T = (d) => JSON.parse(d.toString('utf8')) as T,
  ) {
    super()
    requireFunction(parse, 'parse', 'ConfigWatcher', path)
    this.value = fallback
    this.cache = new NodeCache(zk, path)
    this.cache.on('change', (s) => {
      try {
        this.value = s ? this.parse(s.data) : this.fallback
        this.emit('change', this.value)
      } catch (err) {
        // A malformed value keeps the last good one and is reported.
        reportError(this, err)
      }
    })
    this.cache.on('error', (err) => reportError(this, err))
  }

  /** Load the value and start following the node; resolves with the current value. */
  async start(): Promise<T> {
    await this.cache.start()
    return this.value
  }

  /** The current value (the fallback while the node is missing). */
  get(): T {
    return this.value
  }

  /** Stop following the node. */
  close(): void {
    this.cache.close()
  }

  /** close(), for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
  }
}
