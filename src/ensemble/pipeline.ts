// The write path of a server, in the order a write takes it: prep (prep.ts) turns a request into a
// txn against the tree with every change decided so far; the commit stage (commit.ts: standalone, or
// a quorum) makes it durable and hands it back; apply changes the tree and the session table; then
// the watches fire and, last, the request is answered. Each session's writes complete in the order
// they were sent.
import { Reader } from '../jute/reader.js'
import { ErrorCode, OpCode } from '../protocol.js'
import { logger } from '../debug.js'
import { DataTree, type ApplyResult } from './datatree.js'
import { prepWrite, type RequestContext } from './prep.js'
import type { AclProviders } from './acl.js'
import type { Commit, CommitHost, Prepared } from './commit.js'
import type { SessionTracker } from './session-tracker.js'
import type { WatchManager } from './watch-manager.js'
import type { ServerMetrics } from './server-metrics.js'
import type { Txn, TxnHeader } from './txn.js'
import type { Forwarded } from './peer-wire.js'

const log = logger('ensemble')

/** How a waiting request is answered once its txn (or its sync) is done. */
export type WriteDone = (zxid: bigint, txn: Txn, result: ApplyResult) => void

/** A write waiting for its commit. */
interface PendingWrite {
  cxid: number
  done: WriteDone
}

/** What the pipeline needs of the server around it. */
export interface PipelineDeps {
  readonly tracker: SessionTracker
  readonly watches: WatchManager
  readonly metrics: ServerMetrics
  /** Prep's limits: whether TTL nodes are allowed, and jute.maxbuffer. */
  readonly ttlEnabled: boolean
  readonly maxBuffer: number
  /** Whether hard quota limits refuse writes (ZooKeeper's zookeeper.enforceQuota). */
  readonly enforceQuota: boolean
  /** The optional auth providers loaded: whether `sasl` and `x509` ACLs are valid. */
  readonly providers: AclProviders
  /** Close the client connection of a session, if this server has one. */
  closeSession(sessionId: bigint): void
  /** Close every client connection. */
  closeAll(): void
}

export class WritePipeline implements CommitHost {
  /** The committed tree. */
  tree: DataTree
  /** Told the zxid of every txn applied to the tree (tree-admin.ts waits on it). */
  readonly appliedListeners = new Set<(zxid: bigint) => void>()
  /** Writes of local sessions awaiting their commit, per session, in order. */
  private readonly pending = new Map<bigint, PendingWrite[]>()
  private commit!: Commit

  constructor(
    private readonly deps: PipelineDeps,
    tree: DataTree,
  ) {
    this.tree = tree
  }

  get tracker(): SessionTracker {
    return this.deps.tracker
  }

  /** The commit stage, chosen by the server (it is built with this pipeline as its host). */
  attach(commit: Commit): void {
    this.commit = commit
  }

  /** A write of a local session enters the pipeline; `done` answers it once it is applied. */
  write(req: Forwarded, done: WriteDone): void {
    this.await(req.sessionId, req.cxid, done)
    this.commit.submit(req)
  }

  /** A sync of a local session: answered once this server has applied every write decided before it. */
  sync(sessionId: bigint, cxid: number, done: (zxid: bigint) => void): void {
    this.await(sessionId, cxid, (zxid) => done(zxid))
    this.commit.sync(sessionId, cxid)
  }

  /** A txn this server decided itself (an expiry, a reaped node, a tree-admin change). */
  propose(p: Prepared): void {
    this.commit.propose(p)
  }

  private await(sessionId: bigint, cxid: number, done: WriteDone): void {
    let q = this.pending.get(sessionId)
    if (!q) this.pending.set(sessionId, (q = []))
    q.push({ cxid, done })
  }

  // ---- the stages, as the commit stage drives them --------------------------------------------

  prepare(req: Forwarded, view: DataTree): Prepared {
    const hdr = { clientId: req.sessionId, cxid: req.cxid, time: BigInt(Date.now()) }
    if (req.type === OpCode.createSession) return { hdr, txn: { type: 'createSession', timeout: req.body.readInt32BE(0) } }
    // As ZooKeeper's prep checks: a request of a session that is gone or closing changes nothing
    // (else an ephemeral could outlive its session).
    const session = this.deps.tracker.sessions.get(req.sessionId)
    if (!session || session.closing) return { hdr, txn: { type: 'error', err: ErrorCode.SESSIONEXPIRED } }
    if (req.type === OpCode.closeSession) {
      session.closing = true
      return { hdr, txn: { type: 'closeSession' } }
    }
    const ctx: RequestContext = {
      sessionId: req.sessionId,
      ids: req.ids,
      address: req.address,
      ttlEnabled: this.deps.ttlEnabled,
      maxBuffer: this.deps.maxBuffer,
      enforceQuota: this.deps.enforceQuota,
      providers: this.deps.providers,
    }
    return { hdr, txn: prepWrite(view, req.type, new Reader(req.body), ctx) }
  }

  apply(hdr: TxnHeader, txn: Txn): void {
    const result = this.tree.applyTxn(hdr, txn)
    const id = hdr.clientId
    if (txn.type === 'createSession') this.deps.tracker.add(id, txn.timeout, Date.now())
    else if (txn.type === 'closeSession') this.deps.tracker.remove(id)
    // Events first: a watcher on the requesting connection must see them before the reply.
    for (const e of result.events) this.deps.watches.trigger(e.type, e.path, e.acl)
    this.deps.metrics.committed(result.events, (p) => this.tree.get(p)?.dataLength ?? 0)
    this.complete(id, hdr.cxid, hdr.zxid, txn, result)
    if (txn.type === 'closeSession') {
      this.pending.delete(id)
      this.deps.closeSession(id)
      log('session 0x%s closed (%s)', id.toString(16), hdr.cxid === 0 ? 'expired' : 'by client')
    }
    for (const l of this.appliedListeners) l(hdr.zxid)
  }

  synced(sessionId: bigint, cxid: number, zxid: bigint): void {
    this.complete(sessionId, cxid, zxid)
  }

  reset(): void {
    this.dropClients()
    this.tree = new DataTree()
    this.deps.tracker.sessions.clear()
  }

  dropClients(): void {
    this.deps.closeAll()
    this.pending.clear()
  }

  proposed(bytes: number): void {
    this.deps.metrics.proposed(bytes)
  }

  snapshotted(ms: number): void {
    this.deps.metrics.snapshotTime.add(ms)
  }

  /** Answer the local request (session, cxid) if there is one. */
  private complete(
    sessionId: bigint,
    cxid: number,
    zxid: bigint,
    txn: Txn = { type: 'error', err: 0 },
    result: ApplyResult = { err: 0, events: [] },
  ): void {
    const q = this.pending.get(sessionId)
    if (!q) return
    const at = q.findIndex((p) => p.cxid === cxid)
    if (at < 0) return
    if (at > 0) {
      // Earlier requests of this session were lost on the way (a leader change): as ZooKeeper
      // would, drop the connection; the client retries them on its next one.
      this.pending.delete(sessionId)
      this.deps.closeSession(sessionId)
      return
    }
    const p = q.shift()!
    if (!q.length) this.pending.delete(sessionId)
    p.done(zxid, txn, result)
  }
}
