// A peer rejoining a leader is synchronised the right way: DIFF when it is behind, TRUNC when it
// holds an uncommitted tail of an old epoch, SNAP when it has nothing; its log then equals the
// leader's, and proposals in flight during the sync are committed only when the leader commits them.
import t from 'tap'
import { ZabSim, snapshotOf, type Delivered } from './simulator.test-helper.js'
import type { Entry, Msg } from './messages.js'
import { Zxid } from './quorum.js'

const z = (e: number, c: number) => Zxid.make(BigInt(e), BigInt(c))
const e = (ep: number, c: number, v: string): Entry<string> => ({ zxid: z(ep, c), value: v })

/** A lossless cluster started from these logs and epochs, run for 40 rounds, every message kept. */
function cluster(logs: Record<number, { log: Entry<string>[]; epoch: number; base?: Entry<string>[] }>): ZabSim {
  const disks = Object.fromEntries(
    Object.entries(logs).map(([id, d]) => {
      const base = d.base?.length ? { zxid: d.base[d.base.length - 1]!.zxid, state: snapshotOf(d.base) } : undefined
      return [id, { log: d.log, acceptedEpoch: BigInt(d.epoch), currentEpoch: BigInt(d.epoch), ...(base ? { base } : {}) }]
    }),
  )
  const sim = new ZabSim({ peers: Object.keys(logs).length, disks, trace: true })
  for (let r = 0; r < 40; r++) sim.round()
  return sim
}

const syncTo = (trace: Delivered[], id: number): Extract<Msg<string>, { t: 'sync' }> | undefined => {
  const m = trace.find((s) => s.to === id && s.msg.t === 'sync')?.msg
  return m?.t === 'sync' ? m : undefined
}

t.test('TRUNC: an uncommitted tail of an old epoch is cut, then the new history follows', async (t) => {
  const shared = [e(1, 1, 'a'), e(1, 2, 'b')]
  const sim = cluster({
    1: { log: [...shared, e(2, 1, 'c')], epoch: 2 },
    2: { log: [...shared, e(2, 1, 'c')], epoch: 2 },
    3: { log: [...shared, e(1, 3, 'lost')], epoch: 1 },
  })
  const leader = sim.leader()
  t.ok(leader && leader.id !== 3, 'a peer with the newer epoch leads')
  t.equal(syncTo(sim.trace, 3)?.truncate, z(1, 2), 'peer 3 is told to truncate to the last shared zxid')
  for (const id of sim.ids) t.same(sim.values(id), ['a', 'b', 'c'], `peer ${id} holds a, b, c and never "lost"`)
  t.same(
    sim.disks.get(3)!.log.map((x) => x.value),
    ['a', 'b', 'c'],
    "and so does peer 3's disk",
  )
})

t.test('DIFF: a peer behind gets the proposals it lacks', async (t) => {
  const sim = cluster({
    1: { log: [e(1, 1, 'a'), e(1, 2, 'b'), e(1, 3, 'c')], epoch: 1 },
    2: { log: [e(1, 1, 'a'), e(1, 2, 'b'), e(1, 3, 'c')], epoch: 1 },
    3: { log: [e(1, 1, 'a')], epoch: 1 },
  })
  const sync = syncTo(sim.trace, 3)
  t.ok(sync && sync.truncate === undefined && !sync.snapshot, 'a DIFF')
  t.same(
    sync?.diff.map((x) => x.value),
    ['b', 'c'],
    'with exactly what it lacks',
  )
  for (const id of sim.ids) t.same(sim.values(id), ['a', 'b', 'c'])
})

t.test('an empty peer gets the whole history: as entries, or as the snapshot plus what follows it', async (t) => {
  {
    const sim = cluster({
      1: { log: [e(1, 1, 'a'), e(1, 2, 'b')], epoch: 1 },
      2: { log: [e(1, 1, 'a'), e(1, 2, 'b')], epoch: 1 },
      3: { log: [], epoch: 0 },
    })
    const sync = syncTo(sim.trace, 3)
    t.ok(sync && sync.truncate === 0n && sync.diff.length === 2, 'no snapshot yet: every entry')
    for (const id of sim.ids) t.same(sim.values(id), ['a', 'b'])
  }
  {
    // Peers 1 and 2 compacted a and b into a snapshot; 3 has nothing.
    const ab = [e(1, 1, 'a'), e(1, 2, 'b')]
    const sim = cluster({
      1: { log: [e(1, 3, 'c')], epoch: 1, base: ab },
      2: { log: [e(1, 3, 'c')], epoch: 1, base: ab },
      3: { log: [], epoch: 0 },
    })
    const base = { zxid: z(1, 2), state: snapshotOf(ab) }
    t.same(syncTo(sim.trace, 3)?.snapshot, base, 'a SNAP carrying the snapshot')
    const p3 = sim.peer(3)
    t.same(p3.base, base, "installed as the follower's base")
    t.equal(p3.snapshotsInstalled, 1, 'the host is told to load it')
    t.same(sim.disks.get(3)!.base, base, "and it is on the follower's disk")
    for (const id of sim.ids)
      t.same(
        sim.peer(id).committed.map((x) => x.value),
        ['c'],
        `peer ${id} committed what follows the snapshot`,
      )
    for (const id of sim.ids) t.same(sim.values(id), ['a', 'b', 'c'], `peer ${id} applied the snapshot's history and c`)
    t.equal(p3.lastZxid, z(1, 3))
  }
})

t.test('compact keeps what follows the snapshot and refuses a zxid it has not committed', async (t) => {
  const init = [e(1, 1, 'a'), e(1, 2, 'b'), e(1, 3, 'c')]
  const sim = cluster({ 1: { log: init, epoch: 1 }, 2: { log: init, epoch: 1 }, 3: { log: init, epoch: 1 } })
  const p = sim.leader()!
  t.ok(p, 'a leader')
  const zs = init.map((x) => x.zxid)
  sim.compact(p.id, zs[1])
  t.same(
    p.committed.map((x) => x.value),
    ['c'],
  )
  t.same(p.base, { zxid: zs[1], state: snapshotOf(init.slice(0, 2)) })
  t.same(
    sim.disks.get(p.id)!.log.map((x) => x.value),
    ['c'],
    'the disk keeps only what follows the snapshot',
  )
  t.throws(() => p.compact(zs[2]! + 5n, 'x'), RangeError)
  t.equal(p.lastZxid, zs[2])
  // A restart from that disk starts from the snapshot and learns c again.
  sim.restart(p.id)
  t.ok(
    sim.until(() => sim.converged()),
    'the restarted peer catches up',
  )
  t.same(sim.values(p.id), ['a', 'b', 'c'])
})

t.test('a proposal in flight while a follower syncs is committed there only with the leader', async (t) => {
  // 1 and 2 form the quorum; 3 is away.
  const sim = new ZabSim({ peers: 3, down: [3], trace: true })
  const leader = sim.settle()
  t.ok(leader, 'two peers elect a leader')
  const follower = leader!.id === 1 ? 2 : 1
  // Propose, and hold back the follower's ACK so the proposal stays outstanding.
  sim.hold(follower, leader!.id)
  sim.submit('x')
  sim.deliver()
  t.same(sim.values(leader!.id), [], 'not committed yet')
  // Peer 3 arrives and syncs now: it is sent "x" as outstanding, not as committed.
  sim.restart(3)
  for (let r = 0; r < 3; r++) sim.round()
  t.same(
    syncTo(sim.trace, 3)?.outstanding.map((x) => x.value),
    ['x'],
    'x travels as an outstanding proposal',
  )
  // Peer 3's ACK of x (sent with its sync) gives the leader its quorum: everyone commits x.
  sim.release(follower, leader!.id)
  for (let r = 0; r < 3; r++) sim.round()
  for (const id of sim.ids) t.same(sim.values(id), ['x'], `peer ${id} committed x once`)
})
