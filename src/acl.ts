// ACL helpers: the standard lists, digest ids, and validation before a request is sent (the checks
// a ZooKeeper server makes in fixupACL, so a bad ACL is refused here with the entry named).
import { createHash } from 'node:crypto'
import { isIP } from 'node:net'
import { Perms } from './protocol.js'
import { BadArgumentsError, InvalidACLError } from './errors.js'
import { checkCallback, describeValue } from './arguments.js'
import type { ACL } from './jute/generated/proto.generated.js'

/** Anyone may do anything. */
export const OPEN_ACL_UNSAFE: ACL[] = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }]
/** Full rights for the identities the creating session has authenticated as. */
export const CREATOR_ALL_ACL: ACL[] = [{ perms: Perms.ALL, id: { scheme: 'auth', id: '' } }]
/** Anyone may read. */
export const READ_ACL_UNSAFE: ACL[] = [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }]

/** The digest scheme's id for a user and password: "user:base64(sha1(user:password))". */
export function digestId(user: string, password: string): string {
  return `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`
}

/** A check of the ids of one ACL scheme: why `id` is not valid, or undefined when it is. */
export type ACLIdCheck = (id: string) => string | undefined

/** An ip id: an IPv4 or IPv6 address, optionally with a prefix length (0..32, 0..128), as ZooKeeper's IPAuthenticationProvider parses it. */
function ipProblem(id: string): string | undefined {
  const slash = id.indexOf('/')
  const address = slash < 0 ? id : id.slice(0, slash)
  const family = isIP(address)
  const usage = 'an ip id is an IPv4 or IPv6 address or a CIDR block such as 10.0.0.0/8 or fd00::/8'
  if (family === 0) return `"${address}" is not an IP address (${usage})`
  if (slash < 0) return undefined
  const bits = id.slice(slash + 1)
  const max = family === 4 ? 32 : 128
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max)
    return `prefix length "${bits}" must be 0..${max} for an IPv${family} address (${usage})`
  return undefined
}

const ID_CHECKS = new Map<string, ACLIdCheck>([
  ['world', (id) => (id === 'anyone' ? undefined : `the world scheme has one id, 'anyone', not "${id}"`)],
  // The server replaces an auth entry by the session's identities; its id is ignored ('' by custom).
  ['auth', () => undefined],
  [
    'digest',
    (id) =>
      /^[^:]*:[^:]+$/.test(id)
        ? undefined
        : `a digest id is "user:base64(sha1(user:password))" with exactly one ':' (build it with digestId(user, password)), not "${id}"`,
  ],
  ['ip', ipProblem],
  // Providers a server enables by configuration (TLS client certificates, Kerberos): the server judges their ids.
  ['x509', () => undefined],
  ['sasl', () => undefined],
])

/**
 * Let ACLs use `scheme`, the name of a custom authentication provider your servers load
 * (zookeeper.authProvider.*). `check` may say why an id is invalid (return a reason) or accept it
 * (return undefined); by default the server alone judges the ids.
 */
export function registerACLScheme(scheme: string, check: ACLIdCheck = () => undefined): void {
  const site = { op: 'registerACLScheme' }
  if (typeof scheme !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(scheme)) {
    throw new BadArgumentsError(`scheme must be a name of letters, digits, '_', '.' or '-', not ${describeValue(scheme)}`, site)
  }
  checkCallback(check, 'check', site)
  ID_CHECKS.set(scheme, check)
}

/** An ACL entry as an error message shows it: `{ perms: 31, id: { scheme: "ip", id: "10.0.0.300" } }`. */
function describeEntry(entry: unknown): string {
  const literal = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'number' ? String(v) : `<${describeValue(v)}>`)
  const e = entry as Partial<ACL> | null | undefined
  if (typeof e === 'object' && e !== null && typeof e.id === 'object' && e.id !== null) {
    return `{ perms: ${literal(e.perms)}, id: { scheme: ${literal(e.id.scheme)}, id: ${literal(e.id.id)} } }`
  }
  return `<${describeValue(entry)}>`
}

/** Why `entry` is not a valid ACL entry, or undefined when it is. */
function entryProblem(entry: unknown): string | undefined {
  const e = entry as Partial<ACL> | null | undefined
  if (typeof e !== 'object' || e === null) return 'an entry is { perms, id: { scheme, id } }'
  if (typeof e.perms !== 'number' || !Number.isInteger(e.perms) || e.perms < 0 || e.perms > Perms.ALL) {
    return 'perms must be an integer made of the bits READ 1, WRITE 2, CREATE 4, DELETE 8, ADMIN 16 (0..31; Perms.ALL is 31)'
  }
  if (typeof e.id !== 'object' || e.id === null || typeof e.id.scheme !== 'string' || typeof e.id.id !== 'string')
    return 'id must be { scheme: string, id: string }'
  const check = ID_CHECKS.get(e.id.scheme)
  if (!check)
    return `unknown scheme "${e.id.scheme}" (known: ${[...ID_CHECKS.keys()].join(', ')}; registerACLScheme() adds a custom provider's)`
  return check(e.id.id)
}

/**
 * Throw InvalidACLError (naming op, path and the first bad entry) unless `acl` is a non-empty list
 * of entries a ZooKeeper server would accept: known schemes, world only with 'anyone', digest ids
 * with exactly one ':', ip ids that are addresses or CIDR blocks, perms within 0..31.
 */
export function validateACL(acl: unknown, op: string, path: string): asserts acl is ACL[] {
  const bad = (why: string) => new InvalidACLError(why, { op, path })
  if (!Array.isArray(acl)) throw bad(`the ACL must be an array of { perms, id: { scheme, id } } entries, not ${describeValue(acl)}`)
  if (acl.length === 0) throw bad('the ACL list is empty: a node needs at least one entry (OPEN_ACL_UNSAFE gives everyone every right)')
  for (const [i, entry] of acl.entries()) {
    const problem = entryProblem(entry)
    if (problem) throw bad(`entry ${i} ${describeEntry(entry)}: ${problem}`)
  }
}
