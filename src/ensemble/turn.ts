// The event loop's turn, shared by every server in this process. A server works on client requests
// (and a leader on the writes it prepares) only for TURN_BUDGET_MS in one turn; what is left waits for
// the next turn, so a run of expensive requests cannot hold up the timers and sockets that keep the
// quorum alive (Zab's ticks, the peers' pings), however many of them one client sends at once.
import { logger } from '../debug.js'

const log = logger('ensemble')

/** How long one turn of the event loop spends on requests before the rest waits for the next. */
export const TURN_BUDGET_MS = 10

/** When the current turn's work began, or undefined before any work this turn. */
let startedAt: number | undefined
/** Work that waits for the next turn, each once. */
const waiting = new Set<() => void>()
let scheduled = false

/**
 * Whether this turn's budget is spent. The first call in a turn starts it, so the first request of a
 * turn always runs, however long it takes.
 */
export function turnSpent(): boolean {
  const now = performance.now()
  if (startedAt === undefined) {
    startedAt = now
    schedule()
    return false
  }
  return now - startedAt >= TURN_BUDGET_MS
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
  startedAt = undefined
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
