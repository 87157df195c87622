// Barrier and DoubleBarrier with Apache Curator's layouts (DistributedBarrier, DistributedDoubleBarrier).
import { randomUUID } from 'node:crypto'
import { CreateMode, NodeExistsError, NoNodeError, type ZooKeeper } from '../src/index.js'
import { throwIfAborted, until } from './internal/wait.js'

/** Wait for `path` to be deleted (or to be absent); false on timeout. */
async function waitGone(zk: ZooKeeper, path: string, opts: { timeout?: number; signal?: AbortSignal }): Promise<boolean> {
  const deadline = opts.timeout === undefined ? undefined : Date.now() + opts.timeout
  for (;;) {
    throwIfAborted(opts.signal, { op: 'Barrier.wait', path })
    let fired!: () => void
    const changed = new Promise<void>((r) => (fired = r))
    if ((await zk.exists(path, { watch: () => fired() })) === null) return true
    if (!(await until(changed, deadline, opts.signal, { op: 'Barrier.wait', path }))) return false
  }
}

/** A barrier node: while it exists, waiters wait. */
export class Barrier {
  /** @param path the barrier node */
  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
  ) {}

  /** Raise the barrier (create the node). */
  async set(): Promise<void> {
    try {
      await this.zk.createAll(this.path)
    } catch (err) {
      if (!(err instanceof NodeExistsError)) throw err
    }
  }

  /** Lower it: every waiter is released. */
  async remove(): Promise<void> {
    await this.zk.delete(this.path).catch((err: unknown) => {
      if (!(err instanceof NoNodeError)) throw err
    })
  }

  /** Wait until the barrier is removed; false on timeout. */
  wait(opts: { timeout?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    return waitGone(this.zk, this.path, opts)
  }
}

/**
 * A double barrier for `memberQty` participants: enter() returns when that many have entered,
 * leave() when all have left. Nodes: <path>/<uuid> (ephemeral) and <path>/ready.
 */
export class DoubleBarrier {
  private readonly id = randomUUID()
  private readonly ready: string
  private readonly mine: string
  /** Our member node exists (between enter() and leave()). */
  private inside = false

  /**
   * @param path the directory the members' nodes go in
   * @param memberQty how many members enter() waits for
   */
  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
    readonly memberQty: number,
  ) {
    this.ready = `${path}/ready`
    this.mine = `${path}/${this.id}`
  }

  /** Join; resolves true once `memberQty` members are in, false on timeout (our node removed). */
  async enter(opts: { timeout?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    const deadline = opts.timeout === undefined ? undefined : Date.now() + opts.timeout
    let readyFired!: () => void
    const readyCreated = new Promise<void>((r) => (readyFired = r))
    const readyExists = (await this.zk.exists(this.ready, { watch: () => readyFired() })) !== null
    await this.zk.createAll(this.path, undefined, { mode: CreateMode.CONTAINER, parentMode: CreateMode.CONTAINER })
    await this.zk.create(this.mine, null, { mode: CreateMode.EPHEMERAL })
    this.inside = true
    if (readyExists) return true
    const children = (await this.zk.getChildren(this.path)).filter((c) => c !== 'ready')
    if (children.length >= this.memberQty) {
      await this.zk.create(this.ready).catch((err: unknown) => {
        if (!(err instanceof NodeExistsError)) throw err
      })
      return true
    }
    if (
      await until(readyCreated, deadline, opts.signal, { op: 'DoubleBarrier.enter', path: this.path }).catch(async (err) => {
        await this.removeOurNode()
        throw err
      })
    )
      return true
    await this.removeOurNode()
    return false
  }

  /** Delete our member node, whatever happens (a missing node or a lost connection is fine: it is ephemeral). */
  private async removeOurNode(): Promise<void> {
    this.inside = false
    await this.zk.delete(this.mine).catch(() => {})
  }

  /** Leave; resolves true once every member has left, false on timeout. */
  async leave(opts: { timeout?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    const deadline = opts.timeout === undefined ? undefined : Date.now() + opts.timeout
    await this.zk.delete(this.mine).catch((err: unknown) => {
      if (!(err instanceof NoNodeError)) throw err
    })
    this.inside = false
    for (;;) {
      let fired!: () => void
      const changed = new Promise<void>((r) => (fired = r))
      let members: string[]
      try {
        members = (await this.zk.getChildren(this.path, { watch: () => fired() })).filter((c) => c !== 'ready')
      } catch (err) {
        if (err instanceof NoNodeError) return true
        throw err
      }
      if (members.length === 0) {
        await this.zk.delete(this.ready).catch(() => {})
        return true
      }
      if (!(await until(changed, deadline, opts.signal, { op: 'DoubleBarrier.leave', path: this.path }))) return false
    }
  }

  /**
   * For `await using`: a member that entered and did not leave removes its node at the end of the
   * scope, without waiting for the others, so they are not kept waiting for it.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.inside) await this.removeOurNode()
  }
}
