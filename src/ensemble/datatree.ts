// The replicated state: znodes with ZooKeeper's Stat semantics, ephemerals by owner, and a pure
// applyTxn() that any server (leader or follower) replays identically from the transaction alone.
import type { ACL, Stat, StatPersisted } from '../jute/generated/proto.generated.js'
import { ErrorCode, EventType, Perms } from '../protocol.js'
import { basename, parentOf } from '../paths.js'
import type { Txn, TxnHeader } from './txn.js'
import { JavaHashSet } from './java-order.js'
import { logger } from '../debug.js'
import type { Writer } from '../jute/writer.js'
import { AclCache } from './acl-cache.js'
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

/** The child set of every node that never had a child: one shared instance, so nothing may add to it. */
class NoChildren extends JavaHashSet {
  override add(): boolean {
    throw new Error('the shared empty child set was added to; a node gets a set of its own on its first child')
  }
}
export const NO_CHILDREN: JavaHashSet = new NoChildren(8)

/**
 * Data up to this size is kept as a latin1 string (one char per byte): 16 bytes of overhead and
 * compacted by the GC, where a Buffer costs about a hundred bytes of its own, and a view into a larger
 * slab would keep the whole slab alive. Larger data keeps a Buffer, so reads do not copy it.
 */
const STRING_DATA_MAX = 4096

function storedData(data: Buffer | null): string | Buffer | null {
  if (data === null) return null
  // Always a copy: the data given is usually a view into a network frame or a log record, which it
  // would keep alive whole.
  return data.length <= STRING_DATA_MAX ? data.toString('latin1') : Buffer.from(data)
}

/** A node as a snapshot records it. */
export interface StoredNode extends StatPersisted {
  data: Buffer | null
  acl: ACL[]
}

/**
 * One znode. Its path is only the key it is stored under in the tree; its ACL is the tree's shared
 * instance of that list; a node without children shares one empty set.
 */
export class ZNode {
  private stored: string | Buffer | null
  version = 0
  /** Number of children ever created here (also the next sequence number); clients see stat(). */
  cversion = 0
  aversion = 0
  /** A java.util.HashSet, as in ZooKeeper's DataNode: getChildren lists them in its order. */
  children: JavaHashSet = NO_CHILDREN

  constructor(
    data: Buffer | null,
    public acl: ACL[],
    public czxid: bigint,
    public mzxid: bigint,
    public ctime: bigint,
    public mtime: bigint,
    public ephemeralOwner: bigint,
    public pzxid: bigint,
  ) {
    this.stored = storedData(data)
  }

  /** The data (a fresh Buffer for small data, which the caller may keep), or null. */
  get data(): Buffer | null {
    const d = this.stored
    return typeof d === 'string' ? Buffer.from(d, 'latin1') : d
  }

  set data(data: Buffer | null) {
    this.stored = storedData(data)
  }

  /** Write the data as a Jute buffer, without making a Buffer of it. */
  writeData(w: Writer): void {
    const d = this.stored
    if (typeof d === 'string') w.latin1Bytes(d)
    else w.buffer(d)
  }

  /** Length of the data, without making a Buffer of it (0 for null). */
  get dataLength(): number {
    return this.stored?.length ?? 0
  }

  /** A node that changes apart from this one: the data and the ACL list are shared (neither changes in place). */
  clone(): ZNode {
    const copy = new ZNode(null, this.acl, this.czxid, this.mzxid, this.ctime, this.mtime, this.ephemeralOwner, this.pzxid)
    copy.stored = this.stored
    copy.version = this.version
    copy.cversion = this.cversion
    copy.aversion = this.aversion
    copy.children = this.children === NO_CHILDREN ? NO_CHILDREN : this.children.clone()
    return copy
  }
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
  /** Every node's ACL, each distinct list stored once. */
  // Replaced only by clone(), which builds a tree around another's lists.
  acls = new AclCache()
  /**
   * While a snapshot is encoded from this tree (see freeze()): every node changed or deleted since it
   * began, as it was then, saved just before its first change.
   */
  private frozen: Map<string, ZNode> | undefined

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
    this.setAcl(config, [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }])
  }

  private addSystemNode(path: string, data: Buffer | null): void {
    const node = this.makeNode(data, [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }], 0n, 0n, 0n)
    this.nodes.set(path, node)
    this.addChild(this.nodes.get(parentOf(path))!, basename(path))
  }

  private makeNode(data: Buffer | null, acl: ACL[], zxid: bigint, time: bigint, owner: bigint): ZNode {
    // One zxid and one time for all the fields they start in.
    return new ZNode(data, this.acls.use(acl), zxid, zxid, time, time, owner, zxid)
  }

  /** Keep `node` as it is now for the snapshot being encoded, if one is and this is its first change. */
  private saveForSnapshot(path: string, node: ZNode): void {
    if (this.frozen !== undefined && !this.frozen.has(path)) this.frozen.set(path, node.clone())
  }

  /**
   * The tree as it is now, for a snapshot encoded while the tree goes on changing: from here until
   * thaw(), each node is copied just before its first change, so the view costs the nodes written in
   * the meantime rather than a copy of the whole tree. One view at a time.
   */
  freeze(): TreeView {
    if (this.frozen !== undefined) throw new Error('the tree is already frozen for a snapshot')
    const frozen = new Map<string, ZNode>()
    this.frozen = frozen
    const nodes = this.nodes
    // A saved node first: a path deleted or changed since has one; the rest are as they were.
    const get = (path: string) => frozen.get(path) ?? nodes.get(path)
    return { lastZxid: this.lastZxid, preorder: (path) => preorderOf(get, path), saved: () => frozen.size }
  }

  /** The snapshot is written (or given up): stop saving nodes for it. */
  thaw(): void {
    this.frozen = undefined
  }

  private addChild(parent: ZNode, name: string): void {
    // Kept once made, even when emptied: like Java's, the set's bucket count (and so its order) only grows.
    if (parent.children === NO_CHILDREN) parent.children = emptyChildren()
    parent.children.add(name)
  }

  private setAcl(node: ZNode, acl: ACL[]): void {
    const stored = this.acls.use(acl)
    this.acls.release(node.acl)
    node.acl = stored
  }

  /**
   * An independent copy (the leader's view of what it has proposed starts as the committed tree):
   * the same nodes, child orders, ephemerals, quotas and zxid, without encoding a snapshot.
   */
  clone(): DataTree {
    const copy = new DataTree()
    copy.clear()
    for (const [path, node] of this.nodes) copy.nodes.set(path, node.clone())
    for (const [owner, paths] of this.ephemerals) copy.ephemerals.set(owner, paths.clone())
    copy.acls = this.acls.clone()
    copy.lastZxid = this.lastZxid
    copy.setupQuotas()
    return copy
  }

  /** Forget every node (a snapshot is about to be loaded in their place). */
  clear(): void {
    // A snapshot being encoded is of state that is gone; its encoder is dropped with it.
    this.frozen = undefined
    this.nodes.clear()
    this.ephemerals.clear()
    this.acls.clear()
  }

  /** Put a node back as a snapshot recorded it (parents first): links it and indexes its owner. */
  restore(path: string, s: StoredNode): void {
    // A decoded snapshot has a BigInt per field; equal ones are shared, as a node applied from its txn shares them.
    const mzxid = s.mzxid === s.czxid ? s.czxid : s.mzxid
    const pzxid = s.pzxid === s.czxid ? s.czxid : s.pzxid === s.mzxid ? mzxid : s.pzxid
    const mtime = s.mtime === s.ctime ? s.ctime : s.mtime
    const owner = s.ephemeralOwner === 0n ? 0n : s.ephemeralOwner
    const node = new ZNode(s.data, this.acls.use(s.acl), s.czxid, mzxid, s.ctime, mtime, owner, pzxid)
    node.version = s.version
    node.cversion = s.cversion
    node.aversion = s.aversion
    const replaced = this.nodes.get(path)
    if (replaced) this.acls.release(replaced.acl)
    this.nodes.set(path, node)
    if (path !== '/') {
      const parent = this.nodes.get(parentOf(path))
      if (parent) this.addChild(parent, basename(path))
    }
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
    this.saveForSnapshot(statsPath(quotaRoot), statsNode)
    const stats = QuotaStats.empty()
    let count = 0n
    let bytes = 0n
    for (const [, n] of this.preorder(quotaRoot === '' ? '/' : quotaRoot)) {
      count++
      bytes += BigInt(n.dataLength)
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
    this.saveForSnapshot(statsPath(quotaRoot), statsNode)
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
      dataLength: n.dataLength,
      numChildren: n.children.size,
      pzxid: n.pzxid,
    }
  }

  /**
   * The nodes from `path` down, each parent before its children and the children in their set's
   * order (or as `order` sorts them); `skip` leaves a node and everything below it out. A loop over
   * a stack, not recursion, so a chain of any depth is walked.
   */
  preorder(path: string, opts: WalkOptions = {}): Generator<[string, ZNode]> {
    return preorderOf((p) => this.get(p), path, opts)
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
        this.saveForSnapshot(parentPath, parent)
        const node = this.makeNode(txn.data, txn.acl, hdr.zxid, hdr.time, txn.owner)
        this.nodes.set(txn.path, node)
        this.addChild(parent, basename(txn.path))
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
        this.saveForSnapshot(txn.path, node)
        this.saveForSnapshot(parentPath, parent)
        this.nodes.delete(txn.path)
        parent.children.delete(basename(txn.path))
        // Deleting does not touch the stored creation count (see stat()); it shows in the children.
        parent.pzxid = hdr.zxid
        this.acls.release(node.acl)
        if (ownerKind(node.ephemeralOwner) === 'ephemeral') this.ephemerals.get(node.ephemeralOwner)?.delete(txn.path)
        // ZooKeeper tests this parent against /zookeeper, not /zookeeper/quota, and cuts the quota
        // prefix off all the same.
        if (parentPath.startsWith('/zookeeper') && basename(txn.path) === LIMITS_NODE && parentPath.length > QUOTA_ROOT.length)
          this.quotas.remove(parentPath.slice(QUOTA_ROOT.length))
        this.countIntoQuota(txn.path, -node.dataLength, -1)
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
        const bytesDiff = (txn.data?.length ?? 0) - node.dataLength
        this.saveForSnapshot(txn.path, node)
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
        this.saveForSnapshot(txn.path, node)
        this.setAcl(node, txn.acl)
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

/** How preorder() walks: `order` sorts each node's child names, `skip` prunes a node and all below it. */
export interface WalkOptions {
  order?: (names: string[]) => string[]
  skip?: (path: string) => boolean
}

/** A tree as it was at one moment, as a snapshot reads it (DataTree.freeze()). */
export interface TreeView {
  readonly lastZxid: bigint
  preorder(path: string): Iterable<[string, ZNode]>
  /** Nodes saved so far because they changed after the moment (for tests and logs). */
  saved(): number
}

/** The walk behind DataTree.preorder, over any lookup of nodes by path. */
function* preorderOf(get: (path: string) => ZNode | undefined, path: string, opts: WalkOptions = {}): Generator<[string, ZNode]> {
  const stack = [path]
  for (let p = stack.pop(); p !== undefined; p = stack.pop()) {
    const n = get(p)
    if (!n || opts.skip?.(p)) continue
    yield [p, n]
    if (n.children.size === 0) continue
    const names = opts.order ? opts.order(n.children.toArray()) : n.children.toArray()
    for (let i = names.length - 1; i >= 0; i--) stack.push(join(p, names[i]!))
  }
}
