// multi (transactions) and multiRead: building the ops, their wire framing, and mapping the per-op
// results back. Framing: each op is MultiHeader{type, done=false, err=-1} + its request body; a final
// MultiHeader{-1, true, -1} ends the list. The response repeats the pattern with a MultiHeader per
// result; a failed op (and, in an aborted multi, every other op) comes back as type -1 with an
// ErrorResponse: 0 for ops before the failing one, its code for it, RUNTIMEINCONSISTENCY after.
import type { Writer } from './jute/writer.js'
import type { Reader } from './jute/reader.js'
import {
  decodeCreateResponse,
  decodeCreate2Response,
  decodeErrorResponse,
  decodeGetChildrenResponse,
  decodeGetDataResponse,
  decodeMultiHeader,
  decodeSetDataResponse,
  encodeMultiHeader,
  type Stat,
} from './jute/generated/proto.generated.js'
import { OpCode } from './protocol.js'
import { MarshallingError, ZooKeeperError, errorFromCode } from './errors.js'

/** One encoded op of a multi: its opcode, its path (client-side, for errors) and its body. */
export interface MultiOp {
  type: number
  path: string
  encode: (w: Writer) => void
}

/** Result of one op of a committed transaction. */
export type OpResult =
  | { type: 'create'; path: string; stat?: Stat }
  | { type: 'delete' }
  | { type: 'setData'; stat: Stat }
  | { type: 'check' }

/** Per-op outcome of a failed transaction: err 0 for ops that would have succeeded. */
export interface OpError {
  type: 'error'
  err: number
}

/** Result of one read of a multiRead: the value, or the typed error of that read alone. */
export type ReadResult = { type: 'getData'; data: Buffer; stat: Stat } | { type: 'getChildren'; children: string[] } | ZooKeeperError

/** Write the ops of a multi request. */
export function encodeMulti(w: Writer, ops: readonly MultiOp[]): void {
  for (const op of ops) {
    encodeMultiHeader(w, { type: op.type, done: false, err: -1 })
    op.encode(w)
  }
  encodeMultiHeader(w, { type: -1, done: true, err: -1 })
}

/** A raw result of the multi response. */
export type RawMultiResult =
  | { type: number; err: 0; path?: string; stat?: Stat; data?: Buffer; children?: string[] }
  | { type: -1; err: number }

/** Read a multi response into raw per-op results. */
export function decodeMulti(r: Reader): RawMultiResult[] {
  const out: RawMultiResult[] = []
  for (;;) {
    const h = decodeMultiHeader(r)
    if (h.done) break
    switch (h.type) {
      case -1:
        out.push({ type: -1, err: decodeErrorResponse(r).err })
        break
      case OpCode.create:
        out.push({ type: h.type, err: 0, path: decodeCreateResponse(r).path })
        break
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL: {
        const c = decodeCreate2Response(r)
        out.push({ type: h.type, err: 0, path: c.path, stat: c.stat })
        break
      }
      case OpCode.setData:
        out.push({ type: h.type, err: 0, stat: decodeSetDataResponse(r).stat })
        break
      case OpCode.delete:
      case OpCode.deleteContainer:
      case OpCode.check:
        out.push({ type: h.type, err: 0 })
        break
      case OpCode.getData: {
        const d = decodeGetDataResponse(r)
        out.push({ type: h.type, err: 0, data: d.data ?? Buffer.alloc(0), stat: d.stat })
        break
      }
      case OpCode.getChildren:
        out.push({ type: h.type, err: 0, children: decodeGetChildrenResponse(r).children })
        break
      default:
        throw new MarshallingError(`unexpected op type ${h.type} in a multi response`, { op: 'multi' })
    }
  }
  return out
}

/** An aborted transaction: the first failing op's typed error, with every op's outcome. */
export type TransactionError = ZooKeeperError & { results: OpError[]; failedOp: number }

/** Turn raw write results into OpResults, or throw the transaction's error. */
export function writeResults(raw: RawMultiResult[], ops: readonly MultiOp[], strip: (p: string) => string): OpResult[] {
  const failed = raw.findIndex((r) => r.type === -1 && r.err !== 0)
  if (failed >= 0) {
    const code = raw[failed]!.err
    const op = ops[failed]
    const err = errorFromCode(code, { op: 'multi', path: op?.path }, `op ${failed} of the transaction failed; nothing was applied`) as TransactionError
    Object.assign(err, { results: raw.map((r) => ({ type: 'error' as const, err: r.err })), failedOp: failed })
    throw err
  }
  return raw.map((r): OpResult => {
    const ok = r as Extract<RawMultiResult, { err: 0 }>
    switch (r.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        return ok.stat ? { type: 'create', path: strip(ok.path!), stat: ok.stat } : { type: 'create', path: strip(ok.path!) }
      case OpCode.setData:
        return { type: 'setData', stat: ok.stat! }
      case OpCode.check:
        return { type: 'check' }
      default:
        return { type: 'delete' }
    }
  })
}

/** Turn raw read results into ReadResults (each failed read its own typed error). */
export function readResults(raw: RawMultiResult[], paths: readonly string[]): ReadResult[] {
  return raw.map((r, i): ReadResult => {
    if (r.type === -1) return errorFromCode(r.err, { op: 'multiRead', path: paths[i] })
    const ok = r as Extract<RawMultiResult, { err: 0 }>
    if (r.type === OpCode.getData) return { type: 'getData', data: ok.data!, stat: ok.stat! }
    return { type: 'getChildren', children: ok.children! }
  })
}
