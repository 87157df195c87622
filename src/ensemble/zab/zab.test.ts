// Zab phases 2 and 3 as pure bookkeeping: the sync choice (DIFF/TRUNC/SNAP) and broadcast
// (proposal numbering, majority ACKs, commits strictly in zxid order, followers accepting only
// the next proposal).
import t from 'tap'
import { planSync } from './sync.js'
import { LeaderBroadcast, FollowerBroadcast } from './broadcast.js'
import { Majority, Zxid } from './quorum.js'
import { ZabSim } from './simulator.test-helper.js'

const z = (e: number, c: number) => Zxid.make(BigInt(e), BigInt(c))

t.test('sync: DIFF, TRUNC or SNAP', async (t) => {
  const h = { lastZxid: z(2, 3), log: [z(1, 4), z(1, 5), z(2, 1), z(2, 2), z(2, 3)] }
  t.same(planSync(h, z(2, 3)), { kind: 'DIFF', from: z(2, 3), zxids: [] }, 'up to date')
  t.same(planSync(h, z(1, 5)), { kind: 'DIFF', from: z(1, 5), zxids: [z(2, 1), z(2, 2), z(2, 3)] }, 'behind inside the window')
  t.same(planSync(h, z(1, 2)), { kind: 'SNAP', at: z(2, 3) }, 'behind the window')
  t.same(planSync(h, z(2, 7)), { kind: 'TRUNC', to: z(2, 3), then: [] }, 'ahead of the leader')
  t.same(planSync(h, z(1, 6)), { kind: 'TRUNC', to: z(1, 5), then: [z(2, 1), z(2, 2), z(2, 3)] }, 'an uncommitted tail of an old epoch')
  t.same(planSync({ lastZxid: z(1, 1), log: [] }, 0n), { kind: 'SNAP', at: z(1, 1) }, 'no log window')
})

t.test('broadcast: majority commits, in zxid order', async (t) => {
  const leader = new LeaderBroadcast<string>(1, new Majority([1, 2, 3]), 2n, z(1, 9))
  const a = leader.propose('a')
  const b = leader.propose('b')
  t.equal(a, z(2, 1), 'a new epoch restarts the counter')
  t.equal(b, z(2, 2))
  t.same(leader.ack(2, b), [], 'b has a majority but a is not committed yet: nothing')
  t.same(
    leader.ack(3, a).map((x) => x.value),
    ['a', 'b'],
    'then both, in order',
  )
  t.equal(leader.lastCommitted, b)
  const c = leader.propose('c')
  t.same(leader.ack(9, c), [], 'a non-voter ACK does not count')
  t.same(
    leader.pending().map((p) => p.value),
    ['c'],
  )
  t.same(
    leader.ack(2, c).map((x) => x.zxid),
    [c],
  )
})

t.test('follower: accepts the next proposal only; commits in order', async (t) => {
  const f = new FollowerBroadcast<string>(z(1, 9), z(1, 9))
  t.equal(f.propose(z(2, 2), 'skip'), 'gap', 'a hole is refused')
  t.equal(f.propose(z(2, 1), 'a'), 'ack', 'the first of a new epoch')
  t.equal(f.propose(z(2, 1), 'a'), 'duplicate')
  t.equal(f.propose(z(2, 2), 'b'), 'ack')
  t.same(
    f.commit(z(2, 1)).map((x) => x.value),
    ['a'],
  )
  t.same(
    f.commit(z(2, 2)).map((x) => x.value),
    ['b'],
  )
  t.same(f.commit(z(2, 2)), [], 'a repeated commit applies nothing')
  t.equal(f.lastCommitted, z(2, 2))
})

t.test('leader and followers over lossless FIFO links agree on every commit, a slow follower included', async (t) => {
  const sim = new ZabSim({ peers: 3, seed: 3 })
  const leader = sim.settle()!
  t.ok(leader, 'a leader serves')
  const [fast, slow] = sim.ids.filter((id) => id !== leader.id) as [number, number]
  // Only the fast follower ACKs promptly; the slow one's ACKs arrive later (a slow disk).
  sim.hold(slow, leader.id)
  for (let i = 0; i < 50; i++) {
    sim.submit(String(i))
    sim.round()
  }
  t.equal(sim.acknowledged.length, 50, 'the leader and one follower are a quorum')
  sim.release(slow, leader.id)
  sim.round()
  const want = Array.from({ length: 50 }, (_, i) => String(i))
  t.same(sim.values(leader.id), want)
  t.same(sim.values(fast), want)
  t.same(sim.values(slow), want)
})
