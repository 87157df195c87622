// The Jepsen runs' timing and the environment knobs that repeat or stretch a run: the servers'
// tickTime, the clients' timeouts, recovery bounds, and JEPSEN_SEED / JEPSEN_FAULT_MS.

/** ZooKeeper's tickTime of the servers, ms: sessions may last 2 to 20 ticks. */
export const TICK_TIME = 250
export const SESSION_TIMEOUT = 4000
/** Per-call timeout: an op gets no longer than this before it counts as indeterminate. */
export const OP_TIMEOUT = 1000
/** How long a client may take to (re)connect before its worker tries again. */
export const CONNECT_TIMEOUT = 1500
/** Bound on recovery (a write going through) after a fault is undone; elections take well under 1 s. */
export const RECOVERY_MS = 8000
/** Think time of a client between two ops (paces the history so the checker stays fast). */
export const THINK_MS = [5, 30] as const
export const INITIAL = 'init'
export const call = { timeout: OP_TIMEOUT }

const envInt = (name: string): number | undefined => {
  const v = process.env[name]
  if (v === undefined || v === '') return undefined
  if (!/^-?\d+$/.test(v)) throw new Error(`${name} must be an integer, got ${v}`)
  return Number(v)
}
const baseSeed = envInt('JEPSEN_SEED')
export const faultMsOverride = envInt('JEPSEN_FAULT_MS')

/** The seed of the n-th run: n itself, or counted from JEPSEN_SEED. */
export const seedFor = (n: number) => (baseSeed === undefined ? n : baseSeed + n - 1)
