// Waiting with a bound: retry until a deadline, or give up on a promise after a while.
import { setTimeout as sleep } from 'node:timers/promises'

/** Retry `fn` on any error until `deadline`; the last error is thrown then. */
export async function retrying<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await fn()
    } catch (err) {
      if (Date.now() > deadline) throw err
      await sleep(50)
    }
  }
}

/** Reject if `p` takes longer than `ms`. */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms))),
    ])
  } finally {
    clearTimeout(timer)
  }
}
