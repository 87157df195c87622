// One Jepsen run from start to verdict: start the ensemble, let workers and the nemesis run side by
// side, heal everything, read the final state, then check progress and safety on the history.
import type { Test } from 'tap'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startEnsemble, type Ensemble } from '../../src/ensemble/index.js'
import type { StatFields } from '../../src/index.js'
import { checkLinearizable, checkNoLostWrites, checkSessionOrder, type CheckResult, type Recorded } from '../../src/testing/history.js'
import { prng } from '../../src/testing/random-records.js'
import { checkStats, explainKey, inCommitOrder, staleReads } from './checks.js'
import { within } from './deadlines.js'
import { describeModes } from './describe.js'
import { Faults } from './faults.js'
import { finalState } from './final-state.js'
import { nemesis } from './nemesis.js'
import { Probe } from './probe.js'
import { Run } from './run.js'
import { CONNECT_TIMEOUT, INITIAL, OP_TIMEOUT, RECOVERY_MS, TICK_TIME, faultMsOverride } from './settings.js'
import { worker } from './workload.js'

export interface RunOptions {
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

/** One run as assertions of `t`: progress through the faults, linearizability, session order, no lost write. */
export async function jepsen(t: Test, opts: RunOptions): Promise<void> {
  if (faultMsOverride !== undefined) opts = { ...opts, faultMs: faultMsOverride }
  const { size, seed, keys } = opts
  t.comment(
    `seed ${seed}: ${size} servers (logs in ${opts.store}, a snapshot every ${opts.snapshotEvery} txns), ${opts.clients.length} clients, ${opts.faultMs} ms of faults (JEPSEN_SEED=${seed} to repeat)`,
  )
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
    await within(Promise.all(workers), 4 * OP_TIMEOUT + 2 * CONNECT_TIMEOUT + 3000, 'every worker stops').catch((err: Error) =>
      run.problems.push(`a worker hung: ${err.message}`),
    )
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
    run.problems.push(
      `after healing everything, the ensemble did not serve within the deadline: ${(err as Error).message}; modes: ${describeModes(ens)}`,
    )
  }
  run.note(`final checks done ${Date.now() - healed} ms after healing`)

  // Progress.
  const worked = run.h.ops.slice(0, workerOps)
  const acked = worked.filter((o) => o.end !== undefined && o.ok && o.op.kind !== 'read').length
  const completed = worked.filter((o) => o.end !== undefined).length
  const unknown = worked.filter((o) => o.end === undefined).length
  const refused = worked.filter((o) => o.end !== undefined && !o.ok).length
  t.comment(
    `${worked.length} ops: ${completed} completed (${acked} acknowledged writes/CAS, ${refused} CAS refused), ${unknown} indeterminate; ${run.sessions.size} sessions`,
  )
  t.comment(`faults:\n${run.log.map((l) => `  +${l.ms} ms: ${l.what}`).join('\n')}`)
  if (run.oddErrors.size)
    t.comment(`unexpected errors (counted as indeterminate): ${[...run.oddErrors].map(([e, n]) => `${n}× ${e}`).join('; ')}`)
  if (run.problems.length) t.fail(`the ensemble did not always make progress (seed ${seed})`, { problems: run.problems })
  else t.pass('after each fault was undone a write went through; once healed, every server converged and took a write')
  t.ok(completed > 100 && acked > 50, `clients made progress through the faults (${completed} ops completed, ${acked} writes acknowledged)`)

  // Safety. Each violation is also drawn as an SVG timeline, with the nemesis' faults on it.
  const timeline = { timeline: { name: `jepsen-${size}-servers`, seed, sessions: run.sessions, notes: run.log } }
  const linOps = run.h.ops.filter((o) => !run.plain.has(o) && !(o.op.kind === 'read' && o.end === undefined))
  const checking = Date.now()
  const lin = checkLinearizable(linOps, INITIAL, timeline)
  t.comment(`linearizability of ${linOps.length} ops checked in ${Date.now() - checking} ms`)
  if (lin.ok) t.pass('every key is linearizable')
  else {
    const detail = lin.violations.flatMap((v) => explainKey(run, linOps, v))
    t.fail(`not linearizable (seed ${seed})${timelinesOf(lin)}`, { problems: [...lin.problems, ...detail] })
  }
  t.comment(
    `${staleReads(run)} of ${run.plain.size} local reads were stale (older than a write acknowledged before they began), as ZooKeeper allows`,
  )
  const order = checkSessionOrder(inCommitOrder(run), timeline)
  if (order.ok) t.pass('every session saw its own order (read-your-writes, monotonic reads)')
  else t.fail(`session order violated (seed ${seed})${timelinesOf(order)}`, { problems: order.problems.slice(0, 30) })
  if (finals) {
    const lost = checkNoLostWrites(run.h.ops, new Map([...finals].map(([k, v]) => [k, v.value])), timeline)
    if (lost.ok) t.pass('no acknowledged write was lost')
    else t.fail(`acknowledged writes lost (seed ${seed})${timelinesOf(lost)}`, { problems: lost.problems })
  } else {
    t.comment('no final values: the lost-write check could not run')
  }
  t.same(checkStats(run), [], 'each acknowledged write has its own zxid; versions rise with zxids')

  // The checks can fail: this history with a lost write, a stale read or a session going back is
  // rejected, and the stale read is drawn on a timeline of the run (into a directory removed after).
  const end = run.clock()
  const endMs = run.h.elapsed()
  const key = keys[0]!
  const committed = [...run.stats].filter(([o]) => o.key === key).sort((a, b) => (a[1].mzxid < b[1].mzxid ? -1 : 1))
  if (committed.length >= 2) {
    const at = (value: string, k: number): Recorded => ({
      key,
      session: 0,
      op: { kind: 'read', value },
      start: end + k,
      end: end + k + 1,
      startMs: endMs + k,
      endMs: endMs + k + 1,
      ok: true,
    })
    const [older, newer] = [committed[0]![0].op, committed[committed.length - 1]![0].op] as { value: string }[]
    t.notOk(checkNoLostWrites(run.h.ops, new Map([[key, INITIAL]])).ok, `${key}: a final value that forgets every write is caught`)
    const staleRead = at(INITIAL, 1)
    const drawnIn = mkdtempSync(path.join(tmpdir(), 'zookit-jepsen-timeline-'))
    t.teardown(() => rmSync(drawnIn, { recursive: true, force: true }))
    const caught = checkLinearizable([...linOps.filter((o) => o.key === key), staleRead], INITIAL, {
      timeline: { ...timeline.timeline, dir: drawnIn },
    })
    t.notOk(caught.ok, `${key}: a read of the initial value after acknowledged writes is caught`)
    t.same(caught.violations[0]?.offending, [staleRead], 'the injected read is the offending op')
    const file = caught.violations[0]?.timeline
    t.ok(file !== undefined && existsSync(file), `and it is drawn on a timeline of the run: ${file}`)
    t.notOk(
      checkSessionOrder([...inCommitOrder(run), at(newer!.value, 3), at(older!.value, 5)]).ok,
      `${key}: a session going back to an older value is caught`,
    )
  }
}

/** The failure message's tail naming the timeline files of a failed check. */
const timelinesOf = (r: CheckResult) => {
  const files = r.violations.flatMap((v) => (v.timeline ? [v.timeline] : []))
  return files.length ? `; timeline${files.length > 1 ? 's' : ''}: ${files.join(', ')}` : ''
}
