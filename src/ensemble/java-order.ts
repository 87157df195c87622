// Java's hash-based iteration orders, which ZooKeeper's replies expose: a znode's children and a
// session's ephemerals are java.util.HashSets, a connection's identities a ConcurrentHashMap key set.
// Lists on the wire come out in bucket order, so a server that answers byte for byte as ZooKeeper
// does must order them the same way.

/** Java's String.hashCode over UTF-16 code units, in int arithmetic. */
export function javaStringHash(s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0
  return h
}

/** HashMap.hash and ConcurrentHashMap.spread: the high half folded into the low one (non-negative). */
export function spreadHash(h: number): number {
  return (h ^ (h >>> 16)) & 0x7fffffff
}

/**
 * `items` in the order a Java hash table with `buckets` buckets iterates them: by bucket, and within
 * a bucket in insertion order (the order of `items`). Chains long enough for Java to turn into trees
 * are not modelled.
 */
export function bucketOrder<T>(items: readonly T[], hashes: readonly number[], buckets: number): T[] {
  const mask = buckets - 1
  const counts = new Int32Array(buckets + 1)
  for (const h of hashes) counts[(h & mask) + 1]!++
  for (let b = 0; b < buckets; b++) counts[b + 1]! += counts[b]!
  const out = new Array<T>(items.length)
  items.forEach((item, i) => (out[counts[hashes[i]! & mask]!++] = item))
  return out
}

/**
 * A set of strings that iterates as java.util.HashSet does. The table is allocated with
 * `initialCapacity` buckets on the first add and doubles whenever it is more than three quarters full;
 * like Java's, it never shrinks.
 */
export class JavaHashSet implements Iterable<string> {
  private readonly hashes = new Map<string, number>()
  private buckets = 0
  private ordered: string[] | undefined

  /** 16 is `new HashSet<>()`; ZooKeeper's DataNode makes its children with `new HashSet<>(8)`. */
  constructor(private readonly initialCapacity = 16) {}

  get size(): number {
    return this.hashes.size
  }

  has(value: string): boolean {
    return this.hashes.has(value)
  }

  add(value: string): boolean {
    if (this.hashes.has(value)) return false
    if (this.buckets === 0) this.buckets = this.initialCapacity
    this.hashes.set(value, spreadHash(javaStringHash(value)))
    if (this.hashes.size > this.buckets * 0.75) this.buckets *= 2
    this.ordered = undefined
    return true
  }

  delete(value: string): boolean {
    if (!this.hashes.delete(value)) return false
    this.ordered = undefined
    return true
  }

  /** An independent set with the same members and the same bucket count, so the same order. */
  clone(): JavaHashSet {
    const copy = new JavaHashSet(this.initialCapacity)
    for (const [value, hash] of this.hashes) copy.hashes.set(value, hash)
    copy.buckets = this.buckets
    // Never changed in place (toArray hands out slices), so the two sets can share it.
    copy.ordered = this.ordered
    return copy
  }

  /** The members in Java's iteration order (a copy the caller may keep). */
  toArray(): string[] {
    if (!this.ordered) this.ordered = bucketOrder([...this.hashes.keys()], [...this.hashes.values()], Math.max(1, this.buckets))
    return this.ordered.slice()
  }

  [Symbol.iterator](): Iterator<string> {
    return this.toArray()[Symbol.iterator]()
  }
}
