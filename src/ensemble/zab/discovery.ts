// Discovery (Zab phase 1), pure: the prospective leader gathers the accepted epochs of a quorum,
// proposes one larger than all of them, and is established for it only once a quorum has promised
// (ACKEPOCH) not to accept proposals from older epochs. A follower promises only for an epoch newer
// than any it accepted, which is what keeps two leaders from both being established for one epoch.
import { Majority } from './quorum.js'

/** Leader side of discovery. */
export class LeaderDiscovery {
  private readonly accepted = new Map<number, bigint>()
  private readonly acks = new Map<number, { currentEpoch: bigint; lastZxid: bigint }>()
  /** The epoch proposed once a quorum reported; undefined before. */
  newEpoch: bigint | undefined

  constructor(
    private readonly self: number,
    private readonly quorum: Majority,
    acceptedEpoch: bigint,
    private readonly lastZxid: bigint,
    currentEpoch: bigint,
  ) {
    this.accepted.set(self, acceptedEpoch)
    this.acks.set(self, { currentEpoch, lastZxid })
  }

  /** FOLLOWERINFO from `sid`: returns the new epoch to announce (to everyone so far) once a quorum reported. */
  followerInfo(sid: number, acceptedEpoch: bigint): bigint | undefined {
    if (this.newEpoch !== undefined) return this.newEpoch // late joiners get the same epoch
    this.accepted.set(sid, acceptedEpoch)
    if (!this.quorum.contains(this.accepted.keys())) return undefined
    let max = 0n
    for (const e of this.accepted.values()) if (e > max) max = e
    this.newEpoch = max + 1n
    return this.newEpoch
  }

  /**
   * ACKEPOCH from `sid`. Returns 'established' once a quorum has promised; 'abandon' when a follower
   * has a history newer than the leader's (the leader must not lead: ZooKeeper's check that the
   * follower's epoch/zxid is not ahead), else 'waiting'.
   */
  ackEpoch(sid: number, currentEpoch: bigint, lastZxid: bigint): 'established' | 'waiting' | 'abandon' {
    const mine = this.acks.get(this.self)!
    if (currentEpoch > mine.currentEpoch || (currentEpoch === mine.currentEpoch && lastZxid > this.lastZxid)) return 'abandon'
    this.acks.set(sid, { currentEpoch, lastZxid })
    return this.quorum.contains(this.acks.keys()) ? 'established' : 'waiting'
  }
}

/** Follower side of discovery: the epochs it accepted and acknowledged. */
export class FollowerDiscovery {
  constructor(
    public acceptedEpoch: bigint,
    public currentEpoch: bigint,
    readonly lastZxid: bigint,
  ) {}

  /** LEADERINFO(newEpoch): promise (and remember) it if newer, else refuse and go back to looking. */
  leaderInfo(newEpoch: bigint): { ack: { currentEpoch: bigint; lastZxid: bigint } } | { refuse: string } {
    if (newEpoch < this.acceptedEpoch) return { refuse: `epoch ${newEpoch} is older than the accepted ${this.acceptedEpoch}` }
    if (newEpoch > this.acceptedEpoch) this.acceptedEpoch = newEpoch
    return { ack: { currentEpoch: this.currentEpoch, lastZxid: this.lastZxid } }
  }

  /** NEWLEADER after sync: the epoch becomes current. */
  newLeader(epoch: bigint): void {
    this.currentEpoch = epoch
  }
}
