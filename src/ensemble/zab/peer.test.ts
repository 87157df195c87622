// A simulated 3- and 5-peer Zab cluster (seeded network, deterministic ticks): it elects, establishes
// an epoch, replicates, survives the leader's crash with a new epoch, brings a returning peer up to
// date, and never loses or reorders a committed value.
import t from 'tap'
import { ZabSim } from './simulator.test-helper.js'
import { Zxid } from './quorum.js'

/** Every acknowledged value is in the committed history (the simulator checks the prefixes as it goes). */
function checkAcknowledged(t: { fail(m: string): void }, sim: ZabSim, label: string): void {
  for (const a of sim.acknowledged) {
    if (!sim.history.some((e) => e.zxid === a.zxid && e.value === a.value)) t.fail(`${label}: acknowledged ${a.value} lost`)
  }
}

/** Submit, then let the round carry it through. */
function write(sim: ZabSim, value: string): void {
  sim.submit(value)
  sim.round()
}

t.test('elect, establish, replicate; the leader crashes; a new epoch; the old leader catches up', async (t) => {
  const sim = new ZabSim({ peers: 3, seed: 7 })
  const first = sim.settle()
  t.ok(first, 'a leader serves')
  for (let i = 0; i < 20; i++) write(sim, `a${i}`)
  t.equal(sim.acknowledged.length, 20)
  const epoch1 = Zxid.epoch(sim.acknowledged[0]!.zxid)
  sim.crash(first!.id)
  const second = sim.settle()
  t.ok(second && second.id !== first!.id, 'another peer leads')
  for (let i = 0; i < 20; i++) write(sim, `b${i}`)
  t.equal(sim.acknowledged.length, 40)
  t.ok(Zxid.epoch(sim.acknowledged[sim.acknowledged.length - 1]!.zxid) > epoch1, 'in a newer epoch')
  sim.restart(first!.id)
  for (let i = 0; i < 30; i++) sim.round()
  for (let i = 0; i < 5; i++) write(sim, `c${i}`)
  for (let i = 0; i < 10; i++) sim.round()
  const logs = sim.ids.map((id) => sim.values(id).join(','))
  t.equal(new Set(logs).size, 1, 'all three peers hold the same committed log')
  t.equal(sim.values(first!.id).length, 45)
  t.equal(sim.peer(first!.id).committed.length, 45, "and so does the returning peer's core")
  checkAcknowledged(t, sim, 'after catch-up')
})

t.test('seeded runs with lost election messages and crashes: no acknowledged value lost, logs never diverge', async (t) => {
  let acked = 0
  for (let seed = 1; seed <= 25; seed++) {
    const n = seed % 2 ? 3 : 5
    const sim = new ZabSim({ peers: n, seed, voteLoss: 0.2 })
    const rnd = sim.rnd
    for (let step = 0; step < 60; step++) {
      sim.round()
      if (rnd() < 0.5) write(sim, `s${seed}-${step}`)
      if (rnd() < 0.05) {
        const victim = 1 + Math.floor(rnd() * n)
        if (sim.down.size < Math.floor((n - 1) / 2)) sim.crash(victim)
      }
      if (rnd() < 0.05 && sim.down.size) sim.restart([...sim.down][0]!)
      checkAcknowledged(t, sim, `seed ${seed} step ${step}`)
    }
    acked += sim.acknowledged.length
    if (sim.acknowledged.length < 5) t.fail(`seed ${seed}: only ${sim.acknowledged.length} values acknowledged (no progress?)`)
  }
  t.ok(acked > 200, `25 runs checked at every step, ${acked} values acknowledged in all`)
})
