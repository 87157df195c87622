// Checks shared by the text and the JSON parsers: a ShapeError says what in an answer was not as
// expected; the clients turn it into an AdminBadResponseError naming the command and the server.
import { AdminBadResponseError, type AdminErrorContext } from './errors.js'
import type { ServerMode } from './types.js'

/** An answer that does not have its command's shape. Internal: callers see AdminBadResponseError. */
export class ShapeError extends Error {
  override name = 'ShapeError'
}

/** `parse()`, its ShapeError turned into the AdminBadResponseError callers see (`raw` kept). */
export function shaped<T>(ctx: AdminErrorContext, raw: string, parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    if (err instanceof ShapeError) throw new AdminBadResponseError(`not a ${ctx.command} answer: ${err.message}`, raw, ctx)
    throw err
  }
}

const MODES: readonly ServerMode[] = ['standalone', 'leader', 'follower', 'observer', 'read-only']

/** The mode named by a server, or a ShapeError for a word that is not one. */
export function serverMode(value: unknown): ServerMode {
  if (typeof value === 'string' && (MODES as readonly string[]).includes(value)) return value as ServerMode
  throw new ShapeError(`unknown server mode ${JSON.stringify(value)} (expected one of ${MODES.join(', ')})`)
}

/** A decimal number as Java prints longs and doubles ("-1", "7.75", "1.0E-4", "NaN"). */
export function decimal(text: string | undefined, what: string): number {
  if (text !== undefined && /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|-?Infinity|NaN)$/.test(text.trim())) return Number(text.trim())
  throw new ShapeError(`${what}: expected a number, got ${JSON.stringify(text)}`)
}

/** A 64-bit value written as Java's Long.toHexString writes it (two's complement, so -1 is ffff…). */
export function hex64(text: string | undefined, what: string): bigint {
  const digits = text?.trim().replace(/^0x/i, '')
  if (digits === undefined || !/^[0-9a-f]{1,16}$/i.test(digits))
    throw new ShapeError(`${what}: expected a hex number, got ${JSON.stringify(text)}`)
  return BigInt.asIntN(64, BigInt(`0x${digits}`))
}

/** A client address as Java prints an InetSocketAddress ("/127.0.0.1:5", "host/127.0.0.1:5"), without the host part. */
export function socketAddress(text: string): string {
  const slash = text.lastIndexOf('/')
  return slash < 0 ? text : text.slice(slash + 1)
}
