// Mutex: a re-entrant distributed lock with Apache Curator's node layout (InterProcessMutex), so a
// Java service using Curator and a Node service using zookit exclude each other on the same path.
// Nodes: <path>/_c_<uuid>-lock-<10-digit sequence>, ephemeral; each waiter watches only its predecessor.
import type { Stat, ZooKeeper } from '../src/index.js'
import { IllegalStateError, NoNodeError, OperationTimeoutError, TypedEventEmitter } from '../src/index.js'
import { connectionStateOf, type ConnectionState } from './connection-state.js'
import { contend, deleteQuietly, standardDriver, type Contender } from './internal/contenders.js'
import { sortBySequence } from './internal/protected.js'

/** Options of one acquire() call. */
export interface AcquireOptions {
  /** Give up after this many ms: acquire() then resolves false and leaves no node behind. */
  timeout?: number
  /** Abort the wait: acquire() rejects with the signal's reason and leaves no node behind. */
  signal?: AbortSignal
}

/** Curator's lock node name. */
export const LOCK_NAME = 'lock-'

/** The events of a Mutex, told only while it is held (the connection states SUSPENDED, RECONNECTED, LOST). */
export interface MutexEvents {
  /** The connection dropped (SUSPENDED): the lock may be lost if the session expires before it is back. */
  suspended: []
  /** The same session is back (RECONNECTED): still held. */
  reconnected: []
  /** The session is gone (LOST: expired, credentials refused, or the client closed): so is the lock node. */
  lost: []
}

/**
 * A re-entrant mutex on `path`. One instance is one participant: acquiring it again while held only
 * counts up, and the lock is released when release() has been called as many times.
 *
 * Connection semantics (the client's connectionStateOf(zk)), told while the lock is held:
 * 'suspended' when the connection drops (the lock may be lost: the session can expire),
 * 'reconnected' when the same session is back (still held), 'lost' when the session is gone (the
 * node is gone; the lock is no longer held). Like Curator's InterProcessMutex it takes no error
 * policy: it keeps its node through a suspension, and whether to stop relying on the lock at
 * 'suspended' is the holder's decision (isErrorState(state, policy) answers it as the leader recipes
 * do). Use the fencing token for writes that must not come from a holder that lost the lock.
 */
export class Mutex extends TypedEventEmitter<MutexEvents> {
  private holder: Contender | undefined
  private count = 0
  private pending: Promise<boolean> | undefined
  private readonly onConnection = (state: ConnectionState) => {
    if (!this.holder) return
    if (state === 'SUSPENDED') this.emit('suspended')
    else if (state === 'RECONNECTED') this.emit('reconnected')
    else if (state === 'LOST') {
      this.holder = undefined
      this.count = 0
      connectionStateOf(this.zk).off('change', this.onConnection)
      this.emit('lost')
    }
  }

  /**
   * @param path the lock's directory
   * @param data stored in this participant's lock node
   */
  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
    private readonly data: Buffer = Buffer.alloc(0),
  ) {
    super()
  }

  /** Wait for the lock. Resolves true when held, false on timeout. */
  async acquire(opts: AcquireOptions = {}): Promise<boolean> {
    if (this.holder) {
      this.count++
      return true
    }
    // Concurrent acquire() calls on one instance share the attempt (the instance is one participant).
    if (this.pending) {
      const ok = await this.pending
      if (ok) this.count++
      return ok
    }
    this.pending = contend(this.zk, this.path, standardDriver(LOCK_NAME, 1), { ...opts, data: this.data }).then((c) => {
      if (c) {
        this.holder = c
        this.count = 1
        connectionStateOf(this.zk).on('change', this.onConnection)
      }
      return c !== undefined
    })
    try {
      return await this.pending
    } finally {
      this.pending = undefined
    }
  }

  /** Release one hold; the node is deleted when the last hold goes. */
  async release(): Promise<void> {
    if (!this.holder) throw new IllegalStateError('release() without a matching acquire()', { op: 'Mutex.release', path: this.path })
    if (--this.count > 0) return
    const { path } = this.holder
    this.holder = undefined
    connectionStateOf(this.zk).off('change', this.onConnection)
    await deleteQuietly(this.zk, path)
  }

  /** Whether this instance holds the lock (its node exists as far as this client knows). */
  isHeld(): boolean {
    return this.holder !== undefined && connectionStateOf(this.zk).state !== 'LOST'
  }

  /** For `await using mutex = new Mutex(…)`: a lock still held at the end of the scope is released, every hold at once. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.holder) return
    this.count = 1
    await this.release()
  }

  /** The lock node while held. */
  get nodePath(): string | undefined {
    return this.holder?.path
  }

  /**
   * A fencing token: the lock node's creation zxid. Every later holder has a larger one, so a store
   * that remembers the largest token it saw can refuse writes from a holder that lost the lock.
   */
  async fencingToken(): Promise<bigint> {
    if (!this.holder) throw new IllegalStateError('not held', { op: 'Mutex.fencingToken', path: this.path })
    const stat = (await this.zk.exists(this.holder.path)) as Stat | null
    if (!stat) throw new NoNodeError('the lock node is gone (session lost)', { op: 'Mutex.fencingToken', path: this.holder.path })
    return stat.czxid
  }

  /** `await using lock = await mutex.hold()`: acquire now, release at the end of the scope. */
  async hold(opts: AcquireOptions = {}): Promise<AsyncDisposable & { mutex: Mutex }> {
    if (!(await this.acquire(opts)))
      throw new OperationTimeoutError(`not acquired within ${opts.timeout} ms`, { op: 'Mutex.hold', path: this.path })
    return { mutex: this, [Symbol.asyncDispose]: () => this.release() }
  }

  /** Names of the participants' nodes, in lock order (Curator's getParticipantNodes). */
  async participants(): Promise<string[]> {
    try {
      return sortBySequence(await this.zk.getChildren(this.path), LOCK_NAME)
    } catch (err) {
      if (err instanceof NoNodeError) return []
      throw err
    }
  }
}
