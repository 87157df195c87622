// Waiting with a deadline and an AbortSignal, shared by the recipes.
import { AbortedError } from '../../src/index.js'

/** Which recipe call is waiting, for the error an abort ends it with. */
export interface WaitContext {
  op: string
  path?: string
}

/** The error an aborted recipe call rejects with: typed, naming the call, the reason as its cause. */
export function abortedBy(signal: AbortSignal, where: WaitContext): AbortedError {
  return new AbortedError({ ...where, cause: signal.reason })
}

/** Throw abortedBy(…) if `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, where: WaitContext): void {
  if (signal?.aborted) throw abortedBy(signal, where)
}

/** Resolve true when `p` settles, false at the deadline; reject when aborted. */
export function until(
  p: Promise<unknown>,
  deadline: number | undefined,
  signal: AbortSignal | undefined,
  where: WaitContext,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined
    const onAbort = () => finish(() => reject(abortedBy(signal!, where)))
    const finish = (fn: () => void) => {
      if (timer) clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      fn()
    }
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    if (deadline !== undefined) timer = setTimeout(() => finish(() => resolve(false)), Math.max(0, deadline - Date.now()))
    void p.then(() => finish(() => resolve(true)))
  })
}

/**
 * Report a background failure on an emitter without crashing the process: EventEmitter throws when
 * 'error' has no listener, and a recipe's background work must never take the application down.
 */
export function reportError(
  em: { listenerCount(event: 'error'): number; emit(event: 'error', err: unknown): boolean },
  err: unknown,
): void {
  if (em.listenerCount('error') > 0) em.emit('error', err)
}
