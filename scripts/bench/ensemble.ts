// Ensemble benchmark: real ZooKeeper 3.8 (three Java servers, Debian's package) against zookit's
// bundled 3-node ensemble (in this process), in one run: start-up until serving, failover after a
// kill -9 of the leader, pipelined writes through a follower, and the maximum write load of
// write-load.ts (3 processes × 4 connections × 256 outstanding, one process per server). Prints each
// figure and zookit's ratio to Java (above 1× zookit is better, below 1× it is worse).
//   npm run bench:ensemble
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fourLetterWord, startRealZooKeeper, type RealEnsemble } from '../../src/testing/real-zookeeper.js'
import { startEnsemble, type Ensemble } from '../../src/ensemble/index.js'
import { NodeExistsError, SessionExpiredError, ZooKeeper, ZooKeeperError } from '../../src/index.js'
import { median } from './stats.js'
import { writeLoad } from './write-load.js'

const JAVA_STARTS = 3
const ZOOKIT_STARTS = 10
const JAVA_FAILOVERS = 5
const ZOOKIT_FAILOVERS = 10
const WARMUP_MS = 1000
const MEASURE_MS = 4000
const DEPTH = 256
const PAYLOAD = Buffer.alloc(100, 7)
const CLIENT = { sessionTimeout: 10_000 }
const LOAD = '3 processes × 4 connections × 256 outstanding, one process per server'

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
    size: ens.servers.length,
    connectStringOf: (i) => ens.connectStringOf(i),
    async settle() {
      await ens.waitForLeader()
      return until('the zookit ensemble to settle', () => {
        const l = ens.leader()
        return l !== undefined && ens.servers.every((s) => s.serving) ? l : undefined
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

async function failover(name: string, t: Target, reps: number): Promise<number[]> {
  const out: number[] = []
  for (let r = 0; r < reps; r++) {
    const { ms, errors } = await failoverOnce(t, '/failover')
    note(`  ${name} failover ${r + 1}/${reps}: ${ms.toFixed(1)} ms (errors seen: ${errors})`)
    out.push(ms)
  }
  return out
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

interface Results {
  startMs: number[]
  failoverMs: number[]
  opsMemory?: number
  opsFsync?: number
  ops?: number
  /** write-load.ts's figure, ops/s: Java's, and zookit's in memory and with dataDir + fsync. */
  loadOps?: number
  loadOpsMemory?: number
  loadOpsFsync?: number
}

async function benchJava(): Promise<Results> {
  const startMs: number[] = []
  let ens: RealEnsemble | undefined
  try {
    for (let r = 0; r < JAVA_STARTS; r++) {
      if (ens) await ens.stop()
      ens = undefined
      const t0 = now()
      ens = await startRealZooKeeper({ size: 3 })
      startMs.push(now() - t0)
      note(`  java start ${r + 1}/${JAVA_STARTS}: ${startMs.at(-1)!.toFixed(0)} ms`)
    }
    const t = javaTarget(ens!)
    const failoverMs = await failover('java', t, JAVA_FAILOVERS)
    const f = await follower(t)
    const ops = await throughput(t, f)
    note(`  java follower writes: ${ops.toFixed(0)} ops/s (server ${f + 1}, modes ${(await javaModes(ens!)).join('/')})`)
    const loadOps = await maxWrites(t)
    note(`  java max writes, ${LOAD}: ${loadOps.toFixed(0)} ops/s`)
    return { startMs, failoverMs, ops, loadOps }
  } finally {
    await ens?.stop()
  }
}

async function benchZookit(): Promise<Results> {
  const startMs: number[] = []
  let ens: Ensemble | undefined
  let dir: string | undefined
  try {
    for (let r = 0; r < ZOOKIT_STARTS; r++) {
      if (ens) await ens.stop()
      ens = undefined
      const t0 = now()
      ens = await startEnsemble({ size: 3 })
      startMs.push(now() - t0)
      note(`  zookit start ${r + 1}/${ZOOKIT_STARTS}: ${startMs.at(-1)!.toFixed(1)} ms`)
    }
    const t = zookitTarget(ens!)
    const failoverMs = await failover('zookit', t, ZOOKIT_FAILOVERS)
    const f = await follower(t)
    const opsMemory = await throughput(t, f)
    note(`  zookit (in memory) follower writes: ${opsMemory.toFixed(0)} ops/s (server ${f + 1})`)
    const loadOpsMemory = await maxWrites(t)
    note(`  zookit (in memory) max writes, ${LOAD}: ${loadOpsMemory.toFixed(0)} ops/s`)
    await ens!.stop()
    ens = undefined

    // Same durability as Java's defaults: a data directory on the same disk, fsync before acknowledging.
    dir = mkdtempSync(path.join(tmpdir(), 'zookit-bench-ens-'))
    ens = await startEnsemble({ size: 3, dataDir: dir, fsync: true })
    const td = zookitTarget(ens)
    const fd = await follower(td)
    const opsFsync = await throughput(td, fd)
    note(`  zookit (dataDir + fsync) follower writes: ${opsFsync.toFixed(0)} ops/s (server ${fd + 1})`)
    const loadOpsFsync = await maxWrites(td)
    note(`  zookit (dataDir + fsync) max writes, ${LOAD}: ${loadOpsFsync.toFixed(0)} ops/s`)
    return { startMs, failoverMs, opsMemory, opsFsync, loadOpsMemory, loadOpsFsync }
  } finally {
    await ens?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  }
}

function print(java: Results, zk: Results): void {
  const fmt = (v: number) => (v >= 100 ? Math.round(v).toString() : v.toFixed(1))
  // Ratio > 1 always means zookit is better: Java / zookit for times, zookit / Java for throughput.
  const lower = (j: number, z: number) => `${(j / z).toFixed(2)}×`
  const higher = (j: number, z: number) => `${(z / j).toFixed(2)}×`
  const js = median(java.startMs)
  const zs = median(zk.startMs)
  const jf = median(java.failoverMs)
  const zf = median(zk.failoverMs)
  console.log('| metric | Java ZooKeeper 3.8 | zookit ensemble | zookit vs Java |')
  console.log('| --- | --- | --- | --- |')
  console.log(`| 3-node start → serving (ms, median of ${JAVA_STARTS} / ${ZOOKIT_STARTS}) | ${fmt(js)} | ${fmt(zs)} | ${lower(js, zs)} |`)
  console.log(
    `| failover: kill -9 leader → next successful write (ms, median of ${JAVA_FAILOVERS} / ${ZOOKIT_FAILOVERS}) | ${fmt(jf)} | ${fmt(zf)} | ${lower(jf, zf)} |`,
  )
  console.log(
    `| setData via a follower, ${DEPTH} outstanding, zookit in memory (ops/s) | ${fmt(java.ops!)} | ${fmt(zk.opsMemory!)} | ${higher(java.ops!, zk.opsMemory!)} |`,
  )
  console.log(
    `| setData via a follower, ${DEPTH} outstanding, zookit dataDir + fsync (ops/s) | ${fmt(java.ops!)} | ${fmt(zk.opsFsync!)} | ${higher(java.ops!, zk.opsFsync!)} |`,
  )
  console.log(
    `| setData, ${LOAD}, zookit in memory (ops/s) | ${fmt(java.loadOps!)} | ${fmt(zk.loadOpsMemory!)} | ${higher(java.loadOps!, zk.loadOpsMemory!)} |`,
  )
  console.log(
    `| setData, ${LOAD}, zookit dataDir + fsync (ops/s) | ${fmt(java.loadOps!)} | ${fmt(zk.loadOpsFsync!)} | ${higher(java.loadOps!, zk.loadOpsFsync!)} |`,
  )
  console.log('\nAbove 1× zookit is better (times: Java / zookit; throughput: zookit / Java).')
  const list = (xs: number[]) => xs.map(fmt).join(', ')
  console.log(`samples, start (ms): Java ${list(java.startMs)}; zookit ${list(zk.startMs)}`)
  console.log(`samples, failover (ms): Java ${list(java.failoverMs)}; zookit ${list(zk.failoverMs)}`)
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met')
  console.log(
    `targets: start ≤ 150 ms ${met(zs <= 150)}; failover median ≤ 200 ms ${met(zf <= 200)}; ` +
      `follower writes ≥ 1.0× Java: in memory ${met(zk.opsMemory! >= java.ops!)}, dataDir + fsync ${met(zk.opsFsync! >= java.ops!)}; ` +
      `${LOAD} writes in memory ≥ 1.5× Java ${met(zk.loadOpsMemory! >= 1.5 * java.loadOps!)}`,
  )
}

async function main(): Promise<void> {
  // Ctrl-C: exit through 'exit' so the real-ZooKeeper helper kills its Java processes.
  process.once('SIGINT', () => process.exit(130))
  note('real ZooKeeper 3.8, 3 servers …')
  const java = await benchJava()
  note('zookit bundled ensemble, 3 servers in-process …')
  const zk = await benchZookit()
  print(java, zk)
}

await main()
