// Semaphore with leases and SemaphoreMutex, with Apache Curator's InterProcessSemaphoreV2 layout:
// <path>/locks (a Mutex serialising acquirers) and <path>/leases/_c_<uuid>-lease-<seq> (one
// ephemeral node per lease held).
import type { ZooKeeper } from '../src/index.js'
import { IllegalStateError, NoNodeError } from '../src/index.js'
import { Mutex, type AcquireOptions } from './lock.js'
import { createProtectedSequential } from './internal/protected.js'
import { deleteQuietly } from './internal/contenders.js'
import { until } from './internal/wait.js'

/** Curator's lease node name. */
export const LEASE_NAME = 'lease-'

/** A lease of a Semaphore; close it (or `await using`) to give it back. */
export interface Lease extends AsyncDisposable {
  /** The lease node. */
  readonly path: string
  /** Give the lease back (delete its node). */
  close(): Promise<void>
}

/** A counting semaphore of `maxLeases` leases shared by every participant on `path`. */
export class Semaphore {
  private readonly lock: Mutex
  /** Where the lease nodes go: `<path>/leases`. */
  readonly leasesPath: string

  /**
   * @param path the semaphore's directory
   * @param maxLeases how many leases may be held at once; every participant must agree on it
   */
  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
    readonly maxLeases: number,
  ) {
    if (!Number.isInteger(maxLeases) || maxLeases < 1) throw new RangeError('maxLeases must be a positive integer')
    this.lock = new Mutex(zk, `${path}/locks`)
    this.leasesPath = `${path}/leases`
  }

  /** Take one lease; resolves undefined on timeout. Aborting or timing out leaves no node behind. */
  async acquire(opts: AcquireOptions = {}): Promise<Lease | undefined> {
    const deadline = opts.timeout === undefined ? undefined : Date.now() + opts.timeout
    const left = () => (deadline === undefined ? undefined : Math.max(0, deadline - Date.now()))
    if (!(await this.lock.acquire({ timeout: left(), signal: opts.signal }))) return undefined
    let node: string | undefined
    try {
      node = await createProtectedSequential(this.zk, this.leasesPath, LEASE_NAME, Buffer.alloc(0), { signal: opts.signal })
      const name = node.slice(this.leasesPath.length + 1)
      for (;;) {
        let changed!: () => void
        const wake = new Promise<void>((r) => (changed = r))
        const children = await this.zk.getChildren(this.leasesPath, { watch: () => changed() })
        if (!children.includes(name))
          throw new NoNodeError('our lease node vanished (session lost?)', { op: 'Semaphore.acquire', path: node })
        if (children.length <= this.maxLeases) break
        const ms = left()
        if (ms === 0) {
          await deleteQuietly(this.zk, node)
          return undefined
        }
        await until(wake, ms === undefined ? undefined : Date.now() + ms, opts.signal, { op: 'Semaphore.acquire', path: this.path })
      }
    } catch (err) {
      if (node) await deleteQuietly(this.zk, node)
      throw err
    } finally {
      await this.lock.release()
    }
    const path = node
    const close = () => deleteQuietly(this.zk, path)
    return { path, close, [Symbol.asyncDispose]: close }
  }

  /** Lease nodes currently held. */
  async participants(): Promise<string[]> {
    return this.zk.getChildren(this.leasesPath).catch(() => [])
  }
}

/** A non-re-entrant mutex built on a one-lease Semaphore (Curator's InterProcessSemaphoreMutex). */
export class SemaphoreMutex {
  private readonly sem: Semaphore
  private lease: Lease | undefined

  /** @param path the lock's directory */
  constructor(
    zk: ZooKeeper,
    readonly path: string,
  ) {
    this.sem = new Semaphore(zk, path, 1)
  }

  /** Wait for the lock: true when held, false on timeout. Taking it twice is an IllegalStateError. */
  async acquire(opts: AcquireOptions = {}): Promise<boolean> {
    if (this.lease) throw new IllegalStateError('already held (not re-entrant)', { op: 'SemaphoreMutex.acquire', path: this.path })
    this.lease = await this.sem.acquire(opts)
    return this.lease !== undefined
  }

  /** Release the lock (an IllegalStateError when not held). */
  async release(): Promise<void> {
    const lease = this.lease
    if (!lease) throw new IllegalStateError('not held', { op: 'SemaphoreMutex.release', path: this.path })
    this.lease = undefined
    await lease.close()
  }

  /** Whether this instance holds the lock. */
  isHeld(): boolean {
    return this.lease !== undefined
  }

  /** For `await using`: the lock, if still held at the end of the scope, is released. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.lease) await this.release()
  }
}
