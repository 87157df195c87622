// The checks of a finished Jepsen run beyond src/testing/history.ts: a non-linearizable key
// explained, the history in commit order, stale local reads counted, and the Stats of acknowledged writes.
import { describeOp, type Recorded, type Violation } from '../../src/testing/history.js'
import type { Stat } from '../../src/index.js'
import type { Run } from './run.js'
import { INITIAL } from './settings.js'

/**
 * A non-linearizable key explained: the ops of that key around the checker's offending op (the
 * earliest completion after which no linearization exists), the faults just before it, the sessions.
 */
export function explainKey(run: Run, ops: Recorded[], v: Violation): string[] {
  const { key } = v
  const mine = ops.filter((o) => o.key === key)
  if (!v.offending.length) return [`key ${key}: could not narrow it down`]
  const culprit = v.offending
  const T = culprit[0]!.end!
  const from = Math.min(...culprit.map((o) => o.start))
  const window = mine.filter((o) => o.start <= T && (o.end === undefined || o.end >= from - 200)).slice(-40)
  const lines = [`key ${key}: ops around the completion at ${T}:`]
  lines.push(...window.map((o) => `    ${describeOp(o)}`))
  lines.push(
    '  faults up to then:',
    ...run.log
      .filter((l) => l.clock <= T + 5)
      .slice(-8)
      .map((l) => `    +${l.ms} ms (clock ${l.clock}): ${l.what}`),
  )
  const sessions = new Set(window.map((o) => o.session))
  lines.push('  sessions:', ...[...sessions].map((s) => `    s${s}: ${run.sessions.get(s) ?? '?'}`))
  return lines
}

/** The history for the session-order check, acknowledged writes stamped in commit (zxid) order. */
export function inCommitOrder(run: Run): Recorded[] {
  const acked = [...run.stats.keys()].sort((a, b) => (run.stats.get(a)!.mzxid < run.stats.get(b)!.mzxid ? -1 : 1))
  const rank = new Map(acked.map((o, i) => [o, i + 1]))
  return run.h.ops.map((o) => (rank.has(o) ? { ...o, end: rank.get(o)! } : o))
}

/** How many local reads returned a value older (in commit order) than a write acknowledged before they began. */
export function staleReads(run: Run): number {
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
export function checkStats(run: Run): string[] {
  const problems: string[] = []
  const byZxid = new Map<bigint, Recorded>()
  for (const [o, s] of run.stats) {
    const other = byZxid.get(s.mzxid)
    if (other) problems.push(`two acknowledged writes report zxid 0x${s.mzxid.toString(16)}: ${describeOp(other)} and ${describeOp(o)}`)
    byZxid.set(s.mzxid, o)
  }
  const byKey = new Map<string, [Recorded, Stat][]>()
  for (const [o, s] of run.stats) byKey.set(o.key, [...(byKey.get(o.key) ?? []), [o, s]])
  for (const [key, list] of byKey) {
    list.sort((a, b) => (a[1].mzxid < b[1].mzxid ? -1 : 1))
    for (let i = 1; i < list.length; i++) {
      const [pa, sa] = list[i - 1]!
      const [pb, sb] = list[i]!
      if (sb.version <= sa.version)
        problems.push(
          `key ${key}: version ${sb.version} at zxid 0x${sb.mzxid.toString(16)} (${describeOp(pb)}) after version ${sa.version} at 0x${sa.mzxid.toString(16)} (${describeOp(pa)})`,
        )
    }
  }
  return problems
}
