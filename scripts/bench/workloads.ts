// What every client worker runs (Node, Java and Python alike) and the figures it reports. The sizes
// travel to the workers as key=value arguments, so no worker has its own copy of them.

/** The sizes of the workloads one worker runs, in this order. */
export interface Workloads {
  /** Sequential connect + close, timed. */
  connects: number
  /** getData calls before the timed ones (JIT, caches, the server's too). */
  warmupGets: number
  /** Sequential getData calls, each timed (the latency CDF). */
  sequentialGets: number
  /**
   * More getData calls after those, untimed, before `sequentialGets` more are timed again: a JIT
   * client (V8, HotSpot) compiles its hot path during the first few thousand calls, and those
   * compilations, not the wire, set the first window's p99.
   */
  steadyWarmupGets: number
  /** getData calls with `depth` outstanding. */
  pipelinedGets: number
  /** setData calls of `payloadBytes` with `depth` outstanding. */
  pipelinedSets: number
  depth: number
  /** Ephemeral-sequential create then delete, with `ephemeralDepth` pairs outstanding. */
  ephemeralPairs: number
  ephemeralDepth: number
  /** getChildren of a node with `children` children, timed each. */
  childrenReads: number
  children: number
  payloadBytes: number
}

export const WORKLOADS: Workloads = {
  connects: 10,
  warmupGets: 500,
  sequentialGets: 3000,
  steadyWarmupGets: 5000,
  pipelinedGets: 40_000,
  pipelinedSets: 20_000,
  depth: 256,
  ephemeralPairs: 3000,
  ephemeralDepth: 64,
  childrenReads: 10,
  children: 10_000,
  payloadBytes: 100,
}

export function workloadArgs(w: Workloads): string[] {
  return Object.entries(w).map(([k, v]) => `${k}=${v}`)
}

export function parseWorkloadArgs(args: readonly string[]): Workloads {
  const w: Record<string, number> = {}
  for (const arg of args) {
    const [key, value] = arg.split('=')
    if (!(key! in WORKLOADS) || !Number.isInteger(Number(value))) throw new Error(`bad workload argument ${arg}`)
    w[key!] = Number(value)
  }
  const missing = Object.keys(WORKLOADS).filter((k) => !(k in w))
  if (missing.length) throw new Error(`missing workload arguments: ${missing.join(', ')}`)
  return w as unknown as Workloads
}

/** What a worker prints as its one line of JSON. */
export interface WorkerResult {
  /** Figure key → value; a client that cannot run a workload leaves its figures out. */
  figures: Record<string, number>
  /** Every sequential getData latency in µs, in the order measured. */
  seqGetUs: number[]
}

export interface Figure {
  key: string
  label: string
  /** A throughput, for the throughput chart and the "≥ the best peer" target: its workload's short name. */
  throughput?: string
}

export const FIGURES: Figure[] = [
  { key: 'connectMs', label: 'connect (ms, mean)' },
  { key: 'seqGetP50us', label: 'sequential getData p50 (µs)' },
  {
    key: 'seqGetP99us',
    label: `sequential getData p99, calls ${WORKLOADS.warmupGets + 1}–${WORKLOADS.warmupGets + WORKLOADS.sequentialGets} (µs)`,
  },
  {
    key: 'seqGetSteadyP99us',
    label: `sequential getData p99, after ${(WORKLOADS.warmupGets + WORKLOADS.sequentialGets + WORKLOADS.steadyWarmupGets).toLocaleString('en')} calls (µs)`,
  },
  { key: 'pipeGetOps', label: `pipelined getData, ${WORKLOADS.depth} outstanding (ops/s)`, throughput: 'pipelined getData' },
  { key: 'cpuPerGetUs', label: 'client CPU per pipelined getData (µs)' },
  { key: 'pipeSetOps', label: `pipelined setData, ${WORKLOADS.depth} outstanding (ops/s)`, throughput: 'pipelined setData' },
  { key: 'cpuPerSetUs', label: 'client CPU per pipelined setData (µs)' },
  {
    key: 'ephPairsPerSec',
    label: `ephemeral-sequential create+delete, ${WORKLOADS.ephemeralDepth} outstanding (pairs/s)`,
    throughput: 'ephemeral create+delete',
  },
  { key: 'getChildrenMs', label: `getChildren of ${WORKLOADS.children.toLocaleString('en')} children (ms, p50)` },
  { key: 'peakRssMB', label: 'peak RSS (MB)' },
]
