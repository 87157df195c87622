// Queue (FIFO) with Apache Curator's layout (DistributedQueue): items are persistent sequential
// nodes <path>/queue-<seq> holding the payload; a consumer takes the lowest and deletes it, so each
// item is taken exactly once even with many consumers.
import { CreateMode, NoNodeError, type ZooKeeper } from '../src/index.js'
import { until } from './internal/wait.js'

export const QUEUE_PREFIX = 'queue-'

/** A distributed FIFO queue. */
export class Queue {
  constructor(private readonly zk: ZooKeeper, readonly path: string) {}

  /** Add an item; returns its node path. */
  async put(item: Buffer | string): Promise<string> {
    await this.zk.createAll(this.path)
    return (await this.zk.create(`${this.path}/${QUEUE_PREFIX}`, item, { mode: CreateMode.PERSISTENT_SEQUENTIAL })).path
  }

  /** Take the oldest item, waiting for one; undefined on timeout. */
  async take(opts: { timeout?: number; signal?: AbortSignal } = {}): Promise<Buffer | undefined> {
    const deadline = opts.timeout === undefined ? undefined : Date.now() + opts.timeout
    await this.zk.createAll(this.path)
    for (;;) {
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
      if (!(await until(changed, deadline, opts.signal))) return undefined
    }
  }

  /** Number of items waiting. */
  async size(): Promise<number> {
    return (await this.zk.getChildren(this.path).catch(() => [])).filter((c) => c.startsWith(QUEUE_PREFIX)).length
  }
}
