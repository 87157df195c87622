// Hostile messages through the pure core: every message type, with extreme field values (zxids and
// epochs at the ends of int64, negative and unknown ids, empty and overlapping logs), reaches every
// role in every phase of seeded simulated runs. A peer may believe a lie (authentication keeps liars
// out of real ensembles), but no input may make the core throw, and every Ready it returns, from the
// message or from the ticks after it, must still be something the host can encode and carry out.
import t from 'tap'
import { Writer } from '../../jute/writer.js'
import { encodeWire } from '../peer-wire.js'
import { ZabSim, snapshotOf } from './simulator.test-helper.js'
import { Peer } from './peer.js'
import { MESSAGE_TYPES, type Entry, type Msg } from './messages.js'
import type { Ready } from './ready.js'
import type { PeerState } from './election.js'

const TYPES = MESSAGE_TYPES

const PLACES = [
  'LOOKING/election',
  'LEADING/discovery',
  'LEADING/sync',
  'LEADING/broadcast',
  'FOLLOWING/discovery',
  'FOLLOWING/sync',
  'FOLLOWING/broadcast',
]

const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)

function pick<X>(rnd: () => number, xs: readonly X[]): X {
  return xs[Math.floor(rnd() * xs.length)]!
}

/** A zxid or epoch a liar might send: extremes, off-by-ones around real values, or plausible ones. */
function hostileLong(rnd: () => number, near: bigint): bigint {
  return pick(rnd, [0n, -1n, 1n, INT64_MAX, INT64_MIN, 2n ** 32n, 0xffffffffn, near, near + 1n, near - 1n, (near >> 32n) + 1n])
}

function hostileInt(rnd: () => number, voters: number[]): number {
  return pick(rnd, [-1, 0, 99, 2 ** 31 - 1, -(2 ** 31), ...voters])
}

function entries(rnd: () => number, near: bigint): Entry<string>[] {
  return Array.from({ length: Math.floor(rnd() * 4) }, (_, i) => ({ zxid: hostileLong(rnd, near + BigInt(i)), value: `forged${i}` }))
}

function hostile(type: (typeof TYPES)[number], rnd: () => number, from: number, target: Peer<string>): Msg<string> {
  const z = target.lastZxid
  const e = target.currentEpoch
  switch (type) {
    case 'vote':
      return {
        t: 'vote',
        n: {
          from: rnd() < 0.7 ? from : hostileInt(rnd, target.voters),
          state: pick<PeerState>(rnd, ['LOOKING', 'FOLLOWING', 'LEADING']),
          vote: { leader: hostileInt(rnd, target.voters), zxid: hostileLong(rnd, z), peerEpoch: hostileLong(rnd, e) },
          round: hostileLong(rnd, 1n),
        },
      }
    case 'followerinfo':
      return { t: 'followerinfo', acceptedEpoch: hostileLong(rnd, e) }
    case 'leaderinfo':
      return { t: 'leaderinfo', epoch: hostileLong(rnd, e) }
    case 'ackepoch':
      return { t: 'ackepoch', epoch: hostileLong(rnd, e), currentEpoch: hostileLong(rnd, e), lastZxid: hostileLong(rnd, z) }
    case 'sync': {
      const m: Msg<string> = { t: 'sync', epoch: hostileLong(rnd, e), diff: entries(rnd, z), outstanding: entries(rnd, z) }
      if (rnd() < 0.3) m.truncate = hostileLong(rnd, z)
      if (rnd() < 0.3) m.snapshot = { zxid: hostileLong(rnd, z), state: snapshotOf(entries(rnd, z)) }
      return m
    }
    case 'proposal':
      return { t: 'proposal', entry: { zxid: hostileLong(rnd, z), value: 'forged' } }
    case 'ack':
    case 'commit':
      return { t: type, zxid: hostileLong(rnd, z) }
    default:
      return { t: type }
  }
}

/** What the host does with a Ready's fields, done here: every message must encode, every epoch be a bigint. */
function checkReady(id: number, r: Ready<string>): void {
  const w = new Writer(256)
  for (const o of r.send) {
    if (!Number.isInteger(o.to)) throw new Error(`peer ${id} sends ${o.msg.t} to ${o.to}`)
    const msg = o.msg.t === 'sync' || o.msg.t === 'proposal' ? toBuffers(o.msg) : (o.msg as Msg<Buffer>)
    encodeWire(w.reset(), msg)
  }
  if (r.persist.epochs) {
    const { acceptedEpoch, currentEpoch } = r.persist.epochs
    if (typeof acceptedEpoch !== 'bigint' || typeof currentEpoch !== 'bigint')
      throw new Error(`peer ${id} persists epochs ${acceptedEpoch}/${currentEpoch}`)
  }
  if (r.role && typeof r.role.epoch !== 'bigint') throw new Error(`peer ${id} reports epoch ${r.role.epoch}`)
  for (const e of [...r.apply, ...r.persist.log.flatMap((c) => (c.op === 'append' ? [c.entry] : c.op === 'compact' ? [] : c.entries))])
    if (typeof e.zxid !== 'bigint') throw new Error(`peer ${id} applies or logs zxid ${e.zxid}`)
}

function toBuffers(m: Msg<string>): Msg<Buffer> {
  const b = (e: Entry<string>): Entry<Buffer> => ({ zxid: e.zxid, value: Buffer.from(e.value) })
  if (m.t === 'proposal') return { t: 'proposal', entry: b(m.entry) }
  if (m.t !== 'sync') return m as Msg<Buffer>
  const { snapshot, ...rest } = m
  return {
    ...rest,
    diff: m.diff.map(b),
    outstanding: m.outstanding.map(b),
    ...(snapshot ? { snapshot: { zxid: snapshot.zxid, state: Buffer.from(snapshot.state) } } : {}),
  }
}

t.test('every message type with hostile fields, at every role and phase: nothing throws', async (t) => {
  const covered = new Set<string>()
  let injected = 0
  for (let seed = 1; seed <= 60; seed++) {
    const n = seed % 3 ? 3 : 5
    let sim: ZabSim | undefined
    const inject = () => {
      const s = sim
      if (!s || s.rnd() > 0.05) return
      const live = s.ids.filter((id) => !s.down.has(id))
      const to = pick(s.rnd, live)
      const target = s.peer(to)
      const place = `${target.role}/${target.phase}`
      // Favour what has not been tried yet, so every pair is reached in few seeds.
      const fresh = TYPES.filter((ty) => !covered.has(`${place} ${ty}`))
      const type = fresh.length && s.rnd() < 0.8 ? pick(s.rnd, fresh) : pick(s.rnd, TYPES)
      const from = pick(
        s.rnd,
        s.ids.filter((id) => id !== to),
      )
      // The leader is the most useful liar to impersonate: followers listen to it alone.
      const sender = target.leader !== undefined && target.leader !== to && s.rnd() < 0.6 ? target.leader : from
      const msg = hostile(type, s.rnd, sender, target)
      covered.add(`${place} ${type}`)
      injected++
      try {
        s.inject(sender, to, msg)
      } catch (err) {
        throw new Error(`seed ${seed}: ${type} from ${sender} to peer ${to} (${place}): ${(err as Error).message}`, { cause: err })
      }
    }
    sim = new ZabSim({ peers: n, seed, voteLoss: 0.1, delay: 0.2, checkSafety: false, onReady: checkReady, onDeliver: inject })
    const rnd = sim.rnd
    try {
      for (let step = 0; step < 80; step++) {
        sim.round()
        if (rnd() < 0.4) sim.submit(`v${seed}-${step}`)
        if (rnd() < 0.04 && sim.down.size < Math.floor((n - 1) / 2)) sim.crash(1 + Math.floor(rnd() * n))
        if (rnd() < 0.06 && sim.down.size) sim.restart([...sim.down][0]!)
      }
    } catch (err) {
      t.fail(`seed ${seed}: ${(err as Error).message}`)
      return
    }
  }
  const missing = PLACES.flatMap((p) => TYPES.map((ty) => `${p} ${ty}`)).filter((k) => !covered.has(k))
  t.same(missing, [], `every message type reached every role and phase (${injected} hostile messages)`)
})

t.test('an ACKEPOCH before discovery chose an epoch is ignored, and the ticks after it still encode', async (t) => {
  // Peer 1 leads a fresh 3-peer ensemble but has heard no FOLLOWERINFO yet: no epoch is chosen.
  const p = new Peer<string>(1, [1, 2, 3])
  p.start()
  for (const from of [2, 3])
    p.step(from, { t: 'vote', n: { from, state: 'LOOKING', vote: { leader: 1, zxid: 0n, peerEpoch: 0n }, round: 1n } })
  checkReady(1, p.tick())
  t.equal(`${p.role}/${p.phase}`, 'LEADING/discovery')
  const r = p.step(2, { t: 'ackepoch', epoch: 1n, currentEpoch: 0n, lastZxid: 0n })
  checkReady(1, r)
  t.same(r.send, [], 'nothing answered')
  t.equal(typeof p.currentEpoch, 'bigint', 'the current epoch is still an epoch')
  for (let i = 0; i < 30; i++) checkReady(1, p.tick())
  t.pass('thirty ticks later every Ready still encodes')
})

t.test('a vote that speaks for another peer, or for a non-voter, is ignored', async (t) => {
  const p = new Peer<string>(1, [1, 2, 3])
  p.start()
  const lie = (from: number, sender: number, leader: number) =>
    p.step(from, { t: 'vote', n: { from: sender, state: 'LOOKING', vote: { leader, zxid: INT64_MAX, peerEpoch: INT64_MAX }, round: 1n } })
  t.same(lie(2, 3, 3).send, [], 'peer 2 cannot vote as peer 3')
  t.same(lie(2, 2, 99).send, [], 'nor for server 99, which is no voter')
  for (let i = 0; i < 3; i++) p.tick()
  t.equal(p.role, 'LOOKING', 'still looking: no forged vote moved it')
})
