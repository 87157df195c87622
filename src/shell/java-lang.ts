// Java behaviour zkCli.sh's output depends on: Integer.parseInt / Long.parseLong / Integer.decode
// and their NumberFormatException messages (Java 17), and ZooKeeper's PathUtils.validatePath messages.
import { JavaCrash } from './errors.js'

const NFE = 'java.lang.NumberFormatException'

/** Java 17's message for a string that is not a number in `radix`. */
const notANumber = (s: string, radix: number) =>
  new JavaCrash(NFE, `For input string: "${s}"${radix === 10 ? '' : ` under radix ${radix}`}`)

/** Integer.parseInt / Long.parseLong: a signed whole number of `bits` bits, else a NumberFormatException. */
function parseWhole(s: string, radix: number, bits: 32 | 64): number | bigint {
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, radix)
  const body = s.startsWith('-') || s.startsWith('+') ? s.slice(1) : s
  if (body === '' || [...body.toLowerCase()].some((c) => !digits.includes(c))) throw notANumber(s, radix)
  let value = 0n
  for (const c of body.toLowerCase()) value = value * BigInt(radix) + BigInt(digits.indexOf(c))
  if (s.startsWith('-')) value = -value
  const limit = 1n << BigInt(bits - 1)
  if (value < -limit || value >= limit) throw notANumber(s, radix)
  return bits === 32 ? Number(value) : value
}

/** Java's Integer.parseInt(s). */
export function javaParseInt(s: string, radix = 10): number {
  return parseWhole(s, radix, 32) as number
}

/** Java's Long.parseLong(s). */
export function javaParseLong(s: string): bigint {
  return parseWhole(s, 10, 64) as bigint
}

/** Java's Integer.decode(s): an optional sign, then decimal, 0x/0X/# hex or 0-prefixed octal. */
export function javaDecode(s: string): number {
  if (s === '') throw new JavaCrash(NFE, 'Zero length string')
  let i = 0
  let radix = 10
  const negative = s[0] === '-'
  if (negative || s[0] === '+') i++
  if (s.startsWith('0x', i) || s.startsWith('0X', i)) {
    i += 2
    radix = 16
  } else if (s.startsWith('#', i)) {
    i++
    radix = 16
  } else if (s.startsWith('0', i) && s.length > i + 1) {
    i++
    radix = 8
  }
  if (s.startsWith('-', i) || s.startsWith('+', i)) throw new JavaCrash(NFE, 'Sign character in wrong position')
  // Java parses the digits with the sign put back, so Integer.MIN_VALUE decodes and the message shows it.
  return javaParseInt(negative ? `-${s.slice(i)}` : s.slice(i), radix)
}

/**
 * Why ZooKeeper's client refuses `path` (PathUtils.validatePath, whose message zkCli prints), or
 * undefined when it is valid. A sequential create is checked with a "1" appended, as the client does.
 */
export function javaPathProblem(path: string, sequential = false): string | undefined {
  const p = sequential ? `${path}1` : path
  if (p.length === 0) return 'Path length must be > 0'
  if (p[0] !== '/') return 'Path must start with / character'
  if (p.length === 1) return undefined
  if (p.endsWith('/')) return 'Path must not end with / character'
  let reason: string | undefined
  for (let i = 1; i < p.length && !reason; i++) {
    const c = p.charCodeAt(i)
    const prev = p[i - 1]
    const segmentEnds = i + 1 === p.length || p[i + 1] === '/'
    if (c === 0) reason = `null character not allowed @${i}`
    else if (p[i] === '/' && prev === '/') reason = `empty node name specified @${i}`
    else if (p[i] === '.' && prev === '.') {
      if (p[i - 2] === '/' && segmentEnds) reason = `relative paths not allowed @${i}`
    } else if (p[i] === '.') {
      if (prev === '/' && segmentEnds) reason = `relative paths not allowed @${i}`
    } else if ((c > 0 && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || (c >= 0xfff0 && c <= 0xffff)) {
      reason = `invalid character @${i}`
    }
  }
  return reason && `Invalid path string "${p}" caused by ${reason}`
}
