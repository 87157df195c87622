// The client benchmark's Markdown: figures as median (min–max) over rounds, zookit's ratio to every
// other client, issue 13's client targets met or not, all as one section of BENCHMARKS.md between
// markers, so `npm run bench -- --write` can replace it. Pure: the run's facts come in as arguments.
// The table helpers and replaceSection serve the ensemble section (ensemble-report.ts) too.
import { FIGURES } from './workloads.js'
import { formatSpread, ratio, type Spread } from './stats.js'

export const SECTION_BEGIN = '<!-- client-bench:begin (written by npm run bench -- --write) -->'
export const SECTION_END = '<!-- client-bench:end -->'

/** The comment lines that open and close a section of BENCHMARKS.md a bench rewrites. */
export interface SectionMarkers {
  begin: string
  end: string
}

export const CLIENT_SECTION: SectionMarkers = { begin: SECTION_BEGIN, end: SECTION_END }

/** Per client name, per figure key, the spread over the run's rounds. */
export type RunFigures = Record<string, Record<string, Spread>>

export interface ReportClient {
  name: string
  label: string
}

export interface RunFacts {
  /** YYYY-MM-DD */
  date: string
  /** "2 cores, Intel(R) Xeon(R) Processor, Node v20.20.2, Debian GNU/Linux 12 (bookworm) 6.1.0" */
  machine: string
  /** "ZooKeeper 3.8.0 standalone" */
  server: string
  rounds: number
  /** Free text added under the heading (--note). */
  note?: string
  /** Chart paths relative to BENCHMARKS.md. */
  charts: { latencyCdf: string; throughput: string }
}

export interface TargetResult {
  target: string
  measured: string
  /** undefined when a client it needs was not measured. */
  met: boolean | undefined
}

const median = (figures: RunFigures, client: string, key: string) => figures[client]?.[key]?.median

/** Issue 13's client targets, from the medians of one run. */
export function clientTargets(figures: RunFigures, clients: readonly ReportClient[], peers: readonly string[]): TargetResult[] {
  const labelOf = (name: string) => clients.find((c) => c.name === name)?.label ?? name
  const out: TargetResult[] = []
  const atMost = (target: string, key: string, other: string, limit: number) => {
    const ours = median(figures, 'zookit', key)
    const theirs = median(figures, other, key)
    const r = ours !== undefined && theirs !== undefined ? ours / theirs : undefined
    out.push({
      target: `${target} ≤ ${limit === 1 ? '' : `${limit}× `}${labelOf(other)}'s`,
      measured: r === undefined ? 'not measured' : `${r.toFixed(2)}×`,
      met: r === undefined ? undefined : r <= limit,
    })
  }
  atMost('CPU per pipelined getData', 'cpuPerGetUs', 'node-zookeeper-client', 0.33)
  atMost('CPU per pipelined setData', 'cpuPerSetUs', 'node-zookeeper-client', 0.33)
  atMost('CPU per pipelined getData', 'cpuPerGetUs', 'floor', 1.5)
  atMost('CPU per pipelined setData', 'cpuPerSetUs', 'floor', 1.5)
  atMost('sequential getData p99 (steady state)', 'seqGetSteadyP99us', 'zookeeper', 1)
  atMost('sequential getData p99 (while V8 compiles)', 'seqGetP99us', 'zookeeper', 1)
  atMost('peak RSS', 'peakRssMB', 'zookeeper', 1)
  for (const f of FIGURES.filter((f) => f.throughput)) {
    const ours = median(figures, 'zookit', f.key)
    const measured = peers.filter((p) => median(figures, p, f.key) !== undefined)
    const best = measured.sort((a, b) => median(figures, b, f.key)! - median(figures, a, f.key)!)[0]
    const r = ours !== undefined && best !== undefined ? ours / median(figures, best, f.key)! : undefined
    out.push({
      target: `${f.throughput} throughput ≥ the best peer's`,
      measured: r === undefined ? 'not measured' : `${r.toFixed(2)}× (best: ${labelOf(best!)})`,
      met: r === undefined ? undefined : r >= 1,
    })
  }
  return out
}

export const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`
export const rule = (n: number) => row(Array.from({ length: n }, () => '---'))

/** The figures table: one row per figure, one column per client, median (min–max). */
export function figureTable(figures: RunFigures, clients: readonly ReportClient[]): string {
  const lines = [row(['figure', ...clients.map((c) => c.label)]), rule(clients.length + 1)]
  for (const f of FIGURES) lines.push(row([f.label, ...clients.map((c) => formatSpread(figures[c.name]?.[f.key]))]))
  return lines.join('\n')
}

/** zookit's median over each other client's, per figure. */
export function ratioTable(figures: RunFigures, clients: readonly ReportClient[]): string {
  const others = clients.filter((c) => c.name !== 'zookit')
  const lines = [row(['figure', ...others.map((c) => `zookit / ${c.label}`)]), rule(others.length + 1)]
  for (const f of FIGURES)
    lines.push(row([f.label, ...others.map((c) => ratio(median(figures, 'zookit', f.key), median(figures, c.name, f.key)))]))
  return lines.join('\n')
}

export function targetTable(targets: readonly TargetResult[]): string {
  const verdict = (met: boolean | undefined) => (met === undefined ? '-' : met ? 'met' : 'not met')
  return [row(['target', 'zookit measured', 'verdict']), rule(3), ...targets.map((t) => row([t.target, t.measured, verdict(t.met)]))].join(
    '\n',
  )
}

/** The whole client section of BENCHMARKS.md, markers included. */
export function clientSection(facts: RunFacts, figures: RunFigures, clients: readonly ReportClient[], peers: readonly string[]): string {
  return [
    SECTION_BEGIN,
    `## Client: ${facts.date}, ${facts.rounds} ${facts.rounds === 1 ? 'round' : 'rounds'}`,
    '',
    `${facts.machine}; server ${facts.server}.` + (facts.note ? ` ${facts.note}` : ''),
    '',
    `Each round runs every client once, in this order, each in a fresh process: ${clients.map((c) => c.label).join(', ')}. ` +
      'Each figure is the median of the rounds, with the min–max in brackets; ratios divide medians of this run.',
    '',
    figureTable(figures, clients),
    '',
    'zookit over each other client (medians). For throughputs above 1× is better; for times, CPU and RSS below 1× is better.',
    '',
    ratioTable(figures, clients),
    '',
    "Issue 13's client targets:",
    '',
    targetTable(clientTargets(figures, clients, peers)),
    '',
    `![sequential getData latency CDF per client](${facts.charts.latencyCdf})`,
    '',
    `![throughput per workload per client, median with min–max](${facts.charts.throughput})`,
    SECTION_END,
  ].join('\n')
}

/**
 * `doc` with the section between `markers` (the client's by default) replaced by `section`. A
 * document without one gets it right after the section `after` marks, when given and present;
 * otherwise before its first level-2 heading (after the introduction), or at the end.
 */
export function replaceSection(doc: string, section: string, markers: SectionMarkers = CLIENT_SECTION, after?: SectionMarkers): string {
  const begin = doc.indexOf(markers.begin)
  const end = doc.indexOf(markers.end, begin)
  if (begin >= 0 && end > begin) return doc.slice(0, begin) + section + doc.slice(end + markers.end.length)
  const afterBegin = after ? doc.indexOf(after.begin) : -1
  const afterEnd = afterBegin >= 0 ? doc.indexOf(after!.end, afterBegin) : -1
  if (afterEnd >= 0) {
    const at = afterEnd + after!.end.length
    return `${doc.slice(0, at)}\n\n${section}${doc.slice(at)}`
  }
  const firstHeading = doc.search(/^## /m)
  if (firstHeading < 0) return `${doc.trimEnd()}\n\n${section}\n`
  return `${doc.slice(0, firstHeading)}${section}\n\n${doc.slice(firstHeading)}`
}
