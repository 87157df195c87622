// The quorum side of a server: it runs the Zab peer over TCP links, makes the peer's log and epochs
// durable before anything it promised goes out, applies committed transactions to the server's tree
// in zxid order, and routes writes: a follower forwards them to the leader; the leader prepares them
// against its view of every decided change (committed or not), proposes them, and each server answers
// its own clients when the txn commits. Sessions are global: created and closed by txns, kept alive
// by touches the followers send the leader, expired by the leader alone.
import { EventEmitter } from 'node:events'
import { Reader } from '../jute/reader.js'
import { Writer } from '../jute/writer.js'
import { logger } from '../debug.js'
import { DataTree } from './datatree.js'
import { decodeTxn, encodeTxn } from './txn-codec.js'
import { encodeSnapshotInSteps, loadSnapshot } from './txnlog.js'
import { Peer } from './zab/peer.js'
import type { Base, Out } from './zab/messages.js'
import type { Ready, RoleState } from './zab/ready.js'
import { PeerLinks, type PeerAddress, type PeerPorts, type PeerTls } from './peer-links.js'
import type { QuorumStore } from './peer-storage.js'
import type { Forwarded, WireMsg } from './peer-wire.js'
import type { Commit, CommitHost, Prepared } from './commit.js'
import { nextTurn, turnSpent } from './turn.js'

const log = logger('quorum')
/** The least time a link gets to authenticate, however short the tick. */
const MIN_AUTH_TIMEOUT_MS = 250

export interface QuorumConfig {
  /** This server's id (1-based). */
  id: number
  /** Ids of every voter, this one included. */
  voters: number[]
  /** The voters' election and learner ports (may be filled in before start()). */
  peers: Map<number, PeerAddress>
  /** Where the peer's log and epochs survive a crash. */
  store: QuorumStore
  /** The ensemble's shared secret: peers authenticate their links with it (peer-auth.ts). */
  secret: Buffer
  /** Mutual TLS on every peer link (ZooKeeper's sslQuorum), under the secret's handshake. */
  tls?: PeerTls
  /** Zab's tick, ms (default 50): pings, failure detection, election retries. */
  tickMs?: number
  /** Ticks without hearing from the other side before giving up on it (default 10). */
  silenceTicks?: number
  /** Snapshot the tree and drop the log it covers after half to all of this many applied txns, rolled per snapshot (default 10000). */
  snapshotEvery?: number
}

export type QuorumMode = 'leader' | 'follower' | 'looking'

/** A snapshot is encoded this many nodes at a step, and for about this long a turn. */
const SNAPSHOT_NODES_PER_STEP = 1000
const SNAPSHOT_SLICE_MS = 5

interface SyncWaiter {
  zxid: bigint
  to: number
  sessionId: bigint
  cxid: number
}

/** The quorum's commit stage: a txn is applied once a majority has logged it. */
export class QuorumPeer extends EventEmitter implements Commit {
  readonly peer: Peer<Buffer>
  readonly links: PeerLinks
  mode: QuorumMode = 'looking'
  /** Leader: the tree with every proposed change applied (what new requests are prepared against). */
  view: DataTree | undefined
  /** Entries applied since the base, and the last of them (a snapshot may be taken there). */
  private applied = 0
  private lastAppliedZxid = 0n
  private sinceSnapshot = 0
  /** Applied txns the next snapshot waits for: see nextSnapshotAfter(). */
  private snapshotAfter: number
  /** When the snapshot the store is about to write was begun. */
  private snapshotStarted: number | undefined
  /** A snapshot is being encoded, a slice a turn. */
  private snapshotting = false
  /** Moves whenever the state starts over from a snapshot: one begun before no longer fits the log. */
  private generation = 0
  private lastProposed = 0n
  /** What the peer asked for while an earlier Ready was still being carried out. */
  private readies: Ready<Buffer>[] = []
  /** Messages waiting for the store's group commit (they carry promises about what was logged). */
  private held: Out<Buffer>[] = []
  private flushScheduled = false
  private driving = false
  private timer: NodeJS.Timeout | undefined
  private readonly touchedIds = new Set<bigint>()
  /** What the peers sent (messages, links going down) that waits for a turn with budget left, in order. */
  private inbox: ({ from: number; m: WireMsg } | { down: number })[] = []
  private syncWaiters: SyncWaiter[] = []
  private readonly w = new Writer(1024)
  private started = false
  private frozen = false
  private closed = false

  constructor(
    private readonly host: CommitHost,
    readonly cfg: QuorumConfig,
  ) {
    super()
    this.snapshotAfter = this.nextSnapshotAfter()
    const silenceTicks = cfg.silenceTicks ?? 10
    this.peer = new Peer<Buffer>(
      cfg.id,
      [...cfg.voters].sort((a, b) => a - b),
      { silenceTicks },
    )
    this.links = new PeerLinks(
      cfg.id,
      cfg.peers,
      {
        message: (from, m) => this.receive({ from, m }),
        down: (p) => {
          if (!this.closed && !this.frozen) this.receive({ down: p })
        },
      },
      // A peer that has not proved itself within the time Zab gives a silent peer is not coming, and
      // a learner stops dialling a leader that will not take it by then too.
      { secret: cfg.secret, tls: cfg.tls, authTimeoutMs: Math.max(MIN_AUTH_TIMEOUT_MS, (cfg.tickMs ?? 50) * silenceTicks) },
    )
  }

  /**
   * Run one input from outside (a peer's message, a tick, a link going down). Whatever a peer sent,
   * a bug it trips in the core or here must not end the process (with an in-process ensemble that is
   * every server and the user's own code): say what failed and start the election over, which
   * rebuilds the role from the log and epochs.
   */
  private guarded(what: string, run: () => void): void {
    try {
      run()
    } catch (err) {
      log('peer %d: handling %s failed, looking for a leader again: %s', this.id, what, (err as Error).stack ?? err)
      this.readies = []
      this.emit('fault', err)
      try {
        this.drive(this.peer.start())
      } catch (again) {
        log('peer %d: restarting the election failed too: %s', this.id, (again as Error).stack ?? again)
      }
    }
  }

  /**
   * What a peer sent is handled now unless the turn's budget is spent or earlier input still waits:
   * a burst of forwarded writes to prepare, or of commits to apply, is taken a turn at a time, so
   * client work and the pings between them are never held up for the whole burst. The next tick
   * handles whatever still waits before it judges anyone's silence.
   */
  private receive(input: { from: number; m: WireMsg } | { down: number }): void {
    if (this.inbox.length === 0 && !turnSpent('peers')) return this.handle(input)
    this.inbox.push(input)
    nextTurn(this.handleWaiting)
  }

  private readonly handleWaiting = (): void => {
    while (this.inbox.length && !this.frozen && !this.closed && !turnSpent('peers')) this.handle(this.inbox.shift()!)
    if (this.inbox.length && !this.frozen && !this.closed) nextTurn(this.handleWaiting)
  }

  private handle(input: { from: number; m: WireMsg } | { down: number }): void {
    if ('down' in input) this.guarded(`peer ${input.down} going away`, () => this.drive(this.peer.disconnected(input.down)))
    else this.guarded(`a ${input.m.t} from peer ${input.from}`, () => this.message(input.from, input.m))
  }

  get id(): number {
    return this.cfg.id
  }

  /** Bind the election and learner ports (any free one for each left out) for this peer's life. */
  listen(ports?: Partial<PeerPorts>): Promise<PeerPorts> {
    return this.links.listen(ports)
  }

  /** Recover from the store and begin looking for a leader. */
  start(): void {
    if (this.started) return
    this.started = true
    const d = this.cfg.store.load()
    // The snapshot is committed state: the tree starts from it (clients are served only once synced).
    this.drive(this.peer.restore(d.log, d.acceptedEpoch, d.currentEpoch, d.base))
    log(
      'peer %d starts with %s and %d logged txns, epochs %d/%d',
      this.id,
      d.base ? `a snapshot at 0x${d.base.zxid.toString(16)}` : 'no snapshot',
      d.log.length,
      d.acceptedEpoch,
      d.currentEpoch,
    )
    this.drive(this.peer.start())
    this.startTimer()
  }

  private startTimer(): void {
    // A tick judges whether the others are still there, so it runs after the loop has read what they
    // sent, and after everything they sent has been handled: a peer that was busy (or stopped) does
    // not count its own silence, nor its own backlog, against theirs. Node runs an interval once, not
    // once per missed tick, after the loop was held up.
    this.timer = setInterval(
      () =>
        setImmediate(() => {
          while (this.inbox.length && !this.frozen && !this.closed) this.handle(this.inbox.shift()!)
          this.guarded('a tick', () => this.tick())
        }),
      this.cfg.tickMs ?? 50,
    )
    this.timer.unref()
  }

  private tick(): void {
    if (this.frozen || this.closed) return
    this.drive(this.peer.tick())
    if (this.mode === 'follower' && this.touchedIds.size && this.peer.leader !== undefined) {
      this.links.send(this.peer.leader, { t: 'touch', sessions: [...this.touchedIds] })
      this.touchedIds.clear()
    }
  }

  /** Freeze (as SIGSTOP): no ticks, nothing read. */
  pause(): void {
    this.frozen = true
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    this.links.pause()
  }

  resume(): void {
    if (!this.frozen) return
    this.frozen = false
    this.links.resume()
    if (this.started && !this.closed) this.startTimer()
    if (this.inbox.length) nextTurn(this.handleWaiting)
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.timer) clearInterval(this.timer)
    await this.links.close()
    this.cfg.store.close()
  }

  // ---- from the server ------------------------------------------------------------------------

  /** A local session did something: the leader hears of it at the next tick. */
  touched(sessionId: bigint): void {
    if (this.mode === 'follower') this.touchedIds.add(sessionId)
  }

  /** A write of a local session. */
  submit(req: Forwarded): void {
    if (this.mode === 'leader') this.leaderSubmit(req)
    else if (this.mode === 'follower' && this.peer.leader !== undefined) this.links.send(this.peer.leader, { t: 'request', req })
  }

  /** A sync of a local session: answered once this server has applied every write decided before it. */
  sync(sessionId: bigint, cxid: number): void {
    if (this.mode === 'leader') this.waitSync({ zxid: this.lastProposed, to: this.id, sessionId, cxid })
    else if (this.mode === 'follower' && this.peer.leader !== undefined)
      this.links.send(this.peer.leader, { t: 'syncreq', sessionId, cxid })
  }

  /** Leader: propose a decided txn (and apply it to the view at once). */
  propose({ hdr, txn }: Prepared): void {
    if (this.mode !== 'leader' || !this.view) return
    const w = this.w.reset()
    encodeTxn(w, { ...hdr, zxid: 0n }, txn)
    const r = this.peer.submit(w.toBuffer())
    if (!r) return
    this.host.proposed(w.length)
    this.view.applyTxn({ ...hdr, zxid: r.zxid }, txn)
    this.lastProposed = r.zxid
    this.drive(r.ready)
  }

  private leaderSubmit(req: Forwarded): void {
    if (!this.view) return
    this.propose(this.host.prepare(req, this.view))
  }

  private waitSync(w: SyncWaiter): void {
    this.syncWaiters.push(w)
    this.flushSyncs()
  }

  private flushSyncs(): void {
    if (!this.syncWaiters.length) return
    const done = this.host.tree.lastZxid
    const ready = this.syncWaiters.filter((w) => w.zxid <= done)
    if (!ready.length) return
    this.syncWaiters = this.syncWaiters.filter((w) => w.zxid > done)
    for (const w of ready) {
      if (w.to === this.id) this.host.synced(w.sessionId, w.cxid, done)
      else this.links.send(w.to, { t: 'syncdone', sessionId: w.sessionId, cxid: w.cxid })
    }
  }

  // ---- from other peers -----------------------------------------------------------------------

  private message(from: number, m: WireMsg): void {
    if (this.closed || this.frozen) return
    switch (m.t) {
      case 'request':
        if (this.mode === 'leader') this.leaderSubmit(m.req)
        return
      case 'touch':
        if (this.mode === 'leader') for (const s of m.sessions) this.host.tracker.touch(s, Date.now())
        return
      case 'syncreq':
        if (this.mode === 'leader') this.waitSync({ zxid: this.lastProposed, to: from, sessionId: m.sessionId, cxid: m.cxid })
        return
      case 'syncdone':
        if (this.mode === 'follower' && from === this.peer.leader) this.host.synced(m.sessionId, m.cxid, this.host.tree.lastZxid)
        return
      default:
        this.drive(this.peer.step(from, m))
    }
  }

  // ---- the loop -------------------------------------------------------------------------------

  /**
   * Carry out what the peer asked, in the contract's order: persist, send, reload, apply, role.
   * A Ready that appears meanwhile (a proposal made while applying) waits for the current one.
   */
  private drive(ready: Ready<Buffer>): void {
    this.readies.push(ready)
    if (this.driving) return
    this.driving = true
    try {
      for (let r = this.readies.shift(); r; r = this.readies.shift()) {
        // Zab's promises are made durable before the messages that carry them are sent.
        if (r.persist.log.length) this.cfg.store.write(r.persist.log)
        // Timed to the file written, as ZooKeeper's snapshottime is (serialisation and save).
        if (this.snapshotStarted !== undefined && r.persist.log.some((c) => c.op === 'compact')) {
          this.host.snapshotted(Math.round(performance.now() - this.snapshotStarted))
          this.snapshotStarted = undefined
        }
        if (r.persist.epochs) this.cfg.store.setEpochs(r.persist.epochs.acceptedEpoch, r.persist.epochs.currentEpoch)
        this.send(r.send)
        if (r.reload) this.rebuild(r.reload.base)
        this.applyCommitted(r.apply)
        if (r.role) this.roleChanged(r.role)
        this.flushSyncs()
      }
    } finally {
      this.driving = false
    }
  }

  private send(out: Out<Buffer>[]): void {
    if (this.cfg.store.unflushed || this.held.length) {
      // Group commit: everything logged in this turn of the event loop is synced once, then the
      // messages that depend on it go out, in order.
      this.held.push(...out)
      this.scheduleFlush()
    } else {
      for (const o of out) this.links.send(o.to, o.msg)
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(() => {
      this.flushScheduled = false
      if (this.closed) return
      this.cfg.store.flush()
      const held = this.held
      this.held = []
      this.guarded('sending what the group commit held', () => {
        for (const o of held) this.links.send(o.to, o.msg)
      })
    })
  }

  /** Start the server's state over from a snapshot (or empty). */
  private rebuild(base: Base<Buffer> | undefined): void {
    if (base) log('peer %d: state starts over from the snapshot at 0x%s', this.id, base.zxid.toString(16))
    this.generation++
    this.host.reset()
    if (base) {
      const sessions = new Map<bigint, number>()
      loadSnapshot(base.state, this.host.tree, sessions)
      for (const [id, timeout] of sessions) this.host.tracker.add(id, timeout, Date.now())
    }
    this.applied = 0
    this.lastAppliedZxid = base?.zxid ?? 0n
  }

  private applyCommitted(entries: readonly { zxid: bigint; value: Buffer }[]): void {
    for (const e of entries) {
      this.applied++
      this.lastAppliedZxid = e.zxid
      const { hdr, txn } = decodeTxn(new Reader(e.value))
      this.host.apply({ ...hdr, zxid: e.zxid }, txn)
      this.sinceSnapshot++
    }
    if (this.sinceSnapshot >= this.snapshotAfter && this.applied > 0) this.snapshot()
  }

  /**
   * Snapshot the applied state and let the log it covers go (from memory and from the store). The
   * tree is frozen, not copied: it goes on applying txns, saving each node before its first change,
   * while its view is encoded a slice per turn, so peers and clients are answered meanwhile
   * (ZooKeeper writes its snapshots from another thread).
   */
  private snapshot(): void {
    if (this.snapshotting) return
    this.snapshotting = true
    this.snapshotStarted = performance.now()
    const sessions = new Map([...this.host.tracker.sessions.values()].map((s) => [s.id, s.timeout]))
    const zxid = this.lastAppliedZxid
    const appliedBefore = this.applied
    const generation = this.generation
    const tree = this.host.tree
    const steps = encodeSnapshotInSteps(tree.freeze(), sessions, SNAPSHOT_NODES_PER_STEP)
    this.sinceSnapshot = 0
    this.snapshotAfter = this.nextSnapshotAfter()
    const slice = () => {
      if (this.closed || generation !== this.generation) {
        // No other snapshot starts while this one is under way, so the freeze is still this one's.
        tree.thaw()
        this.snapshotting = false
        this.snapshotStarted = undefined
        return
      }
      const until = performance.now() + SNAPSHOT_SLICE_MS
      for (let step = steps.next(); ; step = steps.next()) {
        if (step.done) {
          tree.thaw()
          return this.snapshotEncoded(zxid, step.value, appliedBefore)
        }
        if (performance.now() >= until) break
      }
      setImmediate(slice)
    }
    // Even the first slice waits a turn: every snapshot, small or large, takes the same path.
    setImmediate(slice)
  }

  /**
   * Between half of snapshotEvery and all of it, at random, as ZooKeeper rolls its snapCount: servers
   * that apply the same txns would otherwise all snapshot at once, and a write waits on the slowest.
   */
  private nextSnapshotAfter(): number {
    const every = this.cfg.snapshotEvery ?? 10_000
    return Math.ceil(every / 2) + Math.floor(Math.random() * Math.floor(every / 2 + 1))
  }

  private snapshotEncoded(zxid: bigint, state: Buffer, appliedBefore: number): void {
    this.snapshotting = false
    // Everything applied up to zxid is covered now; the store drops it when the peer's Ready is carried out.
    let ready: Ready<Buffer>
    try {
      ready = this.peer.compact(zxid, state)
    } catch (err) {
      // The log moved past it while it was encoded (a sync replaced the history); the next one will do.
      log('peer %d: snapshot at 0x%s dropped: %s', this.id, zxid.toString(16), (err as Error).message)
      this.snapshotStarted = undefined
      return
    }
    this.guarded('a finished snapshot', () => this.drive(ready))
    this.applied -= appliedBefore
    log('peer %d: snapshot at 0x%s', this.id, zxid.toString(16))
  }

  private roleChanged(r: RoleState): void {
    const mode: QuorumMode = r.ready ? (r.role === 'LEADING' ? 'leader' : 'follower') : 'looking'
    const was = this.mode
    this.mode = mode
    // From discovery on, a leader takes its learners; a learner keeps only the link to its leader.
    this.links.setLeader(r.leader)
    this.view = undefined
    this.syncWaiters = []
    this.touchedIds.clear()
    // A server whose leader changed drops its clients; they reconnect and resume their sessions.
    if (was !== 'looking') this.host.dropClients()
    if (mode === 'leader') {
      this.view = this.host.tree.clone()
      this.lastProposed = this.host.tree.lastZxid
      // Every session gets a full timeout from now under the new leader.
      const now = Date.now()
      for (const s of this.host.tracker.sessions.values()) {
        s.closing = false
        this.host.tracker.touch(s.id, now)
      }
    }
    log('peer %d: %s -> %s (epoch %d, leader %s)', this.id, was, mode, r.epoch, r.leader)
    this.emit('mode', mode)
  }
}
