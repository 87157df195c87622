// How a Jepsen run describes the servers in failure reports: each server's role (with the facts
// only its quorum peer has: whom it follows, in which epoch). Ops are described by history.ts.
import type { Ensemble } from '../../src/ensemble/index.js'

/** Each server's mode and whom its peer follows, for failure messages. */
export const describeModes = (ens: Ensemble) =>
  ens.servers
    .map((s, i) => {
      if (ens.modes()[i] === 'down') return `${i}: down`
      const p = s.quorum!.peer
      return `${i}: ${s.mode}${p.leader === undefined ? '' : ` (${p.role.toLowerCase()} ${p.leader - 1}, epoch ${p.currentEpoch})`}`
    })
    .join('; ')
