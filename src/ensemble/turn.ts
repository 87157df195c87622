// The event loop's turn, shared by every server in this process. A server works on client requests
// only for TURN_BUDGET_MS in one turn, and a quorum peer on what its peers sent for as long again;
// what is left waits for the next turn, so a run of expensive requests cannot hold up the timers and
// sockets that keep the quorum alive (Zab's ticks, the peers' pings), however many of them one client
// sends at once. Each share has its own budget, so a client's flood never starves the quorum's own
// traffic, nor the other way round.
import { logger } from '../debug.js'

const log = logger('ensemble')

/** How long one turn of the event loop spends on each share of work before the rest waits for the next. */
export const TURN_BUDGET_MS = 10

/** Whose work: clients' requests, or what peers sent. */
export type Share = 'clients' | 'peers'

/** When each share's work began this turn (none before its first work). */
const startedAt = new Map<Share, number>()
/** Work that waits for the next turn, each once. */
const waiting = new Set<() => void>()
let scheduled = false

/**
 * Whether this turn's budget for `share` is spent. Its first call in a turn starts it, so the first
 * piece of work of a turn always runs, however long it takes.
 */
export function turnSpent(share: Share): boolean {
  const now = performance.now()
  const started = startedAt.get(share)
  if (started === undefined) {
    startedAt.set(share, now)
    schedule()
    return false
  }
  return now - started >= TURN_BUDGET_MS
}

/**
 * Run `work` in a later turn, after the sockets that are ready have been read (setImmediate runs after
 * the loop's poll for I/O). The same function asked for twice runs once.
 */
export function nextTurn(work: () => void): void {
  waiting.add(work)
  schedule()
}

function schedule(): void {
  if (scheduled) return
  scheduled = true
  setImmediate(newTurn)
}

function newTurn(): void {
  scheduled = false
  startedAt.clear()
  const work = [...waiting]
  waiting.clear()
  for (const w of work) {
    try {
      w()
    } catch (err) {
      // Each caller guards its own work; this only keeps one's bug from ending the process.
      log('work deferred to a new turn failed: %s', (err as Error).stack ?? err)
    }
  }
}
