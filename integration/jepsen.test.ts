// Jepsen-style runs against the bundled ensemble: several clients write, compare-and-set and read a
// few znodes while a seeded nemesis kills, cuts off, freezes and slows down servers (the leader too).
// Every operation goes into a History; afterwards every fault is undone, the final values are read,
// and the history is checked with src/testing/history.ts:
//   - linearizability of each key as a CAS register (writes, CAS and quorum-confirmed reads),
//   - session order (read-your-writes, monotonic reads), local reads included,
//   - no acknowledged write lost, and every server converges on the same data,
//   - progress: many operations acknowledged; after each fault is undone a write goes through; once
//     all is healed every server takes writes.
// A last subtest pins down, without timing, two ways in which the ensemble must not lose its leader.
//
// What ZooKeeper promises, and so what is checked: writes (setData, and setData with a version, a
// CAS) are linearizable; a plain getData is answered by the server the client is connected to and may
// be stale (sequential consistency only: it must respect the session's order, not real time). Even
// sync + getData is not linearizable in ZooKeeper: a leader that lost its quorum without noticing yet
// answers sync at once (ZOOKEEPER-1675). So a read counted for linearizability is *confirmed*: getData,
// then a transaction with only check(path, version) — a quorum write that commits only if the version
// (hence the value: versions of a never-deleted node name one value each) is still current, so the
// value held at a moment between the read's invocation and its completion. Plain reads (and the read
// half of each CAS) go only into the session-order check. For that check, "newer" means later in
// commit order: acknowledged writes are ranked by the zxid their reply's Stat carries (acknowledgement
// order can differ from commit order when a follower lags, and is not what a session must respect).
//
// Indeterminate outcomes (connection loss, per-call timeout, session expiry) are recorded as unknown:
// the op may or may not have taken effect. BadVersion is a CAS that definitely did not happen.
//
// Reproduce or explore: JEPSEN_SEED=<n> npx tap integration/jepsen.test.ts (each run prints its seed
// and its fault schedule; JEPSEN_FAULT_MS=<ms> runs longer or shorter); DEBUG=zookit:jepsen,zookit:quorum
// interleaves the nemesis' steps with the peers' role changes.
//
// The harness (the run's record, workers, nemesis, faults, probe and checks) is in integration/jepsen/;
// this file holds the cases.
import t from 'tap'
import { startEnsemble } from '../src/ensemble/index.js'
import { ZooKeeper } from '../src/index.js'
import { retrying } from './jepsen/deadlines.js'
import { describeModes } from './jepsen/describe.js'
import { Probe } from './jepsen/probe.js'
import { Run } from './jepsen/run.js'
import { jepsen } from './jepsen/scenario.js'
import { INITIAL, SESSION_TIMEOUT, TICK_TIME, call, seedFor } from './jepsen/settings.js'

t.test('3 servers: kills, partitions, pauses and slow or lossy links, of the leader too', (t) =>
  jepsen(t, {
    size: 3,
    seed: seedFor(1),
    faultMs: 10_000,
    keys: ['/k0', '/k1', '/k2'],
    clients: ['all', 'all', 'all', 0, 1],
    store: 'memory',
    snapshotEvery: 100,
  }),
)

t.test('5 servers: up to two servers at a time killed, cut off, paused or behind slow or lossy links', (t) =>
  jepsen(t, {
    size: 5,
    seed: seedFor(2),
    faultMs: 8_000,
    keys: ['/k0', '/k1', '/k2'],
    clients: ['all', 'all', 'all', 0, 3],
    store: 'files',
    snapshotEvery: 150,
  }),
)

t.test('leadership is neither lost nor stuck for nothing', async (t) => {
  /** Bound on each wait below; every one of them takes well under a second when all is well. */
  const BOUND = 6000

  t.test('a follower that rejoins (after a partition, after a crash) does not depose the leader', async (t) => {
    // The leader keeps its majority throughout, so neither it nor the other follower has any reason
    // to change role while one follower leaves and comes back. (A generous silence bound keeps a slow
    // machine from causing elections of its own.)
    const ens = await startEnsemble({ size: 3, tickTime: TICK_TIME, peerSilenceTicks: 20 })
    t.teardown(() => ens.stop())
    const zk = await ZooKeeper.connect(ens.connectString, { sessionTimeout: SESSION_TIMEOUT, initialConnectTimeout: 5000 })
    t.teardown(() => zk.close())
    await zk.create('/rejoin', INITIAL, { timeout: 5000 })
    let n = 0
    const write = () => retrying(Date.now() + BOUND, () => zk.setData('/rejoin', `v${++n}`, call))
    for (const fault of ['partition', 'kill'] as const) {
      const leader = await ens.waitForLeader(BOUND)
      const [away, other] = [0, 1, 2].filter((i) => i !== leader) as [number, number]
      await ens.waitForMode(away, 'follower', BOUND)
      await ens.waitForMode(other, 'follower', BOUND)
      const changes: string[] = []
      const offs = [leader, other].map((i) => {
        const q = ens.servers[i]!.quorum!
        const on = (m: string) =>
          changes.push(
            `server ${i} became ${m} (epoch ${q.peer.currentEpoch}, leader ${q.peer.leader === undefined ? 'none' : `server ${q.peer.leader - 1}`})`,
          )
        q.on('mode', on)
        return () => q.off('mode', on)
      })
      const left = Date.now()
      if (fault === 'partition') {
        ens.partition([[away], [leader, other]])
        await ens.waitForMode(away, 'looking', BOUND)
      } else {
        await ens.kill(away)
      }
      await write()
      await write()
      const back = Date.now()
      if (fault === 'partition') ens.heal()
      else await ens.restart(away)
      await ens.waitForMode(away, 'follower', BOUND)
      const rejoined = Date.now() - back
      await write()
      offs.forEach((off) => off())
      t.same(
        changes,
        [],
        `${fault}: server ${away} missed two writes in ${back - left} ms away and rejoined in ${rejoined} ms; leader ${leader}, which kept its majority, kept leading and no other server changed role`,
      )
    }
    await zk.sync('/rejoin', call)
    t.equal((await zk.getData('/rejoin', call)).data.toString(), `v${n}`, 'the last write is there')
  })

  t.test('once every fault is healed, 5 servers elect a leader, even after two leaders stepped down under their followers', async (t) => {
    // A leader that loses its quorum steps down; a follower that still hears from it must notice
    // that it no longer leads. Here: leader L and follower X are cut off from the other three, who
    // elect Y; then what Y's two followers send it is lost, so Y steps down too. Then every fault is
    // healed: five servers, all up, all connected, must elect a leader.
    const run = new Run()
    const ens = await startEnsemble({ size: 5, tickTime: TICK_TIME })
    t.teardown(async () => {
      await Promise.allSettled([...run.clients].map((zk) => zk.close()))
      await ens.stop()
    })
    const probe = new Probe(run, ens)
    const admin = await run.connect(ens.connectString, 5000)
    await admin.create('/progress', INITIAL, { timeout: 5000 })
    await run.release(admin)
    const L = await ens.waitForLeader(BOUND)
    const [X, ...rest] = [0, 1, 2, 3, 4].filter((i) => i !== L) as [number, ...number[]]
    for (const i of [X, ...rest]) await ens.waitForMode(i, 'follower', BOUND)
    await probe.write(Date.now() + BOUND)
    ens.partition([[L, X], rest])
    await ens.waitForMode(L, 'looking', BOUND)
    // L looks for a leader and X cannot win an election with L alone: the leader now is among the rest.
    const Y = await ens.waitForLeader(BOUND)
    const [P, Q] = rest.filter((i) => i !== Y) as [number, number]
    await ens.waitForMode(P, 'follower', BOUND)
    await ens.waitForMode(Q, 'follower', BOUND)
    await retrying(Date.now() + BOUND, async () => {
      const zk = await run.connect(ens.connectStringOf(Y))
      await zk.setData('/progress', 'while L and X are cut off', call).finally(() => run.release(zk))
    })
    ens.dropLink(P, Y, true)
    ens.dropLink(Q, Y, true)
    await ens.waitForMode(Y, 'looking', BOUND)
    const before = describeModes(ens)
    ens.heal()
    try {
      const ms = await probe.write(Date.now() + BOUND)
      t.pass(`a write went through ${ms} ms after healing (before: ${before}; now: ${describeModes(ens)})`)
    } catch {
      t.fail(
        `no write went through within ${BOUND} ms of healing (L = ${L}, X = ${X}, Y = ${Y}; before healing: ${before}; now: ${describeModes(ens)})`,
      )
    }
    await probe.close()
  })
})
