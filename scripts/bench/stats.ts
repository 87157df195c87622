// The arithmetic of the benchmarks, kept pure so it is tested on its own: percentiles, the median
// and range of a figure over rounds, and a CDF thinned to a size a chart can carry.

/** The value below which `p` percent of `xs` fall (nearest rank on the sorted samples). */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) throw new Error('percentile of no samples')
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/** The middle value; the mean of the two middle ones for an even count. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of no samples')
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** One figure over the rounds of a run: its median and its range. */
export interface Spread {
  median: number
  min: number
  max: number
  /** How many rounds measured it. */
  n: number
}

export function spread(xs: readonly number[]): Spread {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length }
}

/** Per figure, the spread of the values that rounds reported (a round may lack a figure). */
export function spreads(rounds: readonly Record<string, number>[]): Record<string, Spread> {
  const values = new Map<string, number[]>()
  for (const round of rounds)
    for (const [key, v] of Object.entries(round)) {
      if (!values.has(key)) values.set(key, [])
      values.get(key)!.push(v)
    }
  return Object.fromEntries([...values].map(([key, xs]) => [key, spread(xs)]))
}

/** A point of an empirical CDF: the fraction of samples at or below `value`. */
export interface CdfPoint {
  value: number
  fraction: number
}

/**
 * The empirical CDF of `xs` in at most about 3 × `points` points: `points` evenly spaced ranks over
 * all samples, as many again over the slowest 10% and over the slowest 1%, since the tail is what a
 * latency CDF is read for.
 */
export function cdf(xs: readonly number[], points = 200): CdfPoint[] {
  const sorted = [...xs].sort((a, b) => a - b)
  const n = sorted.length
  if (n === 0) return []
  const ranks = new Set<number>([0, n - 1])
  for (const from of [0, Math.floor(n * 0.9), Math.floor(n * 0.99)]) {
    const step = Math.max(1, (n - from) / points)
    for (let r = from + step - 1; r < n; r += step) ranks.add(Math.floor(r))
  }
  return [...ranks].sort((a, b) => a - b).map((r) => ({ value: sorted[r]!, fraction: (r + 1) / n }))
}

/** a / b as "0.41×", or "-" when either side is missing. */
export function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || b === 0) return '-'
  return `${(a / b).toFixed(2)}×`
}

/** A figure for a table: three significant digits, no exponent. */
export function formatFigure(v: number): string {
  if (!Number.isFinite(v)) return String(v)
  const abs = Math.abs(v)
  if (abs >= 100) return Math.round(v).toString()
  if (abs >= 10) return v.toFixed(1)
  return v.toFixed(2)
}

/** "median (min–max)" of a spread. */
export function formatSpread(s: Spread | undefined): string {
  if (!s) return '-'
  return s.n > 1 ? `${formatFigure(s.median)} (${formatFigure(s.min)}–${formatFigure(s.max)})` : formatFigure(s.median)
}
