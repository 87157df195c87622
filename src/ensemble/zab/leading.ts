// The leader's side of Zab, as one role object: discovery (a new epoch above every accepted one),
// sync of each follower (DIFF, TRUNC or SNAP plus the proposals in flight), then broadcast once a
// quorum acknowledged NEWLEADER; it pings its synced followers and steps down without a quorum.
import { LeaderDiscovery } from './discovery.js'
import { LeaderBroadcast } from './broadcast.js'
import { planSync } from './sync.js'
import type { Entry, Msg, Out } from './messages.js'
import type { PeerContext, Role, RolePhase } from './role.js'

/** What only a learner sends its leader. */
const FROM_LEARNER: ReadonlySet<Msg<unknown>['t']> = new Set(['followerinfo', 'ackepoch', 'acknewleader', 'ack', 'pong'])

export class Leading<T> implements Role<T> {
  readonly name = 'LEADING'
  private readonly discovery: LeaderDiscovery
  /** Set once the first follower promised the new epoch: the epoch's proposals. */
  private broadcast: LeaderBroadcast<T> | undefined
  /** Established: a quorum acknowledged NEWLEADER. */
  private established = false
  /** Followers synced (they get proposals), those that acknowledged NEWLEADER, those that reported. */
  private readonly synced = new Set<number>()
  private readonly newLeaderAcks = new Set<number>()
  private readonly announced = new Set<number>()
  private readonly leaderInfoSent = new Set<number>()
  /** Followers that promised this round's epoch, with where their logs end, until a quorum did. */
  private readonly promised = new Map<number, bigint>()
  /** When each follower was last heard from. */
  private readonly heard = new Map<number, number>()
  private readonly since: number

  constructor(private readonly ctx: PeerContext<T>) {
    this.since = ctx.now
    this.discovery = new LeaderDiscovery(ctx.id, ctx.quorum, ctx.acceptedEpoch, ctx.log.lastZxid, ctx.currentEpoch)
  }

  get leader(): number {
    return this.ctx.id
  }

  get ready(): boolean {
    return this.established
  }

  /** Discovery until an epoch is chosen and promised, sync until a quorum took it, then broadcast. */
  get phase(): RolePhase {
    return this.established ? 'broadcast' : this.broadcast ? 'sync' : 'discovery'
  }

  /** The followers it is synced with, in id order. */
  get syncedFollowers(): number[] {
    return [...this.synced].sort((a, b) => a - b)
  }

  /** Propose a value: returns its zxid and what to send, or undefined before the epoch is established. */
  propose(value: T): { zxid: bigint; out: Out<T>[] } | undefined {
    if (!this.established || !this.broadcast) return undefined
    const zxid = this.broadcast.propose(value)
    const entry = { zxid, value }
    this.ctx.log.record(entry)
    const out: Out<T>[] = [...this.synced].map((to) => ({ to, msg: { t: 'proposal', entry } }))
    // A lone leader of a one-voter ensemble commits at once.
    out.push(...this.commit(this.broadcast.ack(this.ctx.id, zxid)))
    return { zxid, out }
  }

  private commit(entries: Entry<T>[]): Out<T>[] {
    this.ctx.log.commit(entries)
    return entries.flatMap((c) => [...this.synced].map((to): Out<T> => ({ to, msg: { t: 'commit', zxid: c.zxid } })))
  }

  /** Stepping down: what it proposed and did not commit stays in its history (its disk has it). */
  stepDown(): void {
    if (this.broadcast) this.ctx.log.keepUncommitted(this.broadcast.pending())
  }

  step(from: number, msg: Msg<T>): Out<T>[] {
    // Only what a learner says shows a follower is there (a peer that leads too says other things).
    if (!FROM_LEARNER.has(msg.t)) return []
    this.heard.set(from, this.ctx.now)
    switch (msg.t) {
      case 'followerinfo':
        return this.followerInfo(from, msg.acceptedEpoch)
      case 'ackepoch':
        return this.ackEpoch(from, msg.epoch, msg.currentEpoch, msg.lastZxid)
      case 'acknewleader':
        return this.ackNewLeader(from)
      case 'ack':
        return this.commit(this.broadcast?.ack(from, msg.zxid) ?? [])
      default:
        return []
    }
  }

  private followerInfo(from: number, acceptedEpoch: bigint): Out<T>[] {
    const epoch = this.discovery.followerInfo(from, acceptedEpoch)
    this.announced.add(from)
    if (epoch === undefined) return []
    if (this.ctx.acceptedEpoch < epoch) this.ctx.acceptedEpoch = epoch
    // Everyone who reported so far hears the new epoch once; a follower that reports again (it
    // reconnected) hears it again.
    const to = new Set([...this.announced].filter((f) => f !== this.ctx.id && !this.leaderInfoSent.has(f)))
    to.add(from)
    for (const f of to) this.leaderInfoSent.add(f)
    return [...to].map((t) => ({ to: t, msg: { t: 'leaderinfo', epoch } }))
  }

  private ackEpoch(from: number, promised: bigint, currentEpoch: bigint, lastZxid: bigint): Out<T>[] {
    const { log } = this.ctx
    const epoch = this.discovery.newEpoch
    // A promise made to an earlier round of ours (links outlive our rounds) is no promise for this
    // one, and the history it reports may be stale: syncing from it could hand out a wrong diff.
    if (epoch === undefined || promised !== epoch) return []
    // Once established, a follower that comes back is synced; comparing it with the summary we
    // started the epoch with would make us abdicate because it followed us meanwhile.
    const r = this.established ? 'established' : this.discovery.ackEpoch(from, currentEpoch, lastZxid)
    if (r === 'abandon') return this.ctx.lookAgain()
    this.promised.set(from, lastZxid)
    // Nothing is synced, and the epoch does not become ours, before a quorum promised it: only then
    // has every history of that quorum been checked against ours (ZooKeeper's waitForEpochAck). A
    // leader that took the epoch on one promise would beat, in the next election, peers holding
    // committed entries it lacks.
    if (r === 'waiting') return []
    if (!this.broadcast) {
      // The new epoch continues from the leader's whole history (what it logged, committed or
      // not); that history becomes committed only once a quorum has synced to it (NEWLEADER).
      this.broadcast = new LeaderBroadcast<T>(this.ctx.id, this.ctx.quorum, epoch, log.lastZxid)
      this.ctx.currentEpoch = epoch
      this.newLeaderAcks.add(this.ctx.id)
      const waiting = [...this.promised].filter(([f]) => f !== from)
      return [...waiting.map(([f, z]) => this.syncOf(f, epoch, z)), this.syncOf(from, epoch, lastZxid)]
    }
    return [this.syncOf(from, epoch, lastZxid)]
  }

  /** The SYNC that brings a follower whose log ends at `lastZxid` up to the leader's history. */
  private syncOf(from: number, epoch: bigint, lastZxid: bigint): Out<T> {
    const { log } = this.ctx
    const broadcast = this.broadcast!
    const history = log.history()
    // The log window starts at the base: a follower exactly there needs only what follows.
    const window = log.base ? [log.base.zxid, ...history.map((e) => e.zxid)] : history.map((e) => e.zxid)
    const plan = planSync({ lastZxid: log.lastZxid, log: window }, lastZxid)
    const after = (z: bigint) => history.filter((e) => e.zxid > z)
    // Proposals in flight go along as proposals: the follower logs them but commits them only when
    // the leader does.
    const outstanding = this.established ? broadcast.pending() : []
    const sync: Msg<T> =
      plan.kind === 'SNAP'
        ? log.base
          ? { t: 'sync', epoch, snapshot: log.base, diff: history, outstanding }
          : { t: 'sync', epoch, truncate: 0n, diff: history, outstanding } // the whole history is the snapshot
        : plan.kind === 'TRUNC'
          ? { t: 'sync', epoch, truncate: plan.to, diff: after(plan.to), outstanding }
          : { t: 'sync', epoch, diff: after(plan.from), outstanding }
    this.synced.add(from)
    return { to: from, msg: sync }
  }

  private ackNewLeader(from: number): Out<T>[] {
    this.newLeaderAcks.add(from)
    if (!this.established && this.ctx.quorum.contains(this.newLeaderAcks)) {
      this.established = true
      // A quorum holds the history now: it is committed, and followers are told UPTODATE.
      this.ctx.log.commitLogged()
      return [...this.newLeaderAcks].filter((x) => x !== this.ctx.id).map((to): Out<T> => ({ to, msg: { t: 'uptodate' } }))
    }
    return this.established ? [{ to: from, msg: { t: 'uptodate' } }] : []
  }

  tick(): Out<T>[] {
    const { now, silence, quorum } = this.ctx
    // Ping everyone synced; step down without a quorum that answers.
    const alive = [this.ctx.id, ...[...this.synced].filter((f) => now - (this.heard.get(f) ?? -Infinity) <= silence)]
    if (now - this.since > silence && !quorum.contains(alive)) return this.ctx.lookAgain()
    return [...this.synced].map((to) => ({ to, msg: { t: 'ping' } }))
  }

  /** A follower's connection broke: no more proposals to it until it syncs again. */
  disconnected(peer: number): Out<T>[] {
    this.synced.delete(peer)
    this.promised.delete(peer)
    this.leaderInfoSent.delete(peer)
    return []
  }
}
