// The nemesis of a Jepsen run: a seeded schedule of one fault at a time on a minority (the leader
// too), each undone after a while and followed by a write that must go through.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Ensemble } from '../../src/ensemble/index.js'
import { describeModes } from './describe.js'
import { FAULTS, type Faults } from './faults.js'
import type { Probe } from './probe.js'
import type { Run } from './run.js'
import { RECOVERY_MS } from './settings.js'

/** A random order of `k` of the `size` servers (always size - 1 draws, so the schedule depends on the seed alone). */
function victims(size: number, k: number, rnd: () => number): number[] {
  const order = Array.from({ length: size }, (_, i) => i)
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  return order.slice(0, k)
}

/**
 * The nemesis: one fault at a time on at most a minority, undone after a while; then a write must go
 * through before the next fault. Runs until `until`, or until the ensemble does not recover.
 */
export async function nemesis(run: Run, ens: Ensemble, faults: Faults, probe: Probe, rnd: () => number, until: number): Promise<void> {
  const size = ens.servers.length
  const minority = Math.floor((size - 1) / 2)
  while (Date.now() < until) {
    // Pace: a quiet spell between faults.
    await sleep(200 + rnd() * 500)
    const kind = FAULTS[Math.floor(rnd() * FAULTS.length)]!
    const k = 1 + Math.floor(rnd() * minority)
    const hold = 400 + rnd() * 1400
    const delayMs = 30 + rnd() * 270
    const order = victims(size, size, rnd)
    if (Date.now() >= until) break
    const leader = ens.leader()
    let who: number[]
    if (kind.endsWith('-from-leader')) who = order.filter((i) => i !== leader).slice(0, k)
    else if (kind.endsWith('-leader') && leader !== undefined) who = [leader, ...order.filter((i) => i !== leader)].slice(0, k)
    else who = order.slice(0, k)
    await faults.inject(
      kind,
      who.sort((a, b) => a - b),
      leader,
      delayMs,
    )
    await sleep(hold)
    await faults.undo()
    try {
      const ms = await probe.write(Date.now() + RECOVERY_MS)
      run.note(`a write went through ${ms} ms later (leader: ${ens.leader() ?? 'none'})`)
    } catch (err) {
      run.problems.push(
        `no write went through within ${RECOVERY_MS} ms after undoing ${kind} ${who.join(',')} (${(err as Error).message}); modes: ${describeModes(ens)}`,
      )
      return
    }
  }
}
