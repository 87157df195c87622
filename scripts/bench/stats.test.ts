// The benchmark arithmetic: nearest-rank percentiles, medians, spreads over rounds, the thinned CDF
// and the number formats of the tables.
import t from 'tap'
import { cdf, formatFigure, formatSpread, median, percentile, ratio, spread, spreads } from './stats.js'

t.test('percentile is the nearest rank of the sorted samples', async (t) => {
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i) // 100 … 1, unsorted on purpose
  t.equal(percentile(xs, 50), 50)
  t.equal(percentile(xs, 99), 99)
  t.equal(percentile(xs, 100), 100)
  t.equal(percentile(xs, 0), 1)
  t.equal(percentile([7], 99), 7)
  t.same(xs.slice(0, 2), [100, 99], 'the input is left as it was')
  t.throws(() => percentile([], 50))
})

t.test('median of odd and even counts', async (t) => {
  t.equal(median([3, 1, 2]), 2)
  t.equal(median([4, 1, 3, 2]), 2.5)
  t.throws(() => median([]))
})

t.test('spread and spreads over rounds', async (t) => {
  t.same(spread([5, 1, 9, 3, 7]), { median: 5, min: 1, max: 9, n: 5 })
  const s = spreads([{ a: 1, b: 10 }, { a: 3 }, { a: 2, b: 20 }])
  t.same(s.a, { median: 2, min: 1, max: 3, n: 3 })
  t.same(s.b, { median: 15, min: 10, max: 20, n: 2 }, 'a round without a figure does not count for it')
})

t.test('cdf: thinned, monotone, ends at the maximum, finer in the tail', async (t) => {
  const xs = Array.from({ length: 10_000 }, (_, i) => i + 1)
  const points = cdf(xs, 100)
  t.ok(points.length <= 3 * 100 + 2, `${points.length} points`)
  t.same(points[0], { value: 1, fraction: 1 / 10_000 })
  t.same(points.at(-1), { value: 10_000, fraction: 1 })
  for (let i = 1; i < points.length; i++) t.ok(points[i]!.value > points[i - 1]!.value && points[i]!.fraction > points[i - 1]!.fraction)
  t.equal(points.filter((p) => p.fraction > 0.99).length, 100, 'every sample of the slowest 1%')
  t.ok(points.filter((p) => p.fraction > 0.9).length >= 190, 'one in ten of the slowest 10%')
  t.same(cdf([]), [])
  t.same(cdf([5]), [{ value: 5, fraction: 1 }])
})

t.test('formats', async (t) => {
  t.equal(ratio(1, 4), '0.25×')
  t.equal(ratio(undefined, 4), '-')
  t.equal(ratio(1, 0), '-')
  t.equal(formatFigure(27844.4), '27844')
  t.equal(formatFigure(14.21), '14.2')
  t.equal(formatFigure(0.873), '0.87')
  t.equal(formatSpread({ median: 12.34, min: 11, max: 140.6, n: 5 }), '12.3 (11.0–141)')
  t.equal(formatSpread({ median: 12.34, min: 12.34, max: 12.34, n: 1 }), '12.3', 'one round has no range')
  t.equal(formatSpread(undefined), '-')
})
