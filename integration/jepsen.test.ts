// Jepsen-style runs against the bundled ensemble: several clients write, compare-and-set and read a
// few znodes while a seeded nemesis kills, cuts off, freezes and slows down servers (the leader too).
// Every operation goes into a History; afterwards every fault is undone, the final values are read,
// and the history is checked with src/testing/history.ts:
//   - linearizability of each key as a CAS register (writes, CAS and quorum-confirmed reads),
//   - session order (read-your-writes, monotonic reads), local reads included,
//   - no acknowledged write lost, and every server converges on the same data,
//   - progress: many operations acknowledged; after each fault is undone a write goes through; once
//     all is healed every server takes writes.
// A last subtest pins down, without timing, two ways in which the ensemble must not lose its leader.
//
// What ZooKeeper promises, and so what is checked: writes (setData, and setData with a version, a
// CAS) are linearizable; a plain getData is answered by the server the client is connected to and may
// be stale (sequential consistency only: it must respect the session's order, not real time). Even
// sync + getData is not linearizable in ZooKeeper: a leader that lost its quorum without noticing yet
// answers sync at once (ZOOKEEPER-1675). So a read counted for linearizability is *confirmed*: getData,
// then a transaction with only check(path, version) — a quorum write that commits only if the version
// (hence the value: versions of a never-deleted node name one value each) is still current, so the
// value held at a moment between the read's invocation and its completion. Plain reads (and the read
// half of each CAS) go only into the session-order check. For that check, "newer" means later in
// commit order: acknowledged writes are ranked by the zxid their reply's Stat carries (acknowledgement
// order can differ from commit order when a follower lags, and is not what a session must respect).
//
// Indeterminate outcomes (connection loss, per-call timeout, session expiry) are recorded as unknown:
// the op may or may not have taken effect. BadVersion is a CAS that definitely did not happen.
//
// Reproduce or explore: JEPSEN_SEED=<n> npx tap integration/jepsen.test.ts (each run prints its seed
// and its fault schedule; JEPSEN_FAULT_MS=<ms> runs longer or shorter); DEBUG=zookit:jepsen,zookit:quorum
// interleaves the nemesis' steps with the peers' role changes.
import t from 'tap'
import type { Test } from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { startEnsemble, type Ensemble } from '../src/ensemble/index.js'
import { BadVersionError, ConnectionLossError, OperationTimeoutError, SessionExpiredError, ZooKeeper, type Stat, type StatFields } from '../src/index.js'
import { History, checkLinearizable, checkNoLostWrites, checkSessionOrder, type Recorded, type RegisterOp } from '../src/testing/history.js'
import { prng } from '../src/testing/random-records.js'
import { logger } from '../src/debug.js'

/** DEBUG=zookit:jepsen prints the nemesis' steps as they happen, between the peers' own lines. */
const log = logger('jepsen')

/** ZooKeeper's tickTime of the servers, ms: sessions may last 2 to 20 ticks. */
const TICK_TIME = 250
const SESSION_TIMEOUT = 4000
/** Per-call timeout: an op gets no longer than this before it counts as indeterminate. */
const OP_TIMEOUT = 1000
/** How long a client may take to (re)connect before its worker tries again. */
const CONNECT_TIMEOUT = 1500
/** Bound on recovery (a write going through) after a fault is undone; elections take well under 1 s. */
const RECOVERY_MS = 8000
/** Think time of a client between two ops (paces the history so the checker stays fast). */
const THINK_MS = [5, 30] as const
const INITIAL = 'init'
const call = { timeout: OP_TIMEOUT }

const envInt = (name: string): number | undefined => {
  const v = process.env[name]
  if (v === undefined || v === '') return undefined
  if (!/^-?\d+$/.test(v)) throw new Error(`${name} must be an integer, got ${v}`)
  return Number(v)
}
const baseSeed = envInt('JEPSEN_SEED')
const faultMsOverride = envInt('JEPSEN_FAULT_MS')

/**
 * What the nemesis does to its victims (a minority; the leader first for the -leader kinds, never the
 * leader for the -from-leader kinds) until it undoes it: crash then restart (the log survives); cut
 * off from the other peers (clients still reach them); freeze as SIGSTOP; lose what the leader sends
 * them (one way); delay what the leader sends them (they lag behind).
 */
type FaultKind = 'kill' | 'kill-leader' | 'partition' | 'partition-leader' | 'pause' | 'pause-leader' | 'drop-from-leader' | 'slow-from-leader'
const FAULTS: FaultKind[] = ['kill', 'kill-leader', 'partition', 'partition-leader', 'pause', 'pause-leader', 'drop-from-leader', 'slow-from-leader']

interface RunOptions {
  size: 3 | 5
  seed: number
  /** How long the nemesis injects faults, ms. */
  faultMs: number
  keys: string[]
  /** One worker per entry: 'all' connects to every server, a number to that server alone. */
  clients: ('all' | number)[]
  /** Where the peers keep their logs: in memory (survives kill and restart), or files in a temporary directory. */
  store: 'memory' | 'files'
  /** Peers snapshot their state and drop the log it covers every this many txns (so SNAP syncs happen). */
  snapshotEvery: number
}

/** One timestamped event of the run, for failure reports. */
interface LogLine {
  ms: number
  /** The History's logical clock when it happened (compare with ops' start/end). */
  clock: number
  what: string
}

type Completion = ReturnType<History['invoke']>

/** Everything a run records. */
class Run {
  readonly h = new History()
  /** Local reads: checked for session order only. */
  readonly plain = new Set<Recorded>()
  /** Stat returned for each acknowledged write or CAS. */
  readonly stats = new Map<Recorded, Stat>()
  /** What each History session was (worker, servers). */
  readonly sessions = new Map<number, string>()
  readonly log: LogLine[] = []
  /** Liveness problems (no recovery after a fault, a hung worker, a server that never serves again). */
  readonly problems: string[] = []
  /** Errors other than the expected indeterminate ones and BadVersion, by message. */
  readonly oddErrors = new Map<string, number>()
  readonly clients = new Set<ZooKeeper>()
  readonly t0 = Date.now()
  stopping = false
  private nextSession = 0

  newSession(what: string): number {
    const s = ++this.nextSession
    this.sessions.set(s, what)
    return s
  }

  /** The History's logical clock now (its largest stamp). */
  clock(): number {
    let c = 0
    for (const o of this.h.ops) c = Math.max(c, o.start, o.end ?? 0)
    return c
  }

  note(what: string): void {
    this.log.push({ ms: Date.now() - this.t0, clock: this.clock(), what })
    log('%s', what)
  }

  /** Invoke an op; returns its completion handle and its record. */
  invoke(key: string, session: number, op: RegisterOp): { done: Completion; rec: Recorded } {
    const done = this.h.invoke(key, session, op)
    return { done, rec: this.h.ops[this.h.ops.length - 1]! }
  }

  /** Settle an op that threw: BadVersion on a CAS is a definite failure, anything else indeterminate. */
  failed(done: Completion, err: unknown, definite = false): void {
    if (definite) done.fail()
    else done.unknown()
    const expected = err instanceof BadVersionError || err instanceof ConnectionLossError || err instanceof OperationTimeoutError || err instanceof SessionExpiredError
    if (!expected) {
      const name = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
      this.oddErrors.set(name, (this.oddErrors.get(name) ?? 0) + 1)
    }
  }

  /** A client of this run, closed at the end whatever happens. */
  async connect(cs: string, initialConnectTimeout = CONNECT_TIMEOUT): Promise<ZooKeeper> {
    const zk = await ZooKeeper.connect(cs, { sessionTimeout: SESSION_TIMEOUT, initialConnectTimeout })
    this.clients.add(zk)
    return zk
  }

  async release(zk: ZooKeeper): Promise<void> {
    this.clients.delete(zk)
    await zk.close().catch(() => {})
  }
}

const terminal = (zk: ZooKeeper) => zk.state === 'expired' || zk.state === 'closed' || zk.state === 'authFailed'

/** One random op of a worker. */
async function step(run: Run, zk: ZooKeeper, session: number, keys: string[], rnd: () => number, tag: string): Promise<void> {
  const key = keys[Math.floor(rnd() * keys.length)]!
  const dice = rnd()
  if (dice < 0.3) {
    // Blind write.
    const value = `w${tag}`
    const { done, rec } = run.invoke(key, session, { kind: 'write', value })
    try {
      const stat = await zk.setData(key, value, { ...call, version: -1 })
      done.ok()
      run.stats.set(rec, stat)
    } catch (err) {
      run.failed(done, err)
    }
  } else if (dice < 0.55) {
    // CAS: read (locally, maybe stale), then write if the version is still the one read.
    const read = run.invoke(key, session, { kind: 'read', value: null })
    run.plain.add(read.rec)
    let got: { data: Buffer; stat: Stat }
    try {
      got = await zk.getData(key, call)
      read.done.ok(got.data.toString())
    } catch (err) {
      run.failed(read.done, err)
      return
    }
    const value = `c${tag}`
    const { done, rec } = run.invoke(key, session, { kind: 'cas', expected: got.data.toString(), value })
    try {
      const stat = await zk.setData(key, value, { ...call, version: got.stat.version })
      done.ok()
      run.stats.set(rec, stat)
    } catch (err) {
      run.failed(done, err, err instanceof BadVersionError)
    }
  } else if (dice < 0.8) {
    // Confirmed read: the value read is proved current by a committed version check.
    const { done } = run.invoke(key, session, { kind: 'read', value: null })
    try {
      const got = await zk.getData(key, call)
      await zk.transaction().check(key, got.stat.version).commit(call)
      done.ok(got.data.toString())
    } catch (err) {
      // A failed check proves nothing either way: the read is simply inconclusive.
      run.failed(done, err)
    }
  } else {
    // Plain local read: only the session's order constrains it.
    const { done, rec } = run.invoke(key, session, { kind: 'read', value: null })
    run.plain.add(rec)
    try {
      const got = await zk.getData(key, call)
      done.ok(got.data.toString())
    } catch (err) {
      run.failed(done, err)
    }
  }
}

/** A client process: (re)connects as needed (a new session after expiry) and does random ops until the run stops. */
async function worker(run: Run, ens: Ensemble, id: number, target: 'all' | number, keys: string[], rnd: () => number): Promise<void> {
  const cs = target === 'all' ? ens.connectString : ens.connectStringOf(target)
  const where = target === 'all' ? 'all servers' : `server ${target}`
  let zk: ZooKeeper | undefined
  let session = 0
  let n = 0
  try {
    while (!run.stopping) {
      if (!zk || terminal(zk)) {
        if (zk) void run.release(zk)
        zk = undefined
        try {
          zk = await run.connect(cs)
        } catch {
          // No server of ours serves right now (killed, cut off, electing): try again shortly.
          await sleep(50 + rnd() * 100)
          continue
        }
        session = run.newSession(`worker ${id} on ${where}, session 0x${zk.sessionId.toString(16)}`)
        continue
      }
      if (zk.state !== 'connected') {
        // Do not invoke ops that would only wait for a connection (and count as indeterminate).
        await zk.waitForConnected({ timeout: 300 }).catch(() => {})
        continue
      }
      await step(run, zk, session, keys, rnd, `${id}.${++n}`)
      await sleep(THINK_MS[0] + rnd() * (THINK_MS[1] - THINK_MS[0]))
    }
  } finally {
    if (zk) await run.release(zk)
  }
}

/** Retry `fn` on any error until `deadline`; the last error is thrown then. */
async function retrying<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await fn()
    } catch (err) {
      if (Date.now() > deadline) throw err
      await sleep(50)
    }
  }
}

/** Reject if `p` takes longer than `ms`. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)))])
  } finally {
    clearTimeout(timer)
  }
}

/** Each server's mode and whom its peer follows, for failure messages. */
const modes = (ens: Ensemble) =>
  ens.servers
    .map((s, i) => {
      if (ens.modes()[i] === 'down') return `${i}: down`
      const p = s.quorum!.peer
      return `${i}: ${s.mode}${p.leader === undefined ? '' : ` (${p.role.toLowerCase()} ${p.leader - 1}, epoch ${p.currentEpoch})`}`
    })
    .join('; ')

/**
 * Progress, measured by what counts: a write through the whole ensemble is acknowledged. (A server
 * in leader or follower mode is not proof: one that lost its leader without noticing still says so.)
 */
class Probe {
  private zk: ZooKeeper | undefined
  private n = 0

  constructor(private readonly run: Run, private readonly ens: Ensemble) {}

  /** Resolve with the ms a write took to go through, or reject at `deadline`. */
  async write(deadline: number): Promise<number> {
    const started = Date.now()
    await retrying(deadline, async () => {
      if (!this.zk || terminal(this.zk)) {
        if (this.zk) void this.run.release(this.zk)
        this.zk = undefined
        this.zk = await this.run.connect(this.ens.connectString)
      }
      await this.zk.setData('/progress', `probe ${++this.n}`, call)
    })
    return Date.now() - started
  }

  async close(): Promise<void> {
    if (this.zk) await this.run.release(this.zk)
    this.zk = undefined
  }
}

/** A random order of `k` of the `size` servers (always size - 1 draws, so the schedule depends on the seed alone). */
function victims(size: number, k: number, rnd: () => number): number[] {
  const order = Array.from({ length: size }, (_, i) => i)
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  return order.slice(0, k)
}

/** Fault state, so that everything can be undone at the end whatever happened. */
class Faults {
  readonly killed = new Set<number>()
  readonly paused = new Set<number>()
  /** A partition or a link fault is in place (heal() ends both). */
  cut = false

  constructor(private readonly ens: Ensemble, private readonly run: Run) {}

  async inject(kind: FaultKind, who: number[], leader: number | undefined, delayMs: number): Promise<void> {
    this.run.note(`${kind} ${who.join(',')}${kind === 'slow-from-leader' ? ` by ${Math.round(delayMs)} ms` : ''} (leader: ${leader ?? 'none'})`)
    if (kind === 'drop-from-leader' || kind === 'slow-from-leader') {
      if (leader === undefined) return
      this.cut = true
      for (const i of who) {
        if (kind === 'drop-from-leader') this.ens.dropLink(leader, i, true)
        else this.ens.delayLink(leader, i, delayMs)
      }
    } else if (kind === 'kill' || kind === 'kill-leader') {
      for (const i of who) this.killed.add(i)
      await Promise.all(who.map((i) => this.ens.kill(i)))
    } else if (kind === 'partition' || kind === 'partition-leader') {
      this.cut = true
      const rest = this.ens.servers.map((_, i) => i).filter((i) => !who.includes(i))
      this.ens.partition([who, rest])
    } else {
      for (const i of who) {
        this.paused.add(i)
        this.ens.pause(i)
      }
    }
  }

  /** Undo every fault in place. */
  async undo(): Promise<void> {
    const what: string[] = []
    if (this.cut) {
      this.ens.heal()
      this.cut = false
      what.push('heal')
    }
    for (const i of this.paused) {
      this.ens.resume(i)
      what.push(`resume ${i}`)
    }
    this.paused.clear()
    for (const i of this.killed) {
      await this.ens.restart(i)
      what.push(`restart ${i}`)
    }
    this.killed.clear()
    if (what.length) this.run.note(what.join(', '))
  }
}

/**
 * The nemesis: one fault at a time on at most a minority, undone after a while; then a write must go
 * through before the next fault. Runs until `until`, or until the ensemble does not recover.
 */
async function nemesis(run: Run, ens: Ensemble, faults: Faults, probe: Probe, rnd: () => number, until: number): Promise<void> {
  const size = ens.servers.length
  const minority = Math.floor((size - 1) / 2)
  while (Date.now() < until) {
    // Pace: a quiet spell between faults.
    await sleep(200 + rnd() * 500)
    const kind = FAULTS[Math.floor(rnd() * FAULTS.length)]!
    const k = 1 + Math.floor(rnd() * minority)
    const hold = 400 + rnd() * 1400
    const delayMs = 30 + rnd() * 270
    const order = victims(size, size, rnd)
    if (Date.now() >= until) break
    const leader = ens.leader()
    let who: number[]
    if (kind.endsWith('-from-leader')) who = order.filter((i) => i !== leader).slice(0, k)
    else if (kind.endsWith('-leader') && leader !== undefined) who = [leader, ...order.filter((i) => i !== leader)].slice(0, k)
    else who = order.slice(0, k)
    await faults.inject(kind, who.sort((a, b) => a - b), leader, delayMs)
    await sleep(hold)
    await faults.undo()
    try {
      const ms = await probe.write(Date.now() + RECOVERY_MS)
      run.note(`a write went through ${ms} ms later (leader: ${ens.leader() ?? 'none'})`)
    } catch (err) {
      run.problems.push(`no write went through within ${RECOVERY_MS} ms after undoing ${kind} ${who.join(',')} (${(err as Error).message}); modes: ${modes(ens)}`)
      return
    }
  }
}

const describe = (o: Recorded) => {
  const what = o.op.kind === 'write' ? `write ${o.op.value}` : o.op.kind === 'cas' ? `cas ${o.op.expected} -> ${o.op.value}` : `read ${String(o.op.value)}`
  const outcome = o.end === undefined ? 'unknown' : o.ok ? 'ok' : 'failed'
  return `[${o.start}..${o.end ?? '?'}] s${o.session} ${what} ${outcome}`
}

/**
 * Narrow a non-linearizable key down: the earliest completion after which no linearization exists
 * (ops still running then count as indeterminate), and the ops and faults just before it.
 */
function explainKey(run: Run, ops: Recorded[], key: string): string[] {
  const mine = ops.filter((o) => o.key === key)
  const ends = [...new Set(mine.filter((o) => o.end !== undefined).map((o) => o.end!))].sort((a, b) => a - b)
  const cut = (T: number) => mine.filter((o) => o.start <= T).map((o) => (o.end !== undefined && o.end > T ? { ...o, end: undefined, ok: false } : o))
  let lo = 0
  let hi = ends.length - 1
  if (hi < 0 || checkLinearizable(cut(ends[hi]!), INITIAL).ok) return [`key ${key}: could not narrow it down`]
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (checkLinearizable(cut(ends[mid]!), INITIAL).ok) lo = mid + 1
    else hi = mid
  }
  const T = ends[lo]!
  const culprit = mine.filter((o) => o.end === T)
  const from = Math.min(...culprit.map((o) => o.start))
  const window = mine.filter((o) => o.start <= T && (o.end === undefined || o.end >= from - 200)).slice(-40)
  const lines = [`key ${key}: linearizable up to clock ${T - 1}, not after the completion at ${T}: ${culprit.map(describe).join('; ')}`]
  lines.push('  ops of that key around it:', ...window.map((o) => `    ${describe(o)}`))
  lines.push('  faults up to then:', ...run.log.filter((l) => l.clock <= T + 5).slice(-8).map((l) => `    +${l.ms} ms (clock ${l.clock}): ${l.what}`))
  const sessions = new Set(window.map((o) => o.session))
  lines.push('  sessions:', ...[...sessions].map((s) => `    s${s}: ${run.sessions.get(s) ?? '?'}`))
  return lines
}

/** The history for the session-order check, acknowledged writes stamped in commit (zxid) order. */
function inCommitOrder(run: Run): Recorded[] {
  const acked = [...run.stats.keys()].sort((a, b) => (run.stats.get(a)!.mzxid < run.stats.get(b)!.mzxid ? -1 : 1))
  const rank = new Map(acked.map((o, i) => [o, i + 1]))
  return run.h.ops.map((o) => (rank.has(o) ? { ...o, end: rank.get(o)! } : o))
}

/** How many local reads returned a value older (in commit order) than a write acknowledged before they began. */
function staleReads(run: Run): number {
  const rank = new Map<string, number>()
  for (const [o, stat] of run.stats) rank.set(`${o.key}|${(o.op as { value: string }).value}`, Number(stat.mzxid))
  const acked = [...run.stats].map(([o, stat]) => ({ key: o.key, end: o.end!, zxid: Number(stat.mzxid) }))
  let stale = 0
  for (const r of run.plain) {
    if (r.end === undefined || r.op.kind !== 'read' || r.op.value === null) continue
    const seen = r.op.value === INITIAL ? 0 : rank.get(`${r.key}|${r.op.value}`)
    if (seen === undefined) continue
    if (acked.some((w) => w.key === r.key && w.end < r.start && w.zxid > seen)) stale++
  }
  return stale
}

/** Stats of acknowledged writes: one zxid per write, and versions rising with zxids on each key. */
function checkStats(run: Run): string[] {
  const problems: string[] = []
  const byZxid = new Map<bigint, Recorded>()
  for (const [o, s] of run.stats) {
    const other = byZxid.get(s.mzxid)
    if (other) problems.push(`two acknowledged writes report zxid 0x${s.mzxid.toString(16)}: ${describe(other)} and ${describe(o)}`)
    byZxid.set(s.mzxid, o)
  }
  const byKey = new Map<string, [Recorded, Stat][]>()
  for (const [o, s] of run.stats) byKey.set(o.key, [...(byKey.get(o.key) ?? []), [o, s]])
  for (const [key, list] of byKey) {
    list.sort((a, b) => (a[1].mzxid < b[1].mzxid ? -1 : 1))
    for (let i = 1; i < list.length; i++) {
      const [pa, sa] = list[i - 1]!
      const [pb, sb] = list[i]!
      if (sb.version <= sa.version) problems.push(`key ${key}: version ${sb.version} at zxid 0x${sb.mzxid.toString(16)} (${describe(pb)}) after version ${sa.version} at 0x${sa.mzxid.toString(16)} (${describe(pa)})`)
    }
  }
  return problems
}

/** After healing: read each key's final value (confirmed, and recorded as a read); every server must then agree and take a write. */
async function finalState(run: Run, ens: Ensemble, keys: string[], deadline: number): Promise<Map<string, StatFields & { value: string }>> {
  const finals = new Map<string, StatFields & { value: string }>()
  const reader = await retrying(deadline, () => run.connect(ens.connectString))
  const session = run.newSession('final reader')
  try {
    for (const key of keys) {
      const got = await retrying(deadline, async () => {
        const { done } = run.invoke(key, session, { kind: 'read', value: null })
        try {
          await reader.sync(key, call)
          const r = await reader.getData(key, call)
          await reader.transaction().check(key, r.stat.version).commit(call)
          done.ok(r.data.toString())
          return r
        } catch (err) {
          done.unknown()
          throw err
        }
      })
      finals.set(key, { ...got.stat, value: got.data.toString() })
    }
  } finally {
    await run.release(reader)
  }
  await Promise.all(
    ens.servers.map(async (_, i) => {
      let zk: ZooKeeper | undefined
      try {
        zk = await retrying(deadline, () => run.connect(ens.connectStringOf(i)))
        const server = zk
        await retrying(deadline, async () => {
          for (const key of keys) {
            await server.sync(key, call)
            const { data, stat } = await server.getData(key, call)
            const want = finals.get(key)!
            if (data.toString() !== want.value || stat.mzxid !== want.mzxid || stat.version !== want.version) {
              throw new Error(`server ${i} has ${key} = ${data.toString()} (version ${stat.version}, zxid 0x${stat.mzxid.toString(16)}), the ensemble ${want.value} (version ${want.version}, zxid 0x${want.mzxid.toString(16)})`)
            }
          }
        })
        await retrying(deadline, () => server.setData('/progress', `after healing, via server ${i}`, call))
      } catch (err) {
        run.problems.push(`server ${i} after healing: ${(err as Error).message}`)
      } finally {
        if (zk) await run.release(zk)
      }
    }),
  )
  return finals
}

async function jepsen(t: Test, opts: RunOptions): Promise<void> {
  if (faultMsOverride !== undefined) opts = { ...opts, faultMs: faultMsOverride }
  const { size, seed, keys } = opts
  t.comment(`seed ${seed}: ${size} servers (logs in ${opts.store}, a snapshot every ${opts.snapshotEvery} txns), ${opts.clients.length} clients, ${opts.faultMs} ms of faults (JEPSEN_SEED=${seed} to repeat)`)
  const run = new Run()
  // Files without fsync: a crash here is of the server, not of the machine, so what was written stays.
  const dataDir = opts.store === 'files' ? mkdtempSync(path.join(tmpdir(), 'zookit-jepsen-')) : undefined
  let ens: Ensemble | undefined
  t.teardown(async () => {
    run.stopping = true
    await Promise.allSettled([...run.clients].map((zk) => zk.close()))
    await ens?.stop()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })
  ens = await startEnsemble({ size, tickTime: TICK_TIME, snapshotEvery: opts.snapshotEvery, ...(dataDir ? { dataDir, fsync: false } : {}) })
  const faults = new Faults(ens, run)
  const probe = new Probe(run, ens)
  const admin = await run.connect(ens.connectString, 5000)
  for (const k of [...keys, '/progress']) await admin.create(k, INITIAL, { timeout: 5000 })
  await run.release(admin)

  // The run: workers and nemesis side by side.
  run.note('start')
  const workers = opts.clients.map((target, i) => worker(run, ens, i, target, keys, prng(seed * 1000 + i + 1)))
  try {
    await nemesis(run, ens, faults, probe, prng(seed), Date.now() + opts.faultMs)
  } finally {
    // Whatever happened, undo every fault and stop the workers.
    await faults.undo().catch((err: Error) => run.problems.push(`undoing the faults failed: ${err.message}`))
    run.stopping = true
    await within(Promise.all(workers), 4 * OP_TIMEOUT + 2 * CONNECT_TIMEOUT + 3000, 'every worker stops').catch((err: Error) => run.problems.push(`a worker hung: ${err.message}`))
  }
  run.note('workers stopped')
  const workerOps = run.h.ops.length

  // Healed: writes go through again, the final values are read, every server agrees and takes writes.
  const healed = Date.now()
  let finals: Map<string, StatFields & { value: string }> | undefined
  try {
    // Once the ensemble was seen not to recover, do not wait long for it again.
    const deadline = healed + (run.problems.length ? 2000 : RECOVERY_MS)
    await probe.write(deadline)
    await probe.close()
    finals = await finalState(run, ens, keys, deadline)
  } catch (err) {
    run.problems.push(`after healing everything, the ensemble did not serve within the deadline: ${(err as Error).message}; modes: ${modes(ens)}`)
  }
  run.note(`final checks done ${Date.now() - healed} ms after healing`)

  // Progress.
  const worked = run.h.ops.slice(0, workerOps)
  const acked = worked.filter((o) => o.end !== undefined && o.ok && o.op.kind !== 'read').length
  const completed = worked.filter((o) => o.end !== undefined).length
  const unknown = worked.filter((o) => o.end === undefined).length
  const refused = worked.filter((o) => o.end !== undefined && !o.ok).length
  t.comment(`${worked.length} ops: ${completed} completed (${acked} acknowledged writes/CAS, ${refused} CAS refused), ${unknown} indeterminate; ${run.sessions.size} sessions`)
  t.comment(`faults:\n${run.log.map((l) => `  +${l.ms} ms: ${l.what}`).join('\n')}`)
  if (run.oddErrors.size) t.comment(`unexpected errors (counted as indeterminate): ${[...run.oddErrors].map(([e, n]) => `${n}× ${e}`).join('; ')}`)
  if (run.problems.length) t.fail(`the ensemble did not always make progress (seed ${seed})`, { problems: run.problems })
  else t.pass('after each fault was undone a write went through; once healed, every server converged and took a write')
  t.ok(completed > 100 && acked > 50, `clients made progress through the faults (${completed} ops completed, ${acked} writes acknowledged)`)

  // Safety.
  const linOps = run.h.ops.filter((o) => !run.plain.has(o) && !(o.op.kind === 'read' && o.end === undefined))
  const checking = Date.now()
  const lin = checkLinearizable(linOps, INITIAL)
  t.comment(`linearizability of ${linOps.length} ops checked in ${Date.now() - checking} ms`)
  if (lin.ok) t.pass('every key is linearizable')
  else {
    const detail = lin.problems.flatMap((p) => {
      const key = /^key (\S+):/.exec(p)?.[1]
      return key ? explainKey(run, linOps, key) : []
    })
    t.fail(`not linearizable (seed ${seed})`, { problems: [...lin.problems, ...detail] })
  }
  t.comment(`${staleReads(run)} of ${run.plain.size} local reads were stale (older than a write acknowledged before they began), as ZooKeeper allows`)
  const order = checkSessionOrder(inCommitOrder(run))
  if (order.ok) t.pass('every session saw its own order (read-your-writes, monotonic reads)')
  else t.fail(`session order violated (seed ${seed})`, { problems: order.problems.slice(0, 30) })
  if (finals) {
    const lost = checkNoLostWrites(run.h.ops, new Map([...finals].map(([k, v]) => [k, v.value])))
    if (lost.ok) t.pass('no acknowledged write was lost')
    else t.fail(`acknowledged writes lost (seed ${seed})`, { problems: lost.problems })
  } else {
    t.comment('no final values: the lost-write check could not run')
  }
  t.same(checkStats(run), [], 'each acknowledged write has its own zxid; versions rise with zxids')

  // The checks can fail: this history with a lost write, a stale read or a session going back is rejected.
  const end = run.clock()
  const key = keys[0]!
  const committed = [...run.stats].filter(([o]) => o.key === key).sort((a, b) => (a[1].mzxid < b[1].mzxid ? -1 : 1))
  if (committed.length >= 2) {
    const at = (value: string, k: number): Recorded => ({ key, session: 0, op: { kind: 'read', value }, start: end + k, end: end + k + 1, ok: true })
    const [older, newer] = [committed[0]![0].op, committed[committed.length - 1]![0].op] as { value: string }[]
    t.notOk(checkNoLostWrites(run.h.ops, new Map([[key, INITIAL]])).ok, `${key}: a final value that forgets every write is caught`)
    t.notOk(checkLinearizable([...linOps.filter((o) => o.key === key), at(INITIAL, 1)], INITIAL).ok, `${key}: a read of the initial value after acknowledged writes is caught`)
    t.notOk(checkSessionOrder([...inCommitOrder(run), at(newer!.value, 3), at(older!.value, 5)]).ok, `${key}: a session going back to an older value is caught`)
  }
}

const seedFor = (n: number) => (baseSeed === undefined ? n : baseSeed + n - 1)

t.test('3 servers: kills, partitions, pauses and slow or lossy links, of the leader too', (t) =>
  jepsen(t, {
    size: 3,
    seed: seedFor(1),
    faultMs: 10_000,
    keys: ['/k0', '/k1', '/k2'],
    clients: ['all', 'all', 'all', 0, 1],
    store: 'memory',
    snapshotEvery: 100,
  }),
)

t.test('5 servers: up to two servers at a time killed, cut off, paused or behind slow or lossy links', (t) =>
  jepsen(t, {
    size: 5,
    seed: seedFor(2),
    faultMs: 8_000,
    keys: ['/k0', '/k1', '/k2'],
    clients: ['all', 'all', 'all', 0, 3],
    store: 'files',
    snapshotEvery: 150,
  }),
)

t.test('leadership is neither lost nor stuck for nothing', async (t) => {
  /** Bound on each wait below; every one of them takes well under a second when all is well. */
  const BOUND = 6000

  t.test('a follower that rejoins (after a partition, after a crash) does not depose the leader', async (t) => {
    // The leader keeps its majority throughout, so neither it nor the other follower has any reason
    // to change role while one follower leaves and comes back. (A generous silence bound keeps a slow
    // machine from causing elections of its own.)
    const ens = await startEnsemble({ size: 3, tickTime: TICK_TIME, peerSilenceTicks: 20 })
    t.teardown(() => ens.stop())
    const zk = await ZooKeeper.connect(ens.connectString, { sessionTimeout: SESSION_TIMEOUT, initialConnectTimeout: 5000 })
    t.teardown(() => zk.close())
    await zk.create('/rejoin', INITIAL, { timeout: 5000 })
    let n = 0
    const write = () => retrying(Date.now() + BOUND, () => zk.setData('/rejoin', `v${++n}`, call))
    for (const fault of ['partition', 'kill'] as const) {
      const leader = await ens.waitForLeader(BOUND)
      const [away, other] = [0, 1, 2].filter((i) => i !== leader) as [number, number]
      await ens.waitForMode(away, 'follower', BOUND)
      await ens.waitForMode(other, 'follower', BOUND)
      const changes: string[] = []
      const offs = [leader, other].map((i) => {
        const q = ens.servers[i]!.quorum!
        const on = (m: string) => changes.push(`server ${i} became ${m} (epoch ${q.peer.currentEpoch}, leader ${q.peer.leader === undefined ? 'none' : `server ${q.peer.leader - 1}`})`)
        q.on('mode', on)
        return () => q.off('mode', on)
      })
      const left = Date.now()
      if (fault === 'partition') {
        ens.partition([[away], [leader, other]])
        await ens.waitForMode(away, 'looking', BOUND)
      } else {
        await ens.kill(away)
      }
      await write()
      await write()
      const back = Date.now()
      if (fault === 'partition') ens.heal()
      else await ens.restart(away)
      await ens.waitForMode(away, 'follower', BOUND)
      const rejoined = Date.now() - back
      await write()
      offs.forEach((off) => off())
      t.same(changes, [], `${fault}: server ${away} missed two writes in ${back - left} ms away and rejoined in ${rejoined} ms; leader ${leader}, which kept its majority, kept leading and no other server changed role`)
    }
    await zk.sync('/rejoin', call)
    t.equal((await zk.getData('/rejoin', call)).data.toString(), `v${n}`, 'the last write is there')
  })

  t.test('once every fault is healed, 5 servers elect a leader, even after two leaders stepped down under their followers', async (t) => {
    // A leader that loses its quorum steps down; a follower that still hears from it must notice
    // that it no longer leads. Here: leader L and follower X are cut off from the other three, who
    // elect Y; then what Y's two followers send it is lost, so Y steps down too. Then every fault is
    // healed: five servers, all up, all connected, must elect a leader.
    const run = new Run()
    const ens = await startEnsemble({ size: 5, tickTime: TICK_TIME })
    t.teardown(async () => {
      await Promise.allSettled([...run.clients].map((zk) => zk.close()))
      await ens.stop()
    })
    const probe = new Probe(run, ens)
    const admin = await run.connect(ens.connectString, 5000)
    await admin.create('/progress', INITIAL, { timeout: 5000 })
    await run.release(admin)
    const L = await ens.waitForLeader(BOUND)
    const [X, ...rest] = [0, 1, 2, 3, 4].filter((i) => i !== L) as [number, ...number[]]
    for (const i of [X, ...rest]) await ens.waitForMode(i, 'follower', BOUND)
    await probe.write(Date.now() + BOUND)
    ens.partition([[L, X], rest])
    await ens.waitForMode(L, 'looking', BOUND)
    // L looks for a leader and X cannot win an election with L alone: the leader now is among the rest.
    const Y = await ens.waitForLeader(BOUND)
    const [P, Q] = rest.filter((i) => i !== Y) as [number, number]
    await ens.waitForMode(P, 'follower', BOUND)
    await ens.waitForMode(Q, 'follower', BOUND)
    await retrying(Date.now() + BOUND, async () => {
      const zk = await run.connect(ens.connectStringOf(Y))
      await zk.setData('/progress', 'while L and X are cut off', call).finally(() => run.release(zk))
    })
    ens.dropLink(P, Y, true)
    ens.dropLink(Q, Y, true)
    await ens.waitForMode(Y, 'looking', BOUND)
    const before = modes(ens)
    ens.heal()
    try {
      const ms = await probe.write(Date.now() + BOUND)
      t.pass(`a write went through ${ms} ms after healing (before: ${before}; now: ${modes(ens)})`)
    } catch {
      t.fail(`no write went through within ${BOUND} ms of healing (L = ${L}, X = ${X}, Y = ${Y}; before healing: ${before}; now: ${modes(ens)})`)
    }
    await probe.close()
  })
})
