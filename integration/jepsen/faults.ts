// The faults the nemesis injects, and their bookkeeping, so that every fault can be undone at the
// end of a run whatever happened.
import type { Ensemble } from '../../src/ensemble/index.js'
import type { Run } from './run.js'

/**
 * What the nemesis does to its victims (a minority; the leader first for the -leader kinds, never the
 * leader for the -from-leader kinds) until it undoes it: crash then restart (the log survives); cut
 * off from the other peers (clients still reach them); freeze as SIGSTOP; lose what the leader sends
 * them (one way); delay what the leader sends them (they lag behind).
 */
export type FaultKind =
  'kill' | 'kill-leader' | 'partition' | 'partition-leader' | 'pause' | 'pause-leader' | 'drop-from-leader' | 'slow-from-leader'
export const FAULTS: FaultKind[] = [
  'kill',
  'kill-leader',
  'partition',
  'partition-leader',
  'pause',
  'pause-leader',
  'drop-from-leader',
  'slow-from-leader',
]

/** Fault state, so that everything can be undone at the end whatever happened. */
export class Faults {
  readonly killed = new Set<number>()
  readonly paused = new Set<number>()
  /** A partition or a link fault is in place (heal() ends both). */
  cut = false

  constructor(
    private readonly ens: Ensemble,
    private readonly run: Run,
  ) {}

  async inject(kind: FaultKind, who: number[], leader: number | undefined, delayMs: number): Promise<void> {
    this.run.note(
      `${kind} ${who.join(',')}${kind === 'slow-from-leader' ? ` by ${Math.round(delayMs)} ms` : ''} (leader: ${leader ?? 'none'})`,
    )
    if (kind === 'drop-from-leader' || kind === 'slow-from-leader') {
      if (leader === undefined) return
      this.cut = true
      for (const i of who) {
        if (kind === 'drop-from-leader') this.ens.dropLink(leader, i, true)
        else this.ens.delayLink(leader, i, delayMs)
      }
    } else if (kind === 'kill' || kind === 'kill-leader') {
      for (const i of who) this.killed.add(i)
      await Promise.all(who.map((i) => this.ens.kill(i)))
    } else if (kind === 'partition' || kind === 'partition-leader') {
      this.cut = true
      const rest = this.ens.servers.map((_, i) => i).filter((i) => !who.includes(i))
      this.ens.partition([who, rest])
    } else {
      for (const i of who) {
        this.paused.add(i)
        this.ens.pause(i)
      }
    }
  }

  /** Undo every fault in place. */
  async undo(): Promise<void> {
    const what: string[] = []
    if (this.cut) {
      this.ens.heal()
      this.cut = false
      what.push('heal')
    }
    for (const i of this.paused) {
      this.ens.resume(i)
      what.push(`resume ${i}`)
    }
    this.paused.clear()
    for (const i of this.killed) {
      await this.ens.restart(i)
      what.push(`restart ${i}`)
    }
    this.killed.clear()
    if (what.length) this.run.note(what.join(', '))
  }
}
