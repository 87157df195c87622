// What a Zab peer keeps across a crash, and how the log changes of a Ready apply to it: the one
// definition behind the peer host's memory store and the simulator's disks.
import type { Base, Entry } from './messages.js'
import type { LogChange } from './ready.js'

/** A peer's durable state: the newest snapshot, the log that follows it, and its epochs. */
export interface Durable<T> {
  base?: Base<T>
  log: Entry<T>[]
  acceptedEpoch: bigint
  currentEpoch: bigint
}

/** Apply log changes, in order, to `d`. */
export function applyLogChanges<T>(d: Durable<T>, changes: readonly LogChange<T>[]): void {
  for (const c of changes) {
    if (c.op === 'append') d.log.push(c.entry)
    else if (c.op === 'compact') {
      d.base = c.base
      d.log = d.log.filter((e) => e.zxid > c.base.zxid)
    } else {
      if (c.base) d.base = c.base
      d.log = [...c.entries]
    }
  }
}
