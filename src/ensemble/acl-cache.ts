// The data tree's ACL lists, each distinct list stored once and counted by the nodes that use it, as
// ZooKeeper's ReferenceCountedACLCache does: most trees hold a handful of lists over millions of nodes.
import type { ACL } from '../jute/generated/proto.generated.js'

interface Entry {
  acl: ACL[]
  users: number
}

/** The key two lists share exactly when they hold the same entries in the same order. */
function aclKey(acl: readonly ACL[]): string {
  // Length-prefixed, so no scheme or id can make two different lists meet.
  let key = ''
  for (const a of acl) key += `${a.perms}:${a.id.scheme.length}:${a.id.scheme}${a.id.id.length}:${a.id.id};`
  return key
}

/** Stored lists are frozen: nodes share them, so a change in place would change every node's. */
function frozenCopy(acl: readonly ACL[]): ACL[] {
  return Object.freeze(acl.map((a) => Object.freeze({ perms: a.perms, id: Object.freeze({ scheme: a.id.scheme, id: a.id.id }) }))) as ACL[]
}

/** Reference-counted ACL lists: use() for each node that takes a list, release() when it lets go. */
export class AclCache {
  private readonly lists = new Map<string, Entry>()

  /** The stored instance of `acl` (frozen), counting one more user. */
  use(acl: readonly ACL[]): ACL[] {
    const key = aclKey(acl)
    let entry = this.lists.get(key)
    if (!entry) this.lists.set(key, (entry = { acl: frozenCopy(acl), users: 0 }))
    entry.users++
    return entry.acl
  }

  /** One user of a stored list is gone; the last one's release forgets the list. */
  release(acl: readonly ACL[]): void {
    const key = aclKey(acl)
    const entry = this.lists.get(key)
    if (entry?.acl !== acl) return
    if (--entry.users === 0) this.lists.delete(key)
  }

  /** How many nodes use the stored instance of `acl` (0 when it is not stored). */
  users(acl: readonly ACL[]): number {
    return this.lists.get(aclKey(acl))?.users ?? 0
  }

  /** How many distinct lists are stored. */
  get size(): number {
    return this.lists.size
  }

  clear(): void {
    this.lists.clear()
  }

  /** The same stored lists with the same counts, for a copy of the tree whose nodes share them. */
  clone(): AclCache {
    const copy = new AclCache()
    for (const [key, entry] of this.lists) copy.lists.set(key, { acl: entry.acl, users: entry.users })
    return copy
  }
}
