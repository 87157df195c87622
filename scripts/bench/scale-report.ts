// The scale benchmark's pure parts: reading mntr and /proc/<pid>/status, finding when snapshots ran
// from mntr's snapshottime counters, splitting latency samples by whether a snapshot was running,
// and the Markdown section (figures, zookit/Java ratios, issue 13's scale targets met or not).
import { formatSpread, ratio, type Spread } from './stats.js'
import { targetTable, type SectionMarkers, type TargetResult } from './report.js'

export const SCALE_MARKERS: SectionMarkers = {
  begin: '<!-- scale-bench:begin (written by npm run bench:scale -- --write) -->',
  end: '<!-- scale-bench:end -->',
}

/** mntr's answer as key → value, without the `zk_` prefix; numbers where the value is one. */
export function parseMntr(text: string): Record<string, number | string> {
  const out: Record<string, number | string> = {}
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t')
    if (tab < 0) continue
    const key = line.slice(0, tab).replace(/^zk_/, '')
    const value = line.slice(tab + 1).trim()
    const n = Number(value)
    out[key] = value !== '' && Number.isFinite(n) ? n : value
  }
  return out
}

/** VmRSS of a /proc/<pid>/status text, in bytes. */
export function vmRssBytes(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)
  if (!m) throw new Error('no VmRSS line in /proc/<pid>/status')
  return Number(m[1]) * 1024
}

/** One answer of a server to the snapshot poller: when it was asked and answered, and its counters. */
export interface SnapshotPoll {
  sentAt: number
  answeredAt: number
  /** zk_cnt_snapshottime */
  count: number
  /** zk_sum_snapshottime, ms */
  sumMs: number
}

/** When a snapshot (or several, between two polls) may have been running, and how long it took. */
export interface SnapshotWindow {
  start: number
  end: number
  /** The snapshot's own time as the server counted it (the mean, when several fell between polls). */
  ms: number
}

/**
 * The windows a server's snapshots ran in, from its polls in order. A count that went up between two
 * answers means a snapshot ended after the earlier answer was written and before the later one was:
 * it began at most its own time before that, so it ran somewhere in [earlier ask − time, later answer].
 * The window is wider than the snapshot, never narrower.
 */
export function snapshotWindows(polls: readonly SnapshotPoll[]): SnapshotWindow[] {
  const out: SnapshotWindow[] = []
  for (let i = 1; i < polls.length; i++) {
    const before = polls[i - 1]!
    const after = polls[i]!
    const count = after.count - before.count
    if (count <= 0) continue
    const total = after.sumMs - before.sumMs
    out.push({ start: before.sentAt - total, end: after.answeredAt, ms: total / count })
  }
  return out
}

/** A client call: when it was sent and when its answer came (ms, one clock). */
export interface Call {
  start: number
  end: number
}

/** The latencies (µs) of the calls that overlapped a snapshot window, and of those that did not. */
export function splitBySnapshot(calls: readonly Call[], windows: readonly SnapshotWindow[]): { during: number[]; quiet: number[] } {
  const during: number[] = []
  const quiet: number[] = []
  for (const c of calls) {
    const overlaps = windows.some((w) => c.start <= w.end && c.end >= w.start)
    ;(overlaps ? during : quiet).push((c.end - c.start) * 1000)
  }
  return { during, quiet }
}

/** The figures of one system in one round. */
export interface ScaleRound {
  /** RSS growth per znode loaded, per server (mean of the three), bytes. */
  rssPerZnodeB: number
  /** RSS of the three servers before loading, MB. */
  idleRssMB: number
  /** RSS of the three servers with everything loaded (znodes, sessions, watches), MB. */
  loadedRssMB: number
  /** Pipelined creates per second while loading. */
  createsPerSec: number
  /** A snapshot's time as the servers count it (median of those seen), ms. */
  snapshotMs: number
  /** kill -9 of all three → all three serve with every znode, ms. */
  restartMs: number
  readP99QuietUs: number
  readP99SnapshotUs: number
  writeP99QuietUs: number
  writeP99SnapshotUs: number
  /** Calls retried because a server closed the connection (a leader change drops every client). */
  connectionLosses: number
}

export type ScaleFigureKey = keyof ScaleRound

interface ScaleFigure {
  key: ScaleFigureKey
  label: string
  /** A target of issue 13: zookit's median ≤ Java's. */
  target?: string
}

export const SCALE_FIGURES: readonly ScaleFigure[] = [
  { key: 'rssPerZnodeB', label: 'RSS growth per znode per server (bytes)', target: 'RSS per znode' },
  { key: 'idleRssMB', label: 'idle RSS, three servers (MB)' },
  { key: 'loadedRssMB', label: 'loaded RSS, three servers (MB)' },
  { key: 'createsPerSec', label: 'pipelined creates while loading (per s)' },
  { key: 'snapshotMs', label: 'snapshot time (ms, median)', target: 'snapshot time' },
  { key: 'restartMs', label: 'restart from disk, kill -9 of all three → serving every znode (ms)', target: 'restart-from-disk time' },
  { key: 'readP99QuietUs', label: 'getData p99, no snapshot running (µs)' },
  { key: 'readP99SnapshotUs', label: 'getData p99 while a snapshot runs (µs)', target: 'read p99 during a snapshot' },
  { key: 'writeP99QuietUs', label: 'setData p99, no snapshot running (µs)' },
  { key: 'writeP99SnapshotUs', label: 'setData p99 while a snapshot runs (µs)', target: 'write p99 during a snapshot' },
  { key: 'connectionLosses', label: 'connections the servers closed under the clients (before the restart)' },
]

/** Per system ("java", "zookit"), per figure, the spread over the rounds. */
export type ScaleFigures = Record<string, Partial<Record<ScaleFigureKey, Spread>>>

/** Issue 13's scale targets: each of zookit's medians at most Java's. */
export function scaleTargets(figures: ScaleFigures): TargetResult[] {
  return SCALE_FIGURES.filter((f) => f.target).map((f) => {
    const ours = figures.zookit?.[f.key]?.median
    const theirs = figures.java?.[f.key]?.median
    const r = ours !== undefined && theirs !== undefined && theirs > 0 ? ours / theirs : undefined
    return {
      target: `${f.target} ≤ Java's`,
      measured: r === undefined ? 'not measured' : `${r.toFixed(2)}×`,
      met: r === undefined ? undefined : r <= 1,
    }
  })
}

export interface ScaleFacts {
  /** YYYY-MM-DD */
  date: string
  machine: string
  rounds: number
  znodes: number
  sessions: number
  watches: number
  /** How the Java servers ran: version, heap, flags, snapCount. */
  java: string
  /** How zookit's servers ran: processes, Node flags, snapshotEvery. */
  zookit: string
  note?: string
}

const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`
const count = (n: number) => n.toLocaleString('en-US')

/** The scale section of BENCHMARKS.md, markers included. */
export function scaleSection(facts: ScaleFacts, figures: ScaleFigures): string {
  const table = [
    row(['figure', 'Java ZooKeeper', 'zookit', 'zookit / Java']),
    row(['---', '---', '---', '---']),
    ...SCALE_FIGURES.map((f) =>
      row([
        f.label,
        formatSpread(figures.java?.[f.key]),
        formatSpread(figures.zookit?.[f.key]),
        ratio(figures.zookit?.[f.key]?.median, figures.java?.[f.key]?.median),
      ]),
    ),
  ]
  return [
    SCALE_MARKERS.begin,
    `## Scale: ${facts.date}, ${facts.rounds} ${facts.rounds === 1 ? 'round' : 'rounds'}`,
    '',
    `${facts.machine}.` + (facts.note ? ` ${facts.note}` : ''),
    '',
    `Three servers each, every one in a process of its own with a data dir, loaded with ${count(facts.znodes)} znodes of 100 bytes, ` +
      `${count(facts.sessions)} sessions and ${count(facts.watches)} watches. Java: ${facts.java}. zookit: ${facts.zookit}. ` +
      'Rounds interleave the two (Java, zookit, Java, zookit, …); each figure is the median of the rounds with the min–max in brackets, ' +
      'and ratios divide medians. Below 1× zookit is better for every figure but the create rate.',
    '',
    ...table,
    '',
    "Issue 13's scale targets:",
    '',
    targetTable(scaleTargets(figures)),
    SCALE_MARKERS.end,
  ].join('\n')
}
