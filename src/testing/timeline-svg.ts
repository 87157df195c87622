// An SVG timeline of operations, as Knossos draws for a violation: one lane per client, a bar per
// operation from its invocation to its completion, coloured by outcome, the offending ones outlined.
// Written by hand (it is simple markup), so every piece of text goes through escapeXml.
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** How an operation ended: it took effect, it definitely did not, or nobody knows. */
export type BarOutcome = 'ok' | 'failed' | 'unknown'

/** One operation on the timeline. `end` undefined = indeterminate: the bar runs to the right edge. */
export interface TimelineBar {
  lane: string
  start: number
  end?: number
  /** Short text on the bar (op and value). */
  label: string
  outcome: BarOutcome
  /** Part of the violation: outlined in red and covered by the highlight band. */
  offending?: boolean
  /** The full description, shown as the bar's tooltip. */
  detail?: string
}

/** A moment worth a vertical line (a fault injected, a fault undone). */
export interface TimelineMarker {
  at: number
  label: string
}

export interface Timeline {
  title: string
  subtitle?: string
  /** The unit of `start`, `end` and `at`, named on the axis ('ms', or 'clock' for a logical clock). */
  unit: string
  bars: readonly TimelineBar[]
  markers?: readonly TimelineMarker[]
}

const LANE_LABEL_WIDTH = 220
const ROW_HEIGHT = 22
const BAR_HEIGHT = 16
const LABEL_CHARS = 28
/** Pixels each op of the busiest row gets: room for about 14 characters. */
const LABEL_ROOM = 95
const CHAR_WIDTH = 6.6
const MARGIN = 12
const HEADER_HEIGHT = 112
const AXIS_HEIGHT = 34

const STYLE: Record<BarOutcome, { fill: string; stroke: string; dash?: string; name: string }> = {
  ok: { fill: '#b7e4a7', stroke: '#3f7f2a', name: 'ok' },
  failed: { fill: '#dddddd', stroke: '#777777', name: 'failed (did not happen)' },
  unknown: { fill: '#fde49c', stroke: '#a67c00', dash: '4 3', name: 'indeterminate (may have happened)' },
}
const OFFENDING_STROKE = '#d0021b'

/**
 * Text safe inside an element or a quoted attribute: markup characters become entities, and
 * characters XML 1.0 forbids (most control characters, lone surrogates) become U+FFFD.
 */
export function escapeXml(text: string): string {
  return text
    .replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      '\ufffd',
    )
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
}

/** At most `max` code points, with an ellipsis when cut (never splits a surrogate pair). */
function clip(text: string, max: number): string {
  const chars = Array.from(text)
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`
}

/**
 * The offending bars and the `max` bars nearest to them in time (overlapping ones first, then the
 * closest before and after), in their original order. A long history is drawn as this window only.
 */
export function windowAround(bars: readonly TimelineBar[], max = 120): TimelineBar[] {
  if (bars.length <= max) return [...bars]
  const offending = bars.filter((b) => b.offending)
  const from = Math.min(...offending.map((b) => b.start))
  const to = Math.max(...offending.map((b) => b.end ?? b.start))
  // An indeterminate op counts as near only if it began near: one left open long before is noise.
  const distance = (b: TimelineBar) => {
    if (b.offending) return -1
    if (b.start > to) return b.start - to
    const end = b.end ?? b.start
    return end < from ? from - end : 0
  }
  const chosen = new Set(
    bars
      .map((b, i) => ({ i, d: distance(b) }))
      .sort((a, b) => a.d - b.d || a.i - b.i)
      .slice(0, Math.max(max, offending.length))
      .map((c) => c.i),
  )
  return bars.filter((_, i) => chosen.has(i))
}

/** A tick step of 1, 2 or 5 times a power of ten giving about `count` ticks over `span`. */
function tickStep(span: number, count: number): number {
  const raw = span / count
  const power = 10 ** Math.floor(Math.log10(raw))
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!
}

/** Each lane's bars packed into rows so that no two bars of a row overlap. */
function packRows(bars: readonly TimelineBar[]): {
  lanes: { name: string; rows: number }[]
  placed: Map<TimelineBar, { lane: number; row: number; next?: number }>
  busiest: number
} {
  const lanes: { name: string; rows: number }[] = []
  const laneIndex = new Map<string, number>()
  const rowEnds: number[][] = []
  const placed = new Map<TimelineBar, { lane: number; row: number; next?: number }>()
  const lastInRow: TimelineBar[][] = []
  for (const bar of [...bars].sort((a, b) => a.start - b.start)) {
    let lane = laneIndex.get(bar.lane)
    if (lane === undefined) {
      lane = lanes.length
      laneIndex.set(bar.lane, lane)
      lanes.push({ name: bar.lane, rows: 0 })
      rowEnds.push([])
      lastInRow.push([])
    }
    const ends = rowEnds[lane]!
    let row = ends.findIndex((end) => end < bar.start)
    if (row < 0) row = ends.length
    ends[row] = bar.end ?? Infinity
    lanes[lane]!.rows = ends.length
    const before = lastInRow[lane]![row]
    if (before) placed.get(before)!.next = bar.start
    lastInRow[lane]![row] = bar
    placed.set(bar, { lane, row })
  }
  const rowSizes = [...placed.values()].reduce(
    (m, p) => m.set(`${p.lane}|${p.row}`, (m.get(`${p.lane}|${p.row}`) ?? 0) + 1),
    new Map<string, number>(),
  )
  const busiest = Math.max(0, ...rowSizes.values())
  // Lanes in the order their names sort naturally (s2 before s10), whatever order the bars came in.
  const order = lanes.map((l, i) => ({ l, i })).sort((a, b) => a.l.name.localeCompare(b.l.name, 'en', { numeric: true }))
  const renumber = new Map(order.map(({ i }, k) => [i, k]))
  for (const at of placed.values()) at.lane = renumber.get(at.lane)!
  return { lanes: order.map(({ l }) => l), placed, busiest }
}

/** The timeline as a standalone SVG document. */
export function renderTimeline(timeline: Timeline): string {
  const { bars, unit } = timeline
  const finite = bars.flatMap((b) => (b.end === undefined ? [b.start] : [b.start, b.end]))
  const first = finite.length ? Math.min(...finite) : 0
  const last = finite.length ? Math.max(...finite) : 1
  const pad = Math.max((last - first) * 0.04, unit === 'clock' ? 1 : 0.5)
  const t0 = first - pad
  const t1 = last + pad
  const { lanes, placed, busiest } = packRows(bars)
  // Wide enough that the ops of the busiest row have room for their labels, within bounds a browser scrolls easily.
  const plotWidth = Math.min(8000, Math.max(900, busiest * LABEL_ROOM))
  const left = MARGIN + LANE_LABEL_WIDTH
  const x = (t: number) => left + ((t - t0) / (t1 - t0)) * plotWidth
  const laneTop: number[] = []
  let y = HEADER_HEIGHT + AXIS_HEIGHT
  for (const lane of lanes) {
    laneTop.push(y)
    y += Math.max(1, lane.rows) * ROW_HEIGHT + 6
  }
  const height = y + MARGIN
  const width = left + plotWidth + MARGIN
  const num = (n: number) => String(Math.round(n * 10) / 10)
  const out: string[] = []
  const e = escapeXml

  out.push('<?xml version="1.0" encoding="UTF-8"?>')
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" font-family="monospace" font-size="11">`,
  )
  out.push(`<title>${e(timeline.title)}</title>`)
  out.push(`<rect x="0" y="0" width="${num(width)}" height="${num(height)}" fill="#ffffff"/>`)
  out.push(`<text x="${MARGIN}" y="22" font-size="15" font-weight="bold">${e(timeline.title)}</text>`)
  if (timeline.subtitle) out.push(`<text x="${MARGIN}" y="40">${e(timeline.subtitle)}</text>`)

  // Legend.
  let lx = MARGIN
  const legend = (swatch: (x: string) => string, name: string) => {
    out.push(`<g class="legend">${swatch(num(lx))}<text x="${num(lx + 20)}" y="62">${e(name)}</text></g>`)
    lx += 28 + name.length * 7
  }
  for (const outcome of ['ok', 'failed', 'unknown'] as const) {
    const s = STYLE[outcome]
    legend(
      (sx) =>
        `<rect x="${sx}" y="52" width="14" height="12" fill="${s.fill}" stroke="${s.stroke}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
      s.name,
    )
  }
  legend((sx) => `<rect x="${sx}" y="52" width="14" height="12" fill="none" stroke="${OFFENDING_STROKE}" stroke-width="3"/>`, 'offending')

  // Time axis.
  const axisY = HEADER_HEIGHT + AXIS_HEIGHT - 8
  out.push(`<line x1="${left}" y1="${axisY}" x2="${num(left + plotWidth)}" y2="${axisY}" stroke="#333333"/>`)
  const step = tickStep(t1 - t0, Math.max(4, Math.round(plotWidth / 120)))
  const decimals = Math.max(0, -Math.floor(Math.log10(step)))
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    out.push(`<line x1="${num(x(t))}" y1="${axisY - 4}" x2="${num(x(t))}" y2="${num(height - MARGIN)}" stroke="#eeeeee"/>`)
    out.push(`<text x="${num(x(t))}" y="${axisY - 7}" text-anchor="middle">${e(`${t.toFixed(decimals)} ${unit}`)}</text>`)
  }

  // Lanes.
  lanes.forEach((lane, i) => {
    const top = laneTop[i]!
    const h = Math.max(1, lane.rows) * ROW_HEIGHT
    out.push(
      `<rect class="lane" x="${MARGIN}" y="${top - 2}" width="${num(LANE_LABEL_WIDTH + plotWidth)}" height="${h + 4}" fill="${i % 2 ? '#ffffff' : '#f6f7f9'}"/>`,
    )
    out.push(`<text x="${MARGIN + 4}" y="${top + 14}">${e(clip(lane.name, 30))}<title>${e(lane.name)}</title></text>`)
  })

  // The span of the offending operations, across every lane.
  const offending = bars.filter((b) => b.offending)
  if (offending.length) {
    const from = Math.min(...offending.map((b) => b.start))
    const to = Math.max(...offending.map((b) => b.end ?? t1))
    out.push(
      `<rect class="highlight" x="${num(x(from))}" y="${HEADER_HEIGHT + AXIS_HEIGHT - 4}" width="${num(Math.max(2, x(to) - x(from)))}" height="${num(height - MARGIN - HEADER_HEIGHT - AXIS_HEIGHT + 4)}" fill="${OFFENDING_STROKE}" fill-opacity="0.08"/>`,
    )
  }

  const shownMarkers = (timeline.markers ?? []).filter((m) => m.at >= t0 && m.at <= t1).sort((a, b) => a.at - b.at)
  shownMarkers.forEach((m, i) => {
    const mx = num(x(m.at))
    // Labels on three staggered lines, so that neighbouring faults stay legible.
    const ly = 80 + (i % 3) * 12
    out.push(
      `<g class="marker"><line x1="${mx}" y1="${HEADER_HEIGHT + AXIS_HEIGHT - 4}" x2="${mx}" y2="${num(height - MARGIN)}" stroke="#5b3cc4" stroke-dasharray="2 3"/><text x="${mx}" y="${ly}" fill="#5b3cc4">${e(clip(m.label, 40))}</text><title>${e(m.label)}</title></g>`,
    )
  })

  // Bars, offending ones last so their outline is on top.
  for (const bar of [...bars].sort((a, b) => Number(a.offending ?? false) - Number(b.offending ?? false))) {
    const at = placed.get(bar)!
    const top = laneTop[at.lane]! + at.row * ROW_HEIGHT
    const s = STYLE[bar.outcome]
    const bx = x(bar.start)
    const bw = Math.max(2, (bar.end === undefined ? left + plotWidth : x(bar.end)) - bx)
    const stroke = bar.offending ? ` stroke="${OFFENDING_STROKE}" stroke-width="3"` : ` stroke="${s.stroke}"`
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : ''
    const cls = `bar ${bar.outcome}${bar.offending ? ' offending' : ''}`
    // A label runs until the next bar of its row (the tooltip has it whole); an offending op's is shown whole, on top.
    const free = (at.next === undefined ? left + plotWidth : x(at.next)) - bx - 4
    const room = bar.offending ? LABEL_CHARS : Math.min(LABEL_CHARS, Math.floor(free / CHAR_WIDTH))
    const label =
      room >= 2
        ? `<text x="${num(bx + 3)}" y="${top + 12}"${bar.offending ? ' font-weight="bold"' : ''}>${e(clip(bar.label, room))}</text>`
        : ''
    out.push(
      `<g class="${cls}"><title>${e(bar.detail ?? bar.label)}</title><rect x="${num(bx)}" y="${top}" width="${num(bw)}" height="${BAR_HEIGHT}" rx="3" fill="${s.fill}"${stroke}${dash}/>${label}</g>`,
    )
  }
  out.push(`<text x="${num(left + plotWidth)}" y="${num(height - 2)}" text-anchor="end" fill="#777777">${e(`time (${unit})`)}</text>`)
  out.push('</svg>')
  return `${out.join('\n')}\n`
}

/** Where timelines go unless a caller says otherwise: git-ignored, beside tap's own output. */
export const DEFAULT_TIMELINE_DIR = path.resolve('.tap', 'timelines')

/** Write `svg` as `<dir>/<name>.svg` (the name cut to letters, digits, - and _, so it cannot leave `dir`); returns the absolute path. */
export function writeTimeline(svg: string, name: string, dir = DEFAULT_TIMELINE_DIR): string {
  const safe =
    name
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 150) || 'timeline'
  const absDir = path.resolve(dir)
  mkdirSync(absDir, { recursive: true })
  const file = path.join(absDir, `${safe}.svg`)
  writeFileSync(file, svg)
  return file
}
