// The check of a client's options (ClientOptions), made in the constructor before anything starts,
// so that a wrong value (a negative timeout, a string, NaN) is a BadArgumentsError naming the option
// and the value, never silently taken to mean something else. Per-call options: arguments.ts.
import { BadArgumentsError } from './errors.js'
import { MAX_TIMEOUT_MS, checkBoolean, checkMilliseconds, describeValue, type ArgumentSite } from './arguments.js'

const SITE: ArgumentSite = { op: 'connect' }

const bad = (why: string) => new BadArgumentsError(why, SITE)

/** Throw unless `value` is undefined or a whole number in min..max (ZooKeeper sends these as int32). */
function checkWhole(value: unknown, what: string, unit: string, min: number, max = MAX_TIMEOUT_MS): void {
  if (value === undefined) return
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(`${what} must be a whole number of ${unit} in ${min}..${max}, not ${describeValue(value)}`)
  }
}

/**
 * Throw BadArgumentsError (op "connect") for the first invalid client option; `undefined` means
 * "the default". Unknown keys are left alone (option objects are often shared with other code);
 * defaultACL is checked with every ACL where it is used.
 */
export function validateClientOptions(opts: unknown): void {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts))
    throw bad(`client options must be an object, not ${describeValue(opts)}`)
  const o = opts as Record<string, unknown>
  checkWhole(o.sessionTimeout, 'sessionTimeout', 'ms', 1)
  // Timers start at 1 ms: 0 would read as "none" here and there, and a negative value as "at once".
  checkMilliseconds(o.connectTimeout, 'connectTimeout', SITE, 1)
  checkMilliseconds(o.initialConnectTimeout, 'initialConnectTimeout', SITE, 1)
  checkMilliseconds(o.requestTimeout, 'requestTimeout', SITE, 1)
  checkWhole(o.maxBufferSize, 'maxBufferSize', 'bytes', 1)
  for (const flag of ['readOnly', 'shuffleHosts', 'renewExpiredSession'] as const) checkBoolean(o[flag], flag, SITE)
  if (o.tls !== undefined && typeof o.tls !== 'boolean' && (typeof o.tls !== 'object' || o.tls === null)) {
    throw bad(`tls must be true, false or node:tls connection options, not ${describeValue(o.tls)}`)
  }
  if (o.sessionId !== undefined && typeof o.sessionId !== 'bigint')
    throw bad(`sessionId must be a bigint (as read from zk.sessionId), not ${describeValue(o.sessionId)}`)
  if (o.sessionPassword !== undefined && !(o.sessionPassword instanceof Uint8Array))
    throw bad(`sessionPassword must be a Buffer, not ${describeValue(o.sessionPassword)}`)
  if (o.auth !== undefined) checkAuthList(o.auth)
  if (o.sasl !== undefined) {
    const c = o.sasl as { username?: unknown; password?: unknown } | null
    if (typeof c !== 'object' || c === null) throw bad(`sasl must be { username, password }, not ${describeValue(c)}`)
    if (typeof c.username !== 'string' || c.username === '')
      throw bad(`sasl.username must be a non-empty string, not ${describeValue(c.username)}`)
    if (typeof c.password !== 'string') throw bad(`sasl.password must be a string, not ${describeValue(c.password)}`)
  }
  if (o.reconnectDelay !== undefined) {
    const d = o.reconnectDelay as { min?: unknown; max?: unknown } | null
    if (typeof d !== 'object' || d === null) throw bad(`reconnectDelay must be { min, max } in ms, not ${describeValue(d)}`)
    checkMilliseconds(d.min, 'reconnectDelay.min', SITE)
    checkMilliseconds(d.max, 'reconnectDelay.max', SITE)
    if (typeof d.min !== 'number' || typeof d.max !== 'number' || d.min > d.max) {
      throw bad(
        `reconnectDelay needs both min and max, with min <= max, not { min: ${describeValue(d.min)}, max: ${describeValue(d.max)} }`,
      )
    }
  }
  if (o.sessionFactory !== undefined && typeof o.sessionFactory !== 'function')
    throw bad(`sessionFactory must be a function, not ${describeValue(o.sessionFactory)}`)
}

function checkAuthList(auth: unknown): void {
  if (!Array.isArray(auth)) throw bad(`auth must be an array of { scheme, auth }, not ${describeValue(auth)}`)
  for (const [i, entry] of auth.entries()) {
    const a = entry as { scheme?: unknown; auth?: unknown } | null
    if (typeof a !== 'object' || a === null) throw bad(`auth[${i}] must be { scheme, auth }, not ${describeValue(a)}`)
    if (typeof a.scheme !== 'string' || a.scheme === '')
      throw bad(`auth[${i}].scheme must be a non-empty string, not ${describeValue(a.scheme)}`)
    if (typeof a.auth !== 'string' && !(a.auth instanceof Uint8Array))
      throw bad(`auth[${i}].auth must be a string or a Buffer, not ${describeValue(a.auth)}`)
  }
}
