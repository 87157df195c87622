// The data tree as JSON, and back: dumpTree() writes every node but ZooKeeper's own /zookeeper
// subtree; readTreeFixture() checks a dump (or a hand-written fixture) and says what is wrong with
// it; planReset()/planLoad() turn "empty the tree" and "make the tree this fixture" into txns. Pure:
// they read a DataTree and return values; tree-admin.ts proposes what they plan.
import { isUtf8 } from 'node:buffer'
import type { ACL } from '../jute/generated/proto.generated.js'
import { parentOf, pathProblem } from '../paths.js'
import { Perms } from '../protocol.js'
import { fixupACL } from './acl.js'
import { DataTree, ownerKind, ttlOwner, CONTAINER_OWNER, SYSTEM_NODES, type ZNode } from './datatree.js'
import { QUOTA_ROOT } from './quotas.js'
import type { Txn } from './txn.js'

/** A dump or fixture that cannot be loaded: the message names the node and what is wrong. */
export class TreeDumpError extends Error {
  /** Always "TreeDumpError". */
  override readonly name = 'TreeDumpError'
}

/** What kind of znode a dumped node is. */
export type DumpedNodeKind = 'persistent' | 'ephemeral' | 'container' | 'ttl'

/** How a dumped node's `data` is written: UTF-8 text as is, or bytes in base64. */
export type DataEncoding = 'utf8' | 'base64'

/** One ACL entry: ZooKeeper's permission bits (READ 1, WRITE 2, CREATE 4, DELETE 8, ADMIN 16) for an id. */
export interface DumpedAcl {
  /** The permission bits, 0 to 31. */
  perms: number
  /** world, digest, ip, super, x509 or sasl. */
  scheme: string
  /** The id within the scheme ("anyone" for world, "user:base64sha1" for digest, …). */
  id: string
}

/** Informational Stat of a dumped node (a load ignores it). */
export interface DumpedStat {
  /** zxid of the node's creation, hex. */
  czxid: string
  /** zxid of its last data change, hex. */
  mzxid: string
  /** zxid of its last child change, hex. */
  pzxid: string
  /** Creation time, ms since the epoch. */
  ctime: number
  /** Time of the last data change, ms since the epoch. */
  mtime: number
  /** Data version. */
  version: number
  /** Child version, as clients see it. */
  cversion: number
  /** ACL version. */
  aversion: number
  /** Number of children. */
  numChildren: number
  /** Bytes of data. */
  dataLength: number
}

/** One node of a fixture: only `path` is required. */
export interface TreeNodeInput {
  /** Absolute path; parents missing from the fixture are created as empty persistent nodes. */
  path: string
  /** Default "persistent" ("ephemeral" when `ephemeralOwner` is given). */
  kind?: DumpedNodeKind
  /** How `data` is written (default "utf8"). */
  encoding?: DataEncoding
  /** The node's data (default empty); null for a node without data. */
  data?: string | null
  /** Default world:anyone with every permission. */
  acl?: DumpedAcl[]
  /** The session owning an ephemeral, hex as ZooKeeper prints it ("0x…"); it must be a live session. */
  ephemeralOwner?: string
  /** Time to live of a "ttl" node, ms. */
  ttlMs?: number
}

/** One node as dumpTree() writes it. */
export interface DumpedNode extends TreeNodeInput {
  /** The node's kind. */
  kind: DumpedNodeKind
  /** Which encoding `data` uses: "utf8" when the bytes are valid UTF-8, else "base64". */
  encoding: DataEncoding
  /** The data, or null. */
  data: string | null
  /** The node's ACL. */
  acl: DumpedAcl[]
  /** Its Stat (ignored by a load). */
  stat: DumpedStat
}

/** Nodes to load: a dump, or a hand-written fixture. */
export interface TreeFixture {
  /** The nodes, in any order; "/" sets the root's data and ACL. */
  nodes: TreeNodeInput[]
}

/** The tree as dumpTree() writes it: parents before children, children by name. */
export interface TreeDump extends TreeFixture {
  /** The last zxid the dump reflects, hex. */
  zxid: string
  /** Every node but /zookeeper and what is below it, the root first. */
  nodes: DumpedNode[]
}

/** Options of a dump. */
export interface DumpOptions {
  /** "auto" (default): UTF-8 text where the bytes allow, base64 elsewhere; "base64": always base64. */
  encoding?: 'auto' | 'base64'
}

/** A txn and the session it is proposed for (an ephemeral's owner, or 0). */
export interface PlannedTxn {
  /** The header's clientId: ZooKeeper's txn format takes an ephemeral's owner from it. */
  clientId: bigint
  /** The txn, a multi of every change for that session. */
  txn: Txn
}

const OPEN_ACL: ACL[] = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }]
const SYSTEM = '/zookeeper'

/** A zxid or session id as ZooKeeper prints one: unsigned hex with 0x. */
export function hexId(id: bigint): string {
  return `0x${BigInt.asUintN(64, id).toString(16)}`
}

/** A session id written in hex ("0x1a2b", or "1a2b" as Java's Long.toHexString prints it), else undefined. */
export function parseHexId(text: string): bigint | undefined {
  const m = /^(?:0x)?([0-9a-f]{1,16})$/i.exec(text)
  return m ? BigInt.asIntN(64, BigInt(`0x${m[1]}`)) : undefined
}

const isSystem = (path: string) => path === SYSTEM || path.startsWith(`${SYSTEM}/`)

function kindOf(owner: bigint): DumpedNodeKind {
  const k = ownerKind(owner)
  return k === 'normal' ? 'persistent' : k
}

function dumpNode(tree: DataTree, path: string, n: ZNode, base64: boolean): DumpedNode {
  const s = tree.stat(n)
  const data = n.data
  const text = !base64 && (data === null || isUtf8(data))
  const kind = kindOf(n.ephemeralOwner)
  return {
    path,
    kind,
    encoding: text ? 'utf8' : 'base64',
    data: data === null ? null : data.toString(text ? 'utf8' : 'base64'),
    acl: n.acl.map((a) => ({ perms: a.perms, scheme: a.id.scheme, id: a.id.id })),
    ...(kind === 'ephemeral' ? { ephemeralOwner: hexId(n.ephemeralOwner) } : {}),
    ...(kind === 'ttl' ? { ttlMs: Number(BigInt.asUintN(64, n.ephemeralOwner) & 0xffffffffffn) } : {}),
    stat: {
      czxid: hexId(s.czxid),
      mzxid: hexId(s.mzxid),
      pzxid: hexId(s.pzxid),
      ctime: Number(s.ctime),
      mtime: Number(s.mtime),
      version: s.version,
      cversion: s.cversion,
      aversion: s.aversion,
      numChildren: s.numChildren,
      dataLength: s.dataLength,
    },
  }
}

/** Every node of `tree` but /zookeeper and below, parents first and children by name. */
export function dumpTree(tree: DataTree, opts: DumpOptions = {}): TreeDump {
  const nodes: DumpedNode[] = []
  for (const [path, n] of tree.preorder('/', { order: (names) => names.sort(), skip: isSystem }))
    nodes.push(dumpNode(tree, path, n, opts.encoding === 'base64'))
  return { zxid: hexId(tree.lastZxid), nodes }
}

/** A fixture node checked and decoded into what a create needs. */
export interface CheckedNode {
  /** The node's path. */
  path: string
  /** Its data. */
  data: Buffer | null
  /** Its ACL. */
  acl: ACL[]
  /** ephemeralOwner as the tree stores it (0 persistent, a session, the container or TTL marker). */
  owner: bigint
}

const KINDS: readonly DumpedNodeKind[] = ['persistent', 'ephemeral', 'container', 'ttl']
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function checkAcl(where: string, raw: unknown): ACL[] {
  if (raw === undefined) return OPEN_ACL
  if (!Array.isArray(raw)) throw new TreeDumpError(`${where}.acl must be a list of { perms, scheme, id }`)
  const acl = raw.map((a: unknown, k): ACL => {
    if (
      !isObject(a) ||
      !Number.isInteger(a.perms) ||
      (a.perms as number) < 0 ||
      (a.perms as number) > Perms.ALL ||
      typeof a.scheme !== 'string' ||
      typeof a.id !== 'string'
    ) {
      throw new TreeDumpError(`${where}.acl[${k}] must be { perms: 0..31, scheme: string, id: string }`)
    }
    return { perms: a.perms as number, id: { scheme: a.scheme, id: a.id } }
  })
  // The server's own check, with no authenticated ids: an "auth" entry has no creator to stand for.
  const fixed = fixupACL(acl, [], '')
  if (typeof fixed === 'number') {
    throw new TreeDumpError(
      `${where}.acl is not an ACL ZooKeeper accepts (non-empty; world:anyone, digest user:hash, ip addr[/bits], super, x509 or sasl; "auth" needs a creator, so give its digest id)`,
    )
  }
  return fixed
}

function checkData(where: string, n: Record<string, unknown>): Buffer | null {
  const encoding = n.encoding ?? 'utf8'
  if (encoding !== 'utf8' && encoding !== 'base64')
    throw new TreeDumpError(`${where}.encoding must be "utf8" or "base64", got ${JSON.stringify(encoding)}`)
  if (n.data === undefined) return Buffer.alloc(0)
  if (n.data === null) return null
  if (typeof n.data !== 'string') throw new TreeDumpError(`${where}.data must be a string or null`)
  if (encoding === 'base64' && !/^[A-Za-z0-9+/]*={0,2}$/.test(n.data)) throw new TreeDumpError(`${where}.data is not base64`)
  return Buffer.from(n.data, encoding)
}

function checkOwner(where: string, n: Record<string, unknown>, kind: DumpedNodeKind): bigint {
  if (kind !== 'ephemeral' && n.ephemeralOwner !== undefined)
    throw new TreeDumpError(`${where}: only an ephemeral has an ephemeralOwner (this one is ${kind})`)
  if (kind !== 'ttl' && n.ttlMs !== undefined) throw new TreeDumpError(`${where}: only a ttl node has ttlMs (this one is ${kind})`)
  switch (kind) {
    case 'persistent':
      return 0n
    case 'container':
      return CONTAINER_OWNER
    case 'ttl': {
      const ttl = n.ttlMs
      if (!Number.isInteger(ttl) || (ttl as number) <= 0 || (ttl as number) > 0xffffffffff)
        throw new TreeDumpError(`${where}.ttlMs must be a positive whole number of ms (at most ${0xffffffffff})`)
      return ttlOwner(BigInt(ttl as number))
    }
    case 'ephemeral': {
      const id = typeof n.ephemeralOwner === 'string' ? parseHexId(n.ephemeralOwner) : undefined
      if (id === undefined || id === 0n || ownerKind(id) !== 'ephemeral')
        throw new TreeDumpError(`${where}.ephemeralOwner must be a session id in hex ("0x…"), got ${JSON.stringify(n.ephemeralOwner)}`)
      return id
    }
  }
}

function checkNode(raw: unknown, k: number): CheckedNode {
  const where = `nodes[${k}]`
  if (!isObject(raw)) throw new TreeDumpError(`${where} must be an object with a path`)
  const problem = pathProblem(raw.path)
  if (problem) throw new TreeDumpError(`${where}.path: ${problem}`)
  const path = raw.path as string
  const at = `${where} (${path})`
  if (isSystem(path)) throw new TreeDumpError(`${at}: /zookeeper is ZooKeeper's own subtree; a fixture cannot change it`)
  const kind = raw.kind ?? (raw.ephemeralOwner !== undefined ? 'ephemeral' : 'persistent')
  if (!KINDS.includes(kind as DumpedNodeKind))
    throw new TreeDumpError(`${at}.kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(kind)}`)
  if (path === '/' && kind !== 'persistent') throw new TreeDumpError(`${at}: the root can only be persistent`)
  return { path, data: checkData(at, raw), acl: checkAcl(at, raw.acl), owner: checkOwner(at, raw, kind as DumpedNodeKind) }
}

/** Check a fixture (parsed JSON, or a TreeFixture from TypeScript); a TreeDumpError says what is wrong. */
export function readTreeFixture(fixture: unknown): CheckedNode[] {
  if (!isObject(fixture) || !Array.isArray(fixture.nodes))
    throw new TreeDumpError('a tree fixture is an object { "nodes": [ { "path": … }, … ] }')
  const nodes = fixture.nodes.map(checkNode)
  const seen = new Set<string>()
  for (const n of nodes) {
    if (seen.has(n.path)) throw new TreeDumpError(`${n.path} is in the fixture twice`)
    seen.add(n.path)
  }
  const ephemerals = nodes.filter((n) => ownerKind(n.owner) === 'ephemeral').map((n) => n.path)
  for (const n of nodes) {
    const above = ephemerals.find((e) => n.path.startsWith(`${e}/`))
    if (above) throw new TreeDumpError(`${n.path}: ${above} above it is ephemeral, and ephemerals cannot have children`)
  }
  return nodes
}

const depth = (path: string) => (path === '/' ? 0 : path.split('/').length - 1)
const sameAcl = (a: ACL[], b: ACL[]) =>
  a.length === b.length && a.every((x, i) => x.perms === b[i]!.perms && x.id.scheme === b[i]!.id.scheme && x.id.id === b[i]!.id.id)

/**
 * The txns that make `view` a fresh tree but for the root, which gets `root`'s data and ACL: every
 * node a fresh tree lacks is deleted (deepest first), quota nodes under /zookeeper/quota included,
 * so their limits go too; /zookeeper and /zookeeper/quota get their fresh data and ACL back. The
 * config node is the server's own and stays as it is.
 */
function emptyingTxns(view: DataTree, root: { data: Buffer | null; acl: ACL[] }): Txn[] {
  const doomed = [...view.nodes.keys()].filter((p) => !SYSTEM_NODES.has(p)).sort((a, b) => depth(b) - depth(a))
  const txns: Txn[] = doomed.map((path) => ({ type: 'delete', path }))
  const fresh = new DataTree()
  for (const [path, want] of [
    ['/', root],
    [SYSTEM, fresh.get(SYSTEM)!],
    [QUOTA_ROOT, fresh.get(QUOTA_ROOT)!],
  ] as const) {
    const now = view.get(path)!
    const nowData = now.data
    const sameData = nowData === null ? want.data === null : want.data !== null && nowData.equals(want.data)
    if (!sameData) txns.push({ type: 'setData', path, data: want.data, version: now.version + 1 })
    if (!sameAcl(now.acl, want.acl)) txns.push({ type: 'setACL', path, acl: want.acl, version: now.aversion + 1 })
  }
  return txns
}

/** Empty the tree: it is as a fresh server has it (quotas gone), but the root's data and ACL are reset too. */
export function planReset(view: DataTree): PlannedTxn[] {
  const txns = emptyingTxns(view, { data: Buffer.alloc(0), acl: OPEN_ACL })
  return txns.length ? [{ clientId: 0n, txn: { type: 'multi', txns } }] : []
}

/**
 * Replace the tree with `nodes` (from readTreeFixture): one multi deletes what is there and creates
 * every node that is not an ephemeral (missing parents as empty persistent nodes); then one multi per
 * owner creates its ephemerals, since ZooKeeper's txn format takes an ephemeral's owner from the
 * txn header. Each owner must be a session the leader knows (`live`).
 */
export function planLoad(view: DataTree, nodes: CheckedNode[], live: (owner: bigint) => boolean): PlannedTxn[] {
  for (const n of nodes) {
    if (ownerKind(n.owner) === 'ephemeral' && !live(n.owner))
      throw new TreeDumpError(
        `${n.path}: its ephemeralOwner ${hexId(n.owner)} is not a live session (an ephemeral cannot outlive its session)`,
      )
  }
  const root = nodes.find((n) => n.path === '/') ?? { data: Buffer.alloc(0), acl: OPEN_ACL }
  const main = emptyingTxns(view, root)
  const byOwner = new Map<bigint, Txn[]>()
  // The creation counts of parents, as the multis before each create leave them.
  const cversion = new Map<string, number>([['/', view.get('/')!.cversion]])
  const present = new Set(['/'])
  const create = (path: string, data: Buffer | null, acl: ACL[], owner: bigint) => {
    const parent = parentOf(path)
    const parentCVersion = (cversion.get(parent) ?? 0) + 1
    cversion.set(parent, parentCVersion)
    present.add(path)
    const txn: Txn = { type: 'create', path, data, acl, owner, parentCVersion }
    if (ownerKind(owner) !== 'ephemeral') return main.push(txn)
    const list = byOwner.get(owner) ?? []
    byOwner.set(owner, list)
    list.push(txn)
  }
  // Planned in the order the multis are proposed (the main one, then an owner's ephemerals after
  // another's), since each create sets its parent's count outright.
  const ownerOf = (n: CheckedNode) => (ownerKind(n.owner) === 'ephemeral' ? n.owner : 0n)
  const ordered = nodes
    .filter((n) => n.path !== '/')
    .sort((a, b) =>
      ownerOf(a) === ownerOf(b)
        ? depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : 1)
        : ownerOf(a) === 0n
          ? -1
          : ownerOf(b) === 0n
            ? 1
            : ownerOf(a) < ownerOf(b)
              ? -1
              : 1,
    )
  for (const n of ordered) {
    // Like Curator's creatingParentsIfNeeded: the ancestors a fixture leaves out, as empty nodes
    // (in the main multi, so before any ephemeral).
    const missing: string[] = []
    for (let p = parentOf(n.path); !present.has(p); p = parentOf(p)) missing.unshift(p)
    for (const p of missing) create(p, Buffer.alloc(0), OPEN_ACL, 0n)
    if (ownerOf(n) === 0n) create(n.path, n.data, n.acl, n.owner)
  }
  for (const n of ordered) if (ownerOf(n) !== 0n) create(n.path, n.data, n.acl, n.owner)
  const plan: PlannedTxn[] = main.length ? [{ clientId: 0n, txn: { type: 'multi', txns: main } }] : []
  for (const [owner, txns] of byOwner) plan.push({ clientId: owner, txn: { type: 'multi', txns } })
  return plan
}
