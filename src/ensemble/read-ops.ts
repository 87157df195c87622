// The read side of a server: reads are answered from the committed tree at once (no pipeline), with
// ZooKeeper 3.8's checks and errors; watches set by reads, and those a reconnecting client restores,
// are registered here.
import type { Reader } from '../jute/reader.js'
import type { Writer } from '../jute/writer.js'
import * as P from '../jute/generated/proto.generated.js'
import { ErrorCode, EventType, OpCode, Perms } from '../protocol.js'
import { encodeMultiResponse } from '../jute/quirks.js'
import { MarshallingError } from '../errors.js'
import { authInfoOrder, permitted } from './acl.js'
import { multiReadReply } from './multi.js'
import type { DataTree } from './datatree.js'
import type { WatchManager } from './watch-manager.js'
import type { ServerMetrics } from './server-metrics.js'
import type { ClientConnection } from './client-connection.js'
import { logger } from '../debug.js'

const log = logger('ensemble')

/** A multiRead reply may be this many times jute.maxbuffer (see answerMultiRead). */
export const MULTI_READ_REPLY_LIMIT = 8

/** What reads look at. */
export interface ReadDeps {
  readonly tree: DataTree
  readonly watches: WatchManager
  readonly metrics: ServerMetrics
  /** jute.maxbuffer, which bounds a multiRead's reply. */
  readonly maxBuffer: number
}

/** Answer a read request of `conn`. */
export function answerRead(deps: ReadDeps, conn: ClientConnection, xid: number, type: number, r: Reader): void {
  const zxid = deps.tree.lastZxid
  let out: ReturnType<typeof readOp>
  try {
    out = readOp(deps, conn, type, r)
  } catch (err) {
    if (!(err instanceof MarshallingError)) throw err
    // A body that does not decode fails this request alone; the connection stays, as in ZooKeeper.
    out = ErrorCode.MARSHALLINGERROR
  }
  if (out === ErrorCode.UNIMPLEMENTED) {
    // ZooKeeper 3.8 answers an unknown opcode with UNIMPLEMENTED and zxid -1, then drops the connection.
    conn.reply(xid, -1n, out)
    conn.close()
    return
  }
  if (typeof out === 'number') return conn.reply(xid, zxid, out)
  conn.reply(xid, zxid, 0, out)
}

/** A read op: the reply body writer, or an error code. */
function readOp({ tree, watches, metrics }: ReadDeps, conn: ClientConnection, type: number, r: Reader): ((w: Writer) => void) | number {
  // ZooKeeper validates the paths of writes only: a read of a path no node can have is NONODE.
  const readable = (p: string) => {
    const n = tree.get(p)
    if (!n) return ErrorCode.NONODE
    if (!permitted(n.acl, Perms.READ, conn.ids, conn.address)) return ErrorCode.NOAUTH
    return n
  }
  switch (type) {
    case OpCode.getData: {
      const { path, watch } = P.decodeGetDataRequest(r)
      const n = readable(path)
      if (typeof n === 'number') return n
      if (watch) watches.addData(path, conn)
      const stat = tree.stat(n)
      metrics.read(path, n.dataLength)
      return (w) => P.encodeGetDataResponse(w, { data: n.data, stat })
    }
    case OpCode.exists: {
      const { path, watch } = P.decodeExistsRequest(r)
      // The one check ZooKeeper makes of a read's path.
      if (path.includes('\0')) return ErrorCode.BADARGUMENTS
      if (watch) watches.addData(path, conn)
      const n = tree.get(path)
      if (!n) return ErrorCode.NONODE
      const stat = tree.stat(n)
      metrics.read(path, 0)
      return (w) => P.encodeExistsResponse(w, { stat })
    }
    case OpCode.getChildren:
    case OpCode.getChildren2: {
      const { path, watch } = P.decodeGetChildrenRequest(r)
      const n = readable(path)
      if (typeof n === 'number') return n
      if (watch) watches.addChild(path, conn)
      const children = [...n.children]
      metrics.read(
        path,
        children.reduce((sum, c) => sum + c.length, 0),
      )
      if (type === OpCode.getChildren) return (w) => P.encodeGetChildrenResponse(w, { children })
      const stat = tree.stat(n)
      return (w) => P.encodeGetChildren2Response(w, { children, stat })
    }
    case OpCode.getACL: {
      const { path } = P.decodeGetACLRequest(r)
      const n = tree.get(path)
      if (!n) return ErrorCode.NONODE
      if (!permitted(n.acl, Perms.READ | Perms.ADMIN, conn.ids, conn.address)) return ErrorCode.NOAUTH
      const stat = tree.stat(n)
      // Without ADMIN a caller sees who a digest entry names, not the hash of its password.
      const acl = permitted(n.acl, Perms.ADMIN, conn.ids, conn.address)
        ? n.acl
        : n.acl.map((a) => (a.id.scheme === 'digest' ? { perms: a.perms, id: { scheme: 'digest', id: a.id.id.replace(/:.*/s, ':x') } } : a))
      return (w) => P.encodeGetACLResponse(w, { acl, stat })
    }
    case OpCode.getAllChildrenNumber: {
      const { path } = P.decodeGetAllChildrenNumberRequest(r)
      const n = readable(path)
      if (typeof n === 'number') return n
      const totalNumber = tree.countDescendants(path)
      return (w) => P.encodeGetAllChildrenNumberResponse(w, { totalNumber })
    }
    case OpCode.getEphemerals: {
      const { prefixPath } = P.decodeGetEphemeralsRequest(r)
      // Unsorted, in the set's order, as ZooKeeper lists them; a blank prefix means all.
      const all = [...(tree.ephemerals.get(conn.sessionId) ?? [])]
      const mine = prefixPath.trim() === '' || prefixPath.trim() === '/' ? all : all.filter((p) => p.startsWith(prefixPath))
      return (w) => P.encodeGetEphemeralsResponse(w, { ephemerals: mine })
    }
    case OpCode.whoAmI: {
      // Like ZooKeeper's AuthenticationProvider.getUserName: a digest id shows only its user part, and
      // `super`, which has no provider, shows none (the x509 super user's id holds its subject).
      const clientInfo = authInfoOrder(conn.ids, conn.address).map((i) => ({
        authScheme: i.scheme,
        user: i.scheme === 'digest' ? i.id.slice(0, i.id.indexOf(':')) : i.scheme === 'super' ? '' : i.id,
      }))
      return (w) => P.encodeWhoAmIResponse(w, { clientInfo })
    }
    case OpCode.addWatch: {
      const { path, mode } = P.decodeAddWatchRequest(r)
      // 0 PERSISTENT, 1 PERSISTENT_RECURSIVE; ZooKeeper fails any other mode as unmarshallable.
      if (mode !== 0 && mode !== 1) return ErrorCode.MARSHALLINGERROR
      watches.addPersistent(path, conn, mode === 1)
      // ZooKeeper answers with an ErrorResponse(0) body: the Java client reads it and drops the
      // connection on an empty one.
      return (w) => P.encodeErrorResponse(w, { err: 0 })
    }
    case OpCode.checkWatches:
    case OpCode.removeWatches: {
      const { path, type: kind } = type === OpCode.checkWatches ? P.decodeCheckWatchesRequest(r) : P.decodeRemoveWatchesRequest(r)
      // ZooKeeper 3.8.0 knows only Children (1), Data (2) and Any (3) here; others fail to unmarshal.
      if (kind < 1 || kind > 3) return ErrorCode.MARSHALLINGERROR
      if (!watches.remove(path, conn, kind, type === OpCode.checkWatches)) return ErrorCode.NOWATCHER
      return () => {}
    }
    default:
      return ErrorCode.UNIMPLEMENTED
  }
}

/**
 * Answer a multiRead: its results, and for a multiRead of write ops an error AND a body. A reply over
 * MULTI_READ_REPLY_LIMIT × jute.maxbuffer closes the connection instead: no client with that
 * jute.maxbuffer could read it (ZooKeeper's and zookit's refuse frames over it and close), and building
 * it would cost the server seconds and gigabytes.
 */
export function answerMultiRead({ tree, metrics, maxBuffer }: ReadDeps, conn: ClientConnection, xid: number, r: Reader): void {
  const zxid = tree.lastZxid
  const reply = multiReadReply(tree, conn, r, (path, bytes) => metrics.read(path, bytes), MULTI_READ_REPLY_LIMIT * maxBuffer)
  if (reply === 'too large') {
    log('closing %s: its multiRead would be answered with more than %d bytes', conn.address, MULTI_READ_REPLY_LIMIT * maxBuffer)
    conn.close()
    return
  }
  const { err, results } = reply
  // Not conn.reply, which sends no body with an error.
  conn.frame((w) => {
    P.encodeReplyHeader(w, { xid, zxid, err })
    if (results) encodeMultiResponse(w, results)
  })
  conn.answered(xid, zxid)
}

/** Re-register watches after a reconnect, firing at once for changes the client missed. */
export function restoreWatches({ tree, watches }: ReadDeps, conn: ClientConnection, sw: P.SetWatches2): void {
  const rel = sw.relativeZxid
  for (const path of sw.dataWatches) {
    const n = tree.get(path)
    if (!n) conn.deliver(EventType.NodeDeleted, path)
    else if (n.mzxid > rel) conn.deliver(EventType.NodeDataChanged, path)
    else watches.addData(path, conn)
  }
  for (const path of sw.existWatches) {
    if (tree.get(path)) conn.deliver(EventType.NodeCreated, path)
    else watches.addData(path, conn)
  }
  for (const path of sw.childWatches) {
    const n = tree.get(path)
    if (!n) conn.deliver(EventType.NodeDeleted, path)
    else if (n.pzxid > rel) conn.deliver(EventType.NodeChildrenChanged, path)
    else watches.addChild(path, conn)
  }
  for (const path of sw.persistentWatches) watches.addPersistent(path, conn, false)
  for (const path of sw.persistentRecursiveWatches) watches.addPersistent(path, conn, true)
}
