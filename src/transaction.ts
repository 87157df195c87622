// multi (transactions) and multiRead, client side: the Transaction a caller chains ops on (each op
// checked and encoded by write-ops.ts, as the client's own calls are), and the mapping of the per-op
// results back to OpResults and ReadResults. The wire framing is quirks.ts's (see its notes):
// in an aborted multi every op comes back as an error result, 0 for ops before the failing one, its
// code for it, RUNTIMEINCONSISTENCY after.
import type { MultiResult } from './jute/quirks.js'
import { Stat } from './stat.js'
import { ErrorCode, OpCode } from './protocol.js'
import { MarshallingError, ZooKeeperError, errorFromCode } from './errors.js'
import type { CallOptions, CreateOptions, Data } from './call-types.js'
import type { MultiOp, WriteOps } from './write-ops.js'

export type { MultiOp } from './write-ops.js'

/** Result of one op of a committed transaction. */
export type OpResult =
  { type: 'create'; path: string; stat?: Stat } | { type: 'delete' } | { type: 'setData'; stat: Stat } | { type: 'check' }

/** Per-op outcome of a failed transaction: err 0 for ops that would have succeeded. */
export interface OpError {
  /** Always 'error': every op of an aborted transaction reports one. */
  type: 'error'
  /** The op's error code: 0 before the failing op, its code for it, RUNTIMEINCONSISTENCY after. */
  err: number
}

/** Result of one read of a multiRead: the value, or the typed error of that read alone. */
export type ReadResult = { type: 'getData'; data: Buffer; stat: Stat } | { type: 'getChildren'; children: string[] } | ZooKeeperError

/** An aborted transaction: the first failing op's typed error, with every op's outcome. */
export type TransactionError = ZooKeeperError & { results: OpError[]; failedOp: number }

/** What a transaction needs of its client: the op builder, and multi() to send the ops. */
export interface MultiClient {
  readonly writeOps: WriteOps
  multi(ops: MultiOp[], opts?: CallOptions): Promise<OpResult[]>
}

/** A chain of write ops committed atomically with commit(). */
export class Transaction {
  private readonly ops: MultiOp[] = []
  /** @internal ZooKeeper.transaction() makes them. */
  constructor(private readonly zk: MultiClient) {}

  /** Add a create; `opts` as for ZooKeeper.create() (mode, acl, ttl). */
  create(path: string, data?: Data, opts?: Omit<CreateOptions, 'signal' | 'timeout'>): this {
    this.ops.push(this.zk.writeOps.create('multi', path, data, opts))
    return this
  }
  /** Add a delete; with a version, only if the node still has it. */
  delete(path: string, version = -1): this {
    this.ops.push(this.zk.writeOps.delete('multi', path, version))
    return this
  }
  /** Add a setData; with a version, only if the node still has it. */
  setData(path: string, data: Data, version = -1): this {
    this.ops.push(this.zk.writeOps.setData('multi', path, data, version))
    return this
  }
  /** Add a condition: the node must have this version, or nothing is applied. */
  check(path: string, version: number): this {
    this.ops.push(this.zk.writeOps.check('multi', path, version))
    return this
  }
  /**
   * Apply every op or none. Resolves with per-op results; rejects with the typed error of the first
   * failing op, whose `results` gives every op's code and `failedOp` its index.
   */
  commit(opts: CallOptions = {}): Promise<OpResult[]> {
    return this.zk.multi(this.ops, opts)
  }
}

const unexpected = (r: MultiResult, op: string) => new MarshallingError(`unexpected result type ${r.type} in a ${op} response`, { op })

/** Turn the results of a multi into OpResults, or throw the transaction's error. */
export function writeResults(results: readonly MultiResult[], ops: readonly MultiOp[], strip: (p: string) => string): OpResult[] {
  const failed = results.findIndex((r) => r.type === OpCode.error && r.err !== ErrorCode.OK)
  if (failed >= 0) {
    const err = errorFromCode(
      results[failed]!.err,
      { op: 'multi', path: ops[failed]?.path },
      `op ${failed} of the transaction failed; nothing was applied`,
    ) as TransactionError
    Object.assign(err, { results: results.map((r) => ({ type: 'error' as const, err: r.err })), failedOp: failed })
    throw err
  }
  return results.map((r): OpResult => {
    switch (r.type) {
      case OpCode.create:
        return { type: 'create', path: strip(r.body.path) }
      case OpCode.create2:
        return { type: 'create', path: strip(r.body.path), stat: new Stat(r.body.stat) }
      case OpCode.setData:
        return { type: 'setData', stat: new Stat(r.body.stat) }
      case OpCode.check:
        return { type: 'check' }
      case OpCode.delete:
        return { type: 'delete' }
      default:
        throw unexpected(r, 'multi')
    }
  })
}

/** Turn the results of a multiRead into ReadResults (each failed read its own typed error). */
export function readResults(results: readonly MultiResult[], paths: readonly string[]): ReadResult[] {
  return results.map((r, i): ReadResult => {
    switch (r.type) {
      case OpCode.error:
        return errorFromCode(r.err, { op: 'multiRead', path: paths[i] })
      case OpCode.getData:
        return { type: 'getData', data: r.body.data ?? Buffer.alloc(0), stat: new Stat(r.body.stat) }
      case OpCode.getChildren:
        return { type: 'getChildren', children: r.body.children }
      default:
        throw unexpected(r, 'multiRead')
    }
  })
}
