// Discovery: a new epoch above every accepted one, established by a quorum of promises; a follower
// never promises an older epoch, so two prospective leaders cannot both be established for one epoch.
import t from 'tap'
import { LeaderDiscovery, FollowerDiscovery } from './discovery.js'
import { Majority } from './quorum.js'
import { Peer } from './peer.js'

t.test('the new epoch exceeds every accepted epoch of the quorum', async (t) => {
  const d = new LeaderDiscovery(3, new Majority([1, 2, 3, 4, 5]), 4n, 0x400000009n, 4n)
  t.equal(d.followerInfo(1, 6n), undefined, 'two of five: not yet')
  t.equal(d.followerInfo(2, 5n), 7n, 'three of five: max(4, 6, 5) + 1')
  t.equal(d.followerInfo(4, 9n), 7n, 'a late joiner gets the same epoch')
})

t.test('established once a quorum promised; abandoned if a follower is ahead', async (t) => {
  const d = new LeaderDiscovery(1, new Majority([1, 2, 3]), 2n, 0x200000005n, 2n)
  d.followerInfo(2, 2n)
  t.equal(d.ackEpoch(2, 2n, 0x200000003n), 'established')
  const e = new LeaderDiscovery(1, new Majority([1, 2, 3]), 2n, 0x200000005n, 2n)
  e.followerInfo(2, 2n)
  t.equal(e.ackEpoch(2, 2n, 0x200000009n), 'abandon', 'a follower with a longer history')
  t.equal(e.ackEpoch(3, 3n, 0x300000001n), 'abandon', 'a follower in a newer epoch')
})

t.test('followers promise only newer epochs: one epoch, one established leader', async (t) => {
  const f = new FollowerDiscovery(3n, 3n, 0x300000002n)
  t.same(f.leaderInfo(4n), { ack: { currentEpoch: 3n, lastZxid: 0x300000002n } })
  t.equal(f.acceptedEpoch, 4n)
  t.match(f.leaderInfo(3n), { refuse: /older/ }, 'a stale leader is refused')
  // Two prospective leaders share follower 3: once it promised epoch 5 to the first, the second
  // learns 5 as its accepted epoch and must propose 6; epoch 5 is never promised again.
  const a = new LeaderDiscovery(1, new Majority([1, 2, 3]), 4n, 0x400000001n, 4n)
  const b = new LeaderDiscovery(2, new Majority([1, 2, 3]), 4n, 0x400000001n, 4n)
  t.equal(a.followerInfo(3, 4n), 5n)
  const follower3 = new FollowerDiscovery(4n, 4n, 0x400000001n)
  t.ok('ack' in follower3.leaderInfo(5n))
  follower3.newLeader(5n)
  t.equal(b.followerInfo(3, follower3.acceptedEpoch), 6n, 'the second one must go to a newer epoch')
  t.ok('ack' in follower3.leaderInfo(6n))
  t.match(follower3.leaderInfo(5n), { refuse: /older/ }, 'and epoch 5 is not promised again')
})

// Links can outlive a leader's rounds: what an earlier round said may arrive in a later one. A
// promise names its epoch, and a follower syncs only into the epoch it promised (safety seeds 7939
// and 9215 once had two leaders established in one epoch: a follower synced into an epoch it had not
// promised, and later, as leader, proposed that epoch again).
const vote = (from: number, leader: number) => ({
  t: 'vote' as const,
  n: { from, state: 'LOOKING' as const, vote: { leader, zxid: 0n, peerEpoch: 0n }, round: 1n },
})

t.test('a follower syncs only into the epoch it promised last', async (t) => {
  const p = new Peer<string>(1, [1, 2, 3])
  p.start()
  p.step(2, vote(2, 3))
  p.step(3, vote(3, 3))
  t.equal(p.leader, 3)
  t.match(p.step(3, { t: 'leaderinfo', epoch: 1n }).send, [{ to: 3, msg: { t: 'ackepoch', epoch: 1n } }], 'promises epoch 1')
  t.same(p.step(3, { t: 'sync', epoch: 2n, diff: [], outstanding: [] }).send, [], 'a SYNC of epoch 2 is not taken')
  t.equal(p.currentEpoch, 0n, 'and the current epoch did not move')
  p.step(3, { t: 'uptodate' })
  t.notOk(p.ready, 'nor does an UPTODATE before a SYNC make it serve')
  t.match(p.step(3, { t: 'leaderinfo', epoch: 2n }).send, [{ msg: { t: 'ackepoch', epoch: 2n } }], 'a newer LEADERINFO is promised again')
  t.match(p.step(3, { t: 'sync', epoch: 2n, diff: [], outstanding: [] }).send, [{ msg: { t: 'acknewleader' } }], 'then its SYNC is taken')
  t.equal(p.currentEpoch, 2n)
  t.equal(p.acceptedEpoch, 2n, 'never current in an epoch it has not accepted')
})

t.test("a leader counts only promises of its round's epoch", async (t) => {
  const p = new Peer<string>(3, [1, 2, 3])
  p.start()
  p.step(1, vote(1, 3))
  p.step(2, vote(2, 3))
  t.equal(p.role, 'LEADING')
  t.match(p.step(1, { t: 'followerinfo', acceptedEpoch: 0n }).send, [{ to: 1, msg: { t: 'leaderinfo', epoch: 1n } }])
  t.same(p.step(1, { t: 'ackepoch', epoch: 0n, currentEpoch: 0n, lastZxid: 0n }).send, [], 'a promise of another epoch: no SYNC')
  t.equal(p.phase, 'discovery', 'and no epoch established')
  t.match(p.step(1, { t: 'ackepoch', epoch: 1n, currentEpoch: 0n, lastZxid: 0n }).send, [{ to: 1, msg: { t: 'sync', epoch: 1n } }])
})

t.test('a leader takes its epoch and syncs only once a quorum promised it', async (t) => {
  const p = new Peer<string>(5, [1, 2, 3, 4, 5])
  p.start()
  for (const from of [1, 2, 3, 4]) p.step(from, vote(from, 5))
  t.equal(p.role, 'LEADING')
  p.step(1, { t: 'followerinfo', acceptedEpoch: 0n })
  p.step(2, { t: 'followerinfo', acceptedEpoch: 0n })
  t.same(p.step(1, { t: 'ackepoch', epoch: 1n, currentEpoch: 0n, lastZxid: 0n }).send, [], 'one promise of five: no SYNC yet')
  t.equal(p.currentEpoch, 0n, 'and the epoch is not yet current')
  const r = p.step(2, { t: 'ackepoch', epoch: 1n, currentEpoch: 0n, lastZxid: 0n })
  t.same(
    r.send.map((o) => [o.to, o.msg.t]),
    [
      [1, 'sync'],
      [2, 'sync'],
    ],
    'a quorum promised: both are synced',
  )
  t.equal(p.currentEpoch, 1n)
})

t.test('a peer it follows that only reports to it does not keep a follower from giving up', async (t) => {
  const p = new Peer<string>(1, [1, 2, 3], { silenceTicks: 3 })
  p.start()
  p.step(2, vote(2, 2))
  p.step(3, vote(3, 2))
  t.same([p.role, p.leader], ['FOLLOWING', 2])
  // Peer 2 follows peer 1 in its turn: its reports are no sign that it leads.
  for (let i = 0; i < 5; i++) {
    p.step(2, { t: 'followerinfo', acceptedEpoch: 0n })
    p.tick()
  }
  t.equal(p.role, 'LOOKING', 'it gave up on peer 2 after the silence')
})

t.test('a serving leader answers lookers with the epoch it serves in', async (t) => {
  const p = new Peer<string>(3, [1, 2, 3])
  p.start()
  p.step(1, vote(1, 3))
  p.step(2, vote(2, 3))
  p.step(1, { t: 'followerinfo', acceptedEpoch: 0n })
  p.step(1, { t: 'ackepoch', epoch: 1n, currentEpoch: 0n, lastZxid: 0n })
  p.step(1, { t: 'acknewleader' })
  t.ok(p.serving)
  const reply = p.step(2, vote(2, 2)).send.find((o) => o.msg.t === 'vote')
  t.match(reply, { to: 2, msg: { n: { state: 'LEADING', vote: { leader: 3, peerEpoch: 1n } } } }, 'epoch 1, not the 0 it was elected with')
})
