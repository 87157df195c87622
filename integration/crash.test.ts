// Crash safety of a bundled quorum on disk: three server processes with a dataDir and fsync on, a few
// clients making sequential writes and recording every acknowledged one, and a seeded schedule of
// SIGKILLs (of the leader, of a follower, and of all three at once) while writes are in flight, each
// followed by a restart from what the servers left on disk. At the end every acknowledged write must
// be on every server with its data, version and zxid, and the servers must hold the same nodes and
// have applied the same last zxid.
//
// A SIGKILL loses nothing a process has handed to the kernel, so what this shows is the ordering: no
// write is acknowledged before a quorum logged it, and recovery (torn tails, snapshots, a restart of
// everyone) keeps whatever was. What fsync adds against a power loss, the files' and the directory's,
// is held to its order of calls by src/ensemble/durable-file.test.ts.
//
// The default run is bounded in time (single kills for 35 s, then one kill of all three). A soak:
// ZOOKIT_CRASH_ROUNDS=<n> npx tap --timeout=0 integration/crash.test.ts runs n single kills instead,
// and a kill of all three after every 10th; ZOOKIT_CRASH_SEED=<n> picks another schedule, and
// DEBUG=zookit:crash prints each kill.
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startEnsemble, type Ensemble } from '../src/ensemble/index.js'
import { ConnectionLossError, OperationTimeoutError, SessionExpiredError, SessionMovedError, ZooKeeper, type Stat } from '../src/index.js'
import { logger } from '../src/debug.js'
import { prng } from '../src/testing/random-records.js'
import { fourLetterWord } from '../src/testing/real-zookeeper.js'

const log = logger('crash')

const envInt = (name: string): number | undefined => {
  const v = process.env[name]
  if (v === undefined || v === '') return undefined
  if (!/^\d+$/.test(v)) throw new Error(`${name} must be a non-negative integer, got ${v}`)
  return Number(v)
}
const ROUNDS = envInt('ZOOKIT_CRASH_ROUNDS')
const SEED = envInt('ZOOKIT_CRASH_SEED') ?? 13
/** Without ZOOKIT_CRASH_ROUNDS, single kills go on until this much of the run has passed. */
const KILL_PHASE_MS = 35_000
/** Bound on every wait for the ensemble to get somewhere (a leader, a restarted server, writes). */
const BOUND_MS = 30_000
const WRITERS = 3
/** A snapshot every so many txns, so that kills land on snapshots and log compactions too. */
const SNAPSHOT_EVERY = 300
const call = { timeout: 5000 }

/** What the servers must hold for one node whose create was acknowledged. */
interface Expected {
  path: string
  data: Buffer
  version: number
  mzxid: bigint
  /** The state a setData left unknown (connection lost before its reply) would have made instead. */
  orElse?: { data: Buffer; version: number }
}

/** Acknowledged writes, counted, with waits for the count to grow (the schedule's clock). */
class Acks {
  count = 0
  private waiters: { at: number; resolve: () => void }[] = []

  ack(): void {
    this.count++
    for (const w of this.waiters.filter((w) => w.at <= this.count)) w.resolve()
    this.waiters = this.waiters.filter((w) => w.at > this.count)
  }

  /** Resolve once `n` more writes are acknowledged; reject after BOUND_MS naming `what`. */
  grow(n: number, ens: Ensemble, what: string): Promise<void> {
    const at = this.count + n
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${n} acknowledged writes ${what} within ${BOUND_MS} ms (modes: ${ens.modes().join(', ')})`)),
        BOUND_MS,
      )
      this.waiters.push({
        at,
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
      })
    })
  }
}

/** An outcome the client cannot know: the write may or may not have happened. */
const unknownOutcome = (err: unknown) =>
  err instanceof ConnectionLossError ||
  err instanceof OperationTimeoutError ||
  err instanceof SessionExpiredError ||
  err instanceof SessionMovedError

/** A payload that names its write, padded to a seeded length (up to 2 KiB, so log records vary). */
function payload(rnd: () => number, name: string): Buffer {
  const body = Buffer.alloc(Math.floor(rnd() * 2048), 'x')
  return Buffer.concat([Buffer.from(`${name};`), body])
}

/** Writer k: create a node, then setData it once at version 0, and again with the next node. */
async function writer(
  k: number,
  zk: ZooKeeper,
  rnd: () => number,
  acks: Acks,
  expected: Expected[],
  stop: { now: boolean },
): Promise<{ unknown: number }> {
  let unknown = 0
  for (let seq = 0; !stop.now; seq++) {
    const node = `/crash/w${k}-${String(seq).padStart(7, '0')}`
    const first = payload(rnd, `${node}#0`)
    let created: { stat: Stat }
    try {
      created = await zk.create(node, first, call)
    } catch (err) {
      if (!unknownOutcome(err)) throw err
      // Maybe created, maybe not: only the servers' agreement covers it.
      unknown++
      continue
    }
    const e: Expected = { path: node, data: first, version: 0, mzxid: created.stat.mzxid }
    expected.push(e)
    acks.ack()
    const second = payload(rnd, `${node}#1`)
    try {
      const stat = await zk.setData(node, second, { ...call, version: 0 })
      Object.assign(e, { data: second, version: 1, mzxid: stat.mzxid })
      acks.ack()
    } catch (err) {
      if (!unknownOutcome(err)) throw err
      unknown++
      e.orElse = { data: second, version: 1 }
    }
  }
  return { unknown }
}

/** Every node under /crash as the server `zk` reads holds it, once it has applied all that was decided before. */
async function nodesOn(zk: ZooKeeper): Promise<Map<string, { data: Buffer; stat: Stat }>> {
  await zk.sync('/crash', call)
  const names = (await zk.getChildren('/crash', call)).sort()
  const nodes = new Map<string, { data: Buffer; stat: Stat }>()
  for (let i = 0; i < names.length; i += 500) {
    const batch = names.slice(i, i + 500)
    const got = await Promise.all(batch.map((n) => zk.getData(`/crash/${n}`, call)))
    batch.forEach((n, j) => nodes.set(`/crash/${n}`, got[j]!))
  }
  return nodes
}

/** Why a server's node does not match an acknowledged write, or undefined when it does. */
function mismatch(e: Expected, got: { data: Buffer; stat: Stat } | undefined): string | undefined {
  if (!got) return 'missing'
  if (got.data.equals(e.data) && got.stat.version === e.version && got.stat.mzxid === e.mzxid) return undefined
  if (e.orElse && got.data.equals(e.orElse.data) && got.stat.version === e.orElse.version) return undefined
  return `version ${got.stat.version} mzxid 0x${got.stat.mzxid.toString(16)} (${got.data.length} bytes), acknowledged version ${e.version} mzxid 0x${e.mzxid.toString(16)} (${e.data.length} bytes)`
}

const srvrZxid = async (ens: Ensemble, i: number) => {
  const port = Number(ens.connectStringOf(i).split(':')[1])
  const srvr = await fourLetterWord('127.0.0.1', port, 'srvr')
  return /Zxid: (0x[0-9a-f]+)/.exec(srvr)?.[1]
}

t.test('SIGKILLs of a leader, of followers and of all three lose no acknowledged write', async (t) => {
  const started = Date.now()
  const rnd = prng(SEED)
  const dataDir = mkdtempSync(path.join(tmpdir(), 'zookit-crash-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const ens = await startEnsemble({ size: 3, processes: true, dataDir, fsync: true, snapshotEvery: SNAPSHOT_EVERY })
  t.teardown(() => ens.stop())
  const servers = [0, 1, 2]

  const connect = (connectString: string) =>
    ZooKeeper.connect(connectString, { sessionTimeout: 10_000, initialConnectTimeout: BOUND_MS, renewExpiredSession: true })
  const setup = await connect(ens.connectString)
  await setup.create('/crash', null)
  await setup.close()

  const acks = new Acks()
  const expected: Expected[] = []
  const stop = { now: false }
  const clients = await Promise.all(Array.from({ length: WRITERS }, () => connect(ens.connectString)))
  t.teardown(() => Promise.all(clients.map((c) => c.close())))
  const writers = clients.map((zk, k) => writer(k, zk, prng(SEED * 100 + k), acks, expected, stop))
  // A writer that throws ends the test at once rather than at the first wait for acks.
  const failed = Promise.race(writers).then(() => new Promise<never>(() => {}))
  failed.catch(() => {}) // reported by the wait it interrupts, or by the final await of the writers
  const step = <T>(p: Promise<T>) => Promise.race([p, failed])

  const kills = { leader: 0, follower: 0, all: 0 }
  const killAll = async () => {
    await step(acks.grow(1 + Math.floor(rnd() * 40), ens, 'before killing all three'))
    log('killing all three at %d acknowledged writes', acks.count)
    await Promise.all(servers.map((i) => ens.kill(i)))
    kills.all++
    await Promise.all(servers.map((i) => ens.restart(i)))
    await Promise.all(servers.map((i) => ens.waitForMode(i, ['leader', 'follower'], BOUND_MS)))
    await step(acks.grow(10, ens, 'after restarting all three'))
  }

  for (let round = 1; ROUNDS === undefined ? Date.now() - started < KILL_PHASE_MS : round <= ROUNDS; round++) {
    const leader = await ens.waitForLeader(BOUND_MS)
    const followers = servers.filter((i) => i !== leader)
    const victim = rnd() < 0.5 ? leader : followers[Math.floor(rnd() * followers.length)]!
    // A kill right after a random number of acknowledgements, with the writers' next writes in flight.
    await step(acks.grow(1 + Math.floor(rnd() * 40), ens, `before kill ${round}`))
    log('kill %d: server %d (%s) at %d acknowledged writes', round, victim, victim === leader ? 'leader' : 'follower', acks.count)
    await ens.kill(victim)
    kills[victim === leader ? 'leader' : 'follower']++
    // The other two carry on without it (a new leader first, if it led).
    await step(acks.grow(10, ens, `with server ${victim} down`))
    await ens.restart(victim)
    await ens.waitForMode(victim, ['leader', 'follower'], BOUND_MS)
    if (ROUNDS !== undefined && round % 10 === 0) await killAll()
  }
  await killAll()

  stop.now = true
  const outcomes = await Promise.all(writers)
  await Promise.all(clients.map((c) => c.close()))
  const unknown = outcomes.reduce((n, o) => n + o.unknown, 0)

  // One client per server, each reading only that server.
  const readers = await Promise.all(servers.map((i) => connect(ens.connectStringOf(i))))
  t.teardown(() => Promise.all(readers.map((c) => c.close())))
  const trees = await Promise.all(readers.map(nodesOn))
  const lost: string[] = []
  for (const i of servers)
    for (const e of expected) {
      const why = mismatch(e, trees[i]!.get(e.path))
      if (why) lost.push(`server ${i}: ${e.path}: ${why}`)
    }
  t.same(lost.slice(0, 20), [], `every acknowledged write is on every server (${lost.length} not)`)
  for (const i of servers.slice(1)) {
    const differ = [...new Set([...trees[0]!.keys(), ...trees[i]!.keys()])].filter((p) => {
      const a = trees[0]!.get(p)
      const b = trees[i]!.get(p)
      return !a || !b || !a.data.equals(b.data) || a.stat.mzxid !== b.stat.mzxid || a.stat.version !== b.stat.version
    })
    t.same(differ.slice(0, 10), [], `servers 0 and ${i} hold the same nodes (${differ.length} differ)`)
  }
  // Sessions closing meanwhile are txns too: sync and ask again until every server is at one zxid.
  let zxids: (string | undefined)[] = []
  for (let attempt = 0; attempt < 20; attempt++) {
    await Promise.all(readers.map((r) => r.sync('/', call)))
    zxids = await Promise.all(servers.map((i) => srvrZxid(ens, i)))
    if (zxids[0] !== undefined && zxids.every((z) => z === zxids[0])) break
  }
  t.ok(zxids[0] !== undefined && zxids.every((z) => z === zxids[0]), `every server has applied the same last zxid (${zxids.join(', ')})`)

  const writes = expected.length + expected.filter((e) => e.version === 1).length
  t.ok(kills.leader > 0 && kills.follower > 0 && kills.all > 0, 'leaders, followers and all three were killed')
  t.ok(writes >= 100, `writes were acknowledged throughout (${writes})`)
  t.comment(
    `seed ${SEED}: ${kills.leader + kills.follower + kills.all * 3} kills (${kills.leader} of the leader, ` +
      `${kills.follower} of a follower, all three ${kills.all} times); ${writes} acknowledged writes checked on ` +
      `each of 3 servers (${expected.length} nodes), ${unknown} writes of unknown outcome; ${Date.now() - started} ms`,
  )
})
