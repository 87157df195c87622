// The ensemble benchmark's pure parts: its command line, the figures and the ensembles it measures,
// issue 13's ensemble targets judged from medians, and its section of BENCHMARKS.md between markers,
// so `npm run bench:ensemble -- --write` can replace it. The run's facts come in as arguments.
import { parseArgs } from 'node:util'
import { CLIENT_SECTION, row, rule, targetTable, type RunFigures, type SectionMarkers, type TargetResult } from './report.js'
import { formatFigure, formatSpread, ratio } from './stats.js'

export const ENSEMBLE_SECTION: SectionMarkers = {
  begin: '<!-- ensemble-bench:begin (written by npm run bench:ensemble -- --write) -->',
  end: '<!-- ensemble-bench:end -->',
}
/** The ensemble section goes right after the client section. */
export const ENSEMBLE_SECTION_AFTER = CLIENT_SECTION

export const DEFAULT_ROUNDS = 5

export interface EnsembleArgs {
  rounds: number
  /** Replace the section of BENCHMARKS.md and the chart in docs/bench/. */
  write: boolean
  /** A sentence for under the heading. */
  note?: string
}

/** `[--rounds N] [--write] [--note "…"]`; throws on anything else. */
export function parseEnsembleArgs(argv: readonly string[]): EnsembleArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      rounds: { type: 'string', default: String(DEFAULT_ROUNDS) },
      write: { type: 'boolean', default: false },
      note: { type: 'string' },
    },
  })
  if (!/^[1-9]\d*$/.test(values.rounds)) throw new Error(`--rounds wants a positive integer, not ${values.rounds}`)
  return { rounds: Number(values.rounds), write: values.write, note: values.note }
}

/** The three ensembles of each round, in the order a round measures them. */
export const SYSTEMS = [
  { name: 'java', label: 'Java ZooKeeper 3.8' },
  { name: 'memory', label: 'zookit in memory' },
  { name: 'fsync', label: 'zookit dataDir + fsync' },
] as const
export type SystemName = (typeof SYSTEMS)[number]['name']

export const LOAD = '3 processes × 4 connections × 256 outstanding'

/** The figures, in table order; a round of each system reports one value of each. */
export const ENSEMBLE_FIGURES = [
  { key: 'startMs', label: '3-node start → serving (ms)' },
  { key: 'failoverMs', label: 'failover: kill -9 of the leader → next successful write (ms)' },
  { key: 'followerOps', label: 'setData via a follower, 256 outstanding (ops/s)', throughput: 'setData via a follower' },
  { key: 'loadOps', label: `max writes, ${LOAD}, one process per server (ops/s)`, throughput: 'max write load, 3×4×256' },
] as const
export type FigureKey = (typeof ENSEMBLE_FIGURES)[number]['key']

const median = (figures: RunFigures, system: SystemName, key: FigureKey) => figures[system]?.[key]?.median

/** Issue 13's ensemble targets, from the medians of one run. */
export function ensembleTargets(figures: RunFigures): TargetResult[] {
  const java = (key: FigureKey) => median(figures, 'java', key)
  const atMostMs = (target: string, key: FigureKey, limitMs: number): TargetResult => {
    const ms = median(figures, 'memory', key)
    if (ms === undefined) return { target, measured: 'not measured', met: undefined }
    const vsJava = java(key) === undefined ? '' : ` (${ratio(ms, java(key))} Java's)`
    return { target, measured: `${formatFigure(ms)} ms${vsJava}`, met: ms <= limitMs }
  }
  const atLeastJava = (target: string, system: SystemName, key: FigureKey, factor: number): TargetResult => {
    const ours = median(figures, system, key)
    const theirs = java(key)
    if (ours === undefined || theirs === undefined || theirs === 0) return { target, measured: 'not measured', met: undefined }
    return {
      target,
      measured: `${ratio(ours, theirs)} (${formatFigure(ours)} against ${formatFigure(theirs)} ops/s)`,
      met: ours / theirs >= factor,
    }
  }
  return [
    atMostMs('3-node start → serving ≤ 15 ms (in memory)', 'startMs', 15),
    atMostMs('failover after kill -9 of the leader → next successful write ≤ 30 ms median (in memory)', 'failoverMs', 30),
    atLeastJava("follower write throughput with dataDir + fsync ≥ 2× Java's", 'fsync', 'followerOps', 2),
    atLeastJava(`in-memory write throughput with the ${LOAD} load ≥ 1.5× Java's`, 'memory', 'loadOps', 1.5),
  ]
}

/** The figures table: one row per figure, one column per system, median (min–max). */
export function ensembleFigureTable(figures: RunFigures): string {
  const lines = [row(['figure', ...SYSTEMS.map((s) => s.label)]), rule(SYSTEMS.length + 1)]
  for (const f of ENSEMBLE_FIGURES) lines.push(row([f.label, ...SYSTEMS.map((s) => formatSpread(figures[s.name]?.[f.key]))]))
  return lines.join('\n')
}

/** Each zookit column's median over Java's, per figure. */
export function ensembleRatioTable(figures: RunFigures): string {
  const zookits = SYSTEMS.filter((s) => s.name !== 'java')
  const lines = [row(['figure', ...zookits.map((s) => `${s.label} / Java`)]), rule(zookits.length + 1)]
  for (const f of ENSEMBLE_FIGURES)
    lines.push(row([f.label, ...zookits.map((s) => ratio(median(figures, s.name, f.key), median(figures, 'java', f.key)))]))
  return lines.join('\n')
}

export interface EnsembleRunFacts {
  /** YYYY-MM-DD */
  date: string
  /** machine.ts's machine line. */
  machine: string
  /** "3.8.0", as the Java servers report it; undefined when none started. */
  javaVersion?: string
  rounds: number
  /** 1-minute load average when the run started and when it ended. */
  loadAverage: { start: number; end: number }
  /** Free text added under the heading (--note). */
  note?: string
  /** The throughput chart's path relative to BENCHMARKS.md. */
  chart: string
}

/** The whole ensemble section of BENCHMARKS.md, markers included. */
export function ensembleSection(facts: EnsembleRunFacts, figures: RunFigures): string {
  const load = (x: number) => x.toFixed(2)
  return [
    ENSEMBLE_SECTION.begin,
    `## Ensemble: ${facts.date}, ${facts.rounds} ${facts.rounds === 1 ? 'round' : 'rounds'}`,
    '',
    `${facts.machine}; Java ZooKeeper ${facts.javaVersion ?? '?'}, three servers. ` +
      `Load average ${load(facts.loadAverage.start)} at the start, ${load(facts.loadAverage.end)} at the end.` +
      (facts.note ? ` ${facts.note}` : ''),
    '',
    'Each round measures, one after another, Java ZooKeeper (three server processes, default tickTime and forceSync), ' +
      "zookit's bundled ensemble in memory, then zookit with a dataDir and fsync; each takes one sample of every figure " +
      'per round, on a fresh ensemble, after one unmeasured start of each before round 1. ' +
      "Start-up, failover and follower writes run zookit's three servers in the benchmark's process; " +
      `the max write load (\`write-load.ts\`) runs them as three processes (\`processes: true\`), as Java's are, ` +
      'where "in memory" means logs in a temporary directory without fsync. ' +
      'Each figure is the median of the rounds, with the min–max in brackets; ratios divide medians of this run.',
    '',
    ensembleFigureTable(figures),
    '',
    'zookit over Java (medians). For throughputs above 1× is better; for times below 1× is better.',
    '',
    ensembleRatioTable(figures),
    '',
    "Issue 13's ensemble targets:",
    '',
    targetTable(ensembleTargets(figures)),
    '',
    `![write throughput per ensemble, median with min–max](${facts.chart})`,
    ENSEMBLE_SECTION.end,
  ].join('\n')
}
