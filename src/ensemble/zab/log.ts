// A peer's replicated log in memory: the snapshot it starts from, the entries known committed, the
// entries logged but not known committed, and what changed since the host last heard (log changes
// to persist, a snapshot to reload, committed entries to apply). Every role reads and writes it.
import type { Base, Entry } from './messages.js'
import type { LogChange } from './ready.js'

export class PeerLog<T> {
  /** Committed entries after `base`, in zxid order: the replicated state. */
  committed: Entry<T>[] = []
  /** Logged after `committed`, not known to be committed (yet). */
  private uncommitted: Entry<T>[] = []
  /** The compacted prefix of the history (a snapshot), if any. */
  base: Base<T> | undefined
  /** How many times a sync installed a leader's snapshot (SNAP) in place of this peer's state. */
  snapshotsInstalled = 0
  private changes: LogChange<T>[] = []
  private reloadWith: { base?: Base<T> } | undefined
  /** How many entries of `committed` the host was given to apply. */
  private handedOut = 0

  /** The last zxid logged (committed or not), else the base's. */
  get lastZxid(): bigint {
    const last = this.uncommitted[this.uncommitted.length - 1] ?? this.committed[this.committed.length - 1]
    return last?.zxid ?? this.base?.zxid ?? 0n
  }

  /** Everything logged after the base, committed or not, in zxid order. */
  history(): Entry<T>[] {
    return [...this.committed, ...this.uncommitted]
  }

  /** Load what a previous run made durable; the host starts its state from the stored snapshot. */
  restore(log: Entry<T>[], base: Base<T> | undefined): void {
    this.committed = []
    this.handedOut = 0
    this.changes = []
    this.base = base
    this.uncommitted = log.filter((e) => e.zxid > (base?.zxid ?? -1n))
    this.reloadWith = base ? { base } : {}
  }

  /** Replace the committed and applied entries up to `zxid` by a snapshot of the state after them. */
  compact(zxid: bigint, state: T): void {
    let n = 0
    while (n < this.handedOut && this.committed[n]!.zxid <= zxid) n++
    if (n === 0 || this.committed[n - 1]!.zxid !== zxid) throw new RangeError(`compact: 0x${zxid.toString(16)} is not a committed zxid`)
    this.committed = this.committed.slice(n)
    this.handedOut -= n
    this.base = { zxid, state }
    this.changes.push({ op: 'compact', base: this.base })
  }

  /** A follower logs a proposal (its ACK waits until that is durable). */
  append(entry: Entry<T>): void {
    this.uncommitted.push(entry)
    this.changes.push({ op: 'append', entry })
  }

  /** A leader logs its own proposal; it stays with the leader's broadcast until committed. */
  record(entry: Entry<T>): void {
    this.changes.push({ op: 'append', entry })
  }

  /** A leader's proposals committed, in order. */
  commit(entries: Entry<T>[]): void {
    this.committed.push(...entries)
  }

  /** A leader steps down: its own proposals not committed are part of its logged history again. */
  keepUncommitted(entries: Entry<T>[]): void {
    this.uncommitted.push(...entries)
  }

  /** Everything logged up to `zxid` (all of it when undefined) is committed. */
  commitLogged(zxid?: bigint): void {
    const upto = zxid === undefined ? -1 : this.uncommitted.findIndex((e) => e.zxid > zxid)
    const done = upto < 0 ? this.uncommitted : this.uncommitted.slice(0, upto)
    this.committed.push(...done)
    this.uncommitted = this.uncommitted.slice(done.length)
  }

  /**
   * A follower takes the leader's history (SYNC): the leader's snapshot replaces everything, or the
   * log is cut at `truncate`; then the diff and the outstanding proposals follow. Returns the last
   * zxid of the synced history (the proposals after it are committed only when the leader commits).
   */
  follow(sync: { truncate?: bigint; snapshot?: Base<T>; diff: Entry<T>[]; outstanding: Entry<T>[] }): bigint {
    let log = this.history()
    if (sync.snapshot) {
      log = []
      this.committed = []
      this.handedOut = 0
      this.base = sync.snapshot
      this.snapshotsInstalled++
      this.reloadWith = { base: sync.snapshot }
    }
    const { truncate } = sync
    if (truncate !== undefined) log = log.filter((e) => e.zxid <= truncate)
    const last = log[log.length - 1]?.zxid ?? this.base?.zxid ?? 0n
    log.push(...sync.diff.filter((e) => e.zxid > last))
    const synced = log[log.length - 1]?.zxid ?? this.base?.zxid ?? 0n
    log.push(...sync.outstanding.filter((e) => e.zxid > synced))
    let keep = 0
    while (keep < this.committed.length && log[keep]?.zxid === this.committed[keep]!.zxid) keep++
    if (keep < this.handedOut) {
      // Cannot happen in Zab (committed entries are never replaced); start over rather than diverge.
      this.reloadWith = this.base ? { base: this.base } : {}
      this.handedOut = 0
    }
    this.committed = this.committed.slice(0, keep)
    this.uncommitted = log.slice(keep)
    this.changes.push({ op: 'reset', entries: log, ...(sync.snapshot ? { base: sync.snapshot } : {}) })
    return synced
  }

  /** The log changes since the last call, to persist. */
  takeChanges(): LogChange<T>[] {
    const c = this.changes
    this.changes = []
    return c
  }

  /** The state the host must start over from, if it must since the last call. */
  takeReload(): { base?: Base<T> } | undefined {
    const r = this.reloadWith
    this.reloadWith = undefined
    return r
  }

  /** The entries committed since the last call, for the host to apply. */
  takeCommitted(): Entry<T>[] {
    const c = this.handedOut === this.committed.length ? [] : this.committed.slice(this.handedOut)
    this.handedOut = this.committed.length
    return c
  }
}
