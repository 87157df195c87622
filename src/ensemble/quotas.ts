// Quotas as ZooKeeper 3.8 keeps them: a quota on /p is the node /zookeeper/quota/p/zookeeper_limits
// (the limits) beside /zookeeper/quota/p/zookeeper_stats (what the subtree holds now), both in
// StatsTrack's text format. The server only indexes the quota roots and keeps the stats current;
// zkCli.sh writes the nodes with ordinary creates and setData.

/** Where quota nodes live. */
export const QUOTA_ROOT = '/zookeeper/quota'
export const LIMITS_NODE = 'zookeeper_limits'
export const STATS_NODE = 'zookeeper_stats'

export function limitsPath(quotaRoot: string): string {
  return `${QUOTA_ROOT}${quotaRoot}/${LIMITS_NODE}`
}

export function statsPath(quotaRoot: string): string {
  return `${QUOTA_ROOT}${quotaRoot}/${STATS_NODE}`
}

const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n

/**
 * The `key=value` pairs of a limits or stats node (`count=4,bytes=5=;countHardLimit=10`), read as
 * StatsTrack reads them; a key that is absent reads -1. Undefined where StatsTrack would throw (a
 * pair without a value, a value that is not a Java long).
 */
export class QuotaStats {
  private constructor(private readonly values: Map<string, bigint>) {}

  static empty(): QuotaStats {
    return new QuotaStats(new Map())
  }

  static parse(data: Buffer | null): QuotaStats | undefined {
    const values = new Map<string, bigint>()
    const text = data ? data.toString('utf8') : ''
    if (text === '') return new QuotaStats(values)
    for (const pair of text.split(/[,;]+/)) {
      // Java's split drops trailing empty parts: "bytes=5=" is ["bytes", "5"].
      const kv = pair.split('=')
      while (kv.length > 0 && kv[kv.length - 1] === '') kv.pop()
      if (kv.length < 2) return undefined
      const value = parseJavaLong(kv[1]!)
      if (value === undefined) return undefined
      values.set(kv[0]!, value)
    }
    return new QuotaStats(values)
  }

  get(key: 'count' | 'bytes' | 'countHardLimit' | 'byteHardLimit'): bigint {
    return this.values.get(key) ?? -1n
  }

  set(key: 'count' | 'bytes', value: bigint): void {
    this.values.set(key, value)
  }

  /** StatsTrack.toString: count and bytes first, then `=` and the other keys sorted, `;` before each. */
  toBuffer(): Buffer {
    let text = `count=${this.get('count')},bytes=${this.get('bytes')}`
    const rest = [...this.values.keys()].filter((k) => k !== 'count' && k !== 'bytes').sort()
    if (rest.length > 0) text += '=' + rest.map((k) => `;${k}=${this.values.get(k)}`).join('')
    return Buffer.from(text, 'utf8')
  }
}

/** Long.parseLong: an optional sign and decimal digits, within 64 bits. */
function parseJavaLong(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined
  const v = BigInt(s)
  return v < INT64_MIN || v > INT64_MAX ? undefined : v
}

interface TrieNode {
  children: Map<string, TrieNode>
  isQuotaRoot: boolean
}

/** Path components as ZooKeeper's PathTrie splits them: empty and blank (Java trim) parts dropped. */
function components(path: string): string[] {
  return path.split('/').filter((part) => [...part].some((ch) => ch.charCodeAt(0) > 0x20))
}

/**
 * The quota roots, as ZooKeeper's PathTrie holds them. Its quirks are kept, since they decide which
 * stats a write updates: removing a path drops its whole branch, quota roots below it included.
 */
export class QuotaTrie {
  private readonly root: TrieNode = { children: new Map(), isQuotaRoot: false }

  add(path: string): void {
    let node = this.root
    for (const part of components(path)) {
      let child = node.children.get(part)
      if (!child) node.children.set(part, (child = { children: new Map(), isQuotaRoot: false }))
      node = child
    }
    node.isQuotaRoot = true
  }

  remove(path: string): void {
    const parts = components(path)
    let parent: TrieNode | undefined
    let node = this.root
    for (const part of parts) {
      const child = node.children.get(part)
      if (!child) return
      parent = node
      node = child
    }
    parent?.children.delete(parts[parts.length - 1]!)
  }

  clear(): void {
    this.root.children.clear()
  }

  /** The deepest quota root at or above `path`, or undefined (a quota on / is never kept). */
  quotaRootOf(path: string): string | undefined {
    let node = this.root
    const walked: string[] = []
    let deepest = 0
    for (const part of components(path)) {
      const child = node.children.get(part)
      if (!child) break
      walked.push(part)
      node = child
      if (node.isQuotaRoot) deepest = walked.length
    }
    return deepest === 0 ? undefined : '/' + walked.slice(0, deepest).join('/')
  }
}
