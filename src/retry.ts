// Retry policies: the session's reconnect backoff, and withRetry() for user code and recipes, which
// retries only what may succeed on a second try (connection loss, timeouts) and never NoNode & co.
import pRetry, { AbortError } from 'p-retry'
import { ErrorCode } from './protocol.js'
import { ZooKeeperError } from './errors.js'

/** Exponential backoff with full jitter: attempt 0 → up to `min`, doubling up to `max`. */
export function backoffDelay(attempt: number, min: number, max: number, random: () => number = Math.random): number {
  const cap = Math.min(max, min * 2 ** Math.min(attempt, 20))
  return Math.round(min + random() * Math.max(0, cap - min))
}

/** Codes worth retrying: the operation may not have happened, and trying again may work. */
const RETRYABLE = new Set<number>([ErrorCode.CONNECTIONLOSS, ErrorCode.OPERATIONTIMEOUT, ErrorCode.SESSIONMOVED, ErrorCode.THROTTLEDOP, ErrorCode.REQUESTTIMEOUT])

/** Whether an error is worth retrying (connection loss and timeouts; never closed/expired sessions). */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof ZooKeeperError)) return false
  if (err.name === 'ClientClosedError' || err.name === 'AbortedError') return false
  return RETRYABLE.has(err.code)
}

/** Options of withRetry(). */
export interface RetryOptions {
  /** Further attempts after the first (default 5). */
  retries?: number
  /** Delay bounds in ms (default 50..2000, exponential with jitter). */
  minDelay?: number
  maxDelay?: number
  signal?: AbortSignal
  /** Override which errors are retried (default isRetryable). */
  isRetryable?: (err: unknown) => boolean
}

/**
 * Run `fn` until it succeeds, retrying retryable ZooKeeper errors with backoff. Non-retryable errors
 * propagate at once, unchanged. Beware: a retried write may have been applied by the first attempt.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const retryable = opts.isRetryable ?? isRetryable
  return pRetry(
    async (attempt) => {
      try {
        return await fn(attempt)
      } catch (err) {
        if (!retryable(err)) throw new AbortError(err as Error)
        throw err
      }
    },
    { retries: opts.retries ?? 5, minTimeout: opts.minDelay ?? 50, maxTimeout: opts.maxDelay ?? 2000, randomize: true, signal: opts.signal },
  )
}
