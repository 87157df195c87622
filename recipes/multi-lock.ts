// MultiLock: hold several locks as one (Curator's InterProcessMultiLock). Locks are taken in the
// given order and released in reverse; if one cannot be had, those already taken are released.
import type { AcquireOptions } from './lock.js'

/** Anything lock-like. */
export interface Lockable {
  /** Take it: true when held, false on timeout. */
  acquire(opts?: AcquireOptions): Promise<boolean>
  /** Give it back. */
  release(): Promise<void>
}

/** Several locks held as one: taken in order, released in reverse. */
export class MultiLock implements Lockable {
  private held = false
  constructor(private readonly locks: Lockable[]) {}

  /** Take every lock (in order) within the overall timeout; false and nothing held otherwise. */
  async acquire(opts: AcquireOptions = {}): Promise<boolean> {
    const deadline = opts.timeout === undefined ? undefined : Date.now() + opts.timeout
    const held: Lockable[] = []
    try {
      for (const l of this.locks) {
        const timeout = deadline === undefined ? undefined : Math.max(0, deadline - Date.now())
        if (!(await l.acquire({ timeout, signal: opts.signal }))) {
          await this.releaseAll(held)
          return false
        }
        held.push(l)
      }
      this.held = true
      return true
    } catch (err) {
      await this.releaseAll(held)
      throw err
    }
  }

  /** Release every lock, last taken first. */
  async release(): Promise<void> {
    this.held = false
    await this.releaseAll([...this.locks])
  }

  /** For `await using`: the locks, if still held at the end of the scope, are released. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.held) await this.release()
  }

  private async releaseAll(held: Lockable[]): Promise<void> {
    for (const l of held.reverse()) await l.release()
  }
}
