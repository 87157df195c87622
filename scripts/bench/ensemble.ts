// Ensemble benchmark: real ZooKeeper 3.8 (three Java servers, Debian's package) against zookit's
// bundled 3-node ensemble, in memory and with a dataDir and fsync. Rounds interleave the three
// (Java, zookit in memory, zookit fsync; again …), each on a fresh ensemble, each taking one sample
// of every figure: start-up until serving, failover after a kill -9 of the leader, pipelined writes
// through a follower, and the maximum write load of write-load.ts (3 processes × 4 connections × 256
// outstanding, one process per server; zookit then runs as three processes, as Java does). Each
// figure is reported as median (min–max) over the rounds, ratios divide medians, and issue 13's
// ensemble targets are judged from them (ensemble-report.ts).
//   npm run bench:ensemble [-- --rounds N] [--write] [--note "…"]
// --write replaces the ensemble section of BENCHMARKS.md and its chart in docs/bench/; without it
// the Markdown goes to stdout only and the chart to scripts/bench/.build/charts/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { fourLetterWord, startRealZooKeeper, type RealEnsemble } from '../../src/testing/real-zookeeper.js'
import { startEnsemble, type Ensemble, type EnsembleOptions } from '../../src/ensemble/index.js'
import { NodeExistsError, SessionExpiredError, ZooKeeper, ZooKeeperError } from '../../src/index.js'
import { rangeBarChart } from './charts.js'
import {
  ENSEMBLE_FIGURES,
  ENSEMBLE_SECTION,
  ENSEMBLE_SECTION_AFTER,
  SYSTEMS,
  ensembleSection,
  parseEnsembleArgs,
  type FigureKey,
  type SystemName,
} from './ensemble-report.js'
import { loadAverage, machine, zooKeeperVersion } from './machine.js'
import { replaceSection, type RunFigures } from './report.js'
import { spreads } from './stats.js'
import { writeLoad } from './write-load.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BENCHMARKS = ROOT + 'BENCHMARKS.md'
const CHART = 'docs/bench/ensemble-throughput.svg'
const WARMUP_MS = 1000
const MEASURE_MS = 4000
const DEPTH = 256
const PAYLOAD = Buffer.alloc(100, 7)
const CLIENT = { sessionTimeout: 10_000 }

const args = parseEnsembleArgs(process.argv.slice(2))

const now = () => performance.now()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const yieldToLoop = () => new Promise((r) => setImmediate(r))
const note = (msg: string) => console.error(msg)

/** What the failover and throughput workloads need from either kind of ensemble. */
interface Target {
  connectString: string
  size: number
  connectStringOf(i: number): string
  /** Wait until every server serves with exactly one leader; resolve with the leader's index. */
  settle(): Promise<number>
  /** kill -9 server i; resolves once it is gone. */
  kill(i: number): Promise<void>
  /** Start server i again (settle() afterwards waits for it to rejoin). */
  restart(i: number): Promise<void>
}

/** Poll `probe` until it yields a value, up to `timeoutMs`. */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(10)
  }
}

/** Each Java server's mode from `srvr`: leader, follower, down, or looking (not serving). */
async function javaModes(ens: RealEnsemble): Promise<string[]> {
  return Promise.all(
    ens.servers.map(async (s) => {
      if (s.pid === undefined) return 'down'
      try {
        const srvr = await fourLetterWord('127.0.0.1', s.clientPort, 'srvr', 1000)
        if (/not currently serving/.test(srvr)) return 'looking'
        return /Mode: (\w+)/.exec(srvr)?.[1] ?? 'looking'
      } catch {
        return 'down'
      }
    }),
  )
}

function javaTarget(ens: RealEnsemble): Target {
  return {
    connectString: ens.connectString,
    size: ens.servers.length,
    connectStringOf: (i) => `127.0.0.1:${ens.servers[i]!.clientPort}`,
    settle: () =>
      until('the Java ensemble to settle', async () => {
        const modes = await javaModes(ens)
        const leaders = modes.filter((m) => m === 'leader').length
        return leaders === 1 && modes.every((m) => m === 'leader' || m === 'follower') ? modes.indexOf('leader') : undefined
      }),
    kill: (i) => ens.servers[i]!.kill('SIGKILL'),
    restart: (i) => ens.servers[i]!.start(),
  }
}

function zookitTarget(ens: Ensemble): Target {
  return {
    connectString: ens.connectString,
    size: ens.modes().length, // servers is empty when they run as processes
    connectStringOf: (i) => ens.connectStringOf(i),
    async settle() {
      await ens.waitForLeader()
      return until('the zookit ensemble to settle', () => {
        const modes = ens.modes()
        const leader = modes.indexOf('leader')
        return leader >= 0 && modes.every((m) => m === 'leader' || m === 'follower') ? leader : undefined
      })
    },
    kill: (i) => ens.kill(i),
    restart: (i) => ens.restart(i),
  }
}

/** Create `p` unless it exists. */
async function ensureNode(zk: ZooKeeper, p: string): Promise<void> {
  try {
    await zk.create(p, PAYLOAD)
  } catch (err) {
    if (!(err instanceof NodeExistsError)) throw err
  }
}

const describe = (errors: Map<string, number>) => [...errors].map(([k, v]) => `${k}×${v}`).join(' ') || 'none'

/**
 * One failover: a client on every server writes in a loop; kill -9 the leader and measure from the
 * kill until a write issued after the server is gone succeeds. Then restart the server.
 */
async function failoverOnce(t: Target, node: string): Promise<{ ms: number; errors: string }> {
  const leader = await t.settle()
  const zk = await ZooKeeper.connect(t.connectString, CLIENT)
  const errors = new Map<string, number>()
  let stop = false
  let ok = 0
  let killedAt = Infinity
  let recovered: ((at: number) => void) | undefined
  const recovery = new Promise<number>((resolve) => (recovered = resolve))
  try {
    await ensureNode(zk, node)
    const writer = (async () => {
      while (!stop) {
        const start = now()
        try {
          await zk.setData(node, PAYLOAD, { timeout: 15_000 })
          ok++
          if (start >= killedAt) recovered!(now())
        } catch (err) {
          if (!(err instanceof ZooKeeperError) || err instanceof SessionExpiredError) throw err
          errors.set(err.codeName, (errors.get(err.codeName) ?? 0) + 1)
          await yieldToLoop()
        }
      }
    })()
    writer.catch(() => {}) // awaited below; this only keeps an early failure from going unhandled
    const writerEnded = writer.then(() => {
      throw new Error('the writer stopped')
    })
    writerEnded.catch(() => {})
    await Promise.race([until('writes before the kill', () => (ok >= 50 ? true : undefined), 30_000), writerEnded])
    const t0 = now()
    await t.kill(leader)
    killedAt = now()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>(
      (_, reject) =>
        (timer = setTimeout(
          () => reject(new Error(`no successful write within 60 s of the kill (${ok} before it; errors: ${describe(errors)})`)),
          60_000,
        )),
    )
    const at = await Promise.race([recovery, writerEnded, timeout]).finally(() => clearTimeout(timer))
    stop = true
    await writer
    return { ms: at - t0, errors: describe(errors) }
  } finally {
    stop = true
    await zk.close().catch(() => {})
    await t.restart(leader)
    await t.settle()
  }
}

/** Pipelined setData with DEPTH outstanding through server `i` alone: ops/s over MEASURE_MS. */
async function throughput(t: Target, i: number): Promise<number> {
  const zk = await ZooKeeper.connect(t.connectStringOf(i), CLIENT)
  try {
    const node = '/throughput'
    await ensureNode(zk, node)
    const run = async (ms: number) => {
      const end = now() + ms
      let count = 0
      const lane = async () => {
        while (now() < end) {
          await zk.setData(node, PAYLOAD)
          count++
        }
      }
      const t0 = now()
      await Promise.all(Array.from({ length: DEPTH }, lane))
      return count / ((now() - t0) / 1000)
    }
    await run(WARMUP_MS)
    return await run(MEASURE_MS)
  } finally {
    await zk.close()
  }
}

/** write-load.ts's maximum write load, one load process per server. */
async function maxWrites(t: Target): Promise<number> {
  await t.settle()
  const { opsPerSec, perProcess } = await writeLoad({ servers: Array.from({ length: t.size }, (_, i) => t.connectStringOf(i)) })
  note(`    per process: ${perProcess.map((x) => x.toFixed(0)).join(', ')} ops/s`)
  return opsPerSec
}

async function follower(t: Target): Promise<number> {
  const leader = await t.settle()
  return leader === 0 ? 1 : 0
}

/** One round's sample of each figure, filled in as they are measured (a failure keeps the earlier ones). */
type Samples = Partial<Record<FigureKey, number>>

/** The workloads every ensemble runs once a round, after its start was timed. */
async function measureRunning(name: string, t: Target, out: Samples, withLoad: boolean): Promise<void> {
  const { ms, errors } = await failoverOnce(t, '/failover')
  out.failoverMs = ms
  note(`  ${name} failover: ${ms.toFixed(1)} ms (errors seen: ${errors})`)
  const f = await follower(t)
  out.followerOps = await throughput(t, f)
  note(`  ${name} follower writes: ${out.followerOps.toFixed(0)} ops/s (server ${f + 1})`)
  if (withLoad) {
    out.loadOps = await maxWrites(t)
    note(`  ${name} max writes: ${out.loadOps.toFixed(0)} ops/s`)
  }
}

let javaVersion: string | undefined

async function roundJava(out: Samples): Promise<void> {
  const t0 = now()
  const ens = await startRealZooKeeper({ size: 3 })
  try {
    out.startMs = now() - t0
    note(`  java start: ${out.startMs.toFixed(0)} ms`)
    javaVersion ??= await zooKeeperVersion(ens.servers[0]!.clientPort)
    // Java's servers are processes already: the max write load runs on the same ensemble.
    await measureRunning('java', javaTarget(ens), out, true)
  } finally {
    await ens.stop()
  }
}

async function roundZookit(name: SystemName, out: Samples): Promise<void> {
  // Java's durability, when asked: a data directory on the same disk, fsync before acknowledging.
  const dir = name === 'fsync' ? mkdtempSync(path.join(tmpdir(), 'zookit-bench-ens-')) : undefined
  const durable = (sub: string): EnsembleOptions => (dir ? { dataDir: path.join(dir, sub), fsync: true } : {})
  try {
    const t0 = now()
    const ens = await startEnsemble({ size: 3, ...durable('in-process') })
    try {
      out.startMs = now() - t0
      note(`  ${name} start: ${out.startMs.toFixed(1)} ms`)
      await measureRunning(name, zookitTarget(ens), out, false)
    } finally {
      await ens.stop()
    }
    // Under the max write load the servers get processes of their own, as Java's have, rather than
    // sharing one event loop. Without a dataDir they log to a temporary directory without fsync.
    const procs = await startEnsemble({ size: 3, processes: true, ...durable('processes') })
    try {
      out.loadOps = await maxWrites(zookitTarget(procs))
      note(`  ${name} max writes (3 server processes): ${out.loadOps.toFixed(0)} ops/s`)
    } finally {
      await procs.stop()
    }
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true })
  }
}

const ROUND: Record<SystemName, (out: Samples) => Promise<void>> = {
  java: roundJava,
  memory: (out) => roundZookit('memory', out),
  fsync: (out) => roundZookit('fsync', out),
}

/** One unmeasured start and stop of each kind, so round 1 does not pay for cold caches and JIT. */
async function warmUp(): Promise<void> {
  note('warming up: one unmeasured start of each ensemble …')
  await (await startRealZooKeeper({ size: 3 })).stop()
  await (await startEnsemble({ size: 3 })).stop()
  await (await startEnsemble({ size: 3, processes: true })).stop()
}

async function chart(figures: RunFigures, file: string): Promise<void> {
  const svg = await rangeBarChart({
    title: `write throughput per ensemble: median of ${args.rounds} ${args.rounds === 1 ? 'round' : 'rounds'}, min–max bars`,
    yTitle: 'writes per second',
    bars: ENSEMBLE_FIGURES.flatMap((f) =>
      'throughput' in f
        ? SYSTEMS.filter((s) => figures[s.name]?.[f.key]).map((s) => ({
            group: f.throughput,
            series: s.label,
            ...figures[s.name]![f.key]!,
          }))
        : [],
    ),
  })
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, svg)
  note(`chart written to ${file}`)
}

async function main(): Promise<void> {
  // Ctrl-C: exit through 'exit' so the real-ZooKeeper helper kills its Java processes.
  process.once('SIGINT', () => process.exit(130))
  const loadAtStart = loadAverage()
  note(
    `${args.rounds} ${args.rounds === 1 ? 'round' : 'rounds'} of Java, zookit in memory, zookit dataDir + fsync; ` +
      'one sample of each figure per ensemble per round (about a minute a round on 2 cores)',
  )
  await warmUp()
  const samples = new Map<SystemName, Samples[]>(SYSTEMS.map((s) => [s.name, []]))
  for (let round = 1; round <= args.rounds; round++)
    for (const system of SYSTEMS) {
      note(`round ${round}/${args.rounds}: ${system.label}`)
      const out: Samples = {}
      try {
        await ROUND[system.name](out)
      } catch (err) {
        note(`  ${system.label} failed in round ${round}: ${(err as Error).stack}`)
      } finally {
        if (Object.keys(out).length) samples.get(system.name)!.push(out)
      }
    }
  const loadAtEnd = loadAverage()
  for (const s of SYSTEMS)
    for (const f of ENSEMBLE_FIGURES) {
      const xs = samples.get(s.name)!.flatMap((x) => (x[f.key] === undefined ? [] : [x[f.key]!]))
      note(`samples, ${s.label}, ${f.label}: ${xs.map((x) => x.toFixed(1)).join(', ') || 'none'}`)
    }

  const figures: RunFigures = Object.fromEntries(
    SYSTEMS.filter((s) => samples.get(s.name)!.length).map((s) => [s.name, spreads(samples.get(s.name)! as Record<string, number>[])]),
  )
  await chart(figures, args.write ? ROOT + CHART : fileURLToPath(new URL('./.build/charts/ensemble-throughput.svg', import.meta.url)))
  const section = ensembleSection(
    {
      date: new Date().toISOString().slice(0, 10),
      machine: machine(),
      javaVersion,
      rounds: args.rounds,
      loadAverage: { start: loadAtStart, end: loadAtEnd },
      note: args.note,
      chart: CHART,
    },
    figures,
  )
  console.log(section)
  if (args.write) {
    writeFileSync(BENCHMARKS, replaceSection(readFileSync(BENCHMARKS, 'utf8'), section, ENSEMBLE_SECTION, ENSEMBLE_SECTION_AFTER))
    note(`ensemble section of ${BENCHMARKS} replaced`)
  }
}

await main()
