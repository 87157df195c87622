// One admin call's bounds: its options checked, then a deadline and the caller's signal raced against
// the work, so every call settles (AdminTimeoutError, AdminAbortedError) even if the work never does.
import { checkCallOptions, checkMilliseconds, type ArgumentSite } from '../arguments.js'
import { AdminAbortedError, AdminTimeoutError, type AdminErrorContext } from './errors.js'
import type { AdminCallOptions } from './types.js'

/** The default timeout of an admin call, ms. */
export const DEFAULT_ADMIN_TIMEOUT = 5000

/** Throw BadArgumentsError unless `timeout` is a usable client default (1..2^31-1 ms). */
export function checkDefaultTimeout(timeout: unknown, site: ArgumentSite): void {
  checkMilliseconds(timeout, 'timeout', site, 1)
}

/**
 * Run `work` for one call. `stop` aborts (its reason the AdminError the call rejects with) on
 * timeout or when the caller's signal fires, and after the call settles, so the work can release
 * its socket; the call does not wait for it to.
 */
export function bounded<T>(
  ctx: AdminErrorContext,
  opts: AdminCallOptions | undefined,
  defaultTimeout: number,
  work: (stop: AbortSignal) => Promise<T>,
): Promise<T> {
  checkCallOptions(opts, { op: ctx.command })
  const timeout = opts?.timeout ?? defaultTimeout
  const signal = opts?.signal
  if (signal?.aborted) return Promise.reject(new AdminAbortedError({ ...ctx, cause: signal.reason }))
  const stop = new AbortController()
  return new Promise<T>((resolve, reject) => {
    const end = (err: Error) => {
      reject(err)
      stop.abort(err)
    }
    const timer = setTimeout(() => end(new AdminTimeoutError(timeout, ctx)), timeout)
    const onAbort = () => end(new AdminAbortedError({ ...ctx, cause: signal?.reason }))
    signal?.addEventListener('abort', onAbort, { once: true })
    let settled: Promise<T>
    try {
      settled = work(stop.signal)
    } catch (err) {
      settled = Promise.reject(err)
    }
    settled.then(resolve, reject).finally(() => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      stop.abort()
    })
  })
}
