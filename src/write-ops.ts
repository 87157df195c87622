// The one place write ops are checked and encoded: create, delete, setData and check, for the
// client's own calls and for transaction ops alike, so both refuse the same arguments the same way.
import {
  encodeCheckVersionRequest,
  encodeCreateRequest,
  encodeCreateTTLRequest,
  encodeDeleteRequest,
  encodeSetDataRequest,
  type ACL,
} from './jute/generated/proto.generated.js'
import { CreateMode, DEFAULT_MAX_BUFFER, OpCode, createModeInfo } from './protocol.js'
import { BadArgumentsError } from './errors.js'
import { OPEN_ACL_UNSAFE, validateACL } from './acl.js'
import { checkCallOptions, describeValue } from './arguments.js'
import { validatePath, withChroot } from './paths.js'
import type { Writer } from './jute/writer.js'
import type { MultiOp as WireMultiOp } from './jute/quirks.js'
import type { CreateOptions, Data } from './call-types.js'

/** Largest TTL ZooKeeper accepts (its TTL encoding keeps 40 bits). */
export const MAX_TTL = 0xffffffffff

/** One encoded op of a multi: its opcode, its path (client-side, for errors) and its body. */
export interface MultiOp extends WireMultiOp {
  path: string
}

/** A checked, encoded write op: a multi op, plus how many bytes of znode data it carries. */
export interface WriteOp extends MultiOp {
  /** Bytes of znode data (create and setData), so a too-large request can say how much would fit. */
  dataBytes?: number | undefined
}

/** The client options write ops depend on (a ClientOptions object fits). */
export interface WriteOpSettings {
  /** Read at each create that gives no ACL; unset means OPEN_ACL_UNSAFE. */
  defaultACL?: ACL[] | undefined
  /** jute.maxbuffer: the most data one op may carry (default DEFAULT_MAX_BUFFER); read once. */
  maxBufferSize?: number | undefined
}

/**
 * Checks write-op arguments and encodes them. `op` names the caller in errors ("create",
 * "multi"); every check throws BadArgumentsError (InvalidACLError for an ACL) naming op and path.
 */
export class WriteOps {
  private readonly maxBufferSize: number

  /** @param chroot prepended to every path sent */
  constructor(
    private readonly chroot: string | undefined,
    private readonly settings: WriteOpSettings,
  ) {
    this.maxBufferSize = settings.maxBufferSize ?? DEFAULT_MAX_BUFFER
  }

  /** A create (create2, createContainer or createTTL, by mode); `opts` as for ZooKeeper.create(). */
  create(op: string, path: string, data: Data, opts: CreateOptions | undefined): WriteOp {
    checkCallOptions(opts, { op, path })
    const o = opts ?? {}
    const mode = this.createMode(o.mode, op, path)
    const info = createModeInfo(mode)!
    validatePath(path, op, info.sequential)
    const bytes = this.bytes(data, op, path)
    const acl = o.acl ?? this.settings.defaultACL ?? OPEN_ACL_UNSAFE
    validateACL(acl, op, path)
    const ttl = ttlFor(info.ttl, o.ttl, op, path)
    const server = withChroot(this.chroot, path)
    const dataBytes = bytes?.length
    if (ttl !== undefined) {
      return writeOp(OpCode.createTTL, path, dataBytes, (w) =>
        encodeCreateTTLRequest(w, { path: server, data: bytes, acl, flags: mode, ttl }),
      )
    }
    const type = info.container ? OpCode.createContainer : OpCode.create2
    return writeOp(type, path, dataBytes, (w) => encodeCreateRequest(w, { path: server, data: bytes, acl, flags: mode }))
  }

  /** A delete; version -1 (or undefined) matches any. */
  delete(op: string, path: string, version: number | undefined): WriteOp {
    validatePath(path, op)
    const v = checkVersion(version, op, path)
    const server = withChroot(this.chroot, path)
    return writeOp(OpCode.delete, path, undefined, (w) => encodeDeleteRequest(w, { path: server, version: v }))
  }

  /** A setData; version -1 (or undefined) matches any. */
  setData(op: string, path: string, data: Data, version: number | undefined): WriteOp {
    validatePath(path, op)
    const bytes = this.bytes(data, op, path)
    const v = checkVersion(version, op, path)
    const server = withChroot(this.chroot, path)
    return writeOp(OpCode.setData, path, bytes?.length, (w) => encodeSetDataRequest(w, { path: server, data: bytes, version: v }))
  }

  /** A version check (transactions only). */
  check(op: string, path: string, version: number | undefined): WriteOp {
    validatePath(path, op)
    const v = checkVersion(version, op, path)
    const server = withChroot(this.chroot, path)
    return writeOp(OpCode.check, path, undefined, (w) => encodeCheckVersionRequest(w, { path: server, version: v }))
  }

  /** A CreateMode from a value or its name (default PERSISTENT). */
  createMode(mode: CreateOptions['mode'], op: string, path: string): CreateMode {
    const m = typeof mode === 'string' ? CreateMode[mode] : (mode ?? CreateMode.PERSISTENT)
    if (m === undefined || createModeInfo(m) === undefined) throw new BadArgumentsError(`unknown create mode ${String(mode)}`, { op, path })
    return m
  }

  /** Data as bytes (strings as UTF-8), at most jute.maxbuffer of them; null and undefined stay null. */
  private bytes(data: Data, op: string, path: string): Buffer | null {
    if (data === null || data === undefined) return null
    let b: Buffer
    if (typeof data === 'string') b = Buffer.from(data, 'utf8')
    else if (data instanceof Uint8Array) b = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    else throw new BadArgumentsError(`data must be a Buffer, Uint8Array or string, not ${typeof data}`, { op, path })
    if (b.length > this.maxBufferSize) {
      throw new BadArgumentsError(`data of ${b.length} bytes exceeds jute.maxbuffer (${this.maxBufferSize} bytes)`, { op, path })
    }
    return b
  }
}

/**
 * Every WriteOp is made here, its encoder passed in as an argument: an arrow written straight into an
 * object literal's `encode:` is given a name at each call under esbuild's keepNames (tsx, which the
 * tests and benchmarks run on), a defineProperty per op. One shape for all ops keeps call sites monomorphic.
 */
function writeOp(type: number, path: string, dataBytes: number | undefined, encode: (w: Writer) => void): WriteOp {
  return { type, path, encode, dataBytes }
}

/** A znode version to send: -1 when undefined, else an int32 of at least -1 (setACL checks its aversion with it too). */
export function checkVersion(version: number | undefined, op: string, path: string): number {
  if (version === undefined) return -1
  if (!Number.isInteger(version) || version < -1 || version > 0x7fffffff)
    throw new BadArgumentsError(`version must be an integer >= -1 (got ${String(version)})`, { op, path })
  return version
}

/** The TTL to send: required (1..MAX_TTL ms) for the TTL modes, refused for every other mode. */
function ttlFor(ttlMode: boolean, ttl: number | undefined, op: string, path: string): bigint | undefined {
  if (ttlMode) {
    if (ttl === undefined || !Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_TTL) {
      throw new BadArgumentsError(`TTL modes need an integer ttl in 1..${MAX_TTL} ms (got ${describeValue(ttl)})`, { op, path })
    }
    return BigInt(ttl)
  }
  if (ttl !== undefined)
    throw new BadArgumentsError('ttl is only valid with PERSISTENT_WITH_TTL or PERSISTENT_SEQUENTIAL_WITH_TTL', { op, path })
  return undefined
}
