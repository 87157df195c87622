// Fast leader election (ZooKeeper's FLE) as a pure state machine: no sockets, no timers. Inputs are
// start(), step(notification) and tick(); each returns the notifications to send and, once settled,
// the decision. A vote orders by (peer epoch, last zxid, server id). A peer settles on a vote that a
// majority of the round agrees with: at once when every voter has voted in this round (or is known
// to be gone), since then no better vote can still be on its way; else on the next tick, if nothing
// better arrived meanwhile (ZooKeeper's finalize wait, with a tick for its 200 ms). It also settles
// when a majority reports an established leader.
import { Majority } from './quorum.js'

export type PeerState = 'LOOKING' | 'FOLLOWING' | 'LEADING'

/** A proposed leader and the history it would bring. */
export interface Vote {
  leader: number
  zxid: bigint
  peerEpoch: bigint
}

/** What peers exchange. */
export interface Notification {
  from: number
  state: PeerState
  vote: Vote
  /** The sender's election round (ZooKeeper's logical clock). */
  round: bigint
}

/** What one input produced. */
export interface ElectionOutput {
  /** Notifications to send: `to` a server id. */
  send: { to: number; msg: Notification }[]
  /** Set once the election is decided for this peer. */
  decided?: { leader: number; state: 'FOLLOWING' | 'LEADING'; round: bigint }
}

/** Whether vote `a` beats vote `b` (ZooKeeper's totalOrderPredicate). */
export function beats(a: Vote, b: Vote): boolean {
  if (a.peerEpoch !== b.peerEpoch) return a.peerEpoch > b.peerEpoch
  if (a.zxid !== b.zxid) return a.zxid > b.zxid
  return a.leader > b.leader
}

const same = (a: Vote, b: Vote) => a.leader === b.leader && a.zxid === b.zxid && a.peerEpoch === b.peerEpoch

/** One peer's view of an election. */
export class Election {
  state: PeerState = 'LOOKING'
  round = 0n
  proposal: Vote
  private readonly quorum: Majority
  /** Votes of LOOKING peers in this round. */
  private readonly received = new Map<number, Vote>()
  /** Votes of peers that already follow or lead. */
  private readonly settled = new Map<number, { vote: Vote; state: PeerState; round: bigint }>()
  /** A majority agreed with this proposal; decide on the next tick unless it changes. */
  private pending: Vote | undefined
  private decision: ElectionOutput['decided']
  /** Voters not waited for: known gone when the election began (the leader whose link just broke). */
  private readonly gone: ReadonlySet<number>

  constructor(
    readonly id: number,
    voters: number[],
    private readonly last: { zxid: bigint; epoch: bigint },
    gone: Iterable<number> = [],
  ) {
    this.quorum = new Majority(voters)
    this.proposal = { leader: id, zxid: last.zxid, peerEpoch: last.epoch }
    this.gone = new Set([...gone].filter((g) => g !== id))
  }

  private others(): number[] {
    return [...this.quorum.voters].filter((v) => v !== this.id)
  }

  private me(): Notification {
    return { from: this.id, state: this.state, vote: this.proposal, round: this.round }
  }

  private broadcast(): ElectionOutput['send'] {
    return this.others().map((to) => ({ to, msg: this.me() }))
  }

  /** Begin (or restart) looking: a new round, voting for ourselves. */
  start(): ElectionOutput {
    this.state = 'LOOKING'
    this.round++
    this.received.clear()
    this.settled.clear()
    this.pending = undefined
    this.decision = undefined
    this.proposal = { leader: this.id, zxid: this.last.zxid, peerEpoch: this.last.epoch }
    this.received.set(this.id, this.proposal)
    // A lone voter (or one whose every peer is known gone and that is a quorum alone) needs no one.
    if (this.agreeing(this.received, this.proposal) && this.everyoneHeard())
      return { send: this.broadcast(), decided: this.decide(this.proposal, this.round) }
    return { send: this.broadcast() }
  }

  /** The election is over for this peer; answer lookers with the outcome. */
  get result(): ElectionOutput['decided'] {
    return this.decision
  }

  step(n: Notification): ElectionOutput {
    if (this.state !== 'LOOKING') {
      // Tell a looking peer who leads, so it can join without a new round.
      return { send: n.state === 'LOOKING' ? [{ to: n.from, msg: this.me() }] : [] }
    }
    const send: ElectionOutput['send'] = []
    if (n.state === 'LOOKING') {
      if (n.round > this.round) {
        this.round = n.round
        this.received.clear()
        const mine: Vote = { leader: this.id, zxid: this.last.zxid, peerEpoch: this.last.epoch }
        this.proposal = beats(n.vote, mine) ? n.vote : mine
        send.push(...this.broadcast())
      } else if (n.round < this.round) {
        // A peer behind: bring it to our round.
        return { send: [{ to: n.from, msg: this.me() }] }
      } else if (beats(n.vote, this.proposal)) {
        this.proposal = n.vote
        send.push(...this.broadcast())
      }
      this.received.set(n.from, n.vote)
      this.received.set(this.id, this.proposal)
      if (this.pending && !same(this.pending, this.proposal)) this.pending = undefined
      if (this.agreeing(this.received, this.proposal)) {
        // Every voter's vote in a round is at least its own history, and ours is the best of them:
        // with every voter heard, nothing better can come, so the finalize wait has nothing to wait for.
        if (this.everyoneHeard()) return { send, decided: this.decide(this.proposal, this.round) }
        this.pending = this.proposal
      }
      return { send }
    }
    // A peer that already follows or leads.
    this.settled.set(n.from, { vote: n.vote, state: n.state, round: n.round })
    const leaderKnown = (v: Vote) => v.leader === this.id || this.settled.get(v.leader)?.state === 'LEADING'
    if (n.round === this.round) {
      this.received.set(n.from, n.vote)
      if (this.agreeing(this.received, n.vote) && leaderKnown(n.vote)) return { send, decided: this.decide(n.vote, n.round) }
    }
    const outOfElection = new Map([...this.settled].map(([id, s]) => [id, s.vote]))
    // Peers out of the election agree when they name the same leader and epoch, whatever zxid each
    // saw when it decided (ZOOKEEPER-1805).
    const agreed = this.quorum.contains(
      [...outOfElection].filter(([, x]) => x.leader === n.vote.leader && x.peerEpoch === n.vote.peerEpoch).map(([id]) => id),
    )
    if (agreed && leaderKnown(n.vote)) return { send, decided: this.decide(n.vote, n.round) }
    return { send }
  }

  /**
   * Serving in `epoch` now: tell lookers that epoch, so every member of an ensemble names the same
   * vote however it joined, and a newcomer can count them agreeing (ZooKeeper's updateElectionVote,
   * ZOOKEEPER-1732).
   */
  servingIn(epoch: bigint): void {
    if (this.state !== 'LOOKING') this.proposal = { ...this.proposal, peerEpoch: epoch }
  }

  /** Time passes: settle a pending majority, or re-send our vote so lost messages do not stall us. */
  tick(): ElectionOutput {
    if (this.state !== 'LOOKING') return { send: [] }
    if (this.pending && same(this.pending, this.proposal)) return { send: [], decided: this.decide(this.proposal, this.round) }
    return { send: this.broadcast() }
  }

  /** Whether every voter not known gone has voted in this round. */
  private everyoneHeard(): boolean {
    for (const v of this.quorum.voters) if (!this.received.has(v) && !this.gone.has(v)) return false
    return true
  }

  private agreeing(votes: Map<number, Vote>, v: Vote): boolean {
    return this.quorum.contains([...votes].filter(([, x]) => same(x, v)).map(([id]) => id))
  }

  private decide(v: Vote, round: bigint): NonNullable<ElectionOutput['decided']> {
    this.round = round
    this.proposal = v
    this.state = v.leader === this.id ? 'LEADING' : 'FOLLOWING'
    this.decision = { leader: v.leader, state: this.state, round }
    return this.decision
  }
}
