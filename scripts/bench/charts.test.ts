// The charts render to standalone SVG in Node, with every series named and the range rules drawn.
import t from 'tap'
import { cdfChart, rangeBarChart } from './charts.js'

t.test('a latency CDF names every series', async (t) => {
  const svg = await cdfChart({
    title: 'latency',
    xTitle: 'µs',
    series: [
      { name: 'alpha client', samples: [100, 120, 150, 900] },
      { name: 'beta client', samples: [80, 90, 2000] },
    ],
  })
  t.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/)
  t.match(svg, 'alpha client')
  t.match(svg, 'beta client')
  t.match(svg, '>latency<')
})

t.test('range bars: one bar and one min–max rule per series and group', async (t) => {
  const svg = await rangeBarChart({
    title: 'throughput',
    yTitle: 'calls per second',
    bars: [
      { group: 'reads', series: 'alpha client', median: 10, min: 8, max: 30 },
      { group: 'reads', series: 'beta client', median: 12, min: 11, max: 13 },
      { group: 'writes', series: 'alpha client', median: 5, min: 4, max: 6 },
    ],
  })
  t.match(svg, 'alpha client')
  t.match(svg, 'writes')
  t.equal(svg.match(/class="mark-rule role-mark/g)?.length, 1, 'the rules are one mark')
  t.match(svg, '>30<', 'the y axis reaches the tallest max')
})
