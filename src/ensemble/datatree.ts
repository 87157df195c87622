// The replicated state: znodes with ZooKeeper's Stat semantics, ephemerals by owner, and a pure
// applyTxn() that any server (leader or follower) replays identically from the transaction alone.
import type { ACL, Stat } from '../jute/generated/proto.generated.js'
import { ErrorCode, EventType, Perms } from '../protocol.js'
import { basename, parentOf } from '../paths.js'
import type { Txn, TxnHeader } from './txn.js'
import { JavaHashSet } from './java-order.js'
import { logger } from '../debug.js'
import { LIMITS_NODE, QUOTA_ROOT, QuotaStats, QuotaTrie, STATS_NODE, statsPath } from './quotas.js'

const log = logger('ensemble')

/** The nodes every tree starts with, ZooKeeper's own, which no client may delete. */
export const SYSTEM_NODES: ReadonlySet<string> = new Set(['/', '/zookeeper', QUOTA_ROOT, '/zookeeper/config'])

/** Marker ephemeralOwner of container nodes (ZooKeeper's EphemeralType.CONTAINER). */
export const CONTAINER_OWNER = -0x8000000000000000n
/** TTL nodes carry 0xFF in the top byte of ephemeralOwner and the TTL in the low bits. */
export const TTL_MASK = 0xff00000000000000n

/** ephemeralOwner for a TTL node. */
export function ttlOwner(ttl: bigint): bigint {
  return BigInt.asIntN(64, TTL_MASK | ttl)
}

/** The kind of node an ephemeralOwner value encodes. */
export function ownerKind(owner: bigint): 'normal' | 'ephemeral' | 'container' | 'ttl' {
  if (owner === 0n) return 'normal'
  if (owner === CONTAINER_OWNER) return 'container'
  if ((BigInt.asUintN(64, owner) & TTL_MASK) === TTL_MASK) return 'ttl'
  return 'ephemeral'
}

/** A node's child set as ZooKeeper's DataNode makes it (`new HashSet<>(8)`). */
export function emptyChildren(): JavaHashSet {
  return new JavaHashSet(8)
}

/** One znode. */
export interface ZNode {
  data: Buffer | null
  acl: ACL[]
  czxid: bigint
  mzxid: bigint
  ctime: bigint
  mtime: bigint
  version: number
  /** Number of children ever created here (also the next sequence number); clients see stat(). */
  cversion: number
  aversion: number
  ephemeralOwner: bigint
  pzxid: bigint
  /** A java.util.HashSet, as in ZooKeeper's DataNode: getChildren lists them in its order. */
  children: JavaHashSet
}

/** A watch event a transaction triggers. */
export interface TreeEvent {
  type: number
  path: string
  /**
   * The ACL a watcher needs READ on to hear it (CVE-2024-23944): the node's own, or for
   * NodeChildrenChanged its parent's, as they were when the txn applied.
   */
  acl: ACL[]
}

/** What applying one txn did. */
export interface ApplyResult {
  err: number
  path?: string
  stat?: Stat
  events: TreeEvent[]
  /** Results of each op of a multi. */
  multi?: ApplyResult[]
}

/** The data tree. */
export class DataTree {
  readonly nodes = new Map<string, ZNode>()
  /** Ephemeral paths by owning session. */
  /** As ZooKeeper's DataTree keeps them: a java.util.HashSet per session, which getEphemerals lists in order. */
  readonly ephemerals = new Map<bigint, JavaHashSet>()
  /** Highest zxid applied. */
  lastZxid = 0n
  /** The paths that have a quota (a limits node), as ZooKeeper's pTrie. */
  readonly quotas = new QuotaTrie()

  constructor() {
    // As in ZooKeeper's DataTree, the root and /zookeeper hold empty data, not null.
    const root = this.makeNode(Buffer.alloc(0), [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }], 0n, 0n, 0n)
    this.nodes.set('/', root)
    this.addSystemNode('/zookeeper', Buffer.alloc(0))
    this.addSystemNode('/zookeeper/quota', Buffer.alloc(0))
    this.addSystemNode('/zookeeper/config', Buffer.alloc(0))
    // As on a fresh ZooKeeper 3.8 (observed): the config node is world-readable only and its ACL
    // version reads -1.
    const config = this.nodes.get('/zookeeper/config')!
    config.aversion = -1
    config.acl = [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }]
  }

  private addSystemNode(path: string, data: Buffer | null): void {
    const node = this.makeNode(data, [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }], 0n, 0n, 0n)
    this.nodes.set(path, node)
    this.nodes.get(parentOf(path))!.children.add(basename(path))
  }

  private makeNode(data: Buffer | null, acl: ACL[], zxid: bigint, time: bigint, owner: bigint): ZNode {
    return {
      data,
      acl,
      czxid: zxid,
      mzxid: zxid,
      ctime: time,
      mtime: time,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: owner,
      pzxid: zxid,
      children: emptyChildren(),
    }
  }

  /** Put a node back as a snapshot recorded it (parents first): links it and indexes its owner. */
  restore(path: string, node: ZNode): void {
    this.nodes.set(path, node)
    if (path !== '/') this.nodes.get(parentOf(path))?.children.add(basename(path))
    this.indexEphemeral(node.ephemeralOwner, path)
  }

  private indexEphemeral(owner: bigint, path: string): void {
    if (ownerKind(owner) !== 'ephemeral') return
    let set = this.ephemerals.get(owner)
    if (!set) this.ephemerals.set(owner, (set = new JavaHashSet()))
    set.add(path)
  }

  /**
   * Index the quotas of a tree just loaded from a snapshot, and count each quota's subtree into its
   * stats node afresh, as ZooKeeper does after reading one (setupQuota).
   */
  setupQuotas(): void {
    this.quotas.clear()
    const suffix = `/${LIMITS_NODE}`
    for (const [path, node] of this.preorder(QUOTA_ROOT)) {
      if (node.children.size > 0 || !path.endsWith(suffix)) continue
      const quotaRoot = path.slice(QUOTA_ROOT.length, path.indexOf(suffix))
      this.recountQuota(quotaRoot)
      if (quotaRoot !== '') this.quotas.add(quotaRoot)
    }
  }

  /** The quota a write to `path` counts against: the deepest quota root above it, if any. */
  quotaRootOf(path: string): string | undefined {
    return this.quotas.quotaRootOf(path)
  }

  /** Write the subtree's node count and data bytes into its stats node (ZooKeeper's updateQuotaForPath). */
  private recountQuota(quotaRoot: string): void {
    const statsNode = this.nodes.get(statsPath(quotaRoot))
    if (!statsNode) return log('missing quota stats node %s', statsPath(quotaRoot))
    const stats = QuotaStats.empty()
    let count = 0n
    let bytes = 0n
    for (const [, n] of this.preorder(quotaRoot === '' ? '/' : quotaRoot)) {
      count++
      bytes += BigInt(n.data?.length ?? 0)
    }
    stats.set('count', count)
    stats.set('bytes', bytes)
    statsNode.data = stats.toBuffer()
  }

  /** Add a write's change to the stats of its quota, if it has one (ZooKeeper's updateQuotaStat). */
  private countIntoQuota(path: string, bytesDiff: number, countDiff: number): void {
    const quotaRoot = this.quotaRootOf(path)
    if (quotaRoot === undefined) return
    const statsNode = this.nodes.get(statsPath(quotaRoot))
    if (!statsNode) return log('missing quota stats node %s', statsPath(quotaRoot))
    const stats = QuotaStats.parse(statsNode.data)
    // ZooKeeper would fail the write on stats it cannot parse; they are left as they are instead.
    if (!stats) return log('unreadable quota stats node %s', statsPath(quotaRoot))
    stats.set('count', stats.get('count') + BigInt(countDiff))
    stats.set('bytes', stats.get('bytes') + BigInt(bytesDiff))
    // Only the data changes: no version, mzxid or watch event, as in ZooKeeper.
    statsNode.data = stats.toBuffer()
  }

  get(path: string): ZNode | undefined {
    // ZooKeeper's tree also knows the root as "" (reads of "" answer for "/").
    return this.nodes.get(path === '' ? '/' : path)
  }

  /** Stat of a node as the wire shows it. */
  stat(n: ZNode): Stat {
    return {
      czxid: n.czxid,
      mzxid: n.mzxid,
      ctime: n.ctime,
      mtime: n.mtime,
      version: n.version,
      // ZooKeeper keeps a count of child creations and shows clients creations + deletions, which is
      // that count twice less the children still present (so system children read negative).
      cversion: n.cversion * 2 - n.children.size,
      aversion: n.aversion,
      // Clients see the owner of true ephemerals only; container and TTL markers read as 0.
      ephemeralOwner: ownerKind(n.ephemeralOwner) === 'ephemeral' ? n.ephemeralOwner : 0n,
      dataLength: n.data?.length ?? 0,
      numChildren: n.children.size,
      pzxid: n.pzxid,
    }
  }

  /**
   * The nodes from `path` down, each parent before its children and the children in their set's
   * order (or as `order` sorts them); `skip` leaves a node and everything below it out. A loop over
   * a stack, not recursion, so a chain of any depth is walked.
   */
  *preorder(
    path: string,
    opts: { order?: (names: string[]) => string[]; skip?: (path: string) => boolean } = {},
  ): Generator<[string, ZNode]> {
    const stack = [path]
    for (let p = stack.pop(); p !== undefined; p = stack.pop()) {
      const n = this.get(p)
      if (!n || opts.skip?.(p)) continue
      yield [p, n]
      const names = opts.order ? opts.order([...n.children]) : [...n.children]
      for (let i = names.length - 1; i >= 0; i--) stack.push(join(p, names[i]!))
    }
  }

  /** Number of all nodes below `path`. */
  countDescendants(path: string): number {
    let total = -1
    for (const _ of this.preorder(path)) total++
    return Math.max(total, 0)
  }

  /** Apply a committed transaction. Deterministic: all it needs is in the header and the txn. */
  applyTxn(hdr: TxnHeader, txn: Txn): ApplyResult {
    const r = this.apply(hdr, txn)
    if (hdr.zxid > this.lastZxid) this.lastZxid = hdr.zxid
    return r
  }

  private apply(hdr: TxnHeader, txn: Txn): ApplyResult {
    switch (txn.type) {
      case 'create': {
        const parentPath = parentOf(txn.path)
        const parent = this.nodes.get(parentPath)
        if (!parent) return { err: ErrorCode.NONODE, events: [] }
        if (this.nodes.has(txn.path)) return { err: ErrorCode.NODEEXISTS, events: [] }
        const node = this.makeNode(txn.data, txn.acl, hdr.zxid, hdr.time, txn.owner)
        this.nodes.set(txn.path, node)
        parent.children.add(basename(txn.path))
        parent.cversion = txn.parentCVersion
        parent.pzxid = hdr.zxid
        this.indexEphemeral(txn.owner, txn.path)
        // A limits node makes its path a quota root; a stats node starts from a fresh count.
        if (parentPath.startsWith(QUOTA_ROOT)) {
          const quotaRoot = parentPath.slice(QUOTA_ROOT.length)
          if (basename(txn.path) === LIMITS_NODE && quotaRoot !== '') this.quotas.add(quotaRoot)
          if (basename(txn.path) === STATS_NODE) this.recountQuota(quotaRoot)
        }
        this.countIntoQuota(txn.path, txn.data?.length ?? 0, 1)
        return {
          err: 0,
          path: txn.path,
          stat: this.stat(node),
          events: [
            { type: EventType.NodeCreated, path: txn.path, acl: node.acl },
            { type: EventType.NodeChildrenChanged, path: parentPath, acl: parent.acl },
          ],
        }
      }
      case 'delete': {
        const node = this.nodes.get(txn.path)
        if (!node) return { err: ErrorCode.NONODE, events: [] }
        const parentPath = parentOf(txn.path)
        const parent = this.nodes.get(parentPath)!
        this.nodes.delete(txn.path)
        parent.children.delete(basename(txn.path))
        // Deleting does not touch the stored creation count (see stat()); it shows in the children.
        parent.pzxid = hdr.zxid
        if (ownerKind(node.ephemeralOwner) === 'ephemeral') this.ephemerals.get(node.ephemeralOwner)?.delete(txn.path)
        // ZooKeeper tests this parent against /zookeeper, not /zookeeper/quota, and cuts the quota
        // prefix off all the same.
        if (parentPath.startsWith('/zookeeper') && basename(txn.path) === LIMITS_NODE && parentPath.length > QUOTA_ROOT.length)
          this.quotas.remove(parentPath.slice(QUOTA_ROOT.length))
        this.countIntoQuota(txn.path, -(node.data?.length ?? 0), -1)
        return {
          err: 0,
          path: txn.path,
          events: [
            { type: EventType.NodeDeleted, path: txn.path, acl: node.acl },
            { type: EventType.NodeChildrenChanged, path: parentPath, acl: parent.acl },
          ],
        }
      }
      case 'setData': {
        const node = this.nodes.get(txn.path)
        if (!node) return { err: ErrorCode.NONODE, events: [] }
        const bytesDiff = (txn.data?.length ?? 0) - (node.data?.length ?? 0)
        node.data = txn.data
        node.version = txn.version
        node.mzxid = hdr.zxid
        node.mtime = hdr.time
        this.countIntoQuota(txn.path, bytesDiff, 0)
        return {
          err: 0,
          path: txn.path,
          stat: this.stat(node),
          events: [{ type: EventType.NodeDataChanged, path: txn.path, acl: node.acl }],
        }
      }
      case 'setACL': {
        const node = this.nodes.get(txn.path)
        if (!node) return { err: ErrorCode.NONODE, events: [] }
        node.acl = txn.acl
        node.aversion = txn.version
        return { err: 0, path: txn.path, stat: this.stat(node), events: [] }
      }
      case 'check':
        return { err: 0, path: txn.path, events: [] }
      case 'createSession':
        return { err: 0, events: [] }
      case 'closeSession': {
        const events: TreeEvent[] = []
        // In the set's iteration order, as ZooKeeper deletes them (ephemerals have no children).
        const paths = [...(this.ephemerals.get(hdr.clientId) ?? [])]
        for (const p of paths) {
          const r = this.apply(hdr, { type: 'delete', path: p })
          events.push(...r.events)
        }
        this.ephemerals.delete(hdr.clientId)
        return { err: 0, events }
      }
      case 'multi': {
        const results = txn.txns.map((t) => this.apply(hdr, t))
        return { err: 0, events: results.flatMap((r) => r.events), multi: results }
      }
      case 'error':
        return { err: txn.err, events: [] }
    }
  }
}

/** Child path. */
export function join(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`
}
