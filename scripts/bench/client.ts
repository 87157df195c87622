// Client benchmark: zookit against node-zookeeper-client, the native `zookeeper` module (C client),
// the Java client and kazoo, with a raw-socket floor, all on one real ZooKeeper 3.8 standalone.
// Rounds interleave the clients (A B C …, A B C …), each client in a fresh process every round;
// each figure is reported as median (min–max) over the rounds, and ratios divide medians.
//   npm run bench [-- --rounds N] [--clients zookit,floor,…] [--write] [--note "…"]
// --write replaces the client section of BENCHMARKS.md and the charts in docs/bench/; without it
// the Markdown goes to stdout only and the charts to scripts/bench/.build/charts/.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startRealZooKeeper } from '../../src/testing/real-zookeeper.js'
import { ZooKeeper } from '../../src/index.js'
import { PEERS_DIR } from './adapters.js'
import { cdfChart, rangeBarChart } from './charts.js'
import { machine, zooKeeperVersion } from './machine.js'
import { clientSection, replaceSection, type RunFigures } from './report.js'
import { CLIENTS, PEERS, prepareClients, type ClientName, type ClientRunner } from './runners.js'
import { spreads } from './stats.js'
import { FIGURES, WORKLOADS, workloadArgs, type WorkerResult } from './workloads.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BENCHMARKS = ROOT + 'BENCHMARKS.md'
const BENCH_ROOT = '/bench'
const WORKER_TIMEOUT_MS = 300_000

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    clients: { type: 'string', default: CLIENTS.join(',') },
    write: { type: 'boolean', default: false },
    note: { type: 'string' },
  },
})
const rounds = Number(flags.rounds)
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds wants a positive integer, not ${flags.rounds}`)
const wanted = flags.clients.split(',') as ClientName[]
const unknown = wanted.filter((n) => !CLIENTS.includes(n))
if (unknown.length) throw new Error(`unknown clients ${unknown.join(', ')}; known: ${CLIENTS.join(', ')}`)

/** The nodes every workload uses: a 100-byte data node, a parent for ephemerals, one with 10,000 children. */
async function createTree(connectString: string): Promise<void> {
  const zk = await ZooKeeper.connect(connectString)
  await zk.createAll(`${BENCH_ROOT}/data`, Buffer.alloc(WORKLOADS.payloadBytes, 1))
  await zk.createAll(`${BENCH_ROOT}/eph`)
  await zk.createAll(`${BENCH_ROOT}/many`)
  const creates: Promise<unknown>[] = []
  for (let i = 0; i < WORKLOADS.children; i++) creates.push(zk.create(`${BENCH_ROOT}/many/child-${String(i).padStart(5, '0')}`))
  await Promise.all(creates)
  await zk.close()
}

function runWorker(runner: ClientRunner, connectString: string): WorkerResult | undefined {
  const r = spawnSync(runner.command, runner.args(connectString, BENCH_ROOT, workloadArgs(WORKLOADS)), {
    encoding: 'utf8',
    timeout: WORKER_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
    // The compiled adapters live under .build/, so tell them where the npm peers are.
    env: { ...process.env, ZOOKIT_BENCH_PEERS: PEERS_DIR },
  })
  if (r.status !== 0) {
    console.error(`${runner.label} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`}):\n${r.stderr}`)
    return undefined
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as WorkerResult
}

async function charts(runners: ClientRunner[], samples: Map<ClientName, number[]>, figures: RunFigures, dir: string) {
  mkdirSync(dir, { recursive: true })
  const latencyCdf = await cdfChart({
    title: `sequential getData latency, ${rounds} rounds × ${WORKLOADS.sequentialGets} calls per client`,
    xTitle: 'latency (µs, log scale)',
    series: runners.filter((r) => samples.get(r.name)?.length).map((r) => ({ name: r.label, samples: samples.get(r.name)! })),
  })
  const throughput = await rangeBarChart({
    title: `throughput per workload: median of ${rounds} rounds, min–max bars`,
    yTitle: 'calls per second',
    bars: FIGURES.filter((f) => f.throughput).flatMap((f) =>
      runners.filter((r) => figures[r.name]?.[f.key]).map((r) => ({ group: f.throughput!, series: r.label, ...figures[r.name]![f.key]! })),
    ),
  })
  writeFileSync(`${dir}/client-latency-cdf.svg`, latencyCdf)
  writeFileSync(`${dir}/client-throughput.svg`, throughput)
  console.error(`charts written to ${dir}`)
}

async function main(): Promise<void> {
  // Ctrl-C: exit through 'exit' so the real-ZooKeeper helper kills its Java process.
  process.once('SIGINT', () => process.exit(130))
  const runners = prepareClients(wanted)
  const zk = await startRealZooKeeper({ size: 1 })
  const results = new Map<ClientName, WorkerResult[]>(runners.map((r) => [r.name, []]))
  let server: string
  try {
    server = `ZooKeeper ${await zooKeeperVersion(zk.servers[0]!.clientPort)} standalone`
    await createTree(zk.connectString)
    // A round nobody is measured in, so the first client of round 1 does not meet a cold JVM server.
    console.error(`warming the server up with ${runners[0]!.label} …`)
    runWorker(runners[0]!, zk.connectString)
    for (let round = 1; round <= rounds; round++)
      for (const runner of runners) {
        console.error(`round ${round}/${rounds}: ${runner.label}`)
        const result = runWorker(runner, zk.connectString)
        if (result) results.get(runner.name)!.push(result)
      }
  } finally {
    await zk.stop()
  }

  const measured = runners.filter((r) => results.get(r.name)!.length > 0)
  const figures: RunFigures = Object.fromEntries(measured.map((r) => [r.name, spreads(results.get(r.name)!.map((x) => x.figures))]))
  const samples = new Map(measured.map((r) => [r.name, results.get(r.name)!.flatMap((x) => x.seqGetUs)]))
  const chartDir = flags.write ? ROOT + 'docs/bench' : fileURLToPath(new URL('./.build/charts', import.meta.url))
  await charts(measured, samples, figures, chartDir)

  const section = clientSection(
    {
      date: new Date().toISOString().slice(0, 10),
      machine: machine(),
      server,
      rounds,
      note: flags.note,
      charts: { latencyCdf: 'docs/bench/client-latency-cdf.svg', throughput: 'docs/bench/client-throughput.svg' },
    },
    figures,
    measured.map((r) => ({ name: r.name, label: r.label })),
    PEERS,
  )
  console.log(section)
  if (flags.write) {
    writeFileSync(BENCHMARKS, replaceSection(readFileSync(BENCHMARKS, 'utf8'), section))
    console.error(`client section of ${BENCHMARKS} replaced`)
  }
}

await main()
