// Checks of the callbacks and options handed to the public API, made before anything is registered
// or sent, so a wrong argument is a BadArgumentsError naming the op, the path and what was wrong
// instead of a TypeError from deep inside (a WeakMap key, an AbortSignal method) or a silent no-op.
import { BadArgumentsError } from './errors.js'

/** Largest delay setTimeout honours; anything above fires at once (Node warns and uses 1 ms). */
export const MAX_TIMEOUT_MS = 0x7fffffff

/** A short, human description of a value for error messages: `the string "yes"`, `null`, `an array`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
    case 'number':
    case 'bigint':
    case 'boolean':
      return `the ${typeof value} ${String(value)}${typeof value === 'bigint' ? 'n' : ''}`
    case 'undefined':
      return 'undefined'
    case 'function':
      return 'a function'
    case 'symbol':
      return 'a symbol'
    default: {
      const name = (value as object).constructor?.name
      return name && name !== 'Object' ? `a ${name}` : 'an object'
    }
  }
}

/** Whether `value` behaves as an AbortSignal (duck-typed, so signals of other realms pass too). */
function isAbortSignal(value: unknown): value is AbortSignal {
  if (value instanceof AbortSignal) return true
  const s = value as Partial<AbortSignal> | null
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.aborted === 'boolean' &&
    typeof s.addEventListener === 'function' &&
    typeof s.removeEventListener === 'function'
  )
}

/** Where a check happens, for the error: the operation and, when it has one, its path. */
export interface ArgumentSite {
  op: string
  path?: string | undefined
}

function bad(site: ArgumentSite, why: string): BadArgumentsError {
  return new BadArgumentsError(why, { op: site.op, path: site.path })
}

/** Throw unless `value` is undefined or a function; `what` names it ("watch", "listener"). */
export function checkCallback(value: unknown, what: string, site: ArgumentSite, optional = true): void {
  if (value === undefined && optional) return
  if (typeof value !== 'function') throw bad(site, `${what} must be a function, not ${describeValue(value)}`)
}

/** Throw unless `value` is undefined or a boolean. */
export function checkBoolean(value: unknown, what: string, site: ArgumentSite): void {
  if (value !== undefined && typeof value !== 'boolean') throw bad(site, `${what} must be true or false, not ${describeValue(value)}`)
}

/** Throw unless `value` is undefined or a number of ms that setTimeout can wait (min..2^31-1, min 0 by default). */
export function checkMilliseconds(value: unknown, what: string, site: ArgumentSite, min = 0): void {
  if (value === undefined) return
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_TIMEOUT_MS) {
    throw bad(site, `${what} must be a number of ms in ${min}..${MAX_TIMEOUT_MS}, not ${describeValue(value)}`)
  }
}

/** Throw unless `value` is undefined or an AbortSignal. */
export function checkSignal(value: unknown, site: ArgumentSite): void {
  if (value !== undefined && !isAbortSignal(value)) throw bad(site, `signal must be an AbortSignal, not ${describeValue(value)}`)
}

/**
 * Throw unless `opts` is undefined or an options object whose `signal` and `timeout` are usable and
 * whose named callbacks (e.g. `['watch']`) are functions. Unknown keys are left alone: option
 * objects are often shared between calls.
 */
export function checkCallOptions(opts: unknown, site: ArgumentSite, callbacks: readonly string[] = []): void {
  if (opts === undefined) return
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts))
    throw bad(site, `options must be an object, not ${describeValue(opts)}`)
  const o = opts as Record<string, unknown>
  checkSignal(o.signal, site)
  // A timeout of 0 would mean "none" to the timer code: refused, so that it never silently does.
  checkMilliseconds(o.timeout, 'timeout', site, 1)
  for (const name of callbacks) checkCallback(o[name], name, site)
}

/** Throw unless `value` is one of `allowed`; the message lists them. */
export function checkOneOf<T extends string>(value: unknown, allowed: readonly T[], what: string, site: ArgumentSite): asserts value is T {
  if (!(allowed as readonly unknown[]).includes(value))
    throw bad(site, `${what} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, not ${describeValue(value)}`)
}
