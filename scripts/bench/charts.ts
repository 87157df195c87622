// SVG charts for BENCHMARKS.md, drawn by vega-lite and vega in Node (renderer 'none': no browser, no
// canvas): a latency CDF per series, and grouped bars of a median with its min–max range. Shared by
// the client and the ensemble benchmarks.
import * as vega from 'vega'
import * as vl from 'vega-lite'
import { cdf } from './stats.js'

const WIDTH = 560
const HEIGHT = 300
const LEGEND = { labelLimit: 400 }

type ConcatPanel = Extract<vl.TopLevelSpec, { vconcat: unknown }>['vconcat'][number]

async function render(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

export interface CdfSeries {
  name: string
  /** Raw samples; thinned to a few hundred points per series before drawing. */
  samples: readonly number[]
}

/**
 * Empirical CDFs of each series on a log x axis (latencies span decades), one step line each; a
 * second panel zooms into the slowest 10% of calls, where the p99 lives.
 */
export function cdfChart(opts: { title: string; xTitle: string; series: readonly CdfSeries[] }): Promise<string> {
  const values = opts.series.flatMap((s) => cdf(s.samples).map((p) => ({ series: s.name, value: p.value, fraction: p.fraction })))
  const panel = (height: number, from: number, yTitle: string): ConcatPanel => ({
    width: WIDTH,
    height,
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5, clip: true },
    encoding: {
      x: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: opts.xTitle },
      y: { field: 'fraction', type: 'quantitative', scale: { domain: [from, 1] }, title: yTitle },
      color: { field: 'series', type: 'nominal', sort: opts.series.map((s) => s.name), title: null, legend: LEGEND },
    },
  })
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title,
    background: 'white',
    data: { values },
    vconcat: [panel(HEIGHT, 0, 'fraction of calls at or below'), panel(HEIGHT / 2, 0.9, 'the slowest 10%')],
  })
}

export interface RangeBar {
  /** The x category (a workload). */
  group: string
  /** The bar within its group (a client). */
  series: string
  median: number
  min: number
  max: number
}

/** Bars of each median, grouped by `group`, with a rule from min to max over each bar. */
export function rangeBarChart(opts: { title: string; yTitle: string; bars: readonly RangeBar[] }): Promise<string> {
  const groups = [...new Set(opts.bars.map((b) => b.group))]
  const series = [...new Set(opts.bars.map((b) => b.series))]
  const x = { field: 'group', type: 'nominal', sort: groups, title: null, axis: { labelAngle: 0, labelLimit: 200 } } as const
  const xOffset = { field: 'series', type: 'nominal', sort: series } as const
  // vega-lite leaves y2 out of the scale's domain: make room for the tallest range by hand.
  const top = Math.max(...opts.bars.map((b) => b.max))
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title,
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    data: { values: opts.bars.map((b) => ({ ...b })) },
    encoding: { x, xOffset },
    layer: [
      {
        mark: 'bar',
        encoding: {
          y: { field: 'median', type: 'quantitative', title: opts.yTitle, scale: { domain: [0, top], nice: true } },
          color: { field: 'series', type: 'nominal', sort: series, title: null, legend: LEGEND },
        },
      },
      {
        mark: { type: 'rule', color: 'black', strokeWidth: 1.5 },
        encoding: { y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } },
      },
    ],
  })
}
