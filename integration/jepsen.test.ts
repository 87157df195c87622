// Jepsen-style runs against the bundled ensemble: several clients write, compare-and-set and read a
// few znodes while a seeded nemesis kills, partitions and pauses servers (the leader too). Every
// operation goes into a History; afterwards every fault is undone, the final values are read, and the
// history is checked with src/testing/history.ts:
//   - linearizability of each key as a CAS register (writes, CAS and quorum-confirmed reads),
//   - session order (read-your-writes, monotonic reads), local reads included,
//   - no acknowledged write lost, and every server converges on the same data,
//   - progress: many operations acknowledged, and every server takes writes once all is healed.
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
// and its fault schedule); DEBUG=zookit:quorum,zookit:links shows the peers' role changes.
import t from 'tap'
import type { Test } from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { startEnsemble, type Ensemble } from '../src/ensemble/index.js'
import { BadVersionError, ConnectionLossError, OperationTimeoutError, SessionExpiredError, ZooKeeper, type Stat } from '../src/index.js'
import { History, checkLinearizable, checkNoLostWrites, checkSessionOrder, type Recorded, type RegisterOp } from '../src/testing/history.js'
import { prng } from '../src/testing/random-records.js'
import { logger } from '../src/debug.js'

/** DEBUG=zookit:jepsen prints the nemesis' steps as they happen, between the peers' own lines. */
const log = logger('jepsen')

/** Zab tick of the ensemble's servers, ms; session timeouts are bounded by 2 and 20 of ZooKeeper's ticks. */
const TICK_TIME = 250
const SESSION_TIMEOUT = 4000
/** Per-call timeout: an op gets no longer than this before it counts as indeterminate. */
const OP_TIMEOUT = 1000
/** How long a client may take to (re)connect before its worker tries again. */
const CONNECT_TIMEOUT = 1500
/** Bound on recovery after a fault is undone: beyond it the ensemble is reported as not recovering. */
const RECOVERY_MS = 15_000
/** Think time of a client between two ops (paces the history so the checker stays fast). */
const THINK_MS = [5, 30] as const
const INITIAL = 'init'

const baseSeed = process.env.JEPSEN_SEED !== undefined ? Number(process.env.JEPSEN_SEED) : undefined
if (baseSeed !== undefined && !Number.isInteger(baseSeed)) throw new Error(`JEPSEN_SEED must be an integer, got ${process.env.JEPSEN_SEED}`)

const faultMsOverride = process.env.JEPSEN_FAULT_MS !== undefined ? Number(process.env.JEPSEN_FAULT_MS) : undefined

/**
 * What the nemesis does to its victims (a minority, the leader first for the -leader kinds) until it
 * undoes it: crash and restart; cut off from the other peers (clients still reach them); freeze;
 * lose what the leader sends them (one way); delay what the leader sends them (they lag behind).
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
}

/** One timestamped event of the run, for failure reports. */
interface LogLine {
  ms: number
  /** The History's logical clock when it happened (compare with ops' start/end). */
  clock: number
  what: string
}

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
  /** Liveness problems (a fault after which the ensemble did not recover, a hung worker). */
  readonly problems: string[] = []
  /** Errors other than the expected indeterminate ones and BadVersion, by name. */
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
  invoke(key: string, session: number, op: RegisterOp): { done: ReturnType<History['invoke']>; rec: Recorded } {
    const done = this.h.invoke(key, session, op)
    return { done, rec: this.h.ops[this.h.ops.length - 1]! }
  }

  /** Settle an op that threw: BadVersion on a CAS is a definite failure, anything else indeterminate. */
  failed(done: ReturnType<History['invoke']>, err: unknown, definite = false): void {
    if (definite) done.fail()
    else done.unknown()
    const expected = err instanceof BadVersionError || err instanceof ConnectionLossError || err instanceof OperationTimeoutError || err instanceof SessionExpiredError
    if (!expected) {
      const name = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
      this.oddErrors.set(name, (this.oddErrors.get(name) ?? 0) + 1)
    }
  }
}

const terminal = (zk: ZooKeeper) => zk.state === 'expired' || zk.state === 'closed' || zk.state === 'authFailed'
const call = { timeout: OP_TIMEOUT }

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

/** A client process: (re)connects as needed and does random ops until the run stops. */
async function worker(run: Run, ens: Ensemble, id: number, target: 'all' | number, keys: string[], rnd: () => number): Promise<void> {
  const cs = target === 'all' ? ens.connectString : ens.connectStringOf(target)
  const where = target === 'all' ? 'all servers' : `server ${target}`
  let zk: ZooKeeper | undefined
  let session = 0
  let n = 0
  try {
    while (!run.stopping) {
      if (!zk || terminal(zk)) {
        if (zk) {
          run.clients.delete(zk)
          void zk.close().catch(() => {})
          zk = undefined
        }
        try {
          zk = await ZooKeeper.connect(cs, { sessionTimeout: SESSION_TIMEOUT, initialConnectTimeout: CONNECT_TIMEOUT })
        } catch {
          // No server of ours serves right now (killed, partitioned, electing): try again shortly.
          await sleep(50 + rnd() * 100)
          continue
        }
        run.clients.add(zk)
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
    if (zk) {
      run.clients.delete(zk)
      await zk.close().catch(() => {})
    }
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

/** Fault state, so everything can be undone at the end whatever happened. */
class Faults {
  readonly killed = new Set<number>()
  readonly paused = new Set<number>()
  partitioned = false

  constructor(private readonly ens: Ensemble, private readonly run: Run) {}

  async inject(kind: FaultKind, who: number[], leader: number | undefined, delayMs: number): Promise<void> {
    this.run.note(`${kind} ${who.join(',')}${kind === 'slow-from-leader' ? ` by ${Math.round(delayMs)} ms` : ''} (leader: ${leader ?? 'none'})`)
    if (kind === 'drop-from-leader' || kind === 'slow-from-leader') {
      if (leader === undefined) return
      this.partitioned = true
      for (const i of who) {
        if (kind === 'drop-from-leader') this.ens.dropLink(leader, i, true)
        else this.ens.delayLink(leader, i, delayMs)
      }
    } else if (kind.startsWith('kill')) {
      for (const i of who) this.killed.add(i)
      await Promise.all(who.map((i) => this.ens.kill(i)))
    } else if (kind.startsWith('partition')) {
      this.partitioned = true
      const rest = Array.from({ length: this.ens.servers.length }, (_, i) => i).filter((i) => !who.includes(i))
      this.ens.partition([who, rest])
    } else {
      for (const i of who) {
        this.paused.add(i)
        this.ens.pause(i)
      }
    }
  }

  /** Undo every fault in place (heal() also ends link faults). */
  async undo(): Promise<void> {
    const what: string[] = []
    if (this.partitioned) {
      this.ens.heal()
      this.partitioned = false
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

/** The nemesis: one fault at a time (never more than a minority), undone after a while, until `until`. */
async function nemesis(run: Run, ens: Ensemble, faults: Faults, size: number, rnd: () => number, until: number): Promise<void> {
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
    else if (kind.endsWith('-leader')) who = leader === undefined ? order.slice(0, k) : [leader, ...order.filter((i) => i !== leader)].slice(0, k)
    else who = order.slice(0, k)
    await faults.inject(kind, who.sort((a, b) => a - b), leader, delayMs)
    await sleep(hold)
    await faults.undo()
    const t = Date.now()
    try {
      const l = await ens.waitForLeader(RECOVERY_MS)
      run.note(`leader ${l} with a serving majority after ${Date.now() - t} ms`)
    } catch (err) {
      run.problems.push(`the ensemble did not recover within ${RECOVERY_MS} ms after ${kind}: ${(err as Error).message}`)
      return
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

/** Retry `fn` on any error until `deadline` (for the healed ensemble, where a server may still be catching up). */
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

async function jepsen(t: Test, opts: RunOptions): Promise<void> {
  const { size, seed, keys } = opts
  if (faultMsOverride !== undefined) opts = { ...opts, faultMs: faultMsOverride }
  t.comment(`seed ${seed}: ${size} servers, ${opts.clients.length} clients, ${opts.faultMs} ms of faults (JEPSEN_SEED=${seed} to repeat)`)
  const run = new Run()
  const ens = await startEnsemble({ size, tickTime: TICK_TIME })
  const faults = new Faults(ens, run)
  t.teardown(async () => {
    run.stopping = true
    await Promise.allSettled([...run.clients].map((zk) => zk.close()))
    await ens.stop()
  })
  const connect = async (cs: string) => {
    const zk = await ZooKeeper.connect(cs, { sessionTimeout: SESSION_TIMEOUT, initialConnectTimeout: 5000 })
    run.clients.add(zk)
    return zk
  }
  const admin = await connect(ens.connectString)
  for (const k of [...keys, '/progress']) await admin.create(k, INITIAL, { timeout: 5000 })
  await admin.close()
  run.clients.delete(admin)

  // The run: workers and nemesis side by side.
  run.note('start')
  const until = Date.now() + opts.faultMs
  const workers = opts.clients.map((target, i) => worker(run, ens, i, target, keys, prng(seed * 1000 + i + 1)))
  try {
    await nemesis(run, ens, faults, size, prng(seed), until)
  } finally {
    // Whatever happened, undo every fault.
    await faults.undo()
  }
  run.stopping = true
  try {
    await within(Promise.all(workers), 4 * OP_TIMEOUT + 2 * CONNECT_TIMEOUT + 3000, 'every worker stops')
  } catch (err) {
    run.problems.push(`a worker hung: ${(err as Error).message}`)
  }
  run.note('workers stopped')
  const workerOps = run.h.ops.length

  // Healed: a leader and a majority must serve again.
  const healedAt = Date.now()
  try {
    await ens.waitForLeader(RECOVERY_MS)
  } catch (err) {
    run.problems.push(`no leader after healing: ${(err as Error).message}`)
  }

  // Final values, each read confirmed by a committed version check (and recorded as a read).
  const finals = new Map<string, string | null>()
  const finalStats = new Map<string, Stat>()
  const deadline = Date.now() + RECOVERY_MS
  if (!run.problems.length) {
    const reader = await connect(ens.connectString)
    const session = run.newSession('final reader')
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
      finals.set(key, got.data.toString())
      finalStats.set(key, got.stat)
    }
    await reader.close()
    run.clients.delete(reader)

    // Every server converges on those values, and takes writes.
    await Promise.all(
      ens.servers.map(async (_, i) => {
        try {
          const zk = await retrying(deadline, () => connect(ens.connectStringOf(i)))
          await retrying(deadline, async () => {
            for (const key of keys) {
              await zk.sync(key, call)
              const { data, stat } = await zk.getData(key, call)
              const want = finalStats.get(key)!
              if (data.toString() !== finals.get(key) || stat.mzxid !== want.mzxid || stat.version !== want.version) {
                throw new Error(`server ${i} has ${key} = ${data.toString()} (version ${stat.version}, zxid 0x${stat.mzxid.toString(16)}), the ensemble ${finals.get(key)} (version ${want.version}, zxid 0x${want.mzxid.toString(16)})`)
              }
            }
          })
          await retrying(deadline, () => zk.setData('/progress', `after heal via ${i}`, call))
          await zk.close()
          run.clients.delete(zk)
        } catch (err) {
          run.problems.push(`server ${i} after healing: ${(err as Error).message}`)
        }
      }),
    )
  }
  run.note(`final checks done ${Date.now() - healedAt} ms after healing`)

  // Progress.
  const worked = run.h.ops.slice(0, workerOps)
  const acked = worked.filter((o) => o.end !== undefined && o.ok && o.op.kind !== 'read').length
  const completed = worked.filter((o) => o.end !== undefined).length
  const unknown = worked.filter((o) => o.end === undefined).length
  const casFailed = worked.filter((o) => o.end !== undefined && !o.ok).length
  t.comment(`${worked.length} ops: ${completed} completed (${acked} acknowledged writes/CAS, ${casFailed} CAS refused), ${unknown} indeterminate; ${run.sessions.size} sessions`)
  t.comment(`faults:\n${run.log.map((l) => `  +${l.ms} ms: ${l.what}`).join('\n')}`)
  if (run.oddErrors.size) t.comment(`unexpected errors (counted as indeterminate): ${[...run.oddErrors].map(([e, n]) => `${n}× ${e}`).join('; ')}`)
  t.same(run.problems, [], 'the ensemble recovered after every fault, converged, and took writes on every server once healed')
  t.ok(completed > 100 && acked > 50, `clients made progress through the faults (${completed} ops completed, ${acked} writes acknowledged)`)

  // Safety.
  const linOps = run.h.ops.filter((o) => !run.plain.has(o) && !(o.op.kind === 'read' && o.end === undefined))
  const started = Date.now()
  const lin = checkLinearizable(linOps, INITIAL)
  t.comment(`linearizability of ${linOps.length} ops checked in ${Date.now() - started} ms`)
  if (lin.ok) t.pass('every key is linearizable')
  else {
    const detail = lin.problems.flatMap((p) => {
      const key = /^key (\S+):/.exec(p)?.[1]
      return key ? explainKey(run, linOps, key) : []
    })
    t.fail(`not linearizable (seed ${seed}):\n${[...lin.problems, ...detail].join('\n')}`)
  }
  const order = checkSessionOrder(inCommitOrder(run))
  if (order.ok) t.pass('every session saw its own order (read-your-writes, monotonic reads)')
  else t.fail(`session order violated (seed ${seed}):\n${order.problems.slice(0, 30).join('\n')}`)
  if (finals.size === keys.length) {
    const lost = checkNoLostWrites(run.h.ops, finals)
    if (lost.ok) t.pass('no acknowledged write was lost')
    else t.fail(`acknowledged writes lost (seed ${seed}):\n${lost.problems.join('\n')}`)
  }
  t.same(checkStats(run), [], 'each acknowledged write has its own zxid; versions rise with zxids')

  // The checks can fail: the same history with a lost write or a stale read injected is rejected.
  const end = run.clock()
  for (const key of keys) {
    const hasAcked = run.h.ops.some((o) => o.key === key && o.ok && o.end !== undefined && o.op.kind !== 'read')
    if (!hasAcked) continue
    t.notOk(checkNoLostWrites(run.h.ops, new Map([[key, INITIAL]])).ok, `${key}: a final value that forgets every write is caught`)
    const stale: Recorded = { key, session: 0, op: { kind: 'read', value: INITIAL }, start: end + 1, end: end + 2, ok: true }
    t.notOk(checkLinearizable([...linOps.filter((o) => o.key === key), stale], INITIAL).ok, `${key}: a read of the initial value after acknowledged writes is caught`)
    break
  }
  const committed = [...run.stats].filter(([o]) => o.key === keys[0]).sort((a, b) => (a[1].mzxid < b[1].mzxid ? -1 : 1))
  if (committed.length >= 2) {
    const [older, newer] = [committed[0]![0].op, committed[committed.length - 1]![0].op] as { value: string }[]
    const back = (value: string, at: number): Recorded => ({ key: keys[0]!, session: 0, op: { kind: 'read', value }, start: end + at, end: end + at + 1, ok: true })
    t.notOk(checkSessionOrder([...inCommitOrder(run), back(newer!.value, 3), back(older!.value, 5)]).ok, `${keys[0]}: a session going back to an older value is caught`)
  }
}

/** Resolve once server i is in `mode` (at once if it is), from its quorum's 'mode' events. */
function reach(ens: Ensemble, i: number, mode: 'leader' | 'follower' | 'looking', ms: number): Promise<void> {
  const q = ens.servers[i]!.quorum!
  if (q.mode === mode) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const on = (m: string) => {
      if (m !== mode) return
      off()
      resolve()
    }
    const timer = setTimeout(() => {
      off()
      reject(new Error(`server ${i} is not ${mode} within ${ms} ms (it is ${q.mode})`))
    }, ms)
    const off = () => {
      clearTimeout(timer)
      q.off('mode', on)
    }
    q.on('mode', on)
  })
}

const seedFor = (n: number) => (baseSeed === undefined ? n : baseSeed + n - 1)

t.test('3 servers: kills, partitions and pauses, of the leader too', (t) =>
  jepsen(t, {
    size: 3,
    seed: seedFor(1),
    faultMs: 10_000,
    keys: ['/k0', '/k1', '/k2'],
    clients: ['all', 'all', 'all', 0, 1],
  }),
)

t.test('5 servers: up to two servers at a time killed, cut off or paused', (t) =>
  jepsen(t, {
    size: 5,
    seed: seedFor(2),
    faultMs: 8_000,
    keys: ['/k0', '/k1', '/k2'],
    clients: ['all', 'all', 'all', 0, 3],
  }),
)

t.test('a follower that rejoins (after a partition, after a crash) does not depose the leader', async (t) => {
  // Liveness, without timing: the leader keeps its majority throughout, so neither it nor the other
  // follower has any reason to change role while one follower leaves and comes back. (A generous
  // silence bound keeps a slow machine from causing elections of its own.)
  const ens = await startEnsemble({ size: 3, tickTime: TICK_TIME, peerSilenceTicks: 40 })
  t.teardown(() => ens.stop())
  const zk = await ZooKeeper.connect(ens.connectString, { sessionTimeout: SESSION_TIMEOUT, initialConnectTimeout: 5000 })
  t.teardown(() => zk.close())
  await zk.create('/rejoin', INITIAL, { timeout: 5000 })
  let n = 0
  const write = () => retrying(Date.now() + RECOVERY_MS, () => zk.setData('/rejoin', `v${++n}`, call))
  for (const fault of ['partition', 'kill'] as const) {
    const leader = await ens.waitForLeader(RECOVERY_MS)
    const [away, other] = [0, 1, 2].filter((i) => i !== leader) as [number, number]
    await reach(ens, away, 'follower', RECOVERY_MS)
    await reach(ens, other, 'follower', RECOVERY_MS)
    const changes: string[] = []
    const offs = [leader, other].map((i) => {
      const q = ens.servers[i]!.quorum!
      const on = (m: string) => changes.push(`server ${i} became ${m} (epoch ${q.peer.currentEpoch}, leader ${q.peer.leader === undefined ? 'none' : `server ${q.peer.leader - 1}`})`)
      q.on('mode', on)
      return () => q.off('mode', on)
    })
    const started = Date.now()
    if (fault === 'partition') {
      ens.partition([[away], [leader, other]])
      await reach(ens, away, 'looking', RECOVERY_MS)
    } else {
      await ens.kill(away)
    }
    await write()
    await write()
    const back = Date.now()
    if (fault === 'partition') ens.heal()
    else await ens.restart(away)
    await reach(ens, away, 'follower', RECOVERY_MS)
    const rejoined = Date.now() - back
    await write()
    offs.forEach((off) => off())
    t.same(changes, [], `${fault}: server ${away} left and rejoined (in ${rejoined} ms, ${back - started} ms away) while leader ${leader} kept its majority; no other server changed role`)
  }
  await zk.sync('/rejoin', call)
  t.equal((await zk.getData('/rejoin', call)).data.toString(), `v${n}`, 'the last write is there')
})
