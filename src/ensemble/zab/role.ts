// What the role objects (leading.ts, following.ts) share with the peer that runs them: its identity,
// quorum, clock, log and epochs, and the way back to looking for a leader.
import type { Majority } from './quorum.js'
import { PeerLog } from './log.js'
import type { Msg, Out } from './messages.js'
import type { PeerRole } from './ready.js'

/** The peer as its current role sees it: what every role reads, and the epochs it may move on. */
export class PeerContext<T> {
  /** Ticks so far. */
  now = 0
  acceptedEpoch = 0n
  currentEpoch = 0n
  readonly log = new PeerLog<T>()

  constructor(
    readonly id: number,
    readonly quorum: Majority,
    /** Ticks without hearing from the other side before giving up on it. */
    readonly silence: number,
    /**
     * Give up the current role and look for a leader again; returns the votes to send. `gone`: voters
     * known unreachable (the leader whose link just broke), whose votes the election does not wait for.
     */
    readonly lookAgain: (gone?: number[]) => Out<T>[],
  ) {}
}

/** Where a role is: looking runs the election; leading and following go discovery, sync, broadcast. */
export type RolePhase = 'election' | 'discovery' | 'sync' | 'broadcast'

/** One role of a peer, holding only its own state; the peer dispatches every non-vote input to it. */
export interface Role<T> {
  readonly name: PeerRole
  readonly phase: RolePhase
  /** Whom it follows, or itself when leading; undefined while looking. */
  readonly leader: number | undefined
  /** Whether it serves clients. */
  readonly ready: boolean
  step(from: number, msg: Msg<T>): Out<T>[]
  tick(): Out<T>[]
  /** The connection to `peer` broke. */
  disconnected(peer: number): Out<T>[]
}
