// Scale benchmark (issue 13): three real ZooKeeper 3.8 servers against zookit's bundled ensemble of
// three, every server in a process of its own with a data dir, each loaded with N znodes of 100
// bytes, S sessions and W watches. Per system and round: RSS growth per znode per server (from
// /proc/<pid>/status), idle and loaded RSS, snapshot time (mntr's snapshottime), getData and setData
// p99 of a client on a follower while a snapshot runs and while none does, and restart from disk
// (kill -9 of all three → all three serve every znode). Rounds interleave Java and zookit.
//   npm run bench:scale [-- --znodes 1000000] [--sessions 10000] [--watches 100000] [--rounds 1]
//                       [--fsync] [--write] [--note "…"]
// Both sides run without fsync unless --fsync (see JAVA_FLAGS).
// --write replaces the scale section of BENCHMARKS.md; without it the Markdown goes to stdout only.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { fourLetterWord, startRealZooKeeper } from '../../src/testing/real-zookeeper.js'
import { RawClient, getDataFrame, replies } from '../../src/testing/raw-client.js'
import { peerProcessesOf } from '../../src/testing/processes.js'
import { startEnsemble } from '../../src/ensemble/index.js'
import { ConnectionLossError, NodeExistsError, ZooKeeper } from '../../src/index.js'
import { machine } from './machine.js'
import { ENSEMBLE_SECTION } from './ensemble-report.js'
import { replaceSection } from './report.js'
import {
  SCALE_MARKERS,
  parseMntr,
  scaleSection,
  snapshotWindows,
  splitBySnapshot,
  vmRssBytes,
  type Call,
  type ScaleFigures,
  type ScaleRound,
  type SnapshotPoll,
} from './scale-report.js'
import { median, percentile, spreads } from './stats.js'

const BENCHMARKS = fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url))
const PAYLOAD = Buffer.alloc(100, 1)
const ROOT = '/scale'
/** Znodes per parent: a million children under one parent is not what anyone runs. */
const PER_PARENT = 1000
/** Creates each loading client keeps outstanding (three clients, one per server). */
const LANES = 256
/** Sessions opening at once. */
const CONNECTING = 100
/** Long enough that the raw sessions need no pings during a run. */
const SESSION_MS = 600_000
const JAVA_HEAP = '4g'
/** Java snapshots after snapCount/2 + a random share of snapCount/2 txns: every 10,000–20,000. */
const JAVA_SNAP_COUNT = 20_000
/** The same setting as Java's snapCount, which zookit rolls the same way: a snapshot every 10,000–20,000. */
const ZOOKIT_SNAPSHOT_EVERY = JAVA_SNAP_COUNT
/** Background setData per second during the latency phase, so snapshots come round. */
const BACKGROUND_RATE = 2000
const PROBE_MIN_MS = 10_000
const PROBE_MAX_MS = 60_000
const PROBE_MIN_SNAPSHOTS = 3
/** How long a call is retried after connection losses (elections) before the round gives up. */
const RETRY_MS = 120_000
/** How long all three may take to serve every znode again after the restart. */
const RESTART_MAX_MS = 180_000

const { values: flags } = parseArgs({
  options: {
    znodes: { type: 'string', default: '1000000' },
    sessions: { type: 'string', default: '10000' },
    watches: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '1' },
    fsync: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    note: { type: 'string' },
  },
})
const whole = (name: keyof typeof flags, min: number): number => {
  const v = Number(flags[name])
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} wants an integer ≥ ${min}, not ${flags[name]}`)
  return v
}
const ZNODES = whole('znodes', 1)
const SESSIONS = whole('sessions', 0)
const WATCHES = whole('watches', 0)
const ROUNDS = whole('rounds', 1)
if (WATCHES > 0 && SESSIONS === 0) throw new Error('--watches needs sessions to hold them')
if (WATCHES > ZNODES) throw new Error('--watches: one watch per znode at most')
const JAVA_FLAGS = [
  `-Xmx${JAVA_HEAP}`,
  '-XX:TieredStopAtLevel=4',
  `-Dzookeeper.snapCount=${JAVA_SNAP_COUNT}`,
  // Without fsync by default on both sides: fsync bounds the load rate on this disk (about 2,000
  // creates/s), and a kill -9 loses nothing the page cache holds, so restart from disk still reads it all.
  ...(flags.fsync ? [] : ['-Dzookeeper.forceSync=no']),
]

const now = () => performance.now()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const note = (msg: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`)
const range = (n: number) => Array.from({ length: n }, (_, i) => i)
const parentPath = (b: number) => `${ROOT}/p${b}`
const znodePath = (i: number) => `${parentPath(Math.floor(i / PER_PARENT))}/n${i}`

/** What the benchmark needs of either system: three servers it can read, kill and start. */
interface System {
  name: 'java' | 'zookit'
  ports: number[]
  pids(): number[]
  killAll(): Promise<void>
  /** Start all three again; resolves when each serves. */
  startAll(): Promise<void>
  stop(): Promise<void>
}

const connectStringOf = (sys: System, i: number) => `127.0.0.1:${sys.ports[i]}`

/** Connections a server closed under a client during the round (a leader change drops every client). */
let connectionLosses = 0

/** `call`, again after a connection loss (the client reconnects on its own), counting each loss. */
async function again<T>(call: () => Promise<T>): Promise<T> {
  const deadline = now() + RETRY_MS
  for (;;)
    try {
      return await call()
    } catch (err) {
      if (!(err instanceof ConnectionLossError) || now() > deadline) throw err
      connectionLosses++
      await sleep(50)
    }
}

/** Create `p`; one that exists already was made by an attempt whose answer the connection lost. */
async function create(zk: ZooKeeper, p: string, data?: Buffer): Promise<void> {
  let first = true
  await again(async () => {
    try {
      await zk.create(p, data)
    } catch (err) {
      if (!(err instanceof NodeExistsError) || first) throw err
    } finally {
      first = false
    }
  })
}

async function startJava(): Promise<System> {
  const ens = await startRealZooKeeper({ size: 3, maxSessionTimeout: SESSION_MS, jvmFlags: JAVA_FLAGS })
  return {
    name: 'java',
    ports: ens.servers.map((s) => s.clientPort),
    pids: () => ens.servers.map((s) => s.pid!),
    killAll: async () => void (await Promise.all(ens.servers.map((s) => s.kill('SIGKILL')))),
    startAll: async () => void (await Promise.all(ens.servers.map((s) => s.start()))),
    stop: () => ens.stop(),
  }
}

async function startZookit(): Promise<System> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'zookit-scale-'))
  const ens = await startEnsemble({
    size: 3,
    processes: true,
    dataDir,
    fsync: flags.fsync,
    maxClientCnxns: 0, // as the Java servers run: all the sessions come from one address
    maxSessionTimeout: SESSION_MS,
    snapshotEvery: ZOOKIT_SNAPSHOT_EVERY,
  })
  const ids = range(3)
  return {
    name: 'zookit',
    ports: ids.map((i) => Number(ens.connectStringOf(i).split(':').pop())),
    pids: () => peerProcessesOf(process.pid),
    killAll: async () => void (await Promise.all(ids.map((i) => ens.kill(i)))),
    async startAll() {
      await Promise.all(ids.map((i) => ens.restart(i)))
      await Promise.all(ids.map((i) => ens.waitForMode(i, ['leader', 'follower'], RESTART_MAX_MS)))
    },
    async stop() {
      await ens.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

async function mntr(sys: System, i: number, timeoutMs = 5000): Promise<Record<string, number | string>> {
  return parseMntr(await fourLetterWord('127.0.0.1', sys.ports[i]!, 'mntr', timeoutMs))
}

/** Resolve once every server reports at least `count` znodes (mntr's znode_count). */
async function waitZnodes(sys: System, count: number, timeoutMs: number): Promise<void> {
  const deadline = now() + timeoutMs
  for (;;) {
    const counts = await Promise.all(
      range(3).map((i) =>
        mntr(sys, i).then(
          (m) => Number(m.znode_count ?? 0),
          () => 0,
        ),
      ),
    )
    if (counts.every((c) => c >= count)) return
    if (now() > deadline) throw new Error(`${sys.name}: znode counts ${counts.join(', ')} after ${timeoutMs} ms, wanted ${count}`)
    await sleep(50)
  }
}

const rssOf = (pids: number[]) => pids.map((pid) => vmRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8')))
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
const MB = 2 ** 20

/** N znodes of 100 bytes, pipelined: three clients (one per server), each with LANES creates outstanding. */
async function loadZnodes(sys: System): Promise<number> {
  const clients = await Promise.all(range(3).map((i) => ZooKeeper.connect(connectStringOf(sys, i), { sessionTimeout: 30_000 })))
  try {
    await clients[0]!.createAll(ROOT)
    await Promise.all(range(Math.ceil(ZNODES / PER_PARENT)).map((b) => create(clients[b % 3]!, parentPath(b))))
    let next = 0
    let logged = 0
    const t0 = now()
    const lane = async (zk: ZooKeeper) => {
      for (let i = next++; i < ZNODES; i = next++) {
        await create(zk, znodePath(i), PAYLOAD)
        if (i - logged >= 100_000) {
          logged = i
          note(`  ${sys.name}: ${i} znodes, ${Math.round(i / ((now() - t0) / 1000))}/s`)
        }
      }
    }
    await Promise.all(clients.flatMap((zk) => range(LANES).map(() => lane(zk))))
    return ZNODES / ((now() - t0) / 1000)
  } finally {
    await Promise.all(clients.map((zk) => zk.close()))
  }
}

/** S sessions on raw sockets (spread over the servers), holding W getData watches on distinct znodes. */
async function openSessions(sys: System): Promise<() => void> {
  const closers: (() => void)[] = []
  const owner = { teardown: (fn: () => void) => void closers.push(fn) }
  const perSession = SESSIONS ? Math.ceil(WATCHES / SESSIONS) : 0
  let next = 0
  const opener = async () => {
    for (let j = next++; j < SESSIONS; j = next++) {
      const first = j * perSession
      const watches = Math.max(0, Math.min(perSession, WATCHES - first))
      for (const deadline = now() + RETRY_MS; ;) {
        const raw = await RawClient.connect(owner, sys.ports[j % 3]!)
        try {
          await raw.handshake(SESSION_MS)
          if (watches) {
            raw.socket.write(Buffer.concat(range(watches).map((w) => getDataFrame(w + 1, znodePath(first + w), true))))
            await raw.next(watches)
          }
        } catch (err) {
          // Closed by the server (a leader change): a new session on a new connection.
          raw.socket.destroy()
          if (now() > deadline) throw err
          connectionLosses++
          await sleep(50)
          continue
        }
        const failed = replies(raw.frames).find((h) => h.err !== 0)
        if (failed) throw new Error(`${sys.name}: getData with a watch failed with error ${failed.err}`)
        raw.frames.length = 0
        break
      }
    }
  }
  await Promise.all(range(CONNECTING).map(opener))
  return () => closers.forEach((close) => close())
}

/** The index of a server whose srvr says it follows. */
async function aFollower(sys: System): Promise<number> {
  for (const i of range(3)) if (/Mode: follower/.test(await fourLetterWord('127.0.0.1', sys.ports[i]!, 'srvr'))) return i
  throw new Error(`${sys.name}: no follower`)
}

/**
 * A client on a follower alternates getData and setData of one znode, while another writes at
 * BACKGROUND_RATE (so snapshots come round) and each server's mntr is polled for snapshottime. Runs
 * until PROBE_MIN_SNAPSHOTS snapshots were seen (at least PROBE_MIN_MS, at most PROBE_MAX_MS).
 */
async function probeSnapshots(sys: System) {
  const f = await aFollower(sys)
  const probe = await ZooKeeper.connect(connectStringOf(sys, f), { sessionTimeout: 30_000 })
  const writer = await ZooKeeper.connect(connectStringOf(sys, (f + 1) % 3), { sessionTimeout: 30_000 })
  await create(probe, `${ROOT}/probe`, PAYLOAD)
  await create(writer, `${ROOT}/background`, PAYLOAD)
  const reads: Call[] = []
  const writes: Call[] = []
  const polls: SnapshotPoll[][] = range(3).map(() => [])
  let stopped = false
  const poller = async (i: number) => {
    while (!stopped) {
      const sentAt = now()
      // A zookit server answers once its snapshot is done (the snapshot holds its event loop).
      const m = await mntr(sys, i, 60_000).catch(() => undefined)
      if (m && m.cnt_snapshottime !== undefined)
        polls[i]!.push({ sentAt, answeredAt: now(), count: Number(m.cnt_snapshottime), sumMs: Number(m.sum_snapshottime) })
      await sleep(100)
    }
  }
  const background = async () => {
    const perTick = BACKGROUND_RATE / 100
    while (!stopped) {
      const t = now()
      await Promise.all(range(perTick).map(() => again(() => writer.setData(`${ROOT}/background`, PAYLOAD))))
      await sleep(Math.max(0, 10 - (now() - t)))
    }
  }
  const prober = async () => {
    while (!stopped) {
      let start = now()
      // A call retried after a connection loss counts from its first try: that is what the caller waited.
      await again(() => probe.getData(`${ROOT}/probe`))
      reads.push({ start, end: now() })
      start = now()
      await again(() => probe.setData(`${ROOT}/probe`, PAYLOAD))
      writes.push({ start, end: now() })
    }
  }
  const running = [...range(3).map(poller), background(), prober()]
  const t0 = now()
  const windows = () => polls.flatMap(snapshotWindows)
  while (!(now() - t0 >= PROBE_MIN_MS && windows().length >= PROBE_MIN_SNAPSHOTS) && now() - t0 < PROBE_MAX_MS) await sleep(250)
  stopped = true
  await Promise.all(running)
  await Promise.all([probe.close(), writer.close()])
  const seen = windows()
  const read = splitBySnapshot(reads, seen)
  const write = splitBySnapshot(writes, seen)
  note(
    `  ${sys.name}: ${seen.length} snapshots (${seen.map((w) => Math.round(w.ms)).join(', ')} ms); ` +
      `${read.during.length}+${write.during.length} calls during them, ${read.quiet.length}+${write.quiet.length} outside`,
  )
  const p99 = (xs: number[]) => (xs.length ? percentile(xs, 99) : NaN)
  return {
    snapshotMs: seen.length ? median(seen.map((w) => w.ms)) : NaN,
    readP99QuietUs: p99(read.quiet),
    readP99SnapshotUs: p99(read.during),
    writeP99QuietUs: p99(write.quiet),
    writeP99SnapshotUs: p99(write.during),
  }
}

async function measure(sys: System): Promise<ScaleRound> {
  connectionLosses = 0
  await sleep(2000)
  const idle = rssOf(sys.pids())
  note(`  ${sys.name}: idle RSS ${idle.map((b) => Math.round(b / MB)).join(' + ')} MB; loading ${ZNODES} znodes`)
  const createsPerSec = await loadZnodes(sys)
  const total = Number((await mntr(sys, 0)).znode_count)
  await waitZnodes(sys, total, 300_000)
  const loaded = rssOf(sys.pids())
  const rssPerZnodeB = sum(loaded.map((b, i) => b - idle[i]!)) / 3 / ZNODES
  note(
    `  ${sys.name}: ${Math.round(createsPerSec)} creates/s; ${Math.round(rssPerZnodeB)} B per znode per server; ${SESSIONS} sessions, ${WATCHES} watches`,
  )
  const closeSessions = await openSessions(sys)
  let full: number[]
  let snapshots: Awaited<ReturnType<typeof probeSnapshots>>
  try {
    full = rssOf(sys.pids())
    note(`  ${sys.name}: loaded RSS ${full.map((b) => Math.round(b / MB)).join(' + ')} MB; probing latency around snapshots`)
    snapshots = await probeSnapshots(sys)
  } finally {
    closeSessions()
  }
  const losses = connectionLosses
  if (losses) note(`  ${sys.name}: ${losses} connection losses so far (leader changes?)`)
  const withProbes = Number((await mntr(sys, 0)).znode_count)
  await sys.killAll()
  const t0 = now()
  let restartMs = NaN
  try {
    await sys.startAll()
    await waitZnodes(sys, withProbes, RESTART_MAX_MS)
    restartMs = now() - t0
    note(`  ${sys.name}: restart from disk ${Math.round(restartMs)} ms`)
  } catch (err) {
    // The other figures stand; this one is reported as not measured.
    note(`  ${sys.name}: not serving every znode ${Math.round(now() - t0)} ms after the restart: ${(err as Error).message}`)
  }
  return {
    rssPerZnodeB,
    idleRssMB: sum(idle) / MB,
    loadedRssMB: sum(full) / MB,
    createsPerSec,
    restartMs,
    connectionLosses: losses,
    ...snapshots,
  }
}

async function javaVersion(): Promise<string> {
  const ens = await startRealZooKeeper({ size: 1 })
  try {
    const srvr = await fourLetterWord('127.0.0.1', ens.servers[0]!.clientPort, 'srvr')
    return /Zookeeper version: ([^-,\s]+)/.exec(srvr)?.[1] ?? '?'
  } finally {
    await ens.stop()
  }
}

async function main(): Promise<void> {
  // Ctrl-C: exit through 'exit' so the real-ZooKeeper helper kills its Java processes.
  process.once('SIGINT', () => process.exit(130))
  const version = await javaVersion()
  const rounds: Record<string, ScaleRound[]> = { java: [], zookit: [] }
  for (let round = 1; round <= ROUNDS; round++)
    for (const [name, start] of [
      ['java', startJava],
      ['zookit', startZookit],
    ] as const) {
      note(`round ${round}/${ROUNDS}: ${name}`)
      const sys = await start()
      try {
        rounds[name]!.push(await measure(sys))
      } catch (err) {
        note(`  ${name} failed: ${(err as Error).stack}`)
      } finally {
        await sys.stop()
      }
    }
  const finite = (r: ScaleRound) => Object.fromEntries(Object.entries(r).filter(([, v]) => Number.isFinite(v)))
  const figures: ScaleFigures = Object.fromEntries(Object.entries(rounds).map(([name, rs]) => [name, spreads(rs.map(finite))]))
  const heapFlag = process.execArgv.find((a) => a.startsWith('--max-old-space-size'))
  const section = scaleSection(
    {
      date: new Date().toISOString().slice(0, 10),
      machine: machine(),
      rounds: ROUNDS,
      znodes: ZNODES,
      sessions: SESSIONS,
      watches: WATCHES,
      java: `ZooKeeper ${version} (Debian), JVM flags ${JAVA_FLAGS.join(' ')} after the test script's -XX:+UseSerialGC, so a snapshot every 10,000–20,000 txns`,
      zookit:
        `Node ${process.version}${heapFlag ? ` with ${heapFlag}` : ''} per peer, fsync ${flags.fsync ? 'on (group commit)' : 'off'}, ` +
        `snapshotEvery ${ZOOKIT_SNAPSHOT_EVERY.toLocaleString('en-US')} txns (as Java's snapCount, so a snapshot every 10,000–20,000), ` +
        'each encoded across event-loop turns from a frozen view of the live tree',
      note: flags.note,
    },
    figures,
  )
  console.log(section)
  if (flags.write) {
    writeFileSync(BENCHMARKS, replaceSection(readFileSync(BENCHMARKS, 'utf8'), section, SCALE_MARKERS, ENSEMBLE_SECTION))
    console.error(`scale section of ${BENCHMARKS} replaced`)
  }
}

await main()
// Whatever a stopped server left behind (a socket, a timer) must not keep the run alive.
process.exit(0)
