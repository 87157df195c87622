// Server-side ACLs: schemes world, auth, digest and ip, sasl and x509 when configured, and the super
// identity; permission checks and the expansion of the `auth` scheme into the session's identities,
// with ZooKeeper's error codes.
import { createHash } from 'node:crypto'
import type { ACL, Id } from '../jute/generated/proto.generated.js'
import { ErrorCode } from '../protocol.js'
import { bucketOrder, javaStringHash, spreadHash } from './java-order.js'
import { isX500Name } from './x500-name.js'

/** An identity a connection has authenticated as. */
export type AuthId = Id

/** digest id of "user:password" as ZooKeeper's DigestAuthenticationProvider computes it. */
export function digestOf(userPassword: string): string {
  // Everything before the first ':' is the user (all of it when there is none, as in ZooKeeper).
  const colon = userPassword.indexOf(':')
  const user = colon < 0 ? userPassword : userPassword.slice(0, colon)
  return `${user}:${createHash('sha1').update(userPassword).digest('base64')}`
}

/**
 * The identities a TLS client's certificate earns on connect, as ZooKeeper's X509AuthenticationProvider
 * adds them: `x509:<subject>`, after `super:<subject>` when the subject is the configured super user.
 */
export function certificateIds(subject: string, superUser: string | undefined): AuthId[] {
  const x509 = { scheme: 'x509', id: subject }
  return subject === superUser ? [{ scheme: 'super', id: subject }, x509] : [x509]
}

/**
 * Authenticate an AuthPacket. Returns the identities gained, or undefined when the scheme is unknown
 * or the credential fails (ZooKeeper then answers AUTHFAILED and closes the connection).
 * `certificate` is what the connection's client certificate earned, if it showed one: an `x509` auth
 * packet checks that certificate again, whatever the packet carries, so it fails without one.
 */
export function authenticate(
  scheme: string,
  auth: Buffer | null,
  superDigest: string | undefined,
  certificate?: AuthId[],
): AuthId[] | undefined {
  if (scheme === 'x509') return certificate
  if (scheme !== 'digest') return undefined
  // ZooKeeper accepts any digest credential, even one without ':' (it never fails a digest auth).
  const id = digestOf(auth?.toString('utf8') ?? '')
  const ids: AuthId[] = [{ scheme: 'digest', id }]
  if (superDigest && id === superDigest) ids.push({ scheme: 'super', id: '' })
  return ids
}

/** Java's Integer.parseInt of ASCII digits: an optional sign, digits, within int range; else undefined. */
function javaInt(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined
  const n = Number(text)
  return n >= -0x80000000 && n <= 0x7fffffff ? n : undefined
}

/** An IPv4 address as ZooKeeper 3.8's IPAuthenticationProvider reads it (four decimal parts, IPv6 not at all), as a uint32. */
function ipv4(text: string): number | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  let n = 0
  for (const part of parts) {
    const octet = javaInt(part)
    if (octet === undefined || octet < 0 || octet > 255) return undefined
    n = n * 256 + octet
  }
  return n
}

/** An ip ACL id, "address" or "address/bits" with bits 0..32; undefined when ZooKeeper finds it invalid. */
function ipRule(id: string): { base: number; bits: number } | undefined {
  const slash = id.indexOf('/')
  const base = ipv4(slash < 0 ? id : id.slice(0, slash))
  if (base === undefined) return undefined
  const bits = slash < 0 ? 32 : javaInt(id.slice(slash + 1))
  if (bits === undefined || bits < 0 || bits > 32) return undefined
  return { base, bits }
}

/** Whether an ip rule admits the address (a uint32). */
function ipAdmits(rule: { base: number; bits: number }, addr: number): boolean {
  // Shifts are avoided: JS takes a shift count modulo 32, so /0 and /32 need no special case.
  const block = 2 ** (32 - rule.bits)
  return Math.floor(rule.base / block) === Math.floor(addr / block)
}

/** Java's String.split(":"): the pieces, trailing empty ones dropped. */
function javaSplitColon(text: string): string[] {
  const parts = text.split(':')
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
  // Java returns the whole input, even "", when there is no separator in it.
  return text.includes(':') ? parts : [text]
}

/** The hashCode of the Jute-generated Id record: 17, then 37*result + each field's hash. */
function javaIdHash(id: AuthId): number {
  const h = (Math.imul(17, 37) + javaStringHash(id.scheme)) | 0
  return (Math.imul(h, 37) + javaStringHash(id.id)) | 0
}

/**
 * A connection's identities in the order ZooKeeper lists them. Its ServerCnxn keeps them in a set
 * backed by a ConcurrentHashMap, so whoAmI and the expansion of `auth` ACLs go by hash bucket (ties in
 * insertion order), not by the order the client authenticated. The `ip` identity comes first because
 * the connection adds it before any auth packet.
 */
export function authInfoOrder(ids: AuthId[], address: string): AuthId[] {
  const all = [{ scheme: 'ip', id: address.replace(/^::ffff:/, '') }, ...ids.filter((i) => i.scheme !== 'ip')]
  // The table has 16 buckets and doubles once it is three quarters full.
  let buckets = 16
  while (all.length >= buckets * 0.75) buckets *= 2
  return bucketOrder(
    all,
    all.map((id) => spreadHash(javaIdHash(id))),
    buckets,
  )
}

/**
 * An ACL list read once for permission checks: the permissions each kind of entry grants, so a check
 * costs the same for a list of 36,000 entries as for one (but for ip rules, which are compared, not
 * parsed, each time). A node's list is never changed in place, only replaced, so it is kept per list.
 */
interface AclGrants {
  world: number
  /** Permissions by scheme, then id. */
  byId: Map<string, Map<string, number>>
  /** Every `sasl` entry's permissions: ZooKeeper's SASL provider lets a SASL user named "super" match them all. */
  sasl: number
  /** The valid ip rules (an invalid one admits no one). */
  ip: { base: number; bits: number; perms: number }[]
}

const grantsOf = new WeakMap<readonly ACL[], AclGrants>()

function grants(acl: readonly ACL[]): AclGrants {
  let g = grantsOf.get(acl)
  if (g) return g
  g = { world: 0, byId: new Map(), sasl: 0, ip: [] }
  for (const { perms, id } of acl) {
    if (id.scheme === 'world' && id.id === 'anyone') g.world |= perms
    if (id.scheme === 'sasl') g.sasl |= perms
    if (id.scheme === 'ip') {
      const rule = ipRule(id.id)
      if (rule) g.ip.push({ ...rule, perms })
    }
    let ids = g.byId.get(id.scheme)
    if (!ids) g.byId.set(id.scheme, (ids = new Map()))
    ids.set(id.id, (ids.get(id.id) ?? 0) | perms)
  }
  grantsOf.set(acl, g)
  return g
}

/** Whether the identities (and client address) grant `perm` under `acl`. Super always does. */
export function permitted(acl: readonly ACL[], perm: number, ids: AuthId[], address: string): boolean {
  if (ids.some((i) => i.scheme === 'super')) return true
  if (acl.length === 0) return true
  const g = grants(acl)
  if (g.world & perm) return true
  // An x509 id matches its own subject only (ZooKeeper's super-subject rule is covered by `super` above).
  for (const i of ids) if ((g.byId.get(i.scheme)?.get(i.id) ?? 0) & perm) return true
  if (g.sasl & perm && ids.some((i) => i.scheme === 'sasl' && i.id === 'super')) return true
  if (g.ip.length === 0) return false
  // Java reports an IPv4 client of a dual-stack socket by its IPv4 address.
  const addr = ipv4(address.startsWith('::ffff:') ? address.slice(7) : address)
  return addr !== undefined && g.ip.some((r) => r.perms & perm && ipAdmits(r, addr))
}

/**
 * ACL equality as Java's ACL.equals sees it, as a string: perms, then scheme and id (the scheme's
 * length first, so no two entries share a key).
 */
function aclKey(a: ACL): string {
  return `${a.perms}:${a.id.scheme.length}:${a.id.scheme}${a.id.id}`
}

/** The auth providers a server loads beyond ZooKeeper's default ones (ip, digest). */
export interface AclProviders {
  /** SASL is configured: `sasl` ids are valid. */
  sasl: boolean
  /** There is a secure client port: `x509` ids are valid (ZooKeeper registers its X509AuthenticationProvider then). */
  x509: boolean
}

export const DEFAULT_PROVIDERS: AclProviders = { sasl: false, x509: false }

/**
 * Validate an ACL list and expand `auth` entries into the session's identities. Returns the ACL to
 * store, or INVALIDACL as ZooKeeper's fixupACL would. Only the schemes of the providers loaded are
 * valid: world (anyone), auth, digest and ip always, `sasl` and `x509` as `providers` says; `super`
 * has no provider in ZooKeeper.
 */
export function fixupACL(acl: ACL[], ids: AuthId[], address: string, providers = DEFAULT_PROVIDERS): ACL[] | number {
  // Duplicates go first, in one pass keeping first occurrences, as ZooKeeper's removeDuplicates
  // does (so entries an `auth` expansion repeats stay).
  const seen = new Set<string>()
  const unique = acl.filter((a) => !seen.has(aclKey(a)) && seen.add(aclKey(a)))
  if (unique.length === 0) return ErrorCode.INVALIDACL
  const out: ACL[] = []
  for (const a of unique) {
    const { scheme, id } = a.id
    if (scheme === 'world' && id === 'anyone') {
      out.push(a)
    } else if (scheme === 'auth') {
      // In the order ZooKeeper expands them (see authInfoOrder); only `auth` entries need it.
      const usable = authInfoOrder(ids, address).filter((i) => i.scheme !== 'super' && i.scheme !== 'ip')
      if (usable.length === 0) return ErrorCode.INVALIDACL
      for (const i of usable) out.push({ perms: a.perms, id: { scheme: i.scheme, id: i.id } })
    } else if (scheme === 'digest' && javaSplitColon(id).length === 2) {
      out.push(a)
    } else if (scheme === 'ip' && ipRule(id)) {
      out.push(a)
    } else if (scheme === 'sasl' && providers.sasl && kerberosNameValid(id)) {
      out.push(a)
    } else if (scheme === 'x509' && providers.x509 && isX500Name(id)) {
      out.push(a)
    } else {
      return ErrorCode.INVALIDACL
    }
  }
  return out
}

/** As ZooKeeper's KerberosName parses a sasl id: `name[/host]@realm`, or any name without an '@'. */
function kerberosNameValid(id: string): boolean {
  return /^[^/@]*(\/[^/@]*)?@[^/@]*$/.test(id) || !id.includes('@')
}
