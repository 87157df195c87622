// The scale benchmark's pure parts: mntr and /proc parsing, snapshot windows from mntr's counters,
// samples split by them, the targets' verdicts, and --write replacing only the scale section.
import t from 'tap'
import { CLIENT_SECTION, SECTION_BEGIN, SECTION_END, replaceSection } from './report.js'
import {
  SCALE_MARKERS,
  parseMntr,
  scaleSection,
  scaleTargets,
  snapshotWindows,
  splitBySnapshot,
  vmRssBytes,
  type ScaleFigures,
} from './scale-report.js'
import { spread } from './stats.js'

t.test('parseMntr: keys without zk_, numbers as numbers, text as text', async (t) => {
  const m = parseMntr(
    'zk_version\t3.8.0-5a02a05eddb59aee6ac762f7ea82e92a68eb9c0f, built on 2022-02-25\nzk_znode_count\t1005\nzk_cnt_snapshottime\t3\nnoise\n',
  )
  t.equal(m.znode_count, 1005)
  t.equal(m.cnt_snapshottime, 3)
  t.match(m.version, /^3\.8\.0-/)
  t.notOk('noise' in m)
})

t.test('vmRssBytes reads VmRSS in bytes, and refuses a status without it', async (t) => {
  t.equal(vmRssBytes('Name:\tjava\nVmPeak:\t  999 kB\nVmRSS:\t  204800 kB\nThreads:\t40\n'), 204800 * 1024)
  t.throws(() => vmRssBytes('Name:\tzombie\n'), /VmRSS/)
})

t.test('snapshotWindows: a count that rose between two answers, widened by the snapshot time', async (t) => {
  const polls = [
    { sentAt: 0, answeredAt: 1, count: 5, sumMs: 100 },
    { sentAt: 100, answeredAt: 101, count: 5, sumMs: 100 },
    { sentAt: 200, answeredAt: 450, count: 6, sumMs: 340 },
    { sentAt: 550, answeredAt: 551, count: 8, sumMs: 400 },
  ]
  t.same(snapshotWindows(polls), [
    { start: 100 - 240, end: 450, ms: 240 },
    { start: 200 - 60, end: 551, ms: 30 },
  ])
  t.same(snapshotWindows(polls.slice(0, 2)), [], 'no change, no window')
})

t.test('splitBySnapshot: a call that overlaps a window at all counts as during it', async (t) => {
  const windows = [{ start: 10, end: 20, ms: 5 }]
  const calls = [
    { start: 0, end: 1 }, // before
    { start: 9, end: 10 }, // touches the start
    { start: 12, end: 13 }, // inside
    { start: 19, end: 25 }, // runs past the end
    { start: 21, end: 22 }, // after
  ]
  const { during, quiet } = splitBySnapshot(calls, windows)
  t.same(during, [1000, 1000, 6000])
  t.same(quiet, [1000, 1000])
})

const one = (v: number) => spread([v])
const figures: ScaleFigures = {
  java: {
    rssPerZnodeB: one(1100),
    snapshotMs: one(800),
    restartMs: spread([3000, 4000, 5000]),
    readP99SnapshotUs: one(2000),
    idleRssMB: one(199),
  },
  zookit: {
    rssPerZnodeB: one(3100),
    snapshotMs: one(400),
    restartMs: spread([4000, 4000, 4000]),
    readP99SnapshotUs: one(2000),
    idleRssMB: one(250),
  },
}

t.test('scaleTargets: zookit at most Java, met or not, and unmeasured when a side is missing', async (t) => {
  const targets = scaleTargets(figures)
  t.same(
    targets.map((x) => [x.target, x.measured, x.met]),
    [
      ["RSS per znode ≤ Java's", '2.82×', false],
      ["snapshot time ≤ Java's", '0.50×', true],
      ["restart-from-disk time ≤ Java's", '1.00×', true],
      ["read p99 during a snapshot ≤ Java's", '1.00×', true],
      ["write p99 during a snapshot ≤ Java's", 'not measured', undefined],
    ],
  )
})

t.test('scaleSection: markers, sizes, both systems, ratios and verdicts', async (t) => {
  const section = scaleSection(
    {
      date: '2026-12-02',
      machine: '2 cores (Test CPU)',
      rounds: 3,
      znodes: 100_000,
      sessions: 10_000,
      watches: 100_000,
      java: 'J',
      zookit: 'Z',
      note: 'A note.',
    },
    figures,
  )
  t.ok(section.startsWith(SCALE_MARKERS.begin) && section.endsWith(SCALE_MARKERS.end))
  t.match(section, '## Scale: 2026-12-02, 3 rounds')
  t.match(section, '2 cores (Test CPU). A note.')
  t.match(section, 'loaded with 100,000 znodes of 100 bytes, 10,000 sessions and 100,000 watches. Java: J. zookit: Z.')
  t.match(section, '| RSS growth per znode per server (bytes) | 1100 | 3100 | 2.82× |')
  t.match(section, '| restart from disk, kill -9 of all three → serving every znode (ms) | 4000 (3000–5000) | 4000 (4000–4000) | 1.00× |')
  t.match(section, '| setData p99 while a snapshot runs (µs) | - | - | - |')
  t.match(section, "| RSS per znode ≤ Java's | 2.82× | not met |")
  t.match(section, "| snapshot time ≤ Java's | 0.50× | met |")
})

t.test('replaceSection with the scale markers leaves the client section alone', async (t) => {
  const client = `${SECTION_BEGIN}\nclient\n${SECTION_END}`
  const scale = `${SCALE_MARKERS.begin}\nnew\n${SCALE_MARKERS.end}`
  const doc = `# Benchmarks\n\nintro\n\n${client}\n\n${SCALE_MARKERS.begin}\nold\n${SCALE_MARKERS.end}\n\n## History\n`
  t.equal(replaceSection(doc, scale, SCALE_MARKERS), `# Benchmarks\n\nintro\n\n${client}\n\n${scale}\n\n## History\n`)
  t.equal(
    replaceSection(`# Benchmarks\n\nintro\n\n${client}\n\n## History\n`, scale, SCALE_MARKERS, CLIENT_SECTION),
    `# Benchmarks\n\nintro\n\n${client}\n\n${scale}\n\n## History\n`,
    'first time: after the section it is placed after, not inside one',
  )
})
