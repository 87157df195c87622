// A history checker for tests under faults: clients record when each operation was invoked and when
// (and how) it completed; the checker decides whether the writes to each key are linearizable as a
// register with compare-and-set (a Wing–Gong search with memoization, as Knossos does), whether each
// session saw its own operations take effect in order, and whether any acknowledged write was lost.
// Each violation comes with the offending operations, and on request an SVG timeline of them.
import { renderTimeline, windowAround, writeTimeline, type TimelineBar, type TimelineMarker } from './timeline-svg.js'

/** One operation on one key. `ok` false = it definitely did not happen (e.g. BadVersion). */
export type RegisterOp =
  { kind: 'write'; value: string } | { kind: 'read'; value: string | null } | { kind: 'cas'; expected: string; value: string }

/** A recorded operation. `end` undefined = indeterminate (connection loss, timeout): it may or may not have happened. */
export interface Recorded {
  key: string
  session: number
  op: RegisterOp
  start: number
  end?: number
  /** Wall-clock ms since the History began, for timelines (crafted histories may leave them out). */
  startMs?: number
  endMs?: number
  /** For completed ops: whether it took effect (a failed CAS did not). Reads always succeed. */
  ok: boolean
}

/** Records invocations and completions with a monotonic logical clock, and the ms of each. */
export class History {
  readonly ops: Recorded[] = []
  private clock = 0
  private readonly origin: number

  constructor(private readonly now: () => number = () => performance.now()) {
    this.origin = now()
  }

  /** Ms since this History began: the time axis of its timelines. */
  elapsed(): number {
    return this.now() - this.origin
  }

  /** Mark the start of an op; call the returned function when it completes (or never, if unknown). */
  invoke(key: string, session: number, op: RegisterOp): { ok(readValue?: string | null): void; fail(): void; unknown(): void } {
    const rec: Recorded = { key, session, op, start: ++this.clock, startMs: this.elapsed(), ok: false }
    this.ops.push(rec)
    return {
      ok: (readValue) => {
        rec.end = ++this.clock
        rec.endMs = this.elapsed()
        rec.ok = true
        if (rec.op.kind === 'read') rec.op = { kind: 'read', value: readValue ?? null }
      },
      fail: () => {
        rec.end = ++this.clock
        rec.endMs = this.elapsed()
        rec.ok = false
      },
      unknown: () => {
        rec.end = undefined
        rec.endMs = undefined
      },
    }
  }
}

/** One violation: which key, what is wrong, and the operations that show it. */
export interface Violation {
  key: string
  problem: string
  /** The operations at fault (a read no linearization allows, a session's step back, the lost write). */
  offending: Recorded[]
  /** The SVG timeline of the offending operations and their neighbours, when one was asked for. */
  timeline?: string
}

/** Result of a check. `problems` are the violations' sentences (naming the timeline file, if any). */
export interface CheckResult {
  ok: boolean
  problems: string[]
  violations: Violation[]
}

/** Ask a check to draw each violation (up to MAX_TIMELINES) as an SVG file. */
export interface TimelineRequest {
  /** The test or run, first part of the file name. */
  name: string
  seed?: number
  /** Directory of the files; `.tap/timelines` under the working directory by default. */
  dir?: string
  /** What each session was, for the lane labels. */
  sessions?: ReadonlyMap<number, string>
  /** Events to draw as vertical lines (a nemesis' faults), stamped like the ops. */
  notes?: readonly { ms: number; clock: number; what: string }[]
}

const MAX_TIMELINES = 3

/** An op's effect as text: `write v`, `read v`, `cas a -> b`. */
export const opLabel = (o: Recorded): string =>
  o.op.kind === 'write'
    ? `write ${o.op.value}`
    : o.op.kind === 'cas'
      ? `cas ${o.op.expected} -> ${o.op.value}`
      : `read ${String(o.op.value)}`

/** One recorded op as a line: its clock span, session, what it did and how it ended. */
export const describeOp = (o: Recorded): string => `[${o.start}..${o.end ?? '?'}] s${o.session} ${opLabel(o)} ${outcomeOf(o)}`

const outcomeOf = (o: Recorded) => (o.end === undefined ? 'unknown' : o.ok ? 'ok' : 'failed')

/** The SVG of one violation: the ops of its key around the offending ones, in ms if every op has them. */
export function timelineOf(check: string, v: Violation, ops: readonly Recorded[], req: TimelineRequest): string {
  const mine = ops.filter((o) => o.key === v.key)
  const inMs = mine.every((o) => o.startMs !== undefined && (o.end === undefined || o.endMs !== undefined))
  const offending = new Set(v.offending)
  const fmt = (n: number) => String(Math.round(n * 10) / 10)
  const bars: TimelineBar[] = mine.map((o) => ({
    lane: `s${o.session}${req.sessions?.has(o.session) ? ` ${req.sessions.get(o.session)}` : ''}`,
    start: inMs ? o.startMs! : o.start,
    ...(o.end === undefined ? {} : { end: inMs ? o.endMs! : o.end }),
    label: opLabel(o),
    outcome: o.end === undefined ? 'unknown' : o.ok || o.op.kind === 'read' ? 'ok' : 'failed',
    offending: offending.has(o),
    detail: `${describeOp(o)}${inMs ? ` at ${fmt(o.startMs!)}..${o.endMs === undefined ? '?' : fmt(o.endMs)} ms` : ''}`,
  }))
  const markers: TimelineMarker[] = (req.notes ?? []).map((n) => ({ at: inMs ? n.ms : n.clock, label: n.what }))
  return renderTimeline({
    title: `${check} violated on ${v.key}${req.seed === undefined ? '' : ` (seed ${req.seed})`}`,
    subtitle: v.problem,
    unit: inMs ? 'ms' : 'clock',
    bars: windowAround(bars),
    markers,
  })
}

/** The result of a check; with a request, the first violations' timelines are written and named. */
function verdict(check: string, violations: Violation[], ops: readonly Recorded[], req: TimelineRequest | undefined): CheckResult {
  if (req) {
    for (const v of violations.filter((v) => v.offending.length).slice(0, MAX_TIMELINES)) {
      const name = [req.name, req.seed === undefined ? undefined : `seed${req.seed}`, check, v.key].filter((p) => p !== undefined).join('-')
      v.timeline = writeTimeline(timelineOf(check, v, ops, req), name, req.dir)
      v.problem += ` (timeline: ${v.timeline})`
    }
  }
  return { ok: violations.length === 0, problems: violations.map((v) => v.problem), violations }
}

/**
 * Check every key's history for linearizability against a register that starts `initial`
 * (null = absent). Ops that definitely failed (a CAS whose version did not match) are dropped;
 * indeterminate ops may take effect at any point after their start, or not at all. A violation's
 * offending op is the earliest completion after which no linearization exists.
 */
export function checkLinearizable(
  ops: readonly Recorded[],
  initial: string | null = null,
  opts: { limit?: number; timeline?: TimelineRequest } = {},
): CheckResult {
  const limit = opts.limit ?? 2_000_000
  const violations: Violation[] = []
  const byKey = new Map<string, Recorded[]>()
  for (const op of ops) {
    if (op.end !== undefined && !op.ok && op.op.kind !== 'read') continue // did not happen
    const list = byKey.get(op.key) ?? []
    list.push(op)
    byKey.set(op.key, list)
  }
  for (const [key, list] of byKey) {
    const r = searchKey(list, initial, limit)
    if (r === true) continue
    const offending = r === 'gave up' ? [] : firstUnlinearizable(list, initial, limit)
    const reason = r === 'gave up' ? `search gave up after ${limit} steps` : `no linearization of ${list.length} operations`
    const at = offending.length ? `; the first completion that leaves none: ${describeOp(offending[0]!)}` : ''
    violations.push({ key, problem: `key ${key}: ${reason}${at}`, offending })
  }
  return verdict('linearizability', violations, ops, opts.timeline)
}

/**
 * The ops completing at the earliest moment T such that the history cut at T (ops still running
 * then count as indeterminate) has no linearization: a binary search over completions.
 */
function firstUnlinearizable(list: Recorded[], initial: string | null, limit: number): Recorded[] {
  const ends = [...new Set(list.flatMap((o) => (o.end === undefined ? [] : [o.end])))].sort((a, b) => a - b)
  const cut = (T: number) =>
    list.filter((o) => o.start <= T).map((o) => (o.end !== undefined && o.end > T ? { ...o, end: undefined, ok: false } : o))
  let lo = 0
  let hi = ends.length - 1
  if (hi < 0 || searchKey(cut(ends[hi]!), initial, limit) === true) return []
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (searchKey(cut(ends[mid]!), initial, limit) === true) lo = mid + 1
    else hi = mid
  }
  return list.filter((o) => o.end === ends[lo])
}

/** Wing–Gong search for one key: true, 'gave up' past `limit` steps, or false. */
function searchKey(list: Recorded[], initial: string | null, limit: number): true | false | 'gave up' {
  const n = list.length
  const done = new Array<boolean>(n).fill(false)
  const seen = new Set<string>()
  let steps = 0
  const apply = (op: Recorded, state: string | null): { ok: boolean; state: string | null } => {
    switch (op.op.kind) {
      case 'write':
        return { ok: true, state: op.op.value }
      case 'read':
        return { ok: op.end === undefined || op.op.value === state, state }
      case 'cas':
        // A completed CAS here succeeded (failed ones were dropped); an indeterminate one either
        // succeeded (expected matched) or did nothing — the search tries both by also skipping it.
        return { ok: state === op.op.expected, state: op.op.value }
    }
  }
  const dfs = (state: string | null): boolean => {
    if (++steps > limit) throw new Error('search limit')
    // Every completed op is placed: the rest are indeterminate and may simply not have happened.
    let pendingCompleted = false
    for (let i = 0; i < n; i++) if (!done[i] && list[i]!.end !== undefined) pendingCompleted = true
    if (!pendingCompleted) return true
    const key = `${state}|${done.map((d) => (d ? 1 : 0)).join('')}`
    if (seen.has(key)) return false
    seen.add(key)
    // Candidates: ops invoked before the earliest completion among the ops not yet placed.
    let horizon = Infinity
    for (let i = 0; i < n; i++) if (!done[i] && list[i]!.end !== undefined) horizon = Math.min(horizon, list[i]!.end!)
    for (let i = 0; i < n; i++) {
      if (done[i] || list[i]!.start > horizon) continue
      const r = apply(list[i]!, state)
      if (!r.ok) continue
      done[i] = true
      if (dfs(r.state)) return true
      done[i] = false
    }
    return false
  }
  try {
    return dfs(initial)
  } catch {
    return 'gave up'
  }
}

/**
 * Per-session order: within one session, ops that completed must have taken effect in invocation
 * order — checked here as: a session never reads a value older than one it wrote or read before on
 * the same key (read-your-writes and monotonic reads), given the order in which values were written.
 */
export function checkSessionOrder(ops: readonly Recorded[], opts: { timeline?: TimelineRequest } = {}): CheckResult {
  const violations: Violation[] = []
  // The order values were first written in (by completion), per key.
  const rank = new Map<string, Map<string, number>>()
  for (const op of [...ops].filter((o) => o.end !== undefined && o.ok && o.op.kind !== 'read').sort((a, b) => a.end! - b.end!)) {
    const m = rank.get(op.key) ?? new Map<string, number>()
    const v = op.op.kind === 'read' ? null : op.op.value
    if (v !== null && !m.has(v)) m.set(v, m.size)
    rank.set(op.key, m)
  }
  const newest = new Map<string, { rank: number; op: Recorded }>() // session|key → the newest value it saw, and where
  for (const op of [...ops].filter((o) => o.end !== undefined && o.ok).sort((a, b) => a.start - b.start)) {
    const v = op.op.value
    if (v === null) continue
    const r = rank.get(op.key)?.get(v)
    if (r === undefined) continue
    const k = `${op.session}|${op.key}`
    const prev = newest.get(k)
    if (op.op.kind === 'read' && prev && r < prev.rank)
      violations.push({
        key: op.key,
        problem: `session ${op.session} read ${v} on ${op.key} after having seen a newer value (${describeOp(prev.op)})`,
        offending: [prev.op, op],
      })
    if (!prev || r > prev.rank) newest.set(k, { rank: r, op })
  }
  return verdict('session-order', violations, ops, opts.timeline)
}

/** Every acknowledged write's value is either the final value or was overwritten by a later op. */
export function checkNoLostWrites(
  ops: readonly Recorded[],
  finalValues: Map<string, string | null>,
  opts: { timeline?: TimelineRequest } = {},
): CheckResult {
  const violations: Violation[] = []
  for (const [key, final] of finalValues) {
    const acked = ops.filter((o) => o.key === key && o.ok && o.end !== undefined && o.op.kind !== 'read')
    if (acked.length === 0) continue
    const lastAcked = acked.reduce((a, b) => (a.end! > b.end! ? a : b))
    const candidates = new Set(
      ops
        .filter(
          (o) =>
            o.key === key && o.op.kind !== 'read' && (o.end === undefined || o.ok) && (o.end === undefined || o.end >= lastAcked.start),
        )
        .map((o) => (o.op as { value: string }).value),
    )
    if (final === null || !candidates.has(final))
      violations.push({
        key,
        problem: `key ${key}: final value ${String(final)} is none of the writes that could be last (last acknowledged: ${describeOp(lastAcked)})`,
        offending: [lastAcked],
      })
  }
  return verdict('lost-writes', violations, ops, opts.timeline)
}
