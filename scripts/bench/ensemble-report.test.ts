// The ensemble section of BENCHMARKS.md: its command line, issue 13's ensemble targets judged on
// medians, the tables, and --write putting the section after the client's, replacing only itself.
import t from 'tap'
import { ENSEMBLE_SECTION, ENSEMBLE_SECTION_AFTER, ensembleSection, ensembleTargets, parseEnsembleArgs } from './ensemble-report.js'
import { SECTION_BEGIN, SECTION_END, replaceSection, type RunFigures } from './report.js'
import { spread } from './stats.js'

const one = (v: number) => spread([v])
const figures: RunFigures = {
  java: { startMs: spread([1200, 1300, 1250]), failoverMs: one(500), followerOps: one(8000), loadOps: one(28_000) },
  memory: { startMs: spread([12, 14, 60]), failoverMs: one(45), followerOps: one(20_000), loadOps: one(40_000) },
  fsync: { startMs: one(16), failoverMs: one(50), followerOps: one(16_000), loadOps: one(20_000) },
}

t.test('arguments: defaults, each option, and what is refused', async (t) => {
  t.same(parseEnsembleArgs([]), { rounds: 5, write: false, note: undefined })
  t.same(parseEnsembleArgs(['--rounds', '1', '--write', '--note', 'Quiet machine.']), { rounds: 1, write: true, note: 'Quiet machine.' })
  t.same(parseEnsembleArgs(['--rounds=12']).rounds, 12)
  for (const bad of ['0', '-1', '2.5', 'five', ''])
    t.throws(() => parseEnsembleArgs([`--rounds=${bad}`]), /--rounds wants a positive integer/, `--rounds=${bad}`)
  t.throws(() => parseEnsembleArgs(['--round', '3']), 'an unknown option')
  t.throws(() => parseEnsembleArgs(['3']), 'a stray argument')
})

t.test('targets are judged on the medians: absolute for times, against Java for throughput', async (t) => {
  t.same(
    ensembleTargets(figures).map((x) => [x.target, x.measured, x.met]),
    [
      ['3-node start → serving ≤ 15 ms (in memory)', "14.0 ms (0.01× Java's)", true],
      ['failover after kill -9 of the leader → next successful write ≤ 30 ms median (in memory)', "45.0 ms (0.09× Java's)", false],
      ["follower write throughput with dataDir + fsync ≥ 2× Java's", '2.00× (16000 against 8000 ops/s)', true],
      [
        "in-memory write throughput with the 3 processes × 4 connections × 256 outstanding load ≥ 1.5× Java's",
        '1.43× (40000 against 28000 ops/s)',
        false,
      ],
    ],
  )
})

t.test('the limits are inclusive, and just past them is not met', async (t) => {
  const at = (startMs: number, failoverMs: number, fsyncOps: number, loadOps: number): RunFigures => ({
    java: { followerOps: one(1000), loadOps: one(1000) },
    memory: { startMs: one(startMs), failoverMs: one(failoverMs), loadOps: one(loadOps) },
    fsync: { followerOps: one(fsyncOps) },
  })
  t.same(
    ensembleTargets(at(15, 30, 2000, 1500)).map((x) => x.met),
    [true, true, true, true],
  )
  t.same(
    ensembleTargets(at(15.01, 30.01, 1999, 1499)).map((x) => x.met),
    [false, false, false, false],
  )
})

t.test('a target whose ensemble was not measured says so', async (t) => {
  const targets = ensembleTargets({ memory: { startMs: one(10) } })
  t.same(
    targets.map((x) => [x.measured, x.met]),
    [
      ['10.0 ms', true],
      ['not measured', undefined],
      ['not measured', undefined],
      ['not measured', undefined],
    ],
  )
})

t.test('the section: markers, machine, load, every ensemble, ratios, verdicts, chart', async (t) => {
  const section = ensembleSection(
    {
      date: '2026-12-02',
      machine: '2 cores (Test CPU), Debian, Node v20',
      javaVersion: '3.8.0',
      rounds: 5,
      loadAverage: { start: 0.42, end: 1.5 },
      note: 'A note.',
      chart: 'docs/bench/e.svg',
    },
    figures,
  )
  t.ok(section.startsWith(ENSEMBLE_SECTION.begin) && section.endsWith(ENSEMBLE_SECTION.end))
  t.match(section, '## Ensemble: 2026-12-02, 5 rounds')
  t.match(
    section,
    '2 cores (Test CPU), Debian, Node v20; Java ZooKeeper 3.8.0, three servers. Load average 0.42 at the start, 1.50 at the end. A note.',
  )
  t.match(section, '| figure | Java ZooKeeper 3.8 | zookit in memory | zookit dataDir + fsync |')
  t.match(section, '| 3-node start → serving (ms) | 1250 (1200–1300) | 14.0 (12.0–60.0) | 16.0 |')
  t.match(section, '| figure | zookit in memory / Java | zookit dataDir + fsync / Java |')
  t.match(section, '| setData via a follower, 256 outstanding (ops/s) | 2.50× | 2.00× |')
  t.match(section, "| follower write throughput with dataDir + fsync ≥ 2× Java's | 2.00× (16000 against 8000 ops/s) | met |")
  t.match(
    section,
    "| failover after kill -9 of the leader → next successful write ≤ 30 ms median (in memory) | 45.0 ms (0.09× Java's) | not met |",
  )
  t.match(section, '![write throughput per ensemble, median with min–max](docs/bench/e.svg)')
  t.match(
    ensembleSection({ date: 'd', machine: 'm', rounds: 1, loadAverage: { start: 0, end: 0 }, chart: 'c' }, {}),
    '## Ensemble: d, 1 round\n',
  )
})

t.test('--write puts the section right after the client section, then replaces only it', async (t) => {
  const client = `${SECTION_BEGIN}\n## Client: 2026-12-02\n\nfigures\n${SECTION_END}`
  const doc = `# Benchmarks\n\nintro\n\n${client}\n\n## Backpressure\n\ntext\n\n## Earlier runs\n\n### 2026-12-01, ensemble\n\nkept\n`
  const first = `${ENSEMBLE_SECTION.begin}\nfirst\n${ENSEMBLE_SECTION.end}`
  const once = replaceSection(doc, first, ENSEMBLE_SECTION, ENSEMBLE_SECTION_AFTER)
  t.equal(
    once,
    `# Benchmarks\n\nintro\n\n${client}\n\n${first}\n\n## Backpressure\n\ntext\n\n## Earlier runs\n\n### 2026-12-01, ensemble\n\nkept\n`,
  )
  const second = `${ENSEMBLE_SECTION.begin}\nsecond\n${ENSEMBLE_SECTION.end}`
  t.equal(replaceSection(once, second, ENSEMBLE_SECTION, ENSEMBLE_SECTION_AFTER), once.replace(first, second))
  t.equal(
    replaceSection(once, `${SECTION_BEGIN}\nnew client\n${SECTION_END}`),
    once.replace(client, `${SECTION_BEGIN}\nnew client\n${SECTION_END}`),
    'the client section is replaced on its own',
  )
  t.equal(
    replaceSection('# Benchmarks\n\nintro\n\n## Old\n', first, ENSEMBLE_SECTION, ENSEMBLE_SECTION_AFTER),
    `# Benchmarks\n\nintro\n\n${first}\n\n## Old\n`,
    'without a client section: before the first section',
  )
})
