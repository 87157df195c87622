// A peer rejoining a leader is synchronised the right way: DIFF when it is behind, TRUNC when it
// holds an uncommitted tail of an old epoch, SNAP when it has nothing; its log then equals the
// leader's, and proposals in flight during the sync are committed only when the leader commits them.
import t from 'tap'
import { Peer, type Entry, type Msg, type Out } from './peer.js'
import { Zxid } from './quorum.js'

const z = (e: number, c: number) => Zxid.make(BigInt(e), BigInt(c))
const e = (ep: number, c: number, v: string): Entry<string> => ({ zxid: z(ep, c), value: v })

/** Deliver every message (FIFO, lossless; lost to peers not in `peers`) until quiet, ticking now and then; returns all messages. */
function run(peers: Map<number, Peer<string>>, first: { from: number; out: Out<string> }[], rounds = 40) {
  const seen: { from: number; to: number; msg: Msg<string> }[] = []
  let queue = first
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < 100 && queue.length; i++) {
      const batch = queue
      queue = []
      for (const { from, out } of batch) {
        if (!peers.has(out.to)) continue // a peer that is away
        seen.push({ from, to: out.to, msg: out.msg })
        queue.push(...peers.get(out.to)!.step(from, out.msg).send.map((o) => ({ from: out.to, out: o })))
      }
    }
    for (const [id, p] of peers) queue.push(...p.tick().send.map((o) => ({ from: id, out: o })))
  }
  return seen
}

function cluster(logs: Record<number, { log: Entry<string>[]; epoch: number }>) {
  const ids = Object.keys(logs).map(Number)
  const peers = new Map(ids.map((id) => [id, new Peer<string>(id, ids)]))
  for (const [id, p] of peers) p.restore(logs[id]!.log, BigInt(logs[id]!.epoch), BigInt(logs[id]!.epoch))
  const first = [...peers].flatMap(([id, p]) => p.start().send.map((out) => ({ from: id, out })))
  return { peers, first }
}

const values = (p: Peer<string>) => p.committed.map((x) => x.value)

t.test('TRUNC: an uncommitted tail of an old epoch is cut, then the new history follows', async (t) => {
  const shared = [e(1, 1, 'a'), e(1, 2, 'b')]
  const { peers, first } = cluster({
    1: { log: [...shared, e(2, 1, 'c')], epoch: 2 },
    2: { log: [...shared, e(2, 1, 'c')], epoch: 2 },
    3: { log: [...shared, e(1, 3, 'lost')], epoch: 1 },
  })
  const seen = run(peers, first)
  const leader = [...peers.values()].find((p) => p.serving)!
  t.ok(leader && leader.id !== 3, 'a peer with the newer epoch leads')
  const sync = seen.find((s) => s.to === 3 && s.msg.t === 'sync')?.msg
  t.ok(sync && sync.t === 'sync' && sync.truncate === z(1, 2), 'peer 3 is told to truncate to the last shared zxid')
  for (const p of peers.values()) t.same(values(p), ['a', 'b', 'c'], `peer ${p.id} holds a, b, c and never "lost"`)
})

t.test('DIFF: a peer behind gets the proposals it lacks', async (t) => {
  const { peers, first } = cluster({
    1: { log: [e(1, 1, 'a'), e(1, 2, 'b'), e(1, 3, 'c')], epoch: 1 },
    2: { log: [e(1, 1, 'a'), e(1, 2, 'b'), e(1, 3, 'c')], epoch: 1 },
    3: { log: [e(1, 1, 'a')], epoch: 1 },
  })
  const seen = run(peers, first)
  const sync = seen.find((s) => s.to === 3 && s.msg.t === 'sync')?.msg
  t.ok(sync && sync.t === 'sync' && sync.truncate === undefined && !sync.snapshot, 'a DIFF')
  t.same(sync && sync.t === 'sync' ? sync.diff.map((x) => x.value) : [], ['b', 'c'], 'with exactly what it lacks')
  for (const p of peers.values()) t.same(values(p), ['a', 'b', 'c'])
})

t.test('an empty peer gets the whole history: as entries, or as the snapshot plus what follows it', async (t) => {
  {
    const { peers, first } = cluster({
      1: { log: [e(1, 1, 'a'), e(1, 2, 'b')], epoch: 1 },
      2: { log: [e(1, 1, 'a'), e(1, 2, 'b')], epoch: 1 },
      3: { log: [], epoch: 0 },
    })
    const seen = run(peers, first)
    const sync = seen.find((s) => s.to === 3 && s.msg.t === 'sync')?.msg
    t.ok(sync && sync.t === 'sync' && sync.truncate === 0n && sync.diff.length === 2, 'no snapshot yet: every entry')
    for (const p of peers.values()) t.same(values(p), ['a', 'b'])
  }
  {
    // Peers 1 and 2 compacted a and b into a snapshot; 3 has nothing.
    const ids = [1, 2, 3]
    const peers = new Map(ids.map((id) => [id, new Peer<string>(id, ids)]))
    const base = { zxid: z(1, 2), state: 'state-after-b' }
    peers.get(1)!.restore([e(1, 3, 'c')], 1n, 1n, base)
    peers.get(2)!.restore([e(1, 3, 'c')], 1n, 1n, base)
    const first = [...peers].flatMap(([id, p]) => p.start().send.map((out) => ({ from: id, out })))
    const seen = run(peers, first)
    const sync = seen.find((s) => s.to === 3 && s.msg.t === 'sync')?.msg
    t.same(sync && sync.t === 'sync' ? sync.snapshot : undefined, base, 'a SNAP carrying the snapshot')
    const p3 = peers.get(3)!
    t.same(p3.base, base, 'installed as the follower\'s base')
    t.equal(p3.snapshotsInstalled, 1, 'the host is told to load it')
    for (const p of peers.values()) t.same(values(p), ['c'], `peer ${p.id} committed what follows the snapshot`)
    t.equal(p3.lastZxid, z(1, 3))
  }
})

t.test('compact keeps what follows the snapshot and refuses a zxid it has not committed', async (t) => {
  const init = [e(1, 1, 'a'), e(1, 2, 'b'), e(1, 3, 'c')]
  const { peers, first } = cluster({ 1: { log: init, epoch: 1 }, 2: { log: init, epoch: 1 }, 3: { log: init, epoch: 1 } })
  run(peers, first)
  const p = [...peers.values()].find((x) => x.serving)!
  t.ok(p, 'a leader')
  const zs = init.map((x) => x.zxid)
  t.same(p.compact(zs[1]!, 'ab').persist.log, [{ op: 'compact', base: { zxid: zs[1], state: 'ab' } }])
  t.same(values(p), ['c'])
  t.same(p.base, { zxid: zs[1], state: 'ab' })
  t.throws(() => p.compact(zs[2]! + 5n, 'x'), RangeError)
  t.equal(p.lastZxid, zs[2])
})

t.test('a proposal in flight while a follower syncs is committed there only with the leader', async (t) => {
  const ids = [1, 2, 3]
  const peers = new Map(ids.map((id) => [id, new Peer<string>(id, ids)]))
  // 1 and 2 form the quorum; 3 is away.
  const two = new Map([...peers].filter(([id]) => id !== 3))
  run(two, [1, 2].flatMap((id) => peers.get(id)!.start().send.filter((o) => o.to !== 3).map((out) => ({ from: id, out }))))
  const leader = [...two.values()].find((p) => p.serving)!
  t.ok(leader, 'two peers elect a leader')
  const follower = [...two.values()].find((p) => p !== leader)!
  // Propose, and hold back the follower's ACK so the proposal stays outstanding.
  const sub = leader.submit('x')!.ready
  const toFollower = sub.send.filter((o) => o.to === follower.id)
  const acks = toFollower.flatMap((o) => follower.step(leader.id, o.msg).send)
  t.same(values(leader), [], 'not committed yet')
  // Peer 3 arrives and syncs now: it is sent "x" as outstanding, not as committed.
  const seen = run(peers, peers.get(3)!.start().send.map((out) => ({ from: 3, out })), 3)
  const sync = seen.find((s) => s.to === 3 && s.msg.t === 'sync')?.msg
  t.same(sync && sync.t === 'sync' ? sync.outstanding.map((x) => x.value) : null, ['x'], 'x travels as an outstanding proposal')
  // Peer 3's ACK of x (sent with its sync) gives the leader its quorum: everyone commits x.
  const after = run(peers, acks.map((out) => ({ from: follower.id, out })), 3)
  void after
  for (const p of peers.values()) t.same(values(p), ['x'], `peer ${p.id} committed x once`)
})
