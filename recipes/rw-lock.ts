// ReadWriteLock with Apache Curator's layout (InterProcessReadWriteLock): one directory, readers'
// nodes named _c_<uuid>-__READ__<seq>, writers' _c_<uuid>-__WRIT__<seq>. A writer waits for every
// earlier node; a reader only for earlier writers. Both are re-entrant Mutex-like handles.
import type { ZooKeeper } from '../src/index.js'
import { IllegalStateError } from '../src/index.js'
import { contend, deleteQuietly, type ContenderDriver, type Contender } from './internal/contenders.js'
import type { AcquireOptions } from './lock.js'

/** Curator's read lock node name. */
export const READ_LOCK_NAME = '__READ__'
/** Curator's write lock node name. */
export const WRITE_LOCK_NAME = '__WRIT__'

/** Sequence number of a read or write node (both share the parent's counter). */
function seq(name: string): number {
  const m = /(\d{10})$/.exec(name)
  return m ? Number(m[1]) : -1
}
const isLockNode = (n: string) => (n.includes(READ_LOCK_NAME) || n.includes(WRITE_LOCK_NAME)) && seq(n) >= 0
const sortAll = (children: string[]) => children.filter(isLockNode).sort((a, b) => seq(a) - seq(b))

const writeDriver: ContenderDriver = {
  marker: WRITE_LOCK_NAME,
  sort: sortAll,
  decide: (sorted, ours) => (ours === 0 ? { holds: true } : { holds: false, watch: sorted[ours - 1]! }),
}

/** A reader holds unless a writer comes first; it then watches the last writer before it. */
const readDriver: ContenderDriver = {
  marker: READ_LOCK_NAME,
  sort: sortAll,
  decide(sorted, ours) {
    for (let i = ours - 1; i >= 0; i--) if (sorted[i]!.includes(WRITE_LOCK_NAME)) return { holds: false, watch: sorted[i]! }
    return { holds: true }
  },
}

/** One side (read or write) of a ReadWriteLock. */
export class LockSide {
  private holder: Contender | undefined
  private count = 0
  /**
   * Made by ReadWriteLock, which picks the driver.
   * @param path the shared lock directory
   * @internal
   */
  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
    private readonly driver: ContenderDriver,
  ) {}

  /** Wait for this side: true when held (again, if this instance holds it already), false on timeout. */
  async acquire(opts: AcquireOptions = {}): Promise<boolean> {
    if (this.holder) {
      this.count++
      return true
    }
    const c = await contend(this.zk, this.path, this.driver, opts)
    if (!c) return false
    this.holder = c
    this.count = 1
    return true
  }

  /** Release one hold; the node is deleted when the last hold goes. */
  async release(): Promise<void> {
    if (!this.holder) throw new IllegalStateError(`${this.driver.marker} lock not held`, { op: 'release', path: this.path })
    if (--this.count > 0) return
    const { path } = this.holder
    this.holder = undefined
    await deleteQuietly(this.zk, path)
  }

  /** Whether this instance holds this side. */
  isHeld(): boolean {
    return this.holder !== undefined
  }

  /** For `await using`: this side, if still held at the end of the scope, is released (every hold at once). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.holder) return
    this.count = 1
    await this.release()
  }
}

/** Many readers or one writer on `path`. */
export class ReadWriteLock {
  /** The shared side: held alongside other readers, not with a writer. */
  readonly readLock: LockSide
  /** The exclusive side: held alone, once every earlier reader and writer is done. */
  readonly writeLock: LockSide
  /** @param path the lock's directory, shared by both sides */
  constructor(
    zk: ZooKeeper,
    readonly path: string,
  ) {
    this.readLock = new LockSide(zk, path, readDriver)
    this.writeLock = new LockSide(zk, path, writeDriver)
  }

  /** For `await using`: whichever side is still held at the end of the scope is released. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.writeLock[Symbol.asyncDispose]()
    await this.readLock[Symbol.asyncDispose]()
  }
}
