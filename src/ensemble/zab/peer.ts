// One Zab peer as a pure state machine: every input (restore, start, step, tick, disconnected,
// submit, compact) returns a Ready, what the host must persist, send, load and apply, in that order;
// no sockets, timers or disk. The peer runs the election itself (it answers votes in every role) and
// hands everything else to its current role: looking, leading (leading.ts) or following
// (following.ts). It replicates an ordered log of values (the ensemble puts serialized
// transactions in it).
import { Election, type ElectionOutput } from './election.js'
import { Majority } from './quorum.js'
import { PeerLog } from './log.js'
import { Leading } from './leading.js'
import { Following } from './following.js'
import type { Base, Entry, Msg, Out } from './messages.js'
import type { Epochs, PeerRole, Ready, RoleState } from './ready.js'
import { PeerContext, type Role, type RolePhase } from './role.js'

export interface PeerOptions {
  /** Ticks without hearing from the other side before giving up on it (default 5). */
  silenceTicks?: number
}

/** Looking for a leader: only the election runs, and the peer itself drives it. */
const looking: Role<never> = {
  name: 'LOOKING',
  phase: 'election',
  leader: undefined,
  ready: false,
  step: () => [],
  tick: () => [],
  disconnected: () => [],
}

export class Peer<T> {
  private readonly ctx: PeerContext<T>
  private readonly log: PeerLog<T>
  private election: Election
  private current: Role<T> | Leading<T> | Following<T> = looking
  /**
   * FOLLOWERINFO that arrived while still looking: a peer that settled on us before we did. Kept
   * (the last from each) for the leadership it is meant for, so it need not wait for a re-report.
   */
  private earlyReports = new Map<number, Msg<T>>()
  /** What the host last made durable or was told, to report only changes. */
  private durableEpochs: Epochs = { acceptedEpoch: 0n, currentEpoch: 0n }
  private reportedRole: RoleState | undefined

  constructor(
    readonly id: number,
    readonly voters: number[],
    opts: PeerOptions = {},
  ) {
    this.ctx = new PeerContext<T>(id, new Majority(voters), opts.silenceTicks ?? 5, (gone) => this.lookAgain(gone))
    this.log = this.ctx.log
    this.election = new Election(id, voters, { zxid: 0n, epoch: 0n })
  }

  /** The newest epoch this peer promised (ACKEPOCH) or proposed. */
  get acceptedEpoch(): bigint {
    return this.ctx.acceptedEpoch
  }

  /** The epoch of the leader this peer last synced with or led. */
  get currentEpoch(): bigint {
    return this.ctx.currentEpoch
  }

  get role(): PeerRole {
    return this.current.name
  }

  /** Where the current role is: the election while looking, else discovery, sync or broadcast. */
  get phase(): RolePhase {
    return this.current.phase
  }

  /** Whom this peer follows, or itself when leading; undefined while looking. */
  get leader(): number | undefined {
    return this.current.leader
  }

  /** Whether this peer serves clients: the leader of an established epoch, or a follower told UPTODATE. */
  get ready(): boolean {
    return this.current.ready
  }

  /** Whether this peer leads an established epoch and accepts submissions. */
  get serving(): boolean {
    return this.current instanceof Leading && this.current.ready
  }

  /** Leader: the followers it is synced with now (empty unless leading), for mntr's follower counts. */
  get syncedFollowers(): number[] {
    return this.current instanceof Leading ? this.current.syncedFollowers : []
  }

  /** Committed entries after `base`, in zxid order: the replicated state. */
  get committed(): readonly Entry<T>[] {
    return this.log.committed
  }

  /** The compacted prefix of the history (a snapshot), if any. */
  get base(): Base<T> | undefined {
    return this.log.base
  }

  /** How many times a sync installed a leader's snapshot (SNAP) in place of this peer's state. */
  get snapshotsInstalled(): number {
    return this.log.snapshotsInstalled
  }

  get lastZxid(): bigint {
    return this.log.lastZxid
  }

  /**
   * Load what a previous run made durable: its whole log (which of it was committed is learnt again
   * when the peer syncs with a leader) and its epochs. Call before start().
   */
  restore(log: Entry<T>[], acceptedEpoch: bigint, currentEpoch: bigint, base?: Base<T>): Ready<T> {
    this.log.restore(log, base)
    this.ctx.acceptedEpoch = acceptedEpoch
    this.ctx.currentEpoch = currentEpoch
    // Already durable: they came from the store.
    this.durableEpochs = { acceptedEpoch, currentEpoch }
    return this.collect([])
  }

  /**
   * Replace the committed entries up to `zxid` (which must be committed and applied) by a snapshot
   * of the state after them; the store is told to do the same.
   */
  compact(zxid: bigint, state: T): Ready<T> {
    this.log.compact(zxid, state)
    return this.collect([])
  }

  /** Begin (or restart) looking for a leader. */
  start(): Ready<T> {
    return this.collect(this.lookAgain())
  }

  private lookAgain(gone: number[] = []): Out<T>[] {
    if (this.current instanceof Leading) this.current.stepDown()
    this.current = looking
    this.earlyReports.clear()
    // A peer restarting the election keeps only what it logged; uncommitted entries count as its history.
    this.election = new Election(this.id, this.voters, { zxid: this.log.lastZxid, epoch: this.currentEpoch }, gone)
    return this.votes(this.election.start())
  }

  step(from: number, msg: Msg<T>): Ready<T> {
    if (msg.t === 'followerinfo' && this.current === looking && this.voters.includes(from) && from !== this.id) {
      this.earlyReports.set(from, msg)
      return this.collect([])
    }
    if (msg.t !== 'vote') return this.collect(this.current.step(from, msg))
    // A vote speaks for the peer that sent it, and only a voter can be elected.
    if (msg.n.from !== from || !this.voters.includes(msg.n.vote.leader)) return this.collect([])
    // Election traffic is no sign that a leader still leads or a follower still follows (a leader
    // that stepped down keeps sending votes; its followers must notice the silence): only the
    // election hears it.
    const o = this.election.step(msg.n)
    return this.collect(this.current === looking ? this.votes(o) : this.votes({ send: o.send }))
  }

  /** Time passes: pings, failure detection, election retries. */
  tick(): Ready<T> {
    this.ctx.now++
    return this.collect(this.current === looking ? this.votes(this.election.tick()) : this.current.tick())
  }

  /**
   * The connection to `peer` broke. A follower that loses its leader looks for a new one; a leader
   * stops sending to that follower until it syncs again.
   */
  disconnected(peer: number): Ready<T> {
    return this.collect(this.current.disconnected(peer))
  }

  /** Submit a value (leader only): returns its zxid, or undefined when not serving. */
  submit(value: T): { zxid: bigint; ready: Ready<T> } | undefined {
    const r = this.current instanceof Leading ? this.current.propose(value) : undefined
    return r && { zxid: r.zxid, ready: this.collect(r.out) }
  }

  private votes(o: Pick<ElectionOutput, 'send' | 'decided'>): Out<T>[] {
    const out: Out<T>[] = o.send.map(({ to, msg }) => ({ to, msg: { t: 'vote', n: msg } }))
    if (o.decided) out.push(...this.decided(o.decided.leader))
    return out
  }

  private decided(leader: number): Out<T>[] {
    const early = this.earlyReports
    this.earlyReports = new Map()
    if (leader === this.id) {
      const leading = new Leading(this.ctx)
      this.current = leading
      return [...early].flatMap(([from, msg]) => leading.step(from, msg))
    }
    const following = new Following(this.ctx, leader)
    this.current = following
    return following.report()
  }

  /** Gather what the input just handled asks of the host. */
  private collect(send: Out<T>[]): Ready<T> {
    const r: Ready<T> = { persist: { log: this.log.takeChanges() }, send, apply: this.log.takeCommitted() }
    const reload = this.log.takeReload()
    if (reload) r.reload = reload
    const { acceptedEpoch, currentEpoch } = this.ctx
    if (acceptedEpoch !== this.durableEpochs.acceptedEpoch || currentEpoch !== this.durableEpochs.currentEpoch) {
      r.persist.epochs = { acceptedEpoch, currentEpoch }
      this.durableEpochs = { acceptedEpoch, currentEpoch }
    }
    const was = this.reportedRole
    const { name, leader, ready } = this.current
    if (!was || was.role !== name || was.leader !== leader || was.epoch !== currentEpoch || was.ready !== ready) {
      r.role = { role: name, leader, epoch: currentEpoch, ready }
      this.reportedRole = r.role
      if (ready) this.election.servingIn(currentEpoch)
    }
    return r
  }
}
