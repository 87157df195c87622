// Server side of multi and multiRead replies: the per-op results of an applied multi txn, and the
// reads of a multiRead, as ZooKeeper 3.8.0 answers them (the wire rules are in jute/quirks.ts).
import type { Reader } from '../jute/reader.js'
import { decodeMultiRequest, type MultiRequestOp, type MultiResult } from '../jute/quirks.js'
import { ErrorCode, OpCode, Perms } from '../protocol.js'
import { permitted, type AuthId } from './acl.js'
import { CONTAINER_OWNER, ownerKind, type ApplyResult, type DataTree } from './datatree.js'
import type { Txn } from './txn.js'

/** The results of an applied multi txn, one per op (none for a txn that is not a multi). */
export function multiResults(txn: Txn, applied: ApplyResult): MultiResult[] {
  if (txn.type !== 'multi') return []
  return txn.txns.map((t, i): MultiResult => {
    const res = applied.multi![i]!
    switch (t.type) {
      case 'create':
        // Container and TTL creates come back as create2, with their Stat; create and create2 as a
        // plain create, path only (3.8.0; 3.8.2 answers create2 with create2, ZOOKEEPER-4026).
        if (t.owner === CONTAINER_OWNER || ownerKind(t.owner) === 'ttl')
          return { type: OpCode.create2, err: 0, body: { path: res.path!, stat: res.stat! } }
        return { type: OpCode.create, err: 0, body: { path: res.path! } }
      case 'delete':
        return { type: OpCode.delete, err: 0 }
      case 'setData':
        return { type: OpCode.setData, err: 0, body: { stat: res.stat! } }
      case 'check':
        return { type: OpCode.check, err: 0 }
      case 'error':
        return { type: OpCode.error, err: t.err, body: { err: t.err } }
      default:
        throw new Error(`no multi result for a ${t.type} txn`)
    }
  })
}

/** What a multiRead is answered with: the ReplyHeader err, and the results (none: no body). */
export interface MultiReadReply {
  err: number
  results?: MultiResult[]
}

/** What a result adds to a multi response at least: its MultiHeader (type, done, err) and a length. */
const RESULT_OVERHEAD = 13
/** The Stat of a getData result, in bytes. */
const STAT_BYTES = 68

/**
 * Run the reads of a multiRead request body (after its RequestHeader) against `tree`. As in
 * ZooKeeper's FinalRequestProcessor, watch flags are ignored and an invalid path is simply a node
 * that does not exist. One request of a megabyte can name the same big node 50,000 times, so once the
 * reply would pass `limit` bytes it stops and answers 'too large' (ZooKeeper builds it all, and its
 * heap runs out).
 */
export function multiReadReply(
  tree: DataTree,
  who: { ids: AuthId[]; address: string },
  body: Reader,
  read?: (path: string, bytes: number) => void,
  limit = Infinity,
): MultiReadReply | 'too large' {
  let ops: MultiRequestOp[]
  try {
    // Mixed read and write ops fail here; write ops alone decode, and fail when run below.
    ops = decodeMultiRequest(body)
  } catch {
    return { err: ErrorCode.MARSHALLINGERROR }
  }
  const results: MultiResult[] = []
  // Each node's children are listed (and measured) once, however often the request names it.
  const listed = new Map<string, { children: string[]; bytes: number }>()
  let size = 0
  for (const op of ops) {
    if (size > limit) return 'too large'
    // ZooKeeper stops at the first op it cannot read but still sends the results it began.
    if (op.type !== OpCode.getData && op.type !== OpCode.getChildren) return { err: ErrorCode.MARSHALLINGERROR, results }
    const n = tree.get(op.request.path)
    if (!n || !permitted(n.acl, Perms.READ, who.ids, who.address)) {
      // A failed read is that read's result alone.
      const err = n ? ErrorCode.NOAUTH : ErrorCode.NONODE
      results.push({ type: OpCode.error, err, body: { err } })
      size += RESULT_OVERHEAD
    } else if (op.type === OpCode.getData) {
      read?.(op.request.path, n.dataLength)
      results.push({ type: OpCode.getData, err: 0, body: { data: n.data, stat: tree.stat(n) } })
      size += RESULT_OVERHEAD + n.dataLength + STAT_BYTES
    } else {
      let list = listed.get(op.request.path)
      if (!list) {
        const children = [...n.children]
        list = { children, bytes: children.reduce((sum, c) => sum + c.length, 0) }
        listed.set(op.request.path, list)
      }
      read?.(op.request.path, list.bytes)
      results.push({ type: OpCode.getChildren, err: 0, body: { children: list.children } })
      // A name is at least as many bytes as characters, and each has a length.
      size += RESULT_OVERHEAD + list.bytes + 4 * list.children.length
    }
  }
  return size > limit ? 'too large' : { err: 0, results }
}
