// Runs every workload for one client in its own process (so CPU and peak RSS are that client's) and
// prints one JSON line of results. Started by scripts/bench/client.ts.
import { connect, type BenchClient, type ClientName } from './adapters.js'

const [name, connectString, root] = process.argv.slice(2) as [ClientName, string, string]

const hr = () => process.hrtime.bigint()
const us = (ns: bigint) => Number(ns) / 1000

/** Run `total` ops with at most `depth` outstanding; returns elapsed µs and CPU µs. */
async function pipelined(total: number, depth: number, op: (i: number) => Promise<unknown>): Promise<{ micros: number; cpu: number }> {
  const cpu0 = process.cpuUsage()
  const t0 = hr()
  let next = 0
  const lane = async () => {
    while (next < total) await op(next++)
  }
  await Promise.all(Array.from({ length: depth }, lane))
  const cpu = process.cpuUsage(cpu0)
  return { micros: us(hr() - t0), cpu: cpu.user + cpu.system }
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}

async function main() {
  const out: Record<string, number> = {}
  // Connect time: mean of sequential connect + close.
  const connects: number[] = []
  for (let i = 0; i < 10; i++) {
    const t0 = hr()
    const c = await connect(name, connectString)
    connects.push(us(hr() - t0))
    await c.close()
  }
  out.connectMs = connects.reduce((a, b) => a + b, 0) / connects.length / 1000

  const c: BenchClient = await connect(name, connectString)
  const node = `${root}/data`
  // warm-up
  for (let i = 0; i < 500; i++) await c.get(node)

  const lat: number[] = []
  for (let i = 0; i < 3000; i++) {
    const t0 = hr()
    await c.get(node)
    lat.push(us(hr() - t0))
  }
  out.seqGetP50us = percentile(lat, 50)
  out.seqGetP99us = percentile(lat, 99)

  const g = await pipelined(40_000, 256, () => c.get(node))
  out.pipeGetOps = 40_000 / (g.micros / 1e6)
  out.cpuPerGetUs = g.cpu / 40_000

  const payload = Buffer.alloc(100, 1)
  const s = await pipelined(20_000, 256, () => c.set(node, payload))
  out.pipeSetOps = 20_000 / (s.micros / 1e6)
  out.cpuPerSetUs = s.cpu / 20_000

  const e = await pipelined(3_000, 64, async () => c.remove(await c.create(`${root}/eph/e-`, Buffer.alloc(0), true)))
  out.ephCreateDeletePairs = 3_000 / (e.micros / 1e6)

  const kids: number[] = []
  for (let i = 0; i < 10; i++) {
    const t0 = hr()
    const n = await c.children(`${root}/many`)
    if (n !== 10_000) throw new Error(`expected 10000 children, got ${n}`)
    kids.push(us(hr() - t0) / 1000)
  }
  out.getChildren10kMs = percentile(kids, 50)
  await c.close()
  out.peakRssMB = process.resourceUsage().maxRSS / 1024
  process.stdout.write(JSON.stringify(out) + '\n')
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${name}: ${(err as Error).stack}\n`)
    process.exit(1)
  },
)
