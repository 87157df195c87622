// Server-side ACLs: schemes world, auth, digest, ip and super; permission checks and the expansion
// of the `auth` scheme into the session's identities, with ZooKeeper's error codes.
import { createHash } from 'node:crypto'
import net from 'node:net'
import type { ACL, Id } from '../jute/generated/proto.generated.js'
import { ErrorCode } from '../protocol.js'
import { bucketOrder, javaStringHash, spreadHash } from './java-order.js'

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
 * Authenticate an AuthPacket. Returns the identity gained, or undefined when the scheme is unknown
 * (ZooKeeper then answers AUTHFAILED and closes the connection).
 */
export function authenticate(scheme: string, auth: Buffer | null, superDigest: string | undefined): AuthId[] | undefined {
  if (scheme !== 'digest') return undefined
  // ZooKeeper accepts any digest credential, even one without ':' (it never fails a digest auth).
  const id = digestOf(auth?.toString('utf8') ?? '')
  const ids: AuthId[] = [{ scheme: 'digest', id }]
  if (superDigest && id === superDigest) ids.push({ scheme: 'super', id: '' })
  return ids
}

function ipMatches(pattern: string, address: string): boolean {
  const [base, bitsText] = pattern.split('/')
  const addr = address.startsWith('::ffff:') ? address.slice(7) : address
  if (!net.isIPv4(base ?? '') || !net.isIPv4(addr)) return base === addr
  const bits = bitsText === undefined ? 32 : Number(bitsText)
  const toInt = (s: string) => s.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0
  return (toInt(base!) & mask) === (toInt(addr) & mask)
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

/** Whether the identities (and client address) grant `perm` under `acl`. Super always does. */
export function permitted(acl: ACL[], perm: number, ids: AuthId[], address: string): boolean {
  if (ids.some((i) => i.scheme === 'super')) return true
  if (acl.length === 0) return true
  for (const a of acl) {
    if ((a.perms & perm) === 0) continue
    const { scheme, id } = a.id
    if (scheme === 'world' && id === 'anyone') return true
    if (scheme === 'ip' && ipMatches(id, address)) return true
    if (ids.some((i) => i.scheme === scheme && i.id === id)) return true
  }
  return false
}

/**
 * Validate an ACL list and expand `auth` entries into the session's identities. Returns the ACL to
 * store, or INVALIDACL as ZooKeeper's fixupACL would.
 */
export function fixupACL(acl: ACL[], ids: AuthId[], address: string): ACL[] | number {
  if (acl.length === 0) return ErrorCode.INVALIDACL
  const out: ACL[] = []
  for (const a of acl) {
    const { scheme, id } = a.id
    if (scheme === 'world') {
      if (id !== 'anyone') return ErrorCode.INVALIDACL
      out.push(a)
    } else if (scheme === 'auth') {
      // In the order ZooKeeper expands them (see authInfoOrder); only `auth` entries need it.
      const usable = authInfoOrder(ids, address).filter((i) => i.scheme !== 'super' && i.scheme !== 'ip')
      if (usable.length === 0) return ErrorCode.INVALIDACL
      for (const i of usable) out.push({ perms: a.perms, id: { scheme: i.scheme, id: i.id } })
    } else if (scheme === 'digest') {
      if (id.split(':').length !== 2) return ErrorCode.INVALIDACL
      out.push(a)
    } else if (scheme === 'ip') {
      const [base, bits] = id.split('/')
      if (!net.isIP(base ?? '') || (bits !== undefined && !/^\d+$/.test(bits))) return ErrorCode.INVALIDACL
      out.push(a)
    } else if (scheme === 'super' || scheme === 'x509' || scheme === 'sasl') {
      out.push(a)
    } else {
      return ErrorCode.INVALIDACL
    }
  }
  // Duplicates are dropped, as ZooKeeper does.
  return out.filter((a, i) => out.findIndex((b) => b.perms === a.perms && b.id.scheme === a.id.scheme && b.id.id === a.id.id) === i)
}
