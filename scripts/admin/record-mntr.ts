// Records which keys ZooKeeper 3.8's mntr prints, in its order, for each role (standalone, leader,
// follower), into src/ensemble/mntr-keys.generated.ts. The bundled server prints the same list.
//   npx tsx scripts/admin/record-mntr.ts
// The order comes from Java hash tables and cannot be derived by hand; keys that depend on the data
// or the peers (per-namespace and per-learner sets) are left out here and added at run time.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { fourLetterWord, realZooKeeperAvailable, startRealZooKeeper } from '../../src/testing/real-zookeeper.js'

const OUT = fileURLToPath(new URL('../../src/ensemble/mntr-keys.generated.ts', import.meta.url))
const FAMILY = ['avg', 'min', 'max', 'cnt', 'sum']
const PERCENTILES = ['p50', 'p95', 'p99', 'p999']
// Nothing is written to the servers, so the only per-set keys are the config node's namespace and the peers' ids.
const SET_KEY =
  /^(avg|min|max|cnt|sum|p50|p95|p99|p999)_(zookeeper|\d+)_(read_per_namespace|write_per_namespace|learner_handler_qp_size|learner_handler_qp_time_ms|ack_latency)$/

type Line = { key: string; value: string }

/** mntr's lines (without the zk_ prefix), minus the per-set keys. */
async function mntr(port: number): Promise<Line[]> {
  const text = await fourLetterWord('127.0.0.1', port, 'mntr')
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const tab = l.indexOf('\t')
      return { key: l.slice(0, tab).replace(/^zk_/, ''), value: l.slice(tab + 1) }
    })
    .filter((l) => !SET_KEY.test(l.key))
}

async function roles(): Promise<Record<'standalone' | 'leader' | 'follower', Line[]>> {
  const one = await startRealZooKeeper({ size: 1 })
  let standalone: Line[]
  try {
    standalone = await mntr(one.servers[0]!.clientPort)
  } finally {
    await one.stop()
  }
  const three = await startRealZooKeeper({ size: 3 })
  try {
    const modes = await Promise.all(
      three.servers.map(async (s) => /Mode: (\w+)/.exec(await fourLetterWord('127.0.0.1', s.clientPort, 'srvr'))?.[1]),
    )
    const leader = three.servers[modes.indexOf('leader')]!
    const follower = three.servers[modes.indexOf('follower')]!
    return { standalone, leader: await mntr(leader.clientPort), follower: await mntr(follower.clientPort) }
  } finally {
    await three.stop()
  }
}

/** The value's Java type as mntr prints it: integers bare, doubles with a point, the rest strings. */
function typeOf(value: string): 'int' | 'double' | 'string' {
  if (/^-?\d+$/.test(value)) return 'int'
  if (/^-?\d+\.\d+(E-?\d+)?$/.test(value) || value === 'NaN') return 'double'
  return 'string'
}

function main(all: Record<'standalone' | 'leader' | 'follower', Line[]>): string {
  const has = (role: keyof typeof all, key: string) => all[role].some((l) => l.key === key)
  // The leader prints a superset; its order must agree with the others' on the keys they share.
  const keys = all.leader.map((l) => l.key)
  for (const role of ['standalone', 'follower'] as const) {
    const mine = all[role].map((l) => l.key)
    const missing = mine.filter((k) => !keys.includes(k))
    if (missing.length) throw new Error(`${role} prints keys the leader does not: ${missing.join(', ')}`)
    const shared = keys.filter((k) => mine.includes(k))
    if (shared.join() !== mine.join()) throw new Error(`the ${role}'s order differs from the leader's`)
  }
  const rows: string[] = []
  for (let i = 0; i < all.leader.length;) {
    const { key, value } = all.leader[i]!
    const only = has('standalone', key) ? '' : has('follower', key) ? ", only: 'quorum'" : ", only: 'leader'"
    const name = key.startsWith('avg_') ? key.slice(4) : undefined
    const run = (prefixes: string[]) =>
      name !== undefined && keys.slice(i, i + prefixes.length).join() === prefixes.map((p) => `${p}_${name}`).join()
    if (run([...FAMILY, ...PERCENTILES])) {
      rows.push(`  { kind: 'percentiles', key: '${name}'${only} },`)
      i += FAMILY.length + PERCENTILES.length
    } else if (run(FAMILY)) {
      rows.push(`  { kind: 'summary', key: '${name}'${only} },`)
      i += FAMILY.length
    } else {
      rows.push(`  { kind: 'value', key: '${key}', type: '${typeOf(value)}'${only} },`)
      i++
    }
  }
  return `// DO NOT EDIT: recorded by scripts/admin/record-mntr.ts from ZooKeeper 3.8's mntr as a standalone
// server, a leader and a follower print it. Run \`npx tsx scripts/admin/record-mntr.ts\` to record again.

/**
 * One line of mntr, or a family of them: a summary is avg_/min_/max_/cnt_/sum_<key>, percentiles add
 * p50_/p95_/p99_/p999_<key>. \`only\` marks keys printed only by quorum peers or only by the leader.
 */
export type MntrEntry =
  | { kind: 'value'; key: string; type: 'int' | 'double' | 'string'; only?: 'quorum' | 'leader' }
  | { kind: 'summary' | 'percentiles'; key: string; only?: 'quorum' | 'leader' }

/** Every key ZooKeeper 3.8's mntr prints before its per-namespace and per-learner sets, in its order. */
export const MNTR_ENTRIES: readonly MntrEntry[] = [
${rows.join('\n')}
]
`
}

if (!realZooKeeperAvailable()) {
  console.error('Debian zookeeper is not installed (apt-get install -y zookeeper)')
  process.exit(3)
}
writeFileSync(OUT, main(await roles()))
console.log(`wrote ${OUT}`)
