// The prep stage of the request pipeline: a write request becomes a transaction, or the error
// ZooKeeper's PrepRequestProcessor would return, checked in the same order. Multi ops are validated
// one after another against an overlay of the changes the earlier ops would make.
import { Reader } from '../jute/reader.js'
import {
  decodeCheckVersionRequest,
  decodeCreateRequest,
  decodeCreateTTLRequest,
  decodeDeleteRequest,
  decodeSetACLRequest,
  decodeSetDataRequest,
  type ACL,
} from '../jute/generated/proto.generated.js'
import { ErrorCode, OpCode, Perms, createModeInfo } from '../protocol.js'
import { pathProblem } from '../paths.js'
import { authInfoOrder, fixupACL, permitted, type AuthId } from './acl.js'
import { CONTAINER_OWNER, ownerKind, parentOf, ttlOwner, type DataTree } from './datatree.js'
import type { Txn } from './txn.js'

/** Who is asking. */
export interface RequestContext {
  sessionId: bigint
  ids: AuthId[]
  address: string
  /** Whether TTL nodes are enabled (ZooKeeper's extendedTypesEnabled). */
  ttlEnabled: boolean
  maxBuffer: number
}

/** What prep needs to know of a node. */
interface NodeView {
  acl: ACL[]
  version: number
  cversion: number
  aversion: number
  owner: bigint
  childCount: number
}

/** The tree as a transaction being prepared sees it: the real tree plus earlier ops of the same multi. */
class View {
  private readonly overlay = new Map<string, NodeView | null>()
  constructor(private readonly tree: DataTree) {}

  get(path: string): NodeView | undefined {
    if (this.overlay.has(path)) return this.overlay.get(path) ?? undefined
    const n = this.tree.get(path)
    return n && { acl: n.acl, version: n.version, cversion: n.cversion, aversion: n.aversion, owner: n.ephemeralOwner, childCount: n.children.size }
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
  try {
    return prepOne(new View(tree), type, body, ctx)
  } catch (err) {
    if (err instanceof PrepError) return { type: 'error', err: err.code }
    // A body that does not decode is a marshalling error for this request alone.
    return { type: 'error', err: ErrorCode.MARSHALLINGERROR }
  }
}

function prepMulti(tree: DataTree, body: Reader, ctx: RequestContext): Txn {
  const view = new View(tree)
  const txns: Txn[] = []
  let failedAt = -1
  let failCode = 0
  let count = 0
  try {
    for (;;) {
      const type = body.int()
      const done = body.bool()
      body.int() // err, unused in requests
      if (done) break
      count++
      if (failedAt >= 0) {
        skipOp(type, body)
        continue
      }
      try {
        txns.push(prepOne(view, type, body, ctx))
      } catch (err) {
        if (!(err instanceof PrepError)) throw err
        failedAt = count - 1
        failCode = err.code
      }
    }
  } catch {
    return { type: 'error', err: ErrorCode.MARSHALLINGERROR }
  }
  if (failedAt < 0) return { type: 'multi', txns }
  // Every op reports: OK before the failing one, its code, RUNTIMEINCONSISTENCY after.
  return {
    type: 'multi',
    txns: Array.from({ length: count }, (_, i): Txn => ({ type: 'error', err: i < failedAt ? 0 : i === failedAt ? failCode : ErrorCode.RUNTIMEINCONSISTENCY })),
  }
}

/** Read past an op of a multi that will not be prepared (an earlier one failed). */
function skipOp(type: number, r: Reader): void {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      decodeCreateRequest(r)
      return
    case OpCode.createTTL:
      decodeCreateTTLRequest(r)
      return
    case OpCode.delete:
    case OpCode.deleteContainer:
      decodeDeleteRequest(r)
      return
    case OpCode.setData:
      decodeSetDataRequest(r)
      return
    case OpCode.check:
      decodeCheckVersionRequest(r)
      return
    default:
      throw new Error(`op ${type} not allowed in multi`)
  }
}

function checkPath(path: string, sequential = false): void {
  if (pathProblem(path, sequential)) fail(ErrorCode.BADARGUMENTS)
}

function checkVersion(current: number, expected: number): number {
  if (expected !== -1 && expected !== current) fail(ErrorCode.BADVERSION)
  return current + 1
}

function prepOne(view: View, type: number, r: Reader, ctx: RequestContext): Txn {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL: {
      const req = type === OpCode.createTTL ? decodeCreateTTLRequest(r) : { ...decodeCreateRequest(r), ttl: -1n }
      const info = createModeInfo(req.flags) ?? fail(ErrorCode.BADARGUMENTS)
      if (type === OpCode.createContainer && !info.container) fail(ErrorCode.BADARGUMENTS)
      if (type === OpCode.createTTL) {
        if (!info.ttl || !ctx.ttlEnabled) fail(ErrorCode.BADARGUMENTS)
        if (req.ttl <= 0n || req.ttl > 0xffffffffffn) fail(ErrorCode.BADARGUMENTS)
      } else if (info.ttl) {
        fail(ErrorCode.BADARGUMENTS)
      }
      if ((req.data?.length ?? 0) > ctx.maxBuffer) fail(ErrorCode.BADARGUMENTS)
      checkPath(req.path, info.sequential)
      if (req.path === '/') fail(ErrorCode.NODEEXISTS)
      const parentPath = parentOf(req.path.endsWith('/') ? req.path + 'x' : req.path)
      const acl = fixupACL(req.acl, authInfoOrder(ctx.ids, ctx.address))
      if (typeof acl === 'number') fail(acl as number)
      const parent = view.get(parentPath) ?? fail(ErrorCode.NONODE)
      if (!permitted(parent.acl, Perms.CREATE, ctx.ids, ctx.address)) fail(ErrorCode.NOAUTH)
      const path = info.sequential ? req.path + String(parent.cversion).padStart(10, '0') : req.path
      checkPath(path)
      if (view.get(path)) fail(ErrorCode.NODEEXISTS)
      if (ownerKind(parent.owner) === 'ephemeral') fail(ErrorCode.NOCHILDRENFOREPHEMERALS)
      const parentCVersion = parent.cversion + 1
      const owner = info.ephemeral ? ctx.sessionId : info.container ? CONTAINER_OWNER : info.ttl ? ttlOwner(req.ttl) : 0n
      view.set(parentPath, { ...parent, cversion: parentCVersion, childCount: parent.childCount + 1 })
      view.set(path, { acl: acl as ACL[], version: 0, cversion: 0, aversion: 0, owner, childCount: 0 })
      return { type: 'create', path, data: req.data, acl: acl as ACL[], owner, parentCVersion }
    }
    case OpCode.delete:
    case OpCode.deleteContainer: {
      const { path, version } = decodeDeleteRequest(r)
      checkPath(path)
      // The system nodes cannot be deleted (their children other than these can).
      if (path === '/' || path === '/zookeeper' || path === '/zookeeper/config' || path === '/zookeeper/quota') fail(ErrorCode.BADARGUMENTS)
      const parentPath = parentOf(path)
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
      const { path, data, version } = decodeSetDataRequest(r)
      checkPath(path)
      const node = view.get(path) ?? fail(ErrorCode.NONODE)
      if (!permitted(node.acl, Perms.WRITE, ctx.ids, ctx.address)) fail(ErrorCode.NOAUTH)
      if ((data?.length ?? 0) > ctx.maxBuffer) fail(ErrorCode.BADARGUMENTS)
      const next = checkVersion(node.version, version)
      view.set(path, { ...node, version: next })
      return { type: 'setData', path, data, version: next }
    }
    case OpCode.setACL: {
      const { path, acl, version } = decodeSetACLRequest(r)
      checkPath(path)
      const node = view.get(path) ?? fail(ErrorCode.NONODE)
      if (!permitted(node.acl, Perms.ADMIN, ctx.ids, ctx.address)) fail(ErrorCode.NOAUTH)
      const fixed = fixupACL(acl, authInfoOrder(ctx.ids, ctx.address))
      if (typeof fixed === 'number') fail(fixed as number)
      const next = checkVersion(node.aversion, version)
      view.set(path, { ...node, acl: fixed as ACL[], aversion: next })
      return { type: 'setACL', path, acl: fixed as ACL[], version: next }
    }
    case OpCode.check: {
      const { path, version } = decodeCheckVersionRequest(r)
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
