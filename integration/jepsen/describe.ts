// How a Jepsen run describes what it saw in failure reports: each server's role (with the facts
// only its quorum peer has: whom it follows, in which epoch) and each recorded op.
import type { Ensemble } from '../../src/ensemble/index.js'
import type { Recorded } from '../../src/testing/history.js'

/** Each server's mode and whom its peer follows, for failure messages. */
export const describeModes = (ens: Ensemble) =>
  ens.servers
    .map((s, i) => {
      if (ens.modes()[i] === 'down') return `${i}: down`
      const p = s.quorum!.peer
      return `${i}: ${s.mode}${p.leader === undefined ? '' : ` (${p.role.toLowerCase()} ${p.leader - 1}, epoch ${p.currentEpoch})`}`
    })
    .join('; ')

/** One recorded op as a line: its clock span, session, what it did and how it ended. */
export const describeOp = (o: Recorded) => {
  const what =
    o.op.kind === 'write'
      ? `write ${o.op.value}`
      : o.op.kind === 'cas'
        ? `cas ${o.op.expected} -> ${o.op.value}`
        : `read ${String(o.op.value)}`
  const outcome = o.end === undefined ? 'unknown' : o.ok ? 'ok' : 'failed'
  return `[${o.start}..${o.end ?? '?'}] s${o.session} ${what} ${outcome}`
}
