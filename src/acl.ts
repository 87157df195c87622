// ACL helpers: the standard lists, digest ids, and validation before a request is sent.
import { createHash } from 'node:crypto'
import { Perms } from './protocol.js'
import { InvalidACLError } from './errors.js'
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

/** Throw InvalidACLError (naming op and path) unless `acl` is a well-formed, non-empty ACL list. */
export function validateACL(acl: unknown, op: string, path: string): asserts acl is ACL[] {
  const bad = (why: string) => new InvalidACLError(why, { op, path })
  if (!Array.isArray(acl) || acl.length === 0) throw bad('ACL list must be a non-empty array')
  for (const [i, entry] of acl.entries()) {
    const e = entry as Partial<ACL> | undefined
    if (!e || typeof e.perms !== 'number' || !Number.isInteger(e.perms) || e.perms < 0 || e.perms > Perms.ALL) {
      throw bad(`entry ${i}: perms must be an integer of READ|WRITE|CREATE|DELETE|ADMIN bits (0..31)`)
    }
    if (!e.id || typeof e.id.scheme !== 'string' || typeof e.id.id !== 'string' || e.id.scheme === '') {
      throw bad(`entry ${i}: id must be { scheme: string, id: string }`)
    }
  }
}
