// Atomic broadcast bookkeeping (Zab phase 3), pure: the leader numbers proposals in its epoch,
// counts ACKs and commits strictly in zxid order once a majority (itself included) has logged a
// proposal; a follower accepts proposals only in order and applies commits in order.
import { Majority, Zxid } from './quorum.js'

/** Leader side. */
export class LeaderBroadcast<T> {
  private counter = 0n
  /** Proposed, not yet committed, in zxid order. */
  private readonly outstanding = new Map<bigint, { value: T; acks: Set<number> }>()
  lastCommitted: bigint

  constructor(
    private readonly self: number,
    private readonly quorum: Majority,
    readonly epoch: bigint,
    lastCommitted: bigint,
  ) {
    this.lastCommitted = lastCommitted
    if (Zxid.epoch(lastCommitted) === epoch) this.counter = Zxid.counter(lastCommitted)
  }

  /** Propose a value: returns its zxid (the leader has logged it, so its own ACK counts). */
  propose(value: T): bigint {
    const zxid = Zxid.make(this.epoch, ++this.counter)
    this.outstanding.set(zxid, { value, acks: new Set([this.self]) })
    return zxid
  }

  /** A follower logged `zxid`; returns the proposals that become committed, in order. */
  ack(from: number, zxid: bigint): { zxid: bigint; value: T }[] {
    this.outstanding.get(zxid)?.acks.add(from)
    return this.drain()
  }

  /** Commit every leading proposal with a quorum, stopping at the first without one (order!). */
  private drain(): { zxid: bigint; value: T }[] {
    const out: { zxid: bigint; value: T }[] = []
    for (const [zxid, p] of this.outstanding) {
      if (!this.quorum.contains(p.acks)) break
      this.outstanding.delete(zxid)
      this.lastCommitted = zxid
      out.push({ zxid, value: p.value })
    }
    return out
  }

  /** Proposals not yet committed (to re-send to a follower that rejoins). */
  pending(): { zxid: bigint; value: T }[] {
    return [...this.outstanding].map(([zxid, p]) => ({ zxid, value: p.value }))
  }
}

/** Follower side. */
export class FollowerBroadcast<T> {
  private readonly logged: { zxid: bigint; value: T }[] = []

  constructor(
    public lastLogged: bigint,
    public lastCommitted: bigint,
  ) {}

  /** A proposal arrived: accept it if it is the next in order (then ACK it), else report a gap. */
  propose(zxid: bigint, value: T): 'ack' | 'gap' | 'duplicate' {
    if (zxid <= this.lastLogged) return 'duplicate'
    const sameEpochNext = Zxid.epoch(zxid) === Zxid.epoch(this.lastLogged) && zxid === this.lastLogged + 1n
    const newEpochFirst = Zxid.epoch(zxid) > Zxid.epoch(this.lastLogged) && Zxid.counter(zxid) === 1n
    if (!sameEpochNext && !newEpochFirst) return 'gap'
    this.logged.push({ zxid, value })
    this.lastLogged = zxid
    return 'ack'
  }

  /** A commit arrived: returns the logged proposals now committed, in order (all up to `zxid`). */
  commit(zxid: bigint): { zxid: bigint; value: T }[] {
    const out: { zxid: bigint; value: T }[] = []
    while (this.logged.length && this.logged[0]!.zxid <= zxid) out.push(this.logged.shift()!)
    if (out.length) this.lastCommitted = out[out.length - 1]!.zxid
    return out
  }
}
