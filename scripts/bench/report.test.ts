// The client section of BENCHMARKS.md: targets judged from medians, tables with every client, and
// --write replacing only the section between its markers.
import t from 'tap'
import { SECTION_BEGIN, SECTION_END, clientSection, clientTargets, replaceSection, type RunFigures } from './report.js'
import { spread } from './stats.js'

const clients = [
  { name: 'zookit', label: 'zookit' },
  { name: 'floor', label: 'floor' },
  { name: 'node-zookeeper-client', label: 'node-zookeeper-client 1.1.3' },
  { name: 'zookeeper', label: 'zookeeper 7.3.0 (native)' },
  { name: 'java', label: 'Java client 3.8.0' },
]
const peers = ['node-zookeeper-client', 'zookeeper', 'java', 'kazoo']
const one = (v: number) => spread([v])
const figures: RunFigures = {
  zookit: {
    cpuPerGetUs: spread([9, 10, 11]),
    cpuPerSetUs: one(10),
    seqGetP99us: one(1400),
    seqGetSteadyP99us: one(400),
    peakRssMB: one(90),
    pipeGetOps: one(30_000),
    pipeSetOps: one(15_000),
    ephPairsPerSec: one(5000),
  },
  floor: { cpuPerGetUs: one(6), cpuPerSetUs: one(8) },
  'node-zookeeper-client': {
    cpuPerGetUs: one(40),
    cpuPerSetUs: one(20),
    pipeGetOps: one(20_000),
    pipeSetOps: one(22_000),
    ephPairsPerSec: one(4000),
  },
  zookeeper: {
    seqGetP99us: one(500),
    seqGetSteadyP99us: one(500),
    peakRssMB: one(80),
    pipeGetOps: one(25_000),
    pipeSetOps: one(10_000),
    ephPairsPerSec: one(3000),
  },
  java: { pipeGetOps: one(31_000), pipeSetOps: one(12_000) },
}

t.test('targets are judged on medians, against the named client or the best peer', async (t) => {
  const targets = clientTargets(figures, clients, peers)
  t.same(
    targets.map((x) => [x.target, x.measured, x.met]),
    [
      ["CPU per pipelined getData ≤ 0.33× node-zookeeper-client 1.1.3's", '0.25×', true],
      ["CPU per pipelined setData ≤ 0.33× node-zookeeper-client 1.1.3's", '0.50×', false],
      ["CPU per pipelined getData ≤ 1.5× floor's", '1.67×', false],
      ["CPU per pipelined setData ≤ 1.5× floor's", '1.25×', true],
      ["sequential getData p99 (steady state) ≤ zookeeper 7.3.0 (native)'s", '0.80×', true],
      ["sequential getData p99 (while V8 compiles) ≤ zookeeper 7.3.0 (native)'s", '2.80×', false],
      ["peak RSS ≤ zookeeper 7.3.0 (native)'s", '1.13×', false],
      ["pipelined getData throughput ≥ the best peer's", '0.97× (best: Java client 3.8.0)', false],
      ["pipelined setData throughput ≥ the best peer's", '0.68× (best: node-zookeeper-client 1.1.3)', false],
      ["ephemeral create+delete throughput ≥ the best peer's", '1.25× (best: node-zookeeper-client 1.1.3)', true],
    ],
  )
})

t.test('a target whose client was not measured says so', async (t) => {
  const targets = clientTargets({ zookit: figures.zookit! }, clients.slice(0, 1), peers)
  t.ok(targets.every((x) => x.measured === 'not measured' && x.met === undefined))
})

t.test('the section: markers, machine, every client, ratios, verdicts, charts', async (t) => {
  const section = clientSection(
    {
      date: '2026-12-02',
      machine: '2 cores (Test CPU), Debian, Node v20',
      server: 'ZooKeeper 3.8.0 standalone',
      rounds: 3,
      note: 'A note.',
      charts: { latencyCdf: 'docs/bench/a.svg', throughput: 'docs/bench/b.svg' },
    },
    figures,
    clients,
    peers,
  )
  t.ok(section.startsWith(SECTION_BEGIN) && section.endsWith(SECTION_END))
  t.match(section, '## Client: 2026-12-02, 3 rounds')
  t.match(section, '2 cores (Test CPU), Debian, Node v20; server ZooKeeper 3.8.0 standalone. A note.')
  t.match(section, '| client CPU per pipelined getData (µs) | 10.0 (9.00–11.0) | 6.00 | 40.0 | - | - |')
  t.match(
    section,
    '| figure | zookit / floor | zookit / node-zookeeper-client 1.1.3 | zookit / zookeeper 7.3.0 (native) | zookit / Java client 3.8.0 |',
  )
  t.match(section, '| client CPU per pipelined getData (µs) | 1.67× | 0.25× | - | - |')
  t.match(section, "| CPU per pipelined getData ≤ 1.5× floor's | 1.67× | not met |")
  t.match(section, '![sequential getData latency CDF per client](docs/bench/a.svg)')
})

t.test('replaceSection swaps the marked section and keeps the rest', async (t) => {
  const section = `${SECTION_BEGIN}\nnew\n${SECTION_END}`
  const doc = `# Benchmarks\n\nintro\n\n${SECTION_BEGIN}\nold\n${SECTION_END}\n\n## History\n\nkept\n`
  t.equal(replaceSection(doc, section), `# Benchmarks\n\nintro\n\n${section}\n\n## History\n\nkept\n`)
  t.equal(
    replaceSection('# Benchmarks\n\nintro\n\n## Old\n', section),
    `# Benchmarks\n\nintro\n\n${section}\n\n## Old\n`,
    'first time: before the first section',
  )
  t.equal(replaceSection('# Benchmarks\n', section), `# Benchmarks\n\n${section}\n`, 'no sections yet: at the end')
})
