// One Zab peer as a pure state machine over the election, discovery, sync and broadcast parts: every
// input (start, step, tick, disconnected, submit, compact, restore) returns a Ready, what the host
// must do in order; no sockets, timers or disk. It replicates an ordered log of values (the ensemble
// puts serialized transactions in it).
import { Election, type Notification } from './election.js'
import { LeaderDiscovery, FollowerDiscovery } from './discovery.js'
import { planSync } from './sync.js'
import { LeaderBroadcast, FollowerBroadcast } from './broadcast.js'
import { Majority } from './quorum.js'

/** A replicated entry. */
export interface Entry<T> {
  zxid: bigint
  value: T
}

/** A compacted prefix of the log: the state after `zxid`, standing for every entry up to it. */
export interface Base<T> {
  zxid: bigint
  state: T
}

/** Messages between peers. */
export type Msg<T> =
  | { t: 'vote'; n: Notification }
  | { t: 'followerinfo'; acceptedEpoch: bigint }
  | { t: 'leaderinfo'; epoch: bigint }
  | { t: 'ackepoch'; currentEpoch: bigint; lastZxid: bigint }
  | { t: 'sync'; epoch: bigint; truncate?: bigint; snapshot?: Base<T>; diff: Entry<T>[]; outstanding: Entry<T>[] }
  | { t: 'acknewleader' }
  | { t: 'uptodate' }
  | { t: 'proposal'; entry: Entry<T> }
  | { t: 'ack'; zxid: bigint }
  | { t: 'commit'; zxid: bigint }
  | { t: 'ping' }
  | { t: 'pong' }

export type Out<T> = { to: number; msg: Msg<T> }

/**
 * A change to the peer's durable log: append an entry; replace the whole log (after `base` when it
 * comes with one); or keep `base` as the snapshot and drop the entries it stands for.
 */
export type LogChange<T> =
  | { op: 'append'; entry: Entry<T> }
  | { op: 'reset'; entries: Entry<T>[]; base?: Base<T> }
  | { op: 'compact'; base: Base<T> }

/** The epochs a peer must keep across a crash (its promises of discovery). */
export interface Epochs {
  acceptedEpoch: bigint
  currentEpoch: bigint
}

export type PeerRole = 'LOOKING' | 'FOLLOWING' | 'LEADING'

/** Where a peer stands: reported in a Ready whenever any of it changes. */
export interface RoleState {
  role: PeerRole
  /** Whom it follows or that it leads itself; undefined while looking. */
  leader: number | undefined
  /** Its current epoch. */
  epoch: bigint
  /** Whether it serves clients: the leader of an established epoch, or a follower told UPTODATE. */
  ready: boolean
}

/**
 * What one input asks of the host, to be done in this order: make `persist` durable, then send
 * `send` (Zab's promises, ACKEPOCH and ACK, are safe only once what they promise is on disk), then
 * start over from `reload` if set, then apply `apply`, then take note of `role`.
 */
export interface Ready<T> {
  /** Log changes (in order) and the epochs when they changed; durable before any of `send` leaves. */
  persist: { log: LogChange<T>[]; epochs?: Epochs }
  send: Out<T>[]
  /**
   * Drop the applied state and load this instead, before applying `apply`: the snapshot a leader
   * sent (SNAP) or the stored one (restore); no base means an empty state.
   */
  reload?: { base?: Base<T> }
  /** Entries newly committed, in zxid order, for the host to apply. */
  apply: Entry<T>[]
  /** The new role, set when the role, leader, epoch or readiness changed. */
  role?: RoleState
}

export interface PeerOptions {
  /** Ticks without hearing from the other side before giving up on it (default 5). */
  silenceTicks?: number
}

export class Peer<T> {
  role: PeerRole = 'LOOKING'
  /** Committed entries after `base`, in zxid order: the replicated state. */
  committed: Entry<T>[] = []
  /** The compacted prefix of the history (a snapshot), if any. */
  base: Base<T> | undefined
  /** How many times a sync installed a leader's snapshot (SNAP) in place of this peer's state. */
  snapshotsInstalled = 0
  acceptedEpoch = 0n
  currentEpoch = 0n
  leader: number | undefined
  private readonly quorum: Majority
  private election: Election
  private disc: LeaderDiscovery | undefined
  private fdisc: FollowerDiscovery | undefined
  private lb: LeaderBroadcast<T> | undefined
  private fb: FollowerBroadcast<T> | undefined
  /** Leader: followers synced (get proposals) and those that acknowledged NEWLEADER. */
  private synced = new Set<number>()
  private newLeaderAcks = new Set<number>()
  private announced = new Set<number>()
  private active = false
  private heard = new Map<number, number>()
  private now = 0
  private pendingLog: Entry<T>[] = []
  private leaderSince = 0
  private leaderInfoSent = new Set<number>()
  /** Follower: synced and told UPTODATE. */
  private upToDate = false
  /** Follower: where it is in joining its leader. */
  private joining: 'discovery' | 'sync' | 'broadcast' = 'discovery'
  private readonly silence: number
  /** What the Ready of the current input reports: log changes, a reload, entries handed out. */
  private changes: LogChange<T>[] = []
  private reloadWith: { base?: Base<T> } | undefined
  /** How many entries of `committed` the host was given to apply. */
  private handedOut = 0
  private durableEpochs: Epochs = { acceptedEpoch: 0n, currentEpoch: 0n }
  private reportedRole: string | undefined

  constructor(readonly id: number, readonly voters: number[], opts: PeerOptions = {}) {
    this.quorum = new Majority(voters)
    this.silence = opts.silenceTicks ?? 5
    this.election = new Election(id, voters, { zxid: 0n, epoch: 0n })
  }

  /**
   * Load what a previous run made durable: its whole log (which of it was committed is learnt again
   * when the peer syncs with a leader) and its epochs. Call before start().
   */
  restore(log: Entry<T>[], acceptedEpoch: bigint, currentEpoch: bigint, base?: Base<T>): Ready<T> {
    this.committed = []
    this.handedOut = 0
    this.changes = []
    this.base = base
    this.pendingLog = log.filter((e) => e.zxid > (base?.zxid ?? -1n))
    this.acceptedEpoch = acceptedEpoch
    this.currentEpoch = currentEpoch
    // Already durable: they came from the store.
    this.durableEpochs = { acceptedEpoch, currentEpoch }
    // The stored snapshot is committed state: the host starts from it.
    this.reloadWith = base ? { base } : {}
    return this.collect([])
  }

  /**
   * Replace the committed entries up to `zxid` (which must be committed and applied) by a snapshot
   * of the state after them; the store is told to do the same.
   */
  compact(zxid: bigint, state: T): Ready<T> {
    let n = 0
    while (n < this.handedOut && this.committed[n]!.zxid <= zxid) n++
    if (n === 0 || this.committed[n - 1]!.zxid !== zxid) throw new RangeError(`compact: 0x${zxid.toString(16)} is not a committed zxid`)
    this.committed = this.committed.slice(n)
    this.handedOut -= n
    this.base = { zxid, state }
    this.changes.push({ op: 'compact', base: this.base })
    return this.collect([])
  }

  /** Gather what the input just handled asks of the host. */
  private collect(send: Out<T>[]): Ready<T> {
    const r: Ready<T> = { persist: { log: this.changes }, send, apply: this.committed.slice(this.handedOut) }
    this.changes = []
    this.handedOut = this.committed.length
    const { acceptedEpoch, currentEpoch } = this
    if (acceptedEpoch !== this.durableEpochs.acceptedEpoch || currentEpoch !== this.durableEpochs.currentEpoch) {
      r.persist.epochs = { acceptedEpoch, currentEpoch }
      this.durableEpochs = { acceptedEpoch, currentEpoch }
    }
    if (this.reloadWith) r.reload = this.reloadWith
    this.reloadWith = undefined
    const role: RoleState = { role: this.role, leader: this.leader, epoch: this.currentEpoch, ready: this.ready }
    const key = `${role.role}/${role.leader}/${role.epoch}/${role.ready}`
    if (key !== this.reportedRole) {
      this.reportedRole = key
      r.role = role
    }
    return r
  }

  /** Whether this peer serves clients: the leader of an established epoch, or a follower told UPTODATE. */
  get ready(): boolean {
    return this.role === 'LEADING' ? this.active : this.role === 'FOLLOWING' && this.upToDate
  }

  /** Leader: the followers it is synced with now (empty unless leading), for mntr's follower counts. */
  get syncedFollowers(): number[] {
    return this.role === 'LEADING' ? [...this.synced].sort((a, b) => a - b) : []
  }

  /**
   * The connection to `peer` broke. A follower that loses its leader looks for a new one; a leader
   * stops sending to that follower until it syncs again.
   */
  disconnected(peer: number): Ready<T> {
    if (this.role === 'FOLLOWING' && peer === this.leader) return this.collect(this.restart())
    if (this.role === 'LEADING') {
      this.synced.delete(peer)
      this.leaderInfoSent.delete(peer)
    }
    return this.collect([])
  }

  get lastZxid(): bigint {
    const last = this.pendingLog[this.pendingLog.length - 1] ?? this.committed[this.committed.length - 1]
    return last?.zxid ?? this.base?.zxid ?? 0n
  }

  /** Whether this peer leads an established epoch and accepts submissions. */
  get serving(): boolean {
    return this.role === 'LEADING' && this.active
  }

  /** Begin (or restart) looking for a leader. */
  start(): Ready<T> {
    return this.collect(this.restart())
  }

  private restart(): Out<T>[] {
    this.role = 'LOOKING'
    this.leader = undefined
    this.active = false
    // A leader's own proposals not yet committed are in its log like any follower's: they stay part
    // of its history (its vote and its next sync), or its disk and its memory would disagree.
    if (this.lb) this.pendingLog.push(...this.lb.pending())
    this.disc = this.fdisc = undefined
    this.lb = this.fb = undefined
    this.synced.clear()
    this.newLeaderAcks.clear()
    this.announced.clear()
    this.leaderInfoSent.clear()
    this.upToDate = false
    // A peer restarting the election keeps only what it logged; uncommitted entries count as its history.
    this.election = new Election(this.id, this.voters, { zxid: this.lastZxid, epoch: this.currentEpoch })
    return this.votes(this.election.start())
  }

  private votes(o: { send: { to: number; msg: Notification }[]; decided?: { leader: number; state: 'FOLLOWING' | 'LEADING' } }): Out<T>[] {
    const out: Out<T>[] = o.send.map(({ to, msg }) => ({ to, msg: { t: 'vote', n: msg } }))
    if (o.decided) out.push(...this.decided(o.decided.leader))
    return out
  }

  private decided(leader: number): Out<T>[] {
    this.leader = leader
    this.heard.clear()
    if (leader === this.id) {
      this.role = 'LEADING'
      this.leaderSince = this.now
      this.disc = new LeaderDiscovery(this.id, this.quorum, this.acceptedEpoch, this.lastZxid, this.currentEpoch)
      return []
    }
    this.role = 'FOLLOWING'
    this.joining = 'discovery'
    this.fdisc = new FollowerDiscovery(this.acceptedEpoch, this.currentEpoch, this.lastZxid)
    this.heard.set(leader, this.now)
    return [{ to: leader, msg: { t: 'followerinfo', acceptedEpoch: this.acceptedEpoch } }]
  }

  /** Submit a value (leader only): returns its zxid, or undefined when not serving. */
  submit(value: T): { zxid: bigint; ready: Ready<T> } | undefined {
    if (!this.serving || !this.lb) return undefined
    const zxid = this.lb.propose(value)
    this.changes.push({ op: 'append', entry: { zxid, value } })
    const out: Out<T>[] = [...this.synced].map((to) => ({ to, msg: { t: 'proposal', entry: { zxid, value } } }))
    // A lone leader of a one-voter ensemble commits at once.
    for (const c of this.lb.ack(this.id, zxid)) out.push(...this.commitAsLeader(c))
    return { zxid, ready: this.collect(out) }
  }

  private commitAsLeader(c: Entry<T>): Out<T>[] {
    this.committed.push(c)
    return [...this.synced].map((to) => ({ to, msg: { t: 'commit', zxid: c.zxid } }))
  }

  step(from: number, msg: Msg<T>): Ready<T> {
    return this.collect(this.handle(from, msg))
  }

  private handle(from: number, msg: Msg<T>): Out<T>[] {
    // Election traffic is no sign that a leader still leads or a follower still follows (a leader
    // that stepped down keeps sending votes; its followers must notice the silence).
    if (msg.t !== 'vote') this.heard.set(from, this.now)
    if (msg.t === 'vote') {
      const o = this.election.step(msg.n)
      return this.role === 'LOOKING' ? this.votes(o) : o.send.map(({ to, msg: n }) => ({ to, msg: { t: 'vote', n } }))
    }
    return this.role === 'LEADING' ? this.leaderStep(from, msg) : this.role === 'FOLLOWING' && from === this.leader ? this.followerStep(msg) : []
  }

  private leaderStep(from: number, msg: Msg<T>): Out<T>[] {
    const disc = this.disc!
    switch (msg.t) {
      case 'followerinfo': {
        const epoch = disc.followerInfo(from, msg.acceptedEpoch)
        this.announced.add(from)
        if (epoch === undefined) return []
        if (this.acceptedEpoch < epoch) this.acceptedEpoch = epoch
        // Everyone who reported so far hears the new epoch once; a follower that reports again
        // (it reconnected) hears it again.
        const to = new Set([...this.announced].filter((f) => f !== this.id && !this.leaderInfoSent.has(f)))
        to.add(from)
        for (const f of to) this.leaderInfoSent.add(f)
        return [...to].map((t) => ({ to: t, msg: { t: 'leaderinfo', epoch } as Msg<T> }))
      }
      case 'ackepoch': {
        // A promise made to an earlier round of ours (links outlive our rounds): this round has
        // proposed no epoch yet, so there is nothing it could promise.
        if (disc.newEpoch === undefined) return []
        // Once established, a follower that comes back is synced; comparing it with the summary we
        // started the epoch with would make us abdicate because it followed us meanwhile.
        const r = this.active ? 'established' : disc.ackEpoch(from, msg.currentEpoch, msg.lastZxid)
        if (r === 'abandon') return this.restart()
        const epoch = disc.newEpoch
        if (!this.lb) {
          // The new epoch continues from the leader's whole history (what it logged, committed or
          // not); that history becomes committed only once a quorum has synced to it (NEWLEADER).
          this.lb = new LeaderBroadcast<T>(this.id, this.quorum, epoch, this.lastZxid)
          this.currentEpoch = epoch
          this.newLeaderAcks.add(this.id)
        }
        const history = [...this.committed, ...this.pendingLog]
        // The log window starts at the base: a follower exactly there needs only what follows.
        const window = this.base ? [this.base.zxid, ...history.map((e) => e.zxid)] : history.map((e) => e.zxid)
        const plan = planSync({ lastZxid: this.lastZxid, log: window }, msg.lastZxid)
        const after = (z: bigint) => history.filter((e) => e.zxid > z)
        // Proposals in flight go along as proposals: the follower logs them but commits them only
        // when the leader does.
        const outstanding = this.active ? this.lb.pending() : []
        const sync: Msg<T> =
          plan.kind === 'SNAP'
            ? this.base
              ? { t: 'sync', epoch, snapshot: this.base, diff: history, outstanding }
              : { t: 'sync', epoch, truncate: 0n, diff: history, outstanding } // the whole history is the snapshot
            : plan.kind === 'TRUNC'
              ? { t: 'sync', epoch, truncate: plan.to, diff: after(plan.to), outstanding }
              : { t: 'sync', epoch, diff: after(plan.from), outstanding }
        this.synced.add(from)
        return [{ to: from, msg: sync }]
      }
      case 'acknewleader': {
        this.newLeaderAcks.add(from)
        if (!this.active && this.quorum.contains(this.newLeaderAcks)) {
          this.active = true
          // A quorum holds the history now: it is committed, and followers are told UPTODATE.
          this.committed.push(...this.pendingLog)
          this.pendingLog = []
          return [...this.newLeaderAcks].filter((x) => x !== this.id).map((to) => ({ to, msg: { t: 'uptodate' } as Msg<T> }))
        }
        return this.active ? [{ to: from, msg: { t: 'uptodate' } }] : []
      }
      case 'ack':
        return (this.lb?.ack(from, msg.zxid) ?? []).flatMap((c) => this.commitAsLeader(c))
      default:
        return []
    }
  }

  private followerStep(msg: Msg<T>): Out<T>[] {
    const leader = this.leader!
    switch (msg.t) {
      case 'leaderinfo': {
        if (this.joining !== 'discovery') return []
        this.joining = 'sync'
        const r = this.fdisc!.leaderInfo(msg.epoch)
        if ('refuse' in r) return this.restart()
        this.acceptedEpoch = this.fdisc!.acceptedEpoch
        return [{ to: leader, msg: { t: 'ackepoch', currentEpoch: r.ack.currentEpoch, lastZxid: this.lastZxid } }]
      }
      case 'sync': {
        if (this.joining !== 'sync') return []
        this.joining = 'broadcast'
        // The leader's history goes into our log; it is committed at UPTODATE.
        let log = [...this.committed, ...this.pendingLog]
        if (msg.snapshot) {
          // The leader's snapshot replaces everything we had.
          log = []
          this.committed = []
          this.handedOut = 0
          this.base = msg.snapshot
          this.snapshotsInstalled++
          this.reloadWith = { base: msg.snapshot }
        }
        if (msg.truncate !== undefined) log = log.filter((e) => e.zxid <= msg.truncate!)
        const last = log[log.length - 1]?.zxid ?? this.base?.zxid ?? 0n
        log.push(...msg.diff.filter((e) => e.zxid > last))
        const synced = log[log.length - 1]?.zxid ?? this.base?.zxid ?? 0n
        log.push(...msg.outstanding.filter((e) => e.zxid > synced))
        let keep = 0
        while (keep < this.committed.length && log[keep]?.zxid === this.committed[keep]!.zxid) keep++
        if (keep < this.handedOut) {
          // Cannot happen in Zab (committed entries are never replaced); start over rather than diverge.
          this.reloadWith = this.base ? { base: this.base } : {}
          this.handedOut = 0
        }
        this.committed = this.committed.slice(0, keep)
        this.pendingLog = log.slice(keep)
        this.changes.push({ op: 'reset', entries: log, ...(msg.snapshot ? { base: msg.snapshot } : {}) })
        this.currentEpoch = msg.epoch
        this.fdisc!.newLeader(msg.epoch)
        this.fb = new FollowerBroadcast<T>(this.lastZxid, synced)
        return [
          ...msg.outstanding.map((e): Out<T> => ({ to: leader, msg: { t: 'ack', zxid: e.zxid } })),
          { to: leader, msg: { t: 'acknewleader' } },
        ]
      }
      case 'uptodate': {
        this.upToDate = true
        this.committed.push(...this.pendingLog.filter((e) => e.zxid <= (this.fb?.lastCommitted ?? 0n)))
        this.pendingLog = this.pendingLog.filter((e) => e.zxid > (this.fb?.lastCommitted ?? 0n))
        return []
      }
      case 'proposal': {
        if (!this.fb) return []
        const r = this.fb.propose(msg.entry.zxid, msg.entry.value)
        if (r === 'gap') return this.restart() // lost our place: resync through a new election round
        if (r === 'ack') {
          this.pendingLog.push(msg.entry)
          this.changes.push({ op: 'append', entry: msg.entry })
        }
        return [{ to: leader, msg: { t: 'ack', zxid: msg.entry.zxid } }]
      }
      case 'commit': {
        if (!this.fb) return []
        // Everything logged up to the committed zxid is committed, synced history included: the
        // leader commits in zxid order.
        this.fb.commit(msg.zxid)
        const upto = this.pendingLog.findIndex((e) => e.zxid > msg.zxid)
        const done = upto < 0 ? this.pendingLog : this.pendingLog.slice(0, upto)
        this.committed.push(...done)
        this.pendingLog = this.pendingLog.slice(done.length)
        return []
      }
      case 'ping':
        return [{ to: leader, msg: { t: 'pong' } }]
      default:
        return []
    }
  }

  /** Time passes: pings, failure detection, election retries. */
  tick(): Ready<T> {
    return this.collect(this.elapse())
  }

  private elapse(): Out<T>[] {
    this.now++
    if (this.role === 'LOOKING') return this.votes(this.election.tick())
    if (this.role === 'FOLLOWING') {
      if (this.now - (this.heard.get(this.leader!) ?? 0) > this.silence) return this.restart()
      // The leader may have been still looking when our first report arrived: report again.
      if (this.joining === 'discovery') return [{ to: this.leader!, msg: { t: 'followerinfo', acceptedEpoch: this.acceptedEpoch } }]
      return []
    }
    // Leading: ping everyone synced; step down without a quorum that answers.
    const alive = [this.id, ...[...this.synced].filter((f) => this.now - (this.heard.get(f) ?? -Infinity) <= this.silence)]
    if (this.now - this.leaderSince > this.silence && !this.quorum.contains(alive)) return this.restart()
    return [...this.synced].map((to) => ({ to, msg: { t: 'ping' } }))
  }
}

