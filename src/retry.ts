// Retry policies: the exponential backoff with jitter that the session uses between full cycles over
// its hosts, and withRetry() for user code and recipes, which retries only what may succeed on a
// second try (connection loss, timeouts) and never NoNode, NodeExists and the like.
import pRetry, { AbortError } from 'p-retry'
import { ErrorCode } from './protocol.js'
import { AbortedError, BadArgumentsError, ClientClosedError, ZooKeeperError } from './errors.js'
import { checkCallOptions, checkCallback, checkMilliseconds, describeValue } from './arguments.js'

/** Bounds of an exponential backoff, in ms. */
export interface BackoffOptions {
  /** Delay of the first retry before jitter (ms). */
  min: number
  /** Largest delay ever returned (ms). */
  max: number
  /** Growth per attempt (default 2). */
  factor?: number
}

/**
 * The session's default reconnect backoff between full cycles over the hosts. It starts short
 * because the usual failed cycle is a failover: the survivors elect in a few ms and close
 * connections until then, so the first retry should not wait much longer than that (ZooKeeper's Java
 * client waits a random 0–1000 ms before each connect).
 */
export const DEFAULT_RECONNECT_DELAY: Readonly<Required<BackoffOptions>> = { min: 10, max: 2000, factor: 2 }

/**
 * Delay before retry number `attempt` (0-based): `min * factor^attempt`, multiplied by a random
 * jitter in [1, 2) and capped at `max`. This is p-retry's own formula (with `randomize`), so the
 * session's reconnects and withRetry() back off alike. Never below `min` nor above `max`.
 */
export function backoffDelay(attempt: number, min: number, max: number, random: () => number = Math.random, factor = 2): number {
  const base = min * factor ** Math.min(Math.max(0, attempt), 64)
  return Math.max(Math.min(min, max), Math.min(max, Math.round(base * (1 + random()))))
}

/** A stateful backoff: next() grows the delay, reset() starts over (after a success). */
export class Backoff {
  private attempt = 0
  private readonly opts: Required<BackoffOptions>

  constructor(
    opts: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {
    this.opts = { factor: 2, ...opts }
  }

  /** The delay to wait now; each call backs off further. */
  next(): number {
    return backoffDelay(this.attempt++, this.opts.min, this.opts.max, this.random, this.opts.factor)
  }

  /** Start over from the smallest delay. */
  reset(): void {
    this.attempt = 0
  }

  /** Delays handed out since the last reset. */
  get attempts(): number {
    return this.attempt
  }
}

/** Codes worth retrying: the operation may not have happened, and trying again may work. */
const RETRYABLE_CODES: ReadonlySet<number> = new Set([
  ErrorCode.CONNECTIONLOSS,
  ErrorCode.OPERATIONTIMEOUT,
  ErrorCode.SESSIONMOVED,
  ErrorCode.THROTTLEDOP,
  ErrorCode.REQUESTTIMEOUT,
])

/**
 * Whether an error is worth retrying: connection loss, timeouts, a moved session, throttling.
 * Never a closed client or an aborted call (they share codes with the retryable ones), never an
 * expired session (a new client is needed), never a logical error such as NoNode or NodeExists.
 */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof ZooKeeperError)) return false
  if (err instanceof ClientClosedError || err instanceof AbortedError) return false
  return RETRYABLE_CODES.has(err.code)
}

/** Options of withRetry(). */
export interface RetryOptions {
  /** Further attempts after the first (default 5). */
  retries?: number
  /** Smallest delay before a retry, ms (default 50). */
  minDelay?: number
  /** Largest delay before a retry, ms (default 2000). */
  maxDelay?: number
  /** Stop retrying; the promise rejects with AbortedError (or the error of an attempt running then). */
  signal?: AbortSignal
  /** Which errors are retried (default isRetryable). Others propagate at once, unchanged. */
  isRetryable?: (err: unknown) => boolean
  /** Called before each retry with the error that caused it and the 1-based attempt that failed. */
  onRetry?: (err: unknown, attempt: number) => void
}

/**
 * Run `fn` until it succeeds, retrying retryable errors with exponential backoff and jitter
 * (p-retry underneath). Non-retryable errors end it at once (p-retry's AbortError) and come out
 * unchanged. Beware: a write retried after ConnectionLoss may have been applied by the first
 * attempt; recipes make their writes idempotent (e.g. a uuid in sequential node names).
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  checkRetryArguments(fn, opts)
  const retryable = opts.isRetryable ?? isRetryable
  // The error that stopped the retries, kept as thrown (p-retry would re-wrap non-Error values).
  let fatal: { err: unknown } | undefined
  try {
    return await pRetry(
      async (attempt) => {
        try {
          return await fn(attempt)
        } catch (err) {
          if (!retryable(err)) {
            fatal = { err }
            throw new AbortError('not retryable')
          }
          throw err
        }
      },
      {
        retries: opts.retries ?? 5,
        minTimeout: opts.minDelay ?? 50,
        maxTimeout: opts.maxDelay ?? 2000,
        factor: 2,
        randomize: true,
        signal: opts.signal,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft > 0) opts.onRetry?.(error, attemptNumber)
        },
      },
    )
  } catch (err) {
    if (fatal) throw fatal.err
    if (opts.signal?.aborted && err === opts.signal.reason) throw new AbortedError({ op: 'withRetry', cause: err })
    throw err
  }
}

/** Refuse what withRetry cannot use, as a BadArgumentsError (p-retry would throw TypeErrors or loop oddly). */
function checkRetryArguments(fn: unknown, opts: unknown): void {
  const site = { op: 'withRetry' }
  checkCallback(fn, 'fn', site, false)
  checkCallOptions(opts, site, ['isRetryable', 'onRetry'])
  const o = opts as RetryOptions | undefined
  if (o?.retries !== undefined && o.retries !== Infinity && (!Number.isInteger(o.retries) || o.retries < 0)) {
    throw new BadArgumentsError(`retries must be a whole number >= 0 (or Infinity), not ${describeValue(o.retries)}`, site)
  }
  checkMilliseconds(o?.minDelay, 'minDelay', site)
  checkMilliseconds(o?.maxDelay, 'maxDelay', site)
}
