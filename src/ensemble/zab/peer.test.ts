// A simulated 3- and 5-peer Zab cluster (seeded network, deterministic ticks): it elects, establishes
// an epoch, replicates, survives the leader's crash with a new epoch, brings a returning peer up to
// date, and never loses or reorders a committed value.
import t from 'tap'
import { Peer, type Out, type Ready } from './peer.js'
import { Zxid } from './quorum.js'
import { prng } from '../../testing/random-records.js'

class Sim {
  peers: Map<number, Peer<string>>
  down = new Set<number>()
  queue: { from: number; out: Out<string> }[] = []
  /** Values the leader reported committed, with their zxids (what a client would have been told). */
  acknowledged: { zxid: bigint; value: string }[] = []

  constructor(n: number, readonly rnd: () => number, readonly dropRate = 0) {
    const ids = Array.from({ length: n }, (_, i) => i + 1)
    this.peers = new Map(ids.map((id) => [id, new Peer<string>(id, ids)]))
    for (const [id, p] of this.peers) this.send(id, p.start())
  }

  send(from: number, ready: Ready<string>): void {
    for (const out of ready.send) this.queue.push({ from, out })
  }

  /** Deliver everything in flight (in random order per round), then tick every live peer. */
  round(): void {
    for (let i = 0; i < 200 && this.queue.length; i++) {
      const batch = this.queue.splice(0)
      for (const { from, out } of batch) {
        // Election notifications may be lost; leader-follower traffic rides one FIFO connection (TCP),
        // whose loss is a crash of one side, modelled by crash().
        if (this.down.has(from) || this.down.has(out.to) || (out.msg.t === 'vote' && this.rnd() < this.dropRate)) continue
        this.send(out.to, this.peers.get(out.to)!.step(from, out.msg))
      }
    }
    for (const [id, p] of this.peers) if (!this.down.has(id)) this.send(id, p.tick())
  }

  leader(): Peer<string> | undefined {
    return [...this.peers.values()].find((p) => !this.down.has(p.id) && p.serving)
  }

  /** Run rounds until a leader serves (or give up). */
  settle(max = 100): Peer<string> | undefined {
    for (let i = 0; i < max; i++) {
      const l = this.leader()
      if (l) return l
      this.round()
    }
    return undefined
  }

  submit(value: string): void {
    const l = this.leader()
    const r = l?.submit(value)
    if (!r) return
    this.send(l!.id, r.ready)
    this.round()
    if (l!.committed.some((e) => e.zxid === r.zxid)) this.acknowledged.push({ zxid: r.zxid, value })
  }

  crash(id: number): void {
    this.down.add(id)
  }

  restart(id: number): void {
    this.down.delete(id)
    this.send(id, this.peers.get(id)!.start())
  }
}

function checkLogs(t: { fail(m: string): void }, sim: Sim, label: string): void {
  const live = [...sim.peers.values()].filter((p) => !sim.down.has(p.id))
  const longest = live.reduce((a, b) => (a.committed.length >= b.committed.length ? a : b))
  for (const p of live) {
    const prefix = longest.committed.slice(0, p.committed.length)
    if (JSON.stringify(p.committed, (_, v) => (typeof v === 'bigint' ? v.toString() : v)) !== JSON.stringify(prefix, (_, v) => (typeof v === 'bigint' ? v.toString() : v))) {
      t.fail(`${label}: peer ${p.id}'s committed log is not a prefix of the longest`)
    }
  }
  for (const a of sim.acknowledged) {
    if (!longest.committed.some((e) => e.zxid === a.zxid && e.value === a.value)) t.fail(`${label}: acknowledged ${a.value} lost`)
  }
}

t.test('elect, establish, replicate; the leader crashes; a new epoch; the old leader catches up', async (t) => {
  const sim = new Sim(3, prng(7))
  const first = sim.settle()
  t.ok(first, 'a leader serves')
  for (let i = 0; i < 20; i++) sim.submit(`a${i}`)
  t.equal(sim.acknowledged.length, 20)
  const epoch1 = Zxid.epoch(sim.acknowledged[0]!.zxid)
  sim.crash(first!.id)
  const second = sim.settle()
  t.ok(second && second.id !== first!.id, 'another peer leads')
  for (let i = 0; i < 20; i++) sim.submit(`b${i}`)
  t.ok(Zxid.epoch(sim.acknowledged[sim.acknowledged.length - 1]!.zxid) > epoch1, 'in a newer epoch')
  sim.restart(first!.id)
  for (let i = 0; i < 30; i++) sim.round()
  for (let i = 0; i < 5; i++) sim.submit(`c${i}`)
  for (let i = 0; i < 10; i++) sim.round()
  const logs = [...sim.peers.values()].map((p) => p.committed.map((e) => e.value).join(','))
  t.equal(new Set(logs).size, 1, 'all three peers hold the same committed log')
  t.equal(sim.peers.get(first!.id)!.committed.length, 45)
  checkLogs(t, sim, 'after catch-up')
})

t.test('seeded runs with lost election messages and crashes: no acknowledged value lost, logs never diverge', async (t) => {
  let acked = 0
  for (let seed = 1; seed <= 25; seed++) {
    const rnd = prng(seed)
    const n = seed % 2 ? 3 : 5
    const sim = new Sim(n, rnd, 0.2)
    for (let step = 0; step < 60; step++) {
      sim.round()
      if (rnd() < 0.5) sim.submit(`s${seed}-${step}`)
      if (rnd() < 0.05) {
        const victim = 1 + Math.floor(rnd() * n)
        if (sim.down.size < Math.floor((n - 1) / 2)) sim.crash(victim)
      }
      if (rnd() < 0.05 && sim.down.size) sim.restart([...sim.down][0]!)
      checkLogs(t, sim, `seed ${seed} step ${step}`)
    }
    acked += sim.acknowledged.length
    if (sim.acknowledged.length < 5) t.fail(`seed ${seed}: only ${sim.acknowledged.length} values acknowledged (no progress?)`)
  }
  t.ok(acked > 200, `25 runs checked at every step, ${acked} values acknowledged in all`)
})
