// Fast leader election (ZooKeeper's FLE) as a pure state machine: no sockets, no timers. Inputs are
// start(), step(notification) and tick(); each returns the notifications to send and, once settled,
// the decision. A vote orders by (peer epoch, last zxid, server id); a peer settles when a majority
// of the round's votes agree with its proposal and nothing better arrives before the next tick
// (ZooKeeper's finalize wait), or when a majority reports an established leader.
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

  constructor(
    readonly id: number,
    voters: number[],
    private readonly last: { zxid: bigint; epoch: bigint },
  ) {
    this.quorum = new Majority(voters)
    this.proposal = { leader: id, zxid: last.zxid, peerEpoch: last.epoch }
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
      if (this.agreeing(this.received, this.proposal)) this.pending = this.proposal
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

  /** Time passes: settle a pending majority, or re-send our vote so lost messages do not stall us. */
  tick(): ElectionOutput {
    if (this.state !== 'LOOKING') return { send: [] }
    if (this.pending && same(this.pending, this.proposal)) return { send: [], decided: this.decide(this.proposal, this.round) }
    return { send: this.broadcast() }
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
