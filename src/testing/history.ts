// A history checker for tests under faults: clients record when each operation was invoked and when
// (and how) it completed; the checker decides whether the writes to each key are linearizable as a
// register with compare-and-set (a Wing–Gong search with memoization, as Knossos does), whether each
// session saw its own operations take effect in order, and whether any acknowledged write was lost.

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
  /** For completed ops: whether it took effect (a failed CAS did not). Reads always succeed. */
  ok: boolean
}

/** Records invocations and completions with a monotonic logical clock. */
export class History {
  readonly ops: Recorded[] = []
  private clock = 0

  /** Mark the start of an op; call the returned function when it completes (or never, if unknown). */
  invoke(key: string, session: number, op: RegisterOp): { ok(readValue?: string | null): void; fail(): void; unknown(): void } {
    const rec: Recorded = { key, session, op, start: ++this.clock, ok: false }
    this.ops.push(rec)
    return {
      ok: (readValue) => {
        rec.end = ++this.clock
        rec.ok = true
        if (rec.op.kind === 'read') rec.op = { kind: 'read', value: readValue ?? null }
      },
      fail: () => {
        rec.end = ++this.clock
        rec.ok = false
      },
      unknown: () => {
        rec.end = undefined
      },
    }
  }
}

/** Result of a check. */
export interface CheckResult {
  ok: boolean
  problems: string[]
}

/**
 * Check every key's history for linearizability against a register that starts `initial`
 * (null = absent). Ops that definitely failed (a CAS whose version did not match) are dropped;
 * indeterminate ops may take effect at any point after their start, or not at all.
 */
export function checkLinearizable(ops: readonly Recorded[], initial: string | null = null, limit = 2_000_000): CheckResult {
  const problems: string[] = []
  const byKey = new Map<string, Recorded[]>()
  for (const op of ops) {
    if (op.end !== undefined && !op.ok && op.op.kind !== 'read') continue // did not happen
    const list = byKey.get(op.key) ?? []
    list.push(op)
    byKey.set(op.key, list)
  }
  for (const [key, list] of byKey) {
    const r = searchKey(list, initial, limit)
    if (r !== true) problems.push(`key ${key}: ${r}`)
  }
  return { ok: problems.length === 0, problems }
}

/** Wing–Gong search for one key; true, or a reason. */
function searchKey(list: Recorded[], initial: string | null, limit: number): true | string {
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
    return dfs(initial) ? true : `no linearization of ${n} operations`
  } catch {
    return `search gave up after ${limit} steps`
  }
}

/**
 * Per-session order: within one session, ops that completed must have taken effect in invocation
 * order — checked here as: a session never reads a value older than one it wrote or read before on
 * the same key (read-your-writes and monotonic reads), given the order in which values were written.
 */
export function checkSessionOrder(ops: readonly Recorded[]): CheckResult {
  const problems: string[] = []
  // The order values were first written in (by completion), per key.
  const rank = new Map<string, Map<string, number>>()
  for (const op of [...ops].filter((o) => o.end !== undefined && o.ok && o.op.kind !== 'read').sort((a, b) => a.end! - b.end!)) {
    const m = rank.get(op.key) ?? new Map<string, number>()
    const v = op.op.kind === 'read' ? null : op.op.value
    if (v !== null && !m.has(v)) m.set(v, m.size)
    rank.set(op.key, m)
  }
  const last = new Map<string, number>() // session|key → highest rank seen
  for (const op of [...ops].filter((o) => o.end !== undefined && o.ok).sort((a, b) => a.start - b.start)) {
    const v = op.op.kind === 'read' ? op.op.value : op.op.value
    if (v === null) continue
    const r = rank.get(op.key)?.get(v)
    if (r === undefined) continue
    const k = `${op.session}|${op.key}`
    const prev = last.get(k) ?? -1
    if (op.op.kind === 'read' && r < prev) problems.push(`session ${op.session} read ${v} on ${op.key} after having seen a newer value`)
    last.set(k, Math.max(prev, r))
  }
  return { ok: problems.length === 0, problems }
}

/** Every acknowledged write's value is either the final value or was overwritten by a later op. */
export function checkNoLostWrites(ops: readonly Recorded[], finalValues: Map<string, string | null>): CheckResult {
  const problems: string[] = []
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
      problems.push(
        `key ${key}: final value ${String(final)} is none of the writes that could be last (last acknowledged: ${(lastAcked.op as { value: string }).value})`,
      )
  }
  return { ok: problems.length === 0, problems }
}
