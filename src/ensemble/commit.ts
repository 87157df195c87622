// The commit stage of the write path, behind one interface: a prepared txn goes in, and the txn comes
// back to the host (the write pipeline) to be applied once it is durable where it must be. Standalone
// that is this server's log; in a quorum it is a majority's (quorum-peer.ts). The server talks to
// whichever it has through this interface and never asks which.
import type { DataTree } from './datatree.js'
import type { SessionTracker } from './session-tracker.js'
import type { TxnLog } from './txnlog.js'
import type { Txn, TxnHeader } from './txn.js'
import type { Forwarded } from './peer-wire.js'

/** What the server is doing: standalone, or its role in the quorum ("looking" serves no clients). */
export type ServerMode = 'standalone' | 'leader' | 'follower' | 'looking'

/** A write request turned into a txn, not yet numbered. */
export interface Prepared {
  hdr: Omit<TxnHeader, 'zxid'>
  txn: Txn
}

/** What a commit stage calls back into: the write pipeline of the server it serves. */
export interface CommitHost {
  /** The committed tree (replaced by reset()). */
  readonly tree: DataTree
  readonly tracker: SessionTracker
  /** Prep a request against `view`: the tree with every change decided so far, committed or not. */
  prepare(req: Forwarded, view: DataTree): Prepared
  /** A txn committed: apply it to the tree, then fire its watches and answer its request. */
  apply(hdr: TxnHeader, txn: Txn): void
  /** A sync of a local session is answered: this server has applied everything decided before it. */
  synced(sessionId: bigint, cxid: number, zxid: bigint): void
  /** Start over from an empty tree and no sessions (the committed history is being replaced). */
  reset(): void
  /** Close every client connection and forget their pending writes (the leader changed). */
  dropClients(): void
  /** A txn of `bytes` was proposed (for mntr's proposal sizes). */
  proposed(bytes: number): void
  /** A snapshot of the tree took `ms` (for mntr's snapshottime). */
  snapshotted(ms: number): void
}

/** The commit stage as the server sees it. */
export interface Commit {
  readonly mode: ServerMode
  /** The tree with every decided change (what the leader prepares against), or undefined when this server decides nothing. */
  readonly view: DataTree | undefined
  /** A write of a local session: decided here, or sent on to whoever decides. */
  submit(req: Forwarded): void
  /** A txn this server decided itself (an expiry, a reaped node, a tree-admin change); ignored unless it decides. */
  propose(p: Prepared): void
  /** A sync of a local session: answered through the host's synced() once this server caught up. */
  sync(sessionId: bigint, cxid: number): void
  /** A local session did something (the leader must hear it is alive). */
  touched(sessionId: bigint): void
  start(): void
  pause(): void
  resume(): void
  close(): Promise<void>
}

/** Standalone: a txn is logged (and synced) first, then applied, at once. */
export class StandaloneCommit implements Commit {
  readonly mode = 'standalone'

  constructor(
    private readonly host: CommitHost,
    private readonly log: TxnLog | undefined,
  ) {}

  get view(): DataTree {
    return this.host.tree
  }

  submit(req: Forwarded): void {
    this.propose(this.host.prepare(req, this.host.tree))
  }

  propose({ hdr, txn }: Prepared): void {
    const full = { ...hdr, zxid: this.host.tree.lastZxid + 1n }
    // Durable before it is applied and acknowledged.
    this.log?.append(full, txn)
    this.host.apply(full, txn)
    if (this.log?.wantsSnapshot) this.log.snapshot(this.host.tree, liveSessions(this.host.tracker))
  }

  sync(sessionId: bigint, cxid: number): void {
    // Standalone every decided write is applied already.
    this.host.synced(sessionId, cxid, this.host.tree.lastZxid)
  }

  touched(): void {}
  start(): void {}
  pause(): void {}
  resume(): void {}

  async close(): Promise<void> {
    this.log?.close()
  }
}

/** Sessions and their timeouts, as a snapshot keeps them. */
export function liveSessions(tracker: SessionTracker): Map<bigint, number> {
  return new Map([...tracker.sessions.values()].map((s) => [s.id, s.timeout]))
}
