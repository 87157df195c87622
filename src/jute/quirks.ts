// Hand-written codecs for what the IDL cannot express: the handshake's optional readOnly trailer, and
// the MultiHeader-framed op lists of multi/multiRead requests and responses (client and server side).
//
// Multi framing, as ZooKeeper 3.8 implements it (MultiOperationRecord, MultiResponse,
// PrepRequestProcessor, DataTree.processTxn, FinalRequestProcessor), confirmed against a 3.8.0 server
// by src/jute/vectors.test.ts (bytes) and src/ensemble/multi.test.ts (malformed requests, raw frames):
//
// Request (RequestHeader type multi=14 or multiRead=22, then):
//   per op    MultiHeader{type: opcode, done: false, err: -1} + the op's request record
//   end       MultiHeader{type: -1, done: true, err: -1}
//   The server stops at the first header with done=true and picks the record by type; it ignores err.
//   create, create2, createContainer → CreateRequest; createTTL → CreateTTLRequest; delete →
//   DeleteRequest; setData → SetDataRequest; check → CheckVersionRequest (multi); getChildren →
//   GetChildrenRequest, getData → GetDataRequest (multiRead; their watch flag is dropped, no watch is
//   set). The whole request is read before any op runs. A multi (14) with any other type (exists,
//   deleteContainer, 99 …), a read op (alone or mixed, in either order), or a short body (a cut op
//   record, no end header, no bytes at all) fails as a whole: ReplyHeader err MARSHALLINGERROR (-5),
//   no body, and it still uses up a zxid (the reply carries it; the next read shows it), standalone
//   and through a follower alike; the connection stays open. A multiRead (22) that does not read
//   (unknown type, mixed ops, short body) gets -5 and no body too, but uses no zxid (the reply
//   carries the last one). A multiRead of write ops only does read, then fails at its first op: -5
//   WITH a body of just the end header (ZooKeeper sends the response it began). A multi or multiRead
//   with no ops is valid: its reply body is just the end header. Bytes after the end header are
//   ignored. In a multiRead a path that is not valid is NONODE, not BADARGUMENTS.
//
// Response (after ReplyHeader):
//   per op    MultiHeader{type, done: false, err} + body, in op order
//   end       MultiHeader{type: -1, done: true, err: -1}
//   success   err 0, and by type: create(1) → CreateResponse{path} (no Stat); create2 (15) →
//             Create2Response{path, stat}; delete (also deleteContainer) → type delete, no body;
//             check → no body; setData → SetDataResponse; getData → GetDataResponse; getChildren →
//             GetChildrenResponse. Which type a create op comes back as:
//               op create          → create (1), path only
//               op createContainer → create2 (15), path + Stat
//               op createTTL       → create2 (15), path + Stat
//               op create2         → create2 (15), path + Stat since 3.8.2 (ZOOKEEPER-4026); in 3.8.0
//                                    and 3.8.1 the server decays it to a plain create: type create (1),
//                                    path only (captured from Debian's 3.8.0).
//             So a client must go by the result's type, not the op's; a server emulating 3.8.2+
//             answers create2 with create2.
//   error     type -1, header err = the code, body ErrorResponse{err: the code}.
//   An aborted multi (one write op fails) is still a normal reply: ReplyHeader.err is 0 (OK), its zxid
//   is the one the (failed) multi txn was logged with, and EVERY op comes back as an error result:
//   ops before the failing one with err 0 (OK), the failing op with its code, ops after it with
//   RUNTIMEINCONSISTENCY (-2). See abortedMultiResults().
//   In a multiRead each read succeeds or fails on its own (failed ones are error results with their
//   code); ReplyHeader.err is 0.
import { MarshallingError } from '../errors.js'
import { ErrorCode, OpCode } from '../protocol.js'
import {
  decodeCheckVersionRequest,
  decodeCreate2Response,
  decodeCreateRequest,
  decodeCreateResponse,
  decodeCreateTTLRequest,
  decodeDeleteRequest,
  decodeErrorResponse,
  decodeGetChildrenRequest,
  decodeGetChildrenResponse,
  decodeGetDataRequest,
  decodeGetDataResponse,
  decodeMultiHeader,
  decodeSetDataRequest,
  decodeSetDataResponse,
  encodeCreate2Response,
  encodeCreateResponse,
  encodeErrorResponse,
  encodeGetChildrenResponse,
  encodeGetDataResponse,
  encodeMultiHeader,
  encodeSetDataResponse,
  type CheckVersionRequest,
  type ConnectRequest,
  type ConnectResponse,
  type Create2Response,
  type CreateRequest,
  type CreateResponse,
  type CreateTTLRequest,
  type DeleteRequest,
  type ErrorResponse,
  type GetChildrenRequest,
  type GetChildrenResponse,
  type GetDataRequest,
  type GetDataResponse,
  type SetDataRequest,
  type SetDataResponse,
} from './generated/proto.generated.js'
import type { Reader } from './reader.js'
import type { Writer } from './writer.js'

// ---------------------------------------------------------------------------------------------------
// Handshake

/**
 * ConnectRequest whose trailing readOnly byte may be absent: clients older than 3.4 end the record
 * after passwd, and the server then treats the client as not read-only. Trailing bytes are left unread.
 * A 3.8 server answers such an "old client" with a ConnectResponse WITHOUT the readOnly byte
 * (ZooKeeperServer.finishSessionInit; captured in vectors.test.ts), so a server should remember
 * whether the byte was present.
 */
export function decodeConnectRequestLenient(r: Reader): ConnectRequest {
  const protocolVersion = r.int()
  const lastZxidSeen = r.long()
  const timeOut = r.int()
  const sessionId = r.long()
  const passwd = r.bufferOrNull()
  const readOnly = r.remaining > 0 ? r.bool() : false
  return { protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly }
}

/** ConnectResponse whose trailing readOnly byte may be absent (servers before 3.4): readOnly false. */
export function decodeConnectResponseLenient(r: Reader): ConnectResponse {
  const protocolVersion = r.int()
  const timeOut = r.int()
  const sessionId = r.long()
  const passwd = r.bufferOrNull()
  const readOnly = r.remaining > 0 ? r.bool() : false
  return { protocolVersion, timeOut, sessionId, passwd, readOnly }
}

// ---------------------------------------------------------------------------------------------------
// Client side: multi / multiRead request and response

/** One op of a multi request: its opcode and a function writing its request record. */
export type MultiOp = { type: number; encode: (w: Writer) => void }

/** Write the body of a multi or multiRead request (after its RequestHeader). */
export function encodeMultiRequest(w: Writer, ops: readonly MultiOp[]): void {
  for (const op of ops) {
    encodeMultiHeader(w, { type: op.type, done: false, err: -1 })
    op.encode(w)
  }
  encodeMultiHeader(w, { type: -1, done: true, err: -1 })
}

/** A body a multi response can carry. */
export type MultiResultBody = ErrorResponse | CreateResponse | Create2Response | SetDataResponse | GetDataResponse | GetChildrenResponse

/**
 * One result of a multi response. `err` is 0 except for type -1 (error), where it is the code that
 * the ErrorResponse body carries. `body` is absent for delete and check.
 */
export type MultiResult =
  | { type: typeof OpCode.error; err: number; body: ErrorResponse }
  | { type: typeof OpCode.create; err: number; body: CreateResponse }
  | { type: typeof OpCode.create2; err: number; body: Create2Response }
  | { type: typeof OpCode.setData; err: number; body: SetDataResponse }
  | { type: typeof OpCode.delete | typeof OpCode.check; err: number; body?: undefined }
  | { type: typeof OpCode.getData; err: number; body: GetDataResponse }
  | { type: typeof OpCode.getChildren; err: number; body: GetChildrenResponse }

/** Body decoders of a multi response by result type (override some to decode differently). */
export interface MultiResponseDecoders {
  error: (r: Reader) => ErrorResponse
  create: (r: Reader) => CreateResponse
  create2: (r: Reader) => Create2Response
  setData: (r: Reader) => SetDataResponse
  getData: (r: Reader) => GetDataResponse
  getChildren: (r: Reader) => GetChildrenResponse
}

/** The generated decoders, used by default. */
export const multiResponseDecoders: Readonly<MultiResponseDecoders> = Object.freeze({
  error: decodeErrorResponse,
  create: decodeCreateResponse,
  create2: decodeCreate2Response,
  setData: decodeSetDataResponse,
  getData: decodeGetDataResponse,
  getChildren: decodeGetChildrenResponse,
})

/**
 * Read the body of a multi or multiRead response (after its ReplyHeader) up to the done header.
 * Result types ZooKeeper never sends (createTTL, createContainer, deleteContainer, …) are a
 * MarshallingError, as they are for ZooKeeper's own client.
 */
export function decodeMultiResponse(r: Reader, decoders: Partial<MultiResponseDecoders> = multiResponseDecoders): MultiResult[] {
  const d = decoders === multiResponseDecoders ? multiResponseDecoders : { ...multiResponseDecoders, ...decoders }
  const out: MultiResult[] = []
  for (let h = decodeMultiHeader(r); !h.done; h = decodeMultiHeader(r)) {
    switch (h.type) {
      case OpCode.error: {
        // The Java client trusts the body's code; the header carries the same one.
        const body = d.error(r)
        out.push({ type: OpCode.error, err: body.err, body })
        break
      }
      case OpCode.create:
        out.push({ type: OpCode.create, err: h.err, body: d.create(r) })
        break
      case OpCode.create2:
        out.push({ type: OpCode.create2, err: h.err, body: d.create2(r) })
        break
      case OpCode.setData:
        out.push({ type: OpCode.setData, err: h.err, body: d.setData(r) })
        break
      case OpCode.delete:
      case OpCode.check:
        out.push({ type: h.type, err: h.err })
        break
      case OpCode.getData:
        out.push({ type: OpCode.getData, err: h.err, body: d.getData(r) })
        break
      case OpCode.getChildren:
        out.push({ type: OpCode.getChildren, err: h.err, body: d.getChildren(r) })
        break
      default:
        throw new MarshallingError(`invalid result type ${h.type} in a multi response`, { op: 'multi' })
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------------
// Server side: multi / multiRead request and response

/** A decoded write op of a multi request: its opcode and request record. */
export type MultiWriteOp =
  | { type: typeof OpCode.create | typeof OpCode.create2 | typeof OpCode.createContainer; request: CreateRequest }
  | { type: typeof OpCode.createTTL; request: CreateTTLRequest }
  | { type: typeof OpCode.delete; request: DeleteRequest }
  | { type: typeof OpCode.setData; request: SetDataRequest }
  | { type: typeof OpCode.check; request: CheckVersionRequest }

/** A decoded read op of a multiRead request. */
export type MultiReadOp =
  { type: typeof OpCode.getChildren; request: GetChildrenRequest } | { type: typeof OpCode.getData; request: GetDataRequest }

/** One decoded op of a multi or multiRead request. */
export type MultiRequestOp = MultiWriteOp | MultiReadOp

/** Whether an opcode may appear in a multi (write) or a multiRead (read); undefined if in neither. */
export function multiOpKind(type: number): 'write' | 'read' | undefined {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
    case OpCode.delete:
    case OpCode.setData:
    case OpCode.check:
      return 'write'
    case OpCode.getChildren:
    case OpCode.getData:
      return 'read'
    default:
      return undefined
  }
}

/**
 * The request record of an op of `type` (one that multiOpKind knows), as a multi carries it and as
 * the same opcode sent alone carries it; undefined for other types, with nothing read.
 */
export function decodeMultiOp(type: number, r: Reader): MultiRequestOp | undefined {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return { type, request: decodeCreateRequest(r) }
    case OpCode.createTTL:
      return { type, request: decodeCreateTTLRequest(r) }
    case OpCode.delete:
      return { type, request: decodeDeleteRequest(r) }
    case OpCode.setData:
      return { type, request: decodeSetDataRequest(r) }
    case OpCode.check:
      return { type, request: decodeCheckVersionRequest(r) }
    case OpCode.getChildren:
      return { type, request: decodeGetChildrenRequest(r) }
    case OpCode.getData:
      return { type, request: decodeGetDataRequest(r) }
    default:
      return undefined
  }
}

/**
 * Read the body of a multi or multiRead request (after its RequestHeader) up to the done header.
 * Like ZooKeeper, rejects unknown op types, a mix of read and write ops and a short body with
 * MarshallingError; with `opcode` (OpCode.multi or OpCode.multiRead) the ops must also be of that
 * request's kind.
 */
export function decodeMultiRequest(r: Reader, opcode?: number): MultiRequestOp[] {
  const ops: MultiRequestOp[] = []
  let kind: 'write' | 'read' | undefined = opcode === OpCode.multi ? 'write' : opcode === OpCode.multiRead ? 'read' : undefined
  for (let h = decodeMultiHeader(r); !h.done; h = decodeMultiHeader(r)) {
    const opKind = multiOpKind(h.type)
    if (opKind === undefined) throw new MarshallingError(`invalid op type ${h.type} in a multi request`, { op: 'multi' })
    if (kind !== undefined && opKind !== kind)
      throw new MarshallingError(`a ${opKind} op (type ${h.type}) in a request of ${kind} ops`, { op: 'multi' })
    kind = opKind
    ops.push(decodeMultiOp(h.type, r)!)
  }
  return ops
}

/**
 * Write the body of a multi or multiRead response (after its ReplyHeader). Error results take their
 * code from `err`. Only the result types ZooKeeper sends are accepted: report create2, createTTL and
 * createContainer ops as create2, and deleteContainer as delete.
 */
export function encodeMultiResponse(w: Writer, results: readonly MultiResult[]): void {
  for (const res of results) {
    switch (res.type) {
      case OpCode.error:
        encodeMultiHeader(w, { type: OpCode.error, done: false, err: res.err })
        encodeErrorResponse(w, { err: res.err })
        break
      case OpCode.create:
        encodeMultiHeader(w, { type: res.type, done: false, err: 0 })
        encodeCreateResponse(w, res.body)
        break
      case OpCode.create2:
        encodeMultiHeader(w, { type: res.type, done: false, err: 0 })
        encodeCreate2Response(w, res.body)
        break
      case OpCode.setData:
        encodeMultiHeader(w, { type: res.type, done: false, err: 0 })
        encodeSetDataResponse(w, res.body)
        break
      case OpCode.delete:
      case OpCode.check:
        encodeMultiHeader(w, { type: res.type, done: false, err: 0 })
        break
      case OpCode.getData:
        encodeMultiHeader(w, { type: res.type, done: false, err: 0 })
        encodeGetDataResponse(w, res.body)
        break
      case OpCode.getChildren:
        encodeMultiHeader(w, { type: res.type, done: false, err: 0 })
        encodeGetChildrenResponse(w, res.body)
        break
      default:
        throw new MarshallingError(`invalid result type ${(res as { type: number }).type} for a multi response`, { op: 'multi' })
    }
  }
  encodeMultiHeader(w, { type: -1, done: true, err: -1 })
}

/**
 * The results of an aborted multi of `count` ops whose op `failed` failed with `err`, as ZooKeeper
 * reports them: OK before it, `err` for it, RUNTIMEINCONSISTENCY after it.
 */
export function abortedMultiResults(count: number, failed: number, err: number): MultiResult[] {
  const out: MultiResult[] = []
  for (let i = 0; i < count; i++) {
    const code = i < failed ? ErrorCode.OK : i === failed ? err : ErrorCode.RUNTIMEINCONSISTENCY
    out.push({ type: OpCode.error, err: code, body: { err: code } })
  }
  return out
}
