// Queue (FIFO), PriorityQueue and LockingQueue with Apache Curator's layout (DistributedQueue): items are persistent sequential
// nodes <path>/queue-<seq> holding the payload; a consumer takes the lowest and deletes it, so each
// item is taken exactly once even with many consumers.
import { CreateMode, NoNodeError, NodeExistsError, type ZooKeeper } from '../src/index.js'
import { deleteQuietly } from './internal/delete.js'
import { until } from './internal/wait.js'
import { Closing } from './internal/closing.js'
import { requireFunction } from './internal/arguments.js'

/** Curator's item node name: items are `<path>/queue-<seq>`. */
export const QUEUE_PREFIX = 'queue-'

/**
 * A distributed FIFO queue. close() (or `await using`) ends the take() calls still waiting: they
 * reject with IllegalStateError, as does any later call. The items stay in ZooKeeper.
 */
export class Queue {
  private readonly closing = new Closing('queue')
  /** @param path the queue's directory (created on the first put) */
  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
  ) {}

  /** Add an item; returns its node path. */
  async put(item: Buffer | string): Promise<string> {
    this.closing.throwIfClosed('Queue.put', this.path)
    await this.zk.createAll(this.path)
    return (await this.zk.create(`${this.path}/${QUEUE_PREFIX}`, item, { mode: CreateMode.PERSISTENT_SEQUENTIAL })).path
  }

  /** Take the oldest item, waiting for one; undefined on timeout. */
  async take(opts: { timeout?: number; signal?: AbortSignal } = {}): Promise<Buffer | undefined> {
    this.closing.throwIfClosed('Queue.take', this.path)
    const deadline = opts.timeout === undefined ? undefined : Date.now() + opts.timeout
    await this.zk.createAll(this.path)
    for (;;) {
      this.closing.throwIfClosed('Queue.take', this.path)
      let fired!: () => void
      const changed = new Promise<void>((r) => (fired = r))
      const items = (await this.zk.getChildren(this.path, { watch: () => fired() })).filter((c) => c.startsWith(QUEUE_PREFIX)).sort()
      for (const item of items) {
        const p = `${this.path}/${item}`
        try {
          const { data, stat } = await this.zk.getData(p)
          // Deleting with the version read makes the take exclusive: one consumer wins each item.
          await this.zk.delete(p, { version: stat.version })
          return data
        } catch (err) {
          if (!(err instanceof NoNodeError)) throw err
        }
      }
      if (!(await until(this.closing.race(changed), deadline, opts.signal, { op: 'Queue.take', path: this.path }))) return undefined
    }
  }

  /** End the take() calls waiting (they reject with IllegalStateError) and refuse later calls. */
  close(): void {
    this.closing.close()
  }

  /** close(), for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
  }

  /** Number of items waiting. */
  async size(): Promise<number> {
    return (await this.zk.getChildren(this.path).catch(() => [])).filter((c) => c.startsWith(QUEUE_PREFIX)).length
  }
}

/** Curator's priority prefix: '1'/'0' for non-negative/negative, then the 32-bit value in 8 hex digits. */
export function priorityToString(priority: number): string {
  return `${priority >= 0 ? '1' : '0'}${(priority >>> 0).toString(16).toUpperCase().padStart(8, '0')}`
}

/** A queue whose lowest priority value is taken first (Curator's DistributedPriorityQueue layout). */
export class PriorityQueue {
  private readonly q: Queue
  private readonly closing = new Closing('queue')
  /** @param path the queue's directory (created on the first put) */
  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
  ) {
    this.q = new Queue(zk, path)
  }

  /** Add an item with a priority (lower first; ties in insertion order). */
  async put(item: Buffer | string, priority: number): Promise<string> {
    this.closing.throwIfClosed('PriorityQueue.put', this.path)
    if (!Number.isInteger(priority) || priority < -0x80000000 || priority > 0x7fffffff)
      throw new RangeError('priority must be a 32-bit integer')
    await this.zk.createAll(this.path)
    return (
      await this.zk.create(`${this.path}/${QUEUE_PREFIX}${priorityToString(priority)}`, item, { mode: CreateMode.PERSISTENT_SEQUENTIAL })
    ).path
  }

  /** Take the item with the lowest priority, waiting for one; undefined on timeout. */
  take(opts: { timeout?: number; signal?: AbortSignal } = {}): Promise<Buffer | undefined> {
    return this.q.take(opts)
  }

  /** End the take() calls waiting (they reject with IllegalStateError) and refuse later calls. */
  close(): void {
    this.closing.close()
    this.q.close()
  }

  /** close(), for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
  }
}

/**
 * A queue whose consumers lock an item while they process it (Curator's DistributedQueue with a lock
 * path): the item is deleted only after `process` succeeds; if the consumer fails or its session
 * dies, the ephemeral lock goes and another consumer gets the item.
 */
export class LockingQueue {
  private readonly lockPath: string
  private readonly closing = new Closing('queue')
  /**
   * @param path the queue's directory
   * @param lockPath where the item locks go (default `<path>-locks`)
   */
  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
    lockPath?: string,
  ) {
    this.lockPath = lockPath ?? `${path}-locks`
  }

  /** Add an item; returns its node path. */
  async put(item: Buffer | string): Promise<string> {
    this.closing.throwIfClosed('LockingQueue.put', this.path)
    return new Queue(this.zk, this.path).put(item)
  }

  /** Take one item and process it under its lock; resolves false on timeout with nothing taken. */
  async consume(process: (item: Buffer) => Promise<void>, opts: { timeout?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    requireFunction(process, 'process', 'LockingQueue.consume', this.path)
    this.closing.throwIfClosed('LockingQueue.consume', this.path)
    const deadline = opts.timeout === undefined ? undefined : Date.now() + opts.timeout
    await this.zk.createAll(this.path)
    await this.zk.createAll(this.lockPath)
    for (;;) {
      this.closing.throwIfClosed('LockingQueue.consume', this.path)
      let fired!: () => void
      const changed = new Promise<void>((r) => (fired = r))
      const items = (await this.zk.getChildren(this.path, { watch: () => fired() })).filter((c) => c.startsWith(QUEUE_PREFIX)).sort()
      for (const item of items) {
        const lock = `${this.lockPath}/${item}`
        try {
          await this.zk.create(lock, null, { mode: CreateMode.EPHEMERAL })
        } catch (err) {
          if (err instanceof NodeExistsError) continue // another consumer has it
          throw err
        }
        try {
          const { data } = await this.zk.getData(`${this.path}/${item}`)
          await process(data)
          await this.zk.delete(`${this.path}/${item}`)
          return true
        } catch (err) {
          if (!(err instanceof NoNodeError)) throw err // processing failed: the item stays for another try
        } finally {
          await deleteQuietly(this.zk, lock)
        }
      }
      if (!(await until(this.closing.race(changed), deadline, opts.signal, { op: 'LockingQueue.consume', path: this.path }))) return false
    }
  }

  /**
   * End the consume() calls waiting for an item (they reject with IllegalStateError) and refuse later
   * calls; an item being processed is finished first by its consume().
   */
  close(): void {
    this.closing.close()
  }

  /** close(), for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
  }
}
