// The closed state of a recipe object whose calls wait (the queues): a flag, a way for a wait to end
// when close() is called, and the error every later call gets.
import { IllegalStateError } from '../../src/index.js'

/** Whether an object was closed; waits go through race() so none outlives close(). */
export class Closing {
  private done = false
  /** Wakers of the waits in progress; each removes itself, so long-lived objects keep none. */
  private readonly wakers = new Set<() => void>()

  /** @param what names the object in errors ("queue"). */
  constructor(private readonly what: string) {}

  /** Whether close() was called. */
  get isClosed(): boolean {
    return this.done
  }

  /** Mark closed and end every wait in progress. */
  close(): void {
    this.done = true
    for (const wake of [...this.wakers]) wake()
  }

  /** Resolve when `p` settles or close() is called, whichever comes first. */
  race(p: Promise<unknown>): Promise<void> {
    return new Promise((resolve) => {
      if (this.done) return resolve()
      const wake = () => {
        this.wakers.delete(wake)
        resolve()
      }
      this.wakers.add(wake)
      p.then(wake, wake)
    })
  }

  /** Throw IllegalStateError naming `op` and `path` once closed. */
  throwIfClosed(op: string, path: string): void {
    if (this.done) throw new IllegalStateError(`the ${this.what} is closed`, { op, path })
  }
}
