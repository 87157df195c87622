// Runs every workload for one Node client in a process of its own (so CPU and peak RSS are that
// client's) and prints one line of JSON (a WorkerResult). Started by scripts/bench/client.ts:
//   node worker.js <client> <connectString> <root> key=value…
// JavaWorker.java and kazoo_worker.py do the same for the Java client and kazoo.
import { connect, type BenchClient, type NodeClientName } from './adapters.js'
import { percentile } from './stats.js'
import { parseWorkloadArgs, type WorkerResult } from './workloads.js'

const [name, connectString, root, ...rest] = process.argv.slice(2) as [NodeClientName, string, string, ...string[]]
const w = parseWorkloadArgs(rest)

const hr = () => process.hrtime.bigint()
const us = (ns: bigint) => Number(ns) / 1000

/** Run `total` ops with at most `depth` outstanding; returns elapsed µs and this process's CPU µs. */
async function pipelined(total: number, depth: number, op: () => Promise<unknown>): Promise<{ micros: number; cpu: number }> {
  const cpu0 = process.cpuUsage()
  const t0 = hr()
  let issued = 0
  const lane = async () => {
    while (issued < total) {
      issued++
      await op()
    }
  }
  await Promise.all(Array.from({ length: depth }, lane))
  const cpu = process.cpuUsage(cpu0)
  return { micros: us(hr() - t0), cpu: cpu.user + cpu.system }
}

async function main(): Promise<WorkerResult> {
  const figures: Record<string, number> = {}
  const connects: number[] = []
  for (let i = 0; i < w.connects; i++) {
    const t0 = hr()
    const c = await connect(name, connectString)
    connects.push(us(hr() - t0))
    await c.close()
  }
  figures.connectMs = connects.reduce((a, b) => a + b, 0) / connects.length / 1000

  const c: BenchClient = await connect(name, connectString)
  const node = `${root}/data`
  for (let i = 0; i < w.warmupGets; i++) await c.get(node)

  /** `count` sequential getData calls, each timed (µs). */
  const timedGets = async (count: number) => {
    const times: number[] = []
    for (let i = 0; i < count; i++) {
      const t0 = hr()
      await c.get(node)
      times.push(us(hr() - t0))
    }
    return times
  }
  const seqGetUs = await timedGets(w.sequentialGets)
  figures.seqGetP50us = percentile(seqGetUs, 50)
  figures.seqGetP99us = percentile(seqGetUs, 99)
  for (let i = 0; i < w.steadyWarmupGets; i++) await c.get(node)
  figures.seqGetSteadyP99us = percentile(await timedGets(w.sequentialGets), 99)

  const g = await pipelined(w.pipelinedGets, w.depth, () => c.get(node))
  figures.pipeGetOps = w.pipelinedGets / (g.micros / 1e6)
  figures.cpuPerGetUs = g.cpu / w.pipelinedGets

  const payload = Buffer.alloc(w.payloadBytes, 1)
  const s = await pipelined(w.pipelinedSets, w.depth, () => c.set(node, payload))
  figures.pipeSetOps = w.pipelinedSets / (s.micros / 1e6)
  figures.cpuPerSetUs = s.cpu / w.pipelinedSets

  const { create, remove, children } = c
  if (create && remove) {
    const empty = Buffer.alloc(0)
    const e = await pipelined(w.ephemeralPairs, w.ephemeralDepth, async () => remove(await create(`${root}/eph/e-`, empty, true)))
    figures.ephPairsPerSec = w.ephemeralPairs / (e.micros / 1e6)
  }
  if (children) {
    const times: number[] = []
    for (let i = 0; i < w.childrenReads; i++) {
      const t0 = hr()
      const n = await children(`${root}/many`)
      if (n !== w.children) throw new Error(`expected ${w.children} children, got ${n}`)
      times.push(us(hr() - t0) / 1000)
    }
    figures.getChildrenMs = percentile(times, 50)
  }
  await c.close()
  figures.peakRssMB = process.resourceUsage().maxRSS / 1024
  return { figures, seqGetUs }
}

main().then(
  (result) => {
    process.stdout.write(JSON.stringify(result) + '\n')
    process.exit(0)
  },
  (err) => {
    process.stderr.write(`${name}: ${(err as Error).stack}\n`)
    process.exit(1)
  },
)
