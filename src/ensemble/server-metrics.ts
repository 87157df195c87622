// What one server counts for mntr, srvr and the AdminServer: request latencies, response and proposal
// sizes, bytes and connections received, reads and writes per top-level namespace, role changes.
// Counters ZooKeeper keeps for machinery the bundled server does not have stay at zero.
import { EventType } from '../protocol.js'
import { bucketOrder, javaStringHash, spreadHash } from './java-order.js'

/** avg/min/max/cnt/sum of data points, and percentiles over the latest ones when asked for. */
export class Summary {
  private count = 0
  private total = 0
  private min = Number.MAX_SAFE_INTEGER
  private max = 0
  private readonly recent: number[] = []

  constructor(private readonly keepSamples = false) {}

  add(value: number): void {
    this.count++
    this.total += value
    this.min = Math.min(this.min, value)
    this.max = Math.max(this.max, value)
    if (!this.keepSamples) return
    this.recent.push(value)
    // A bounded window, as ZooKeeper's percentile counters sample a bounded reservoir.
    if (this.recent.length > 1024) this.recent.shift()
  }

  reset(): void {
    this.count = this.total = this.max = 0
    this.min = Number.MAX_SAFE_INTEGER
    this.recent.length = 0
  }

  /** The mean rounded to 4 places, as ServerStats and AvgMinMaxCounter report it (0 when empty). */
  get avg(): number {
    return this.count ? Math.round((this.total / this.count) * 10_000) / 10_000 : 0
  }

  get values(): { avg: number; min: number; max: number; cnt: number; sum: number } {
    return { avg: this.avg, min: this.count ? this.min : 0, max: this.max, cnt: this.count, sum: this.total }
  }

  /** The p-th percentile (0..1) of the recent window, 0 when empty. */
  percentile(p: number): number {
    if (!this.recent.length) return 0
    const sorted = [...this.recent].sort((a, b) => a - b)
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
  }
}

/** Last, smallest and largest size seen; -1 for each until the first, as ZooKeeper's BufferStats. */
export class BufferStats {
  last = -1
  min = -1
  max = -1

  add(size: number): void {
    this.last = size
    this.min = this.min < 0 ? size : Math.min(this.min, size)
    this.max = Math.max(this.max, size)
  }

  reset(): void {
    this.last = this.min = this.max = -1
  }
}

/** Summaries by key (a namespace, a peer id), iterated in ZooKeeper's ConcurrentHashMap order. */
export class SummarySet {
  private readonly byKey = new Map<string, Summary>()
  private buckets = 16

  constructor(private readonly keepSamples = false) {}

  add(key: string, value: number): void {
    let s = this.byKey.get(key)
    if (!s) {
      this.byKey.set(key, (s = new Summary(this.keepSamples)))
      // ConcurrentHashMap doubles its 16-bucket table once three quarters of it is taken.
      if (this.byKey.size >= this.buckets * 0.75) this.buckets *= 2
    }
    s.add(value)
  }

  /** Make `key` known without a data point (a learner that is connected but has sent nothing counted). */
  touch(key: string): void {
    if (!this.byKey.has(key)) {
      this.add(key, 0)
      this.byKey.get(key)!.reset()
    }
  }

  reset(): void {
    for (const s of this.byKey.values()) s.reset()
  }

  /** The keys in Java's iteration order, with their summaries. */
  entries(): [string, Summary][] {
    const keys = [...this.byKey.keys()]
    return bucketOrder(
      keys,
      keys.map((k) => spreadHash(javaStringHash(k))),
      this.buckets,
    ).map((k) => [k, this.byKey.get(k)!])
  }
}

/** ZooKeeper's PathUtils.getTopNamespace: the first path component, or undefined (the root, ""). */
export function topNamespace(path: string): string | undefined {
  // Java's split drops trailing empty strings; "/a/b" gives ["", "a", "b"].
  const parts = path.split('/')
  while (parts.length && parts[parts.length - 1] === '') parts.pop()
  return parts.length > 1 ? parts[1] : undefined
}

/** The fixed part of a read's size in ZooKeeper's per-namespace accounting (a Stat: 6 longs, 5 ints). */
const STAT_OVERHEAD_BYTES = 6 * 8 + 5 * 4

/** The counters of one server. */
export class ServerMetrics {
  /** Latency of every answered request, ms. */
  readonly latency = new Summary()
  readonly readLatency = new Summary(true)
  readonly updateLatency = new Summary(true)
  readonly electionTime = new Summary()
  /** How long each snapshot of the tree took, ms (ZooKeeper's snapshottime). */
  readonly snapshotTime = new Summary()
  readonly responseSize = new BufferStats()
  readonly proposalSize = new BufferStats()
  readonly readPerNamespace = new SummarySet()
  readonly writePerNamespace = new SummarySet()
  /** Leader: learners it has synced (ZooKeeper keeps a per-learner queue summary from then on). */
  readonly learnerQueueSize = new SummarySet()
  readonly learnerQueueTime = new SummarySet(true)
  bytesReceived = 0
  connectionRequests = 0
  /** Connections closed at accept: over maxClientCnxns. */
  connectionRejected = 0
  /** Connections closed for sending no ConnectRequest in time. */
  sessionlessConnectionsExpired = 0
  proposals = 0
  /** How often this server started looking for a leader (a quorum peer starts doing so). */
  lookingCount = 0
  /** ZooKeeper's text trace mask (get_trace_mask / set_trace_mask); 306 is its default. */
  traceMask = 306n
  /** When the server took its current role, ms since the epoch. */
  roleSince = Date.now()
  private lookingSince: number | undefined

  constructor(quorum: boolean) {
    if (quorum) {
      this.lookingCount = 1
      this.lookingSince = Date.now()
      // Every quorum peer writes the ensemble's configuration into /zookeeper/config as it loads its
      // database, which ZooKeeper counts as a write to the "zookeeper" namespace.
      this.writePerNamespace.add('zookeeper', '/zookeeper/config'.length)
    }
  }

  /** A request was answered `ms` after it arrived; `write` for requests that went through the pipeline. */
  answered(ms: number, kind: 'read' | 'write' | 'other'): void {
    this.latency.add(ms)
    if (kind === 'read') this.readLatency.add(ms)
    else if (kind === 'write') this.updateLatency.add(ms)
  }

  /** A read of `path` returned `bytes` of data or child names (ZooKeeper's DataTree accounting). */
  read(path: string, bytes: number): void {
    const ns = topNamespace(path)
    if (ns !== undefined) this.readPerNamespace.add(ns, path.length + bytes + STAT_OVERHEAD_BYTES)
  }

  /** A committed create, setData or delete of `path` with `bytes` of data. */
  wrote(path: string, bytes: number): void {
    const ns = topNamespace(path)
    if (ns !== undefined) this.writePerNamespace.add(ns, path.length + bytes)
  }

  /** A txn was applied: its creates, data changes and deletes count as writes to their namespaces. */
  committed(events: readonly { type: number; path: string }[], dataLength: (path: string) => number): void {
    for (const e of events) {
      if (e.type === EventType.NodeCreated || e.type === EventType.NodeDataChanged) this.wrote(e.path, dataLength(e.path))
      else if (e.type === EventType.NodeDeleted) this.wrote(e.path, 0)
    }
  }

  /** Leader: a txn of `size` bytes was proposed. */
  proposed(size: number): void {
    this.proposals++
    this.proposalSize.add(size)
  }

  /** The server's quorum role changed. */
  roleChanged(mode: string, now = Date.now()): void {
    if (mode === 'looking') {
      this.lookingCount++
      this.lookingSince = now
    } else if (this.lookingSince !== undefined) {
      this.electionTime.add(now - this.lookingSince)
      this.lookingSince = undefined
    }
    this.roleSince = now
  }

  /** stat_reset: latencies, sizes and every summary start over (ZooKeeper resets its metrics too). */
  reset(): void {
    for (const s of [this.latency, this.readLatency, this.updateLatency, this.electionTime, this.snapshotTime]) s.reset()
    for (const b of [this.responseSize, this.proposalSize]) b.reset()
    for (const set of [this.readPerNamespace, this.writePerNamespace, this.learnerQueueSize, this.learnerQueueTime]) set.reset()
    this.bytesReceived = this.connectionRequests = this.proposals = 0
    this.connectionRejected = this.sessionlessConnectionsExpired = 0
  }
}
