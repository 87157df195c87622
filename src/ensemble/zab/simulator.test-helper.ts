// One seeded simulator for the Zab tests: N pure peers over a simulated network (per-link FIFO, as
// TCP; random interleaving across links, delays, lost votes, partitions, held links), ticks, crashes
// and restarts from what each peer persisted. It carries out every Ready in the contract's order
// (persist, then send, then reload and apply) and checks Zab's safety as it goes: one established
// leader per epoch, every peer's applied history a prefix of one common history.
import { Peer } from './peer.js'
import type { Base, Entry, Msg, Out } from './messages.js'
import type { Ready } from './ready.js'
import { applyLogChanges, type Durable } from './durable.js'
import { prng } from '../../testing/random-records.js'

export interface SimOptions {
  /** How many peers (ids 1..n). */
  peers: number
  seed?: number
  silenceTicks?: number
  /** Chance that an election notification is lost (votes ride no lasting connection). */
  voteLoss?: number
  /** Chance that a link's next message waits for the next round (a slow link). */
  delay?: number
  /** What each peer's disk holds at the start (default: nothing). */
  disks?: Record<number, Partial<Durable<string>>>
  /** Peers that are down at the start (restart() brings them up). */
  down?: number[]
  /** Keep every delivered message in `trace`. */
  trace?: boolean
  /**
   * Throw on a safety violation (default). Tests that inject hostile messages turn it off: a peer
   * trusting a forged message may well diverge; what they check is that nothing throws.
   */
  checkSafety?: boolean
  /** Sees every Ready before it is carried out. */
  onReady?: (id: number, r: Ready<string>) => void
  /** Called before each message is delivered (a test may inject messages of its own there). */
  onDeliver?: () => void
}

/** A delivered message. */
export interface Delivered {
  from: number
  to: number
  msg: Msg<string>
}

/** The simulated state machine's snapshot: the applied history itself, so a reload can be checked. */
export function snapshotOf(entries: readonly Entry<string>[]): string {
  return JSON.stringify(entries.map((e) => [e.zxid.toString(), e.value]))
}

function entriesOf(state: string): Entry<string>[] {
  return (JSON.parse(state) as [string, string][]).map(([z, value]) => ({ zxid: BigInt(z), value }))
}

const same = (a: Entry<string>, b: Entry<string> | undefined) => b !== undefined && a.zxid === b.zxid && a.value === b.value
const hex = (z: bigint) => `0x${z.toString(16)}`

export class ZabSim {
  readonly ids: number[]
  readonly rnd: () => number
  readonly peers = new Map<number, Peer<string>>()
  readonly disks = new Map<number, Durable<string>>()
  /** Each peer's applied history, from the beginning (a reload replaces it with the snapshot's). */
  readonly applied = new Map<number, Entry<string>[]>()
  readonly down = new Set<number>()
  readonly trace: Delivered[] = []
  /** The committed history: entry i is the first any peer applied at position i. */
  readonly history: Entry<string>[] = []
  /** Entries a leader applied that it had submitted itself (what its client was told). */
  readonly acknowledged: Entry<string>[] = []
  /** Leaders established per epoch. */
  readonly established = new Map<bigint, Set<number>>()
  private readonly links = new Map<string, Msg<string>[]>()
  private readonly held = new Set<string>()
  private group = new Map<number, number>()
  private readonly submitted = new Map<number, Set<bigint>>()
  /** How many entries each peer applied since its state was last loaded or snapshotted. */
  private readonly sinceBase = new Map<number, number>()
  private readonly opts: SimOptions

  constructor(opts: SimOptions) {
    this.opts = opts
    this.ids = Array.from({ length: opts.peers }, (_, i) => i + 1)
    this.rnd = prng(opts.seed ?? 1)
    for (const id of this.ids) {
      const d = opts.disks?.[id]
      this.disks.set(id, {
        log: [...(d?.log ?? [])],
        acceptedEpoch: d?.acceptedEpoch ?? 0n,
        currentEpoch: d?.currentEpoch ?? 0n,
        ...(d?.base ? { base: d.base } : {}),
      })
      this.down.add(id)
    }
    // Everyone up comes up at once, so no one's first votes are lost to a peer not yet running.
    const up = this.ids.filter((id) => !opts.down?.includes(id))
    for (const id of up) this.boot(id)
    for (const id of up) this.carryOut(id, this.peer(id).start())
  }

  peer(id: number): Peer<string> {
    return this.peers.get(id)!
  }

  /** The live peers that lead an established epoch. */
  serving(): Peer<string>[] {
    return this.ids.filter((id) => !this.down.has(id) && this.peer(id).serving).map((id) => this.peer(id))
  }

  /** The serving leader of the newest epoch, if any. */
  leader(): Peer<string> | undefined {
    return this.serving().sort((a, b) => Number(b.currentEpoch - a.currentEpoch))[0]
  }

  /** Values a peer applied, in order. */
  values(id: number): string[] {
    return this.applied.get(id)!.map((e) => e.value)
  }

  // ---- the host's side of the contract ---------------------------------------------------------

  private violation(what: string): void {
    if (this.opts.checkSafety !== false) throw new Error(`safety: ${what}`)
  }

  private carryOut(id: number, r: Ready<string>): void {
    this.opts.onReady?.(id, r)
    const disk = this.disks.get(id)!
    // Persist first: nothing in `send` may leave before what it promises is on disk.
    applyLogChanges(disk, r.persist.log)
    if (r.persist.epochs) Object.assign(disk, r.persist.epochs)
    for (const o of r.send) this.post(id, o)
    if (r.reload) this.reload(id, r.reload.base)
    for (const e of r.apply) this.apply(id, e)
    if (r.role?.ready && r.role.role === 'LEADING') {
      const leaders = this.established.get(r.role.epoch) ?? new Set<number>()
      leaders.add(id)
      this.established.set(r.role.epoch, leaders)
      if (leaders.size > 1) this.violation(`leaders ${[...leaders]} both established in epoch ${r.role.epoch}`)
    }
  }

  private reload(id: number, base: Base<string> | undefined): void {
    const entries = base ? entriesOf(base.state) : []
    entries.forEach((e, i) => {
      // A snapshot is committed state: what it holds beyond the history so far (a disk the run
      // started with) joins it.
      if (i === this.history.length) this.history.push(e)
      else if (!same(e, this.history[i])) this.violation(`peer ${id} reloaded a snapshot that disagrees with the history at ${i}`)
    })
    this.applied.set(id, entries)
    this.sinceBase.set(id, 0)
  }

  private apply(id: number, e: Entry<string>): void {
    const mine = this.applied.get(id)!
    const last = mine[mine.length - 1]
    if (last && e.zxid <= last.zxid) this.violation(`peer ${id} applied ${hex(e.zxid)} after ${hex(last.zxid)}`)
    const at = mine.length
    if (at === this.history.length) this.history.push(e)
    else if (!same(e, this.history[at]))
      this.violation(
        `peer ${id} applied ${hex(e.zxid)}=${e.value} at ${at} where the history has ${hex(this.history[at]!.zxid)}=${this.history[at]!.value}`,
      )
    mine.push(e)
    this.sinceBase.set(id, (this.sinceBase.get(id) ?? 0) + 1)
    if (this.submitted.get(id)?.delete(e.zxid)) this.acknowledged.push(e)
  }

  // ---- the network ----------------------------------------------------------------------------

  private key(from: number, to: number): string {
    return `${from}>${to}`
  }

  private reachable(from: number, to: number): boolean {
    // A message for an id outside the ensemble goes nowhere, as the host's links would have it.
    if (!this.peers.has(from) || !this.peers.has(to)) return false
    return !this.down.has(from) && !this.down.has(to) && (this.group.get(from) ?? 0) === (this.group.get(to) ?? 0)
  }

  private post(from: number, o: Out<string>): void {
    if (!this.reachable(from, o.to)) return
    const k = this.key(from, o.to)
    const q = this.links.get(k)
    if (q) q.push(o.msg)
    else this.links.set(k, [o.msg])
  }

  /** Deliver what is in flight, in a random order across links (FIFO on each), until quiet or every link waits. */
  deliver(max = 100_000): void {
    const waiting = new Set<string>()
    for (let n = 0; n < max; n++) {
      this.opts.onDeliver?.()
      const ready = [...this.links].filter(([k, q]) => q.length && !this.held.has(k) && !waiting.has(k))
      if (!ready.length) return
      const [k, q] = ready[Math.floor(this.rnd() * ready.length)]!
      if (this.opts.delay && this.rnd() < this.opts.delay) {
        waiting.add(k)
        continue
      }
      const msg = q.shift()!
      const [from, to] = k.split('>').map(Number) as [number, number]
      if (!this.reachable(from, to)) continue
      if (msg.t === 'vote' && this.opts.voteLoss && this.rnd() < this.opts.voteLoss) continue
      if (this.opts.trace) this.trace.push({ from, to, msg })
      this.carryOut(to, this.peer(to).step(from, msg))
    }
  }

  /** Hand `to` a message as if `from` had sent it now (a forged or corrupted one, say). */
  inject(from: number, to: number, msg: Msg<string>): void {
    if (this.down.has(to)) return
    if (this.opts.trace) this.trace.push({ from, to, msg })
    this.carryOut(to, this.peer(to).step(from, msg))
  }

  /** One tick of every live peer. */
  tick(): void {
    for (const id of this.ids) if (!this.down.has(id)) this.carryOut(id, this.peer(id).tick())
  }

  /** Deliver, then tick. */
  round(): void {
    this.deliver()
    this.tick()
  }

  /** Run rounds until `done` holds; returns whether it did within `max` rounds. */
  until(done: () => boolean, max = 100): boolean {
    for (let i = 0; i < max; i++) {
      if (done()) return true
      this.round()
    }
    return done()
  }

  /** Run rounds until a leader serves; returns it. */
  settle(max = 100): Peer<string> | undefined {
    this.until(() => this.leader() !== undefined, max)
    return this.leader()
  }

  /** Submit through the newest serving leader; returns the zxid, or undefined without one. */
  submit(value: string): bigint | undefined {
    const l = this.leader()
    const r = l?.submit(value)
    if (!l || !r) return undefined
    let mine = this.submitted.get(l.id)
    if (!mine) this.submitted.set(l.id, (mine = new Set()))
    mine.add(r.zxid)
    this.carryOut(l.id, r.ready)
    return r.zxid
  }

  // ---- faults ---------------------------------------------------------------------------------

  /** Drop both directions between a and b and tell each the connection broke. */
  private cut(a: number, b: number): void {
    this.links.delete(this.key(a, b))
    this.links.delete(this.key(b, a))
    if (!this.down.has(a)) this.carryOut(a, this.peer(a).disconnected(b))
    if (!this.down.has(b)) this.carryOut(b, this.peer(b).disconnected(a))
  }

  /** The peer dies: what it had not persisted is gone, and so is what was in flight to and from it. */
  crash(id: number): void {
    if (this.down.has(id)) return
    this.down.add(id)
    this.submitted.delete(id)
    for (const other of this.ids) if (other !== id) this.cut(id, other)
  }

  /** The peer starts again from its disk. */
  restart(id: number): void {
    if (!this.down.has(id)) this.crash(id)
    this.boot(id)
    this.carryOut(id, this.peer(id).start())
  }

  /** A new incarnation of the peer, restored from its disk but not started. */
  private boot(id: number): void {
    this.down.delete(id)
    const p = new Peer<string>(id, this.ids, this.opts.silenceTicks === undefined ? {} : { silenceTicks: this.opts.silenceTicks })
    this.peers.set(id, p)
    this.applied.set(id, [])
    const d = this.disks.get(id)!
    this.carryOut(id, p.restore([...d.log], d.acceptedEpoch, d.currentEpoch, d.base))
  }

  /** Split the peers into groups that cannot reach each other (peers in no group form one more). */
  partition(...groups: number[][]): void {
    this.group = new Map(groups.flatMap((g, i) => g.map((id) => [id, i + 1] as const)))
    for (const a of this.ids) for (const b of this.ids) if (a < b && (this.group.get(a) ?? 0) !== (this.group.get(b) ?? 0)) this.cut(a, b)
  }

  heal(): void {
    this.group.clear()
  }

  /** Hold back what `from` sends `to` (it stays queued, in order) until release(). */
  hold(from: number, to: number): void {
    this.held.add(this.key(from, to))
  }

  release(from: number, to: number): void {
    this.held.delete(this.key(from, to))
  }

  /**
   * Snapshot a peer's state at `zxid` (default: the last it applied, as the host does) and let the
   * peer compact its log; nothing to do unless it applied something since its last snapshot.
   */
  compact(id: number, zxid?: bigint): void {
    const mine = this.applied.get(id)!
    const at = zxid ?? mine[mine.length - 1]?.zxid
    if (at === undefined || !this.sinceBase.get(id)) return
    this.carryOut(id, this.peer(id).compact(at, snapshotOf(mine.filter((e) => e.zxid <= at))))
    this.sinceBase.set(id, 0)
  }

  /** Whether every live peer applied the whole history (and serves). */
  converged(): boolean {
    return this.ids.every((id) => this.down.has(id) || (this.peer(id).ready && this.applied.get(id)!.length === this.history.length))
  }
}
