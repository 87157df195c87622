// The SVG timeline renderer: well-formed markup whatever the labels hold, a lane per client, a bar
// per op styled by outcome, the offending ops highlighted, and long histories cut to a window.
import t from 'tap'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { escapeXml, renderTimeline, windowAround, writeTimeline, type TimelineBar } from './timeline-svg.js'
import { checkXml, type XmlElement } from './xml-check.test-helper.js'

const classed = (els: XmlElement[], cls: string) => els.filter((e) => (e.attrs.get('class') ?? '').split(' ').includes(cls))

const bars: TimelineBar[] = [
  { lane: 's1', start: 0, end: 10, label: 'write a', outcome: 'ok' },
  { lane: 's2', start: 5, end: 20, label: 'cas a -> b', outcome: 'failed' },
  { lane: 's3', start: 12, label: 'write c', outcome: 'unknown' },
  { lane: 's1', start: 22, end: 30, label: 'read null', outcome: 'ok', offending: true },
  { lane: 's3', start: 25, end: 28, label: 'read a', outcome: 'ok' },
]

t.test('lanes, bars by outcome, the offending op highlighted, a time axis, a legend', async (t) => {
  const svg = renderTimeline({ title: 'linearizability violated on /k', subtitle: 'seed 7', unit: 'ms', bars })
  const { problems, elements } = checkXml(svg)
  t.same(problems, [], 'well-formed')
  t.equal(elements[0]!.name, 'svg')
  t.equal(elements[0]!.attrs.get('xmlns'), 'http://www.w3.org/2000/svg')
  t.equal(classed(elements, 'lane').length, 3, 'one lane per client')
  const drawn = classed(elements, 'bar')
  t.equal(drawn.length, 5, 'one bar per op')
  t.equal(classed(elements, 'ok').length, 3)
  t.equal(classed(elements, 'failed').length, 1)
  t.equal(classed(elements, 'unknown').length, 1)
  t.equal(classed(elements, 'offending').length, 1, 'the offending op marked')
  t.equal(classed(elements, 'highlight').length, 1, 'and its span highlighted')
  const texts = elements.filter((e) => e.name === 'text').map((e) => e.text)
  for (const label of ['write a', 'cas a -> b', 'write c', 'read null', 'read a', 'linearizability violated on /k', 'seed 7'])
    t.ok(texts.includes(label), `shows ${label}`)
  t.ok(
    texts.some((s) => /^\d+ ms$/.test(s)),
    'ticks in ms',
  )
  for (const name of ['ok', 'failed (did not happen)', 'indeterminate (may have happened)', 'offending'])
    t.ok(texts.includes(name), `legend: ${name}`)
  // The indeterminate write of s3 is still open when s3 reads: they go on two rows of s3's lane.
  const laneHeights = classed(elements, 'lane').map((e) => Number(e.attrs.get('height')))
  t.ok(laneHeights[2]! > laneHeights[0]!, 'an open-ended op pushes the next op of its lane to a second row')
  const rects = elements.filter((e) => e.name === 'rect' && e.attrs.has('rx'))
  const right = Math.max(...rects.map((r) => Number(r.attrs.get('x')) + Number(r.attrs.get('width'))))
  const unknownRect = rects[drawn.findIndex((d) => classed([d], 'unknown').length)]!
  t.equal(Number(unknownRect.attrs.get('x')) + Number(unknownRect.attrs.get('width')), right, 'the indeterminate bar runs to the edge')
})

t.test('hostile labels are escaped, forbidden characters replaced', async (t) => {
  const evil = '</text><script>alert(1)</script>&amp;"\'\u0000\ud800'
  const svg = renderTimeline({
    title: evil,
    unit: 'clock',
    bars: [{ lane: evil, start: 1, end: 2, label: evil, outcome: 'ok', offending: true, detail: evil }],
    markers: [{ at: 1.5, label: evil }],
  })
  const { problems, elements } = checkXml(svg)
  t.same(problems, [], 'well-formed')
  t.notOk(
    elements.some((e) => e.name === 'script'),
    'no script element',
  )
  t.notMatch(svg, /<script/)
  t.ok(
    elements.some((e) => e.name === 'title' && e.text === '</text><script>alert(1)</script>&amp;"\'\ufffd\ufffd'),
    'the text reads as written',
  )
  t.equal(escapeXml('a<b>&"\''), 'a&lt;b&gt;&amp;&quot;&apos;')
  t.equal(escapeXml('\u{1F600}'), '\u{1F600}', 'a surrogate pair is kept')
  t.same(checkXml(`<a>${escapeXml('x < y && z')}</a>`).problems, [])
  t.not(checkXml('<a>x < y && z</a>').problems.length, 0, 'the checker itself rejects unescaped text')
})

t.test('a long history is drawn as a window around the offending ops', async (t) => {
  const many: TimelineBar[] = Array.from({ length: 1000 }, (_, i) => ({
    lane: `s${i % 5}`,
    start: i * 10,
    end: i * 10 + 15,
    label: `write v${i}`,
    outcome: 'ok',
    offending: i === 600,
  }))
  const shown = windowAround(many, 100)
  t.equal(shown.length, 100)
  t.ok(shown.includes(many[600]!), 'the offending op is in it')
  t.ok(shown.includes(many[599]!) && shown.includes(many[601]!), 'with the ops overlapping it')
  t.ok(
    shown.every((b) => Math.abs(b.start - 6000) <= 600),
    'and only ops near it',
  )
  t.same(windowAround(many.slice(0, 50), 100), many.slice(0, 50), 'a short history is drawn whole')
  const svg = renderTimeline({ title: 'long', unit: 'ms', bars: shown })
  t.same(checkXml(svg).problems, [])
  t.equal(classed(checkXml(svg).elements, 'bar').length, 100)
})

t.test('writeTimeline writes under its directory, whatever the name', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zookit-timeline-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = writeTimeline('<svg xmlns="http://www.w3.org/2000/svg"/>\n', '../../etc/passwd key /k0', dir)
  t.ok(path.isAbsolute(file))
  t.equal(path.dirname(file), dir, 'stays in the directory')
  t.equal(path.basename(file), 'etc-passwd-key-k0.svg')
  t.ok(existsSync(file))
  t.equal(readFileSync(file, 'utf8'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n')
})
