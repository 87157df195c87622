// Fast leader election over the simulated network: the freshest history wins, ties go to the highest
// id, a minority down does not stop an election, lost messages are recovered by ticks, and a late
// peer learns the established leader.
import t from 'tap'
import { Election, beats } from './election.js'
import { Peer } from './peer.js'
import { Majority, Zxid } from './quorum.js'
import { ZabSim } from './simulator.test-helper.js'
import type { Durable } from './durable.js'
import { prng } from '../../testing/random-records.js'

const z = (e: number, c: number) => Zxid.make(BigInt(e), BigInt(c))

/** Disks whose logs end at these counters of epoch 1 (0: an empty log). */
function disks(counters: number[]): Record<number, Partial<Durable<string>>> {
  return Object.fromEntries(
    counters.map((c, i) => [
      i + 1,
      { log: Array.from({ length: c }, (_, k) => ({ zxid: z(1, k + 1), value: `v${k + 1}` })), acceptedEpoch: 1n, currentEpoch: 1n },
    ]),
  )
}

/** Whom each live peer follows or leads once every live peer is ready (or after `max` rounds). */
function elect(sim: ZabSim, max = 100): (number | undefined)[] {
  const live = () => sim.ids.filter((id) => !sim.down.has(id))
  sim.until(() => live().every((id) => sim.peer(id).ready), max)
  return live().map((id) => sim.peer(id).leader)
}

t.test('vote order and quorum arithmetic', async (t) => {
  t.ok(beats({ leader: 1, zxid: 5n, peerEpoch: 2n }, { leader: 3, zxid: 9n, peerEpoch: 1n }), 'epoch first')
  t.ok(beats({ leader: 1, zxid: 9n, peerEpoch: 1n }, { leader: 3, zxid: 5n, peerEpoch: 1n }), 'then zxid')
  t.ok(beats({ leader: 3, zxid: 5n, peerEpoch: 1n }, { leader: 1, zxid: 5n, peerEpoch: 1n }), 'then id')
  const q = new Majority([1, 2, 3, 4, 5])
  t.equal(q.size, 3)
  t.ok(q.contains([1, 2, 3]))
  t.notOk(q.contains([1, 2, 9, 9]), 'non-voters and duplicates do not count')
  t.equal(Zxid.make(3n, 7n), 0x300000007n)
  t.equal(Zxid.epoch(0x300000007n), 3n)
  t.equal(Zxid.counter(0x300000007n), 7n)
})

t.test('the peer with the freshest history leads; everyone agrees', async (t) => {
  const sim = new ZabSim({ peers: 3, disks: disks([5, 9, 7]) })
  t.same(elect(sim), [2, 2, 2])
  t.equal(sim.ids.filter((id) => sim.peer(id).role === 'LEADING').length, 1)
})

t.test('equal histories: the highest id leads; a minority down does not block', async (t) => {
  const sim = new ZabSim({ peers: 5, disks: disks([10, 10, 10, 10, 10]), down: [5, 4] })
  t.same(elect(sim), [3, 3, 3])
  const stuck = new ZabSim({ peers: 3, disks: disks([1, 1, 1]), down: [2, 3] })
  for (let r = 0; r < 50; r++) stuck.round()
  t.equal(stuck.peer(1).role, 'LOOKING', 'no decision without a majority')
})

// FLE alone does not make every peer agree under message loss: a peer may settle on a leader whose
// own vote moved on. Discovery resolves that (a leader needs a majority of followers to connect
// before it serves); the simulator checks that no two leaders are ever established for one epoch.
t.test('lost messages are recovered by ticks; a majority decides; never two peers leading (seeded runs)', async (t) => {
  for (let seed = 1; seed <= 40; seed++) {
    const n = seed % 2 ? 3 : 5
    const histories = prng(seed)
    const counters = Array.from({ length: n }, () => Math.floor(histories() * 3))
    const sim = new ZabSim({ peers: n, seed, voteLoss: 0.3, disks: disks(counters) })
    const majority = Math.floor(n / 2) + 1
    const decided = sim.until(() => sim.ids.filter((id) => sim.peer(id).ready).length >= majority, 200)
    const leaders = sim.ids.map((id) => sim.peer(id).leader).filter((l) => l !== undefined)
    if (leaders.some((l) => !sim.ids.includes(l))) t.fail(`seed ${seed}: decided a non-peer`)
    if (sim.ids.filter((id) => sim.peer(id).role === 'LEADING' && sim.peer(id).ready).length > 1) t.fail(`seed ${seed}: two peers lead`)
    if (!decided) t.fail(`seed ${seed}: fewer than ${majority} peers settled`)
  }
  t.pass('40 lossy elections made progress')
})

t.test('a late peer learns the established leader from its replies', async (t) => {
  const sim = new ZabSim({ peers: 3, disks: disks([4, 4, 4]), down: [3] })
  t.same(elect(sim), [2, 2])
  sim.restart(3)
  // No tick: the replies to its first votes are enough.
  sim.deliver()
  t.same([sim.peer(3).role, sim.peer(3).leader], ['FOLLOWING', 2])
})

// Acting on messages as they arrive: an election whose every voter has been heard has nothing left
// to wait for; one that has not waits a tick for a better vote still on its way (ZooKeeper's finalize
// wait), except for a voter known to be gone.
const last = { zxid: 0n, epoch: 0n }
const looking = (from: number, leader: number, round = 1n, zxid = 0n) => ({
  from,
  state: 'LOOKING' as const,
  vote: { leader, zxid, peerEpoch: 0n },
  round,
})

t.test('3 and 5 peers elect and serve without any tick', async (t) => {
  for (const peers of [3, 5]) {
    const sim = new ZabSim({ peers, seed: peers })
    sim.deliver()
    t.same(
      sim.ids.map((id) => [sim.peer(id).ready, sim.peer(id).leader]),
      sim.ids.map(() => [true, peers]),
      `${peers} peers: every one serves, the highest id leads, before any tick`,
    )
  }
})

t.test('every voter heard and a majority agreeing: decided at once', async (t) => {
  const e = new Election(1, [1, 2, 3], last)
  e.start()
  t.notOk(e.step(looking(2, 2)).decided, 'peers 1 and 2 agree on 2, but 3 may still bring a better vote')
  const o = e.step(looking(3, 3))
  t.same(o.decided, { leader: 3, state: 'FOLLOWING', round: 1n }, "3's vote is the best there is: follow it at once")
  t.same(
    o.send.map((s) => [s.to, s.msg.vote.leader]),
    [
      [2, 3],
      [3, 3],
    ],
    'and tell the others',
  )
})

t.test('finalize wait: a majority without every voter heard settles on the next tick, unless a better vote comes first', async (t) => {
  const e = new Election(1, [1, 2, 3], last)
  e.start()
  e.step(looking(2, 2))
  t.same(e.tick().decided, { leader: 2, state: 'FOLLOWING', round: 1n }, 'nothing better came within the wait: 2')

  const f = new Election(1, [1, 2, 3], last)
  f.start()
  f.step(looking(2, 2))
  f.step(looking(3, 3, 1n, 5n))
  t.equal(f.state, 'FOLLOWING', 'the better vote arrived within the wait, with every voter heard')
  t.equal(f.result?.leader, 3, 'and it won')

  const g = new Election(1, [1, 2, 3, 4, 5], last)
  g.start()
  g.step(looking(2, 2))
  g.step(looking(3, 2))
  g.step(looking(4, 4, 1n, 5n))
  t.equal(g.state, 'LOOKING', "4's better vote replaced the pending majority for 2; 4 has no majority yet")
  t.notOk(g.tick().decided, 'so the tick decides nothing')
})

t.test('a voter known gone is not waited for; one that votes after all is counted', async (t) => {
  const e = new Election(2, [1, 2, 3], last, [1])
  e.start()
  t.same(e.step(looking(3, 3)).decided, { leader: 3, state: 'FOLLOWING', round: 1n }, 'the old leader is gone: 2 and 3 are everyone')
  const lone = new Election(1, [1], last)
  t.same(lone.start().decided, { leader: 1, state: 'LEADING', round: 1n }, 'a single voter needs no one')
  const back = new Election(2, [1, 2, 3, 4, 5], last, [1])
  back.start()
  back.step(looking(1, 1, 1n, 9n))
  t.equal(back.proposal.leader, 1, "a gone voter's vote still counts when it comes")
})

t.test('a leader that crashes is noticed by its broken links; the next leader serves without any tick', async (t) => {
  const sim = new ZabSim({ peers: 3, seed: 11 })
  sim.deliver()
  const first = sim.leader()!
  sim.submit('a')
  sim.deliver()
  sim.crash(first.id)
  sim.deliver()
  const next = sim.leader()
  t.ok(next && next.id !== first.id, 'another peer leads an established epoch')
  t.ok(
    sim.ids.every((id) => id === first.id || sim.peer(id).ready),
    'and both survivors serve',
  )
  t.same(sim.values(next!.id), ['a'], 'with the committed write')
})

t.test('a report from a follower that settled before its leader did is not lost', async (t) => {
  // The simulator would deliver the votes first; hand peer 3 the report before it decides.
  const p = new Peer<string>(3, [1, 2, 3])
  p.start()
  t.same(p.step(1, { t: 'followerinfo', acceptedEpoch: 0n }).send, [], 'still looking: kept, not answered')
  p.step(1, { t: 'vote', n: looking(1, 3) })
  const r = p.step(2, { t: 'vote', n: looking(2, 3) })
  t.equal(p.role, 'LEADING')
  t.same(
    r.send.filter((o) => o.msg.t === 'leaderinfo').map((o) => o.to),
    [1],
    'deciding to lead answers the early report with the new epoch at once',
  )
})
