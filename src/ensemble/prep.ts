// The prep stage of the write pipeline (pipeline.ts): a write request becomes a transaction, or the error
// ZooKeeper's PrepRequestProcessor would return, checked in the same order. Multi ops are validated
// one after another against an overlay of the changes the earlier ops would make.
import type { Reader } from '../jute/reader.js'
import { decodeSetACLRequest, type ACL, type SetACLRequest } from '../jute/generated/proto.generated.js'
import { abortedMultiResults, decodeMultiOp, decodeMultiRequest, type MultiRequestOp } from '../jute/quirks.js'
import { ErrorCode, OpCode, Perms, createModeInfo } from '../protocol.js'
import { pathProblem } from '../paths.js'
import { fixupACL, permitted, type AclProviders, type AuthId } from './acl.js'
import { CONTAINER_OWNER, SYSTEM_NODES, ownerKind, ttlOwner, type DataTree } from './datatree.js'
import type { Txn } from './txn.js'
import { QuotaStats, limitsPath, statsPath } from './quotas.js'
import { logger } from '../debug.js'

const log = logger('ensemble')

/** Who is asking. */
export interface RequestContext {
  sessionId: bigint
  ids: AuthId[]
  address: string
  /** Whether TTL nodes are enabled (ZooKeeper's extendedTypesEnabled). */
  ttlEnabled: boolean
  maxBuffer: number
  /** Whether hard quota limits refuse writes (ZooKeeper's zookeeper.enforceQuota). */
  enforceQuota: boolean
  /** The optional auth providers loaded, which make `sasl` or `x509` ACLs valid. */
  providers: AclProviders
}

/** What prep needs to know of a node. */
interface NodeView {
  acl: ACL[]
  version: number
  cversion: number
  aversion: number
  owner: bigint
  childCount: number
  dataLength: number
}

/** The tree as a transaction being prepared sees it: the real tree plus earlier ops of the same multi. */
class View {
  private readonly overlay = new Map<string, NodeView | null>()
  constructor(readonly tree: DataTree) {}

  get(path: string): NodeView | undefined {
    if (this.overlay.has(path)) return this.overlay.get(path) ?? undefined
    const n = this.tree.get(path)
    return (
      n && {
        acl: n.acl,
        version: n.version,
        cversion: n.cversion,
        aversion: n.aversion,
        owner: n.ephemeralOwner,
        childCount: n.children.size,
        dataLength: n.dataLength,
      }
    )
  }

  set(path: string, v: NodeView | null): void {
    this.overlay.set(path, v)
  }
}

class PrepError extends Error {
  constructor(readonly code: number) {
    super(`prep error ${code}`)
  }
}

const fail = (code: number): never => {
  throw new PrepError(code)
}

/** Prepare a write request (create*, delete, setData, setACL, multi) into a txn. */
export function prepWrite(tree: DataTree, type: number, body: Reader, ctx: RequestContext): Txn {
  if (type === OpCode.multi) return prepMulti(tree, body, ctx)
  // Dynamic reconfiguration is off, as with ZooKeeper's reconfigEnabled=false: refused in prep, so
  // the refusal still uses a zxid.
  if (type === OpCode.reconfig) return { type: 'error', err: ErrorCode.RECONFIGDISABLED }
  // deleteContainer is the server's own request; ZooKeeper reads a client's as a path that holds
  // the request header's zero bytes, which no path may, so it is always BADARGUMENTS.
  if (type === OpCode.deleteContainer) return { type: 'error', err: ErrorCode.BADARGUMENTS }
  try {
    return prepOp(new View(tree), decodeWrite(type, body), ctx)
  } catch (err) {
    if (err instanceof PrepError) return { type: 'error', err: err.code }
    // A body that does not decode is a marshalling error for this request alone.
    return { type: 'error', err: ErrorCode.MARSHALLINGERROR }
  }
}

/** A decoded request that prep can turn into a txn (reads among them fail as UNIMPLEMENTED). */
type PrepOp = MultiRequestOp | { type: typeof OpCode.setACL; request: SetACLRequest }

/** The request record of a write sent on its own. */
function decodeWrite(type: number, r: Reader): PrepOp {
  if (type === OpCode.setACL) return { type, request: decodeSetACLRequest(r) }
  return decodeMultiOp(type, r) ?? fail(ErrorCode.UNIMPLEMENTED)
}

function prepMulti(tree: DataTree, body: Reader, ctx: RequestContext): Txn {
  let ops: MultiRequestOp[]
  try {
    // As in ZooKeeper, the whole request is read before any op is prepared: an op type a multi
    // cannot carry (reads included) or a short body fails it as a whole, and still uses a zxid.
    ops = decodeMultiRequest(body, OpCode.multi)
  } catch {
    return { type: 'error', err: ErrorCode.MARSHALLINGERROR }
  }
  const view = new View(tree)
  const txns: Txn[] = []
  for (const [i, op] of ops.entries()) {
    try {
      txns.push(prepOp(view, op, ctx))
    } catch (err) {
      if (!(err instanceof PrepError)) return { type: 'error', err: ErrorCode.MARSHALLINGERROR }
      // Every op reports: OK before the failing one, its code, RUNTIMEINCONSISTENCY after.
      return { type: 'multi', txns: abortedMultiResults(ops.length, i, err.code).map((r): Txn => ({ type: 'error', err: r.err })) }
    }
  }
  return { type: 'multi', txns }
}

function checkPath(path: string, sequential = false): void {
  if (pathProblem(path, sequential)) fail(ErrorCode.BADARGUMENTS)
}

/**
 * The parent of a path a create or delete names, checked only as far as ZooKeeper checks it first:
 * a '/' somewhere and no NUL. Everything before the last '/' is the parent ("" is the root).
 */
function parentForWrite(path: string): string {
  const slash = path.lastIndexOf('/')
  if (slash < 0 || path.includes('\0')) fail(ErrorCode.BADARGUMENTS)
  return path.slice(0, slash) || '/'
}

function checkVersion(current: number, expected: number): number {
  if (expected !== -1 && expected !== current) fail(ErrorCode.BADVERSION)
  return current + 1
}

function prepOp(view: View, op: PrepOp, ctx: RequestContext): Txn {
  switch (op.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL: {
      // Checked in the order of ZooKeeper's PrepRequestProcessor, since the first failure is the answer.
      const req = op.type === OpCode.createTTL ? op.request : { ...op.request, ttl: -1n }
      const info = createModeInfo(req.flags) ?? fail(ErrorCode.BADARGUMENTS)
      if (info.ttl && !ctx.ttlEnabled) fail(ErrorCode.UNIMPLEMENTED)
      // A TTL mode needs a TTL in range; any other mode must come without one.
      if (info.ttl ? req.ttl <= 0n || req.ttl > 0xffffffffffn : req.ttl >= 0n) fail(ErrorCode.BADARGUMENTS)
      if ((req.data?.length ?? 0) > ctx.maxBuffer) fail(ErrorCode.BADARGUMENTS)
      const parentPath = parentForWrite(req.path)
      const acl = fixupACL(req.acl, ctx.ids, ctx.address, ctx.providers)
      if (typeof acl === 'number') fail(acl as number)
      const parent = view.get(parentPath) ?? fail(ErrorCode.NONODE)
      if (!permitted(parent.acl, Perms.CREATE, ctx.ids, ctx.address)) fail(ErrorCode.NOAUTH)
      const path = info.sequential ? req.path + String(parent.cversion).padStart(10, '0') : req.path
      // Only now the whole path: a missing parent is NONODE even when the path is malformed.
      checkPath(path)
      if (view.get(path)) fail(ErrorCode.NODEEXISTS)
      if (ownerKind(parent.owner) === 'ephemeral') fail(ErrorCode.NOCHILDRENFOREPHEMERALS)
      if (ctx.enforceQuota) checkQuota(view.tree, path, req.data?.length ?? 0, 1)
      const parentCVersion = parent.cversion + 1
      // The opcode decides a container, whatever the flags say (ZooKeeper logs a CreateContainerTxn).
      const container = op.type === OpCode.createContainer || info.container
      const owner = container ? CONTAINER_OWNER : info.ephemeral ? ctx.sessionId : info.ttl ? ttlOwner(req.ttl) : 0n
      view.set(parentPath, { ...parent, cversion: parentCVersion, childCount: parent.childCount + 1 })
      view.set(path, { acl: acl as ACL[], version: 0, cversion: 0, aversion: 0, owner, childCount: 0, dataLength: req.data?.length ?? 0 })
      return { type: 'create', path, data: req.data, acl: acl as ACL[], owner, parentCVersion }
    }
    case OpCode.delete: {
      const { path, version } = op.request
      // The system nodes cannot be deleted (their children other than these can).
      if (SYSTEM_NODES.has(path)) fail(ErrorCode.BADARGUMENTS)
      const parentPath = parentForWrite(path)
      const parent = view.get(parentPath) ?? fail(ErrorCode.NONODE)
      if (!permitted(parent.acl, Perms.DELETE, ctx.ids, ctx.address)) fail(ErrorCode.NOAUTH)
      const node = view.get(path) ?? fail(ErrorCode.NONODE)
      checkVersion(node.version, version)
      if (node.childCount > 0) fail(ErrorCode.NOTEMPTY)
      view.set(parentPath, { ...parent, childCount: parent.childCount - 1 })
      view.set(path, null)
      return { type: 'delete', path }
    }
    case OpCode.setData: {
      const { path, data, version } = op.request
      checkPath(path)
      const node = view.get(path) ?? fail(ErrorCode.NONODE)
      if (!permitted(node.acl, Perms.WRITE, ctx.ids, ctx.address)) fail(ErrorCode.NOAUTH)
      if (ctx.enforceQuota) checkQuota(view.tree, path, (data?.length ?? 0) - node.dataLength, 0)
      if ((data?.length ?? 0) > ctx.maxBuffer) fail(ErrorCode.BADARGUMENTS)
      const next = checkVersion(node.version, version)
      view.set(path, { ...node, version: next, dataLength: data?.length ?? 0 })
      return { type: 'setData', path, data, version: next }
    }
    case OpCode.setACL: {
      const { path, acl, version } = op.request
      checkPath(path)
      const fixed = fixupACL(acl, ctx.ids, ctx.address, ctx.providers)
      if (typeof fixed === 'number') fail(fixed as number)
      const node = view.get(path) ?? fail(ErrorCode.NONODE)
      if (!permitted(node.acl, Perms.ADMIN, ctx.ids, ctx.address)) fail(ErrorCode.NOAUTH)
      const next = checkVersion(node.aversion, version)
      view.set(path, { ...node, acl: fixed as ACL[], aversion: next })
      return { type: 'setACL', path, acl: fixed as ACL[], version: next }
    }
    case OpCode.check: {
      const { path, version } = op.request
      checkPath(path)
      const node = view.get(path) ?? fail(ErrorCode.NONODE)
      if (!permitted(node.acl, Perms.READ, ctx.ids, ctx.address)) fail(ErrorCode.NOAUTH)
      checkVersion(node.version, version)
      return { type: 'check', path }
    }
    default:
      return fail(ErrorCode.UNIMPLEMENTED)
  }
}

/**
 * ZooKeeper's checkQuota: would this write take its quota's subtree over a limit? A hard limit
 * refuses it with QUOTAEXCEEDED; a soft limit only logs. The stats read are the tree's that prep runs
 * against, not the multi's overlay: as in ZooKeeper, which reads its applied tree, the earlier ops of
 * a multi do not count.
 */
function checkQuota(tree: DataTree, path: string, bytesDiff: number, countDiff: number): void {
  const quotaRoot = tree.quotaRootOf(path)
  if (quotaRoot === undefined) return
  const limitsNode = tree.get(limitsPath(quotaRoot))
  if (!limitsNode) return log('missing quota limits node %s', limitsPath(quotaRoot))
  const limits = readQuotaNode(limitsPath(quotaRoot), limitsNode.data)
  const checkCount = countDiff !== 0 && (limits.get('count') > -1n || limits.get('countHardLimit') > -1n)
  const checkBytes = bytesDiff !== 0 && (limits.get('bytes') > -1n || limits.get('byteHardLimit') > -1n)
  if (!checkCount && !checkBytes) return
  const statsNode = tree.get(statsPath(quotaRoot))
  if (!statsNode) return log('missing quota stats node %s', statsPath(quotaRoot))
  const stats = readQuotaNode(statsPath(quotaRoot), statsNode.data)
  if (checkCount) overLimit(quotaRoot, 'count', stats.get('count') + BigInt(countDiff), limits.get('countHardLimit'), limits.get('count'))
  if (checkBytes) overLimit(quotaRoot, 'bytes', stats.get('bytes') + BigInt(bytesDiff), limits.get('byteHardLimit'), limits.get('bytes'))
}

function overLimit(quotaRoot: string, what: 'count' | 'bytes', next: bigint, hardLimit: bigint, softLimit: bigint): void {
  const hard = hardLimit > -1n
  const limit = hard ? hardLimit : softLimit
  if (next <= limit) return
  log('quota exceeded: %s [current %s=%s, %s limit=%s]', quotaRoot, what, next, hard ? 'hard' : 'soft', limit)
  if (hard) fail(ErrorCode.QUOTAEXCEEDED)
}

/** A limits or stats node's text; one ZooKeeper cannot parse fails the request as MARSHALLINGERROR. */
function readQuotaNode(path: string, data: Buffer | null): QuotaStats {
  const stats = QuotaStats.parse(data)
  if (!stats) throw new Error(`quota node ${path} does not hold key=value pairs of longs`)
  return stats
}
