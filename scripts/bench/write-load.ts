// Maximum write throughput the way ZooKeeper is loaded for real: several client processes, each with
// several connections, each keeping many setData outstanding (by default 3 × 4 × 256, process i on
// server i). The processes connect, wait for a common start, warm up, count completions in the
// same window, and report; the figure is the sum of their rates. A module, so the ensemble and the
// client benchmarks can both put any server under it.
//   In a process of its own (started by writeLoad): tsx write-load.ts --serve <connectString> <index> <json options>
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { ZooKeeper } from '../../src/index.js'

export interface WriteLoadOptions {
  /** One connect string per server; process i connects all its connections to server i mod n. */
  servers: readonly string[]
  processes?: number
  connectionsPerProcess?: number
  /** setData calls each connection keeps outstanding. */
  outstanding?: number
  payloadBytes?: number
  warmupMs?: number
  measureMs?: number
}

export interface WriteLoadResult {
  /** Writes per second, all processes together. */
  opsPerSec: number
  /** Each process's own rate. */
  perProcess: number[]
}

type Settings = Required<Omit<WriteLoadOptions, 'servers'>>
const DEFAULTS: Settings = { processes: 3, connectionsPerProcess: 4, outstanding: 256, payloadBytes: 100, warmupMs: 1000, measureMs: 4000 }
const SELF = fileURLToPath(import.meta.url)
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const NODE_ROOT = '/write-load'

/** Run the load against `servers`; resolves once every process reported. */
export async function writeLoad(opts: WriteLoadOptions): Promise<WriteLoadResult> {
  const settings: Settings = { ...DEFAULTS, ...opts }
  // tsx only compiles at start-up; the measured window runs the same JS as a build would.
  const children = Array.from({ length: settings.processes }, (_, i) =>
    spawn(
      process.execPath,
      ['--import', 'tsx', SELF, '--serve', opts.servers[i % opts.servers.length]!, String(i), JSON.stringify(settings)],
      {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    ),
  )
  try {
    const lines = children.map((child) => createInterface({ input: child.stdout! })[Symbol.asyncIterator]())
    const nextLine = async (i: number) => {
      const { value, done } = await lines[i]!.next()
      if (done) throw new Error(`write-load process ${i} ended early (exit ${children[i]!.exitCode ?? 'pending'})`)
      return value as string
    }
    await Promise.all(children.map(async (_, i) => void (await nextLine(i))))
    // Every process is connected: start them together, so their windows overlap.
    for (const child of children) child.stdin!.write('go\n')
    const perProcess = await Promise.all(children.map(async (_, i) => (JSON.parse(await nextLine(i)) as { opsPerSec: number }).opsPerSec))
    return { opsPerSec: perProcess.reduce((a, b) => a + b, 0), perProcess }
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  }
}

/** One load process: its connections to one server, each with `outstanding` setData calls in flight. */
async function serve(connectString: string, index: number, s: Settings): Promise<void> {
  const clients = await Promise.all(
    Array.from({ length: s.connectionsPerProcess }, () => ZooKeeper.connect(connectString, { sessionTimeout: 30_000 })),
  )
  const nodes = clients.map((_, c) => `${NODE_ROOT}/p${index}-c${c}`)
  await Promise.all(clients.map((zk, c) => zk.createAll(nodes[c]!)))
  process.stdout.write('ready\n')
  for await (const line of createInterface({ input: process.stdin })) if (line === 'go') break

  const payload = Buffer.alloc(s.payloadBytes, 7)
  let counting = false
  let stopped = false
  let count = 0
  const lane = async (zk: ZooKeeper, node: string) => {
    while (!stopped) {
      await zk.setData(node, payload)
      if (counting) count++
    }
  }
  const lanes = clients.flatMap((zk, c) => Array.from({ length: s.outstanding }, () => lane(zk, nodes[c]!)))
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
  await sleep(s.warmupMs)
  counting = true
  const t0 = performance.now()
  await sleep(s.measureMs)
  counting = false
  const seconds = (performance.now() - t0) / 1000
  stopped = true
  await Promise.all(lanes)
  process.stdout.write(JSON.stringify({ opsPerSec: count / seconds }) + '\n')
  await Promise.all(clients.map((zk) => zk.close()))
}

if (process.argv[2] === '--serve') {
  const [connectString, index, settings] = process.argv.slice(3)
  serve(connectString!, Number(index), JSON.parse(settings!) as Settings).then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`write-load process ${index}: ${(err as Error).stack}\n`)
      process.exit(1)
    },
  )
}
