// The values of mntr (four-letter word) and the AdminServer's `monitor`: ZooKeeper 3.8's keys in its
// order for the server's role, then the per-namespace and per-learner sets it adds as they appear.
import { readdirSync, readFileSync } from 'node:fs'
import { JavaDouble } from './jackson-json.js'
import { MNTR_ENTRIES } from './mntr-keys.generated.js'
import { bucketOrder, javaStringHash, spreadHash } from './java-order.js'
import type { Summary, SummarySet } from './server-metrics.js'
import type { ServerView } from './server-view.js'
import { VERSION } from './version.js'

/** One mntr value: a string, an integer, or a Java double. */
export type MonitorValue = string | number | JavaDouble

const FAMILY = ['avg', 'min', 'max', 'cnt', 'sum'] as const
const PERCENTILES: [string, number][] = [
  ['p50', 0.5],
  ['p95', 0.95],
  ['p99', 0.99],
  ['p999', 0.999],
]

/** The set names as ZooKeeper's metrics context iterates them (ConcurrentHashMaps of 16 buckets). */
const inJavaOrder = (names: string[]) =>
  bucketOrder(
    names,
    names.map((n) => spreadHash(javaStringHash(n))),
    16,
  )
const BASIC_SETS = inJavaOrder(['write_per_namespace', 'read_per_namespace', 'learner_handler_qp_size'])
const PERCENTILE_SETS = inJavaOrder(['learner_handler_qp_time_ms', 'ack_latency'])

/** Open and allowed file descriptors of this process (-1 where the platform does not say, as ZooKeeper). */
function fileDescriptors(): { open: number; max: number } {
  let open = -1
  let max = -1
  try {
    open = readdirSync('/proc/self/fd').length
    const limit = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))
    if (limit) max = Number(limit[1])
  } catch {
    // Not Linux: ZooKeeper's OSMXBean reports -1 too where it cannot read them.
  }
  return { open, max }
}

/** The plain (non-summary) values the bundled server can report; any key missing here is 0. */
function plainValues(s: ServerView): Record<string, string | number> {
  const m = s.metrics
  const now = Date.now()
  const fds = fileDescriptors()
  let dataSize = 0
  // ZooKeeper's approximate size counts each node's path and data.
  for (const [p, n] of s.tree.nodes) dataSize += p.length + n.dataLength
  let ephemerals = 0
  for (const paths of s.tree.ephemerals.values()) ephemerals += paths.size
  const synced = s.quorum?.peer.syncedFollowers ?? []
  return {
    version: VERSION,
    server_state: s.mode,
    // The Zab phase of a peer that serves is broadcast; a looking peer answers no mntr at all.
    peer_state: `${s.mode === 'leader' ? 'leading' : 'following'} - broadcast`,
    ephemerals_count: ephemerals,
    num_alive_connections: s.connections.size,
    avg_latency: m.latency.avg,
    min_latency: m.latency.values.min,
    max_latency: m.latency.values.max,
    outstanding_requests: s.outstanding,
    znode_count: s.nodeCount(),
    global_sessions: s.tracker.sessions.size,
    last_client_response_size: m.responseSize.last,
    min_client_response_size: m.responseSize.min,
    max_client_response_size: m.responseSize.max,
    packets_sent: s.packetsSent,
    packets_received: s.packetsReceived,
    watch_count: s.watches.summary().watches,
    approximate_data_size: dataSize,
    open_file_descriptor_count: fds.open,
    max_file_descriptor_count: fds.max,
    uptime: now - s.startedAt,
    quorum_size: s.quorum?.cfg.voters.length ?? 0,
    // Leader only: every follower it syncs with votes (the bundled ensemble has no observers).
    learners: synced.length,
    synced_followers: synced.length,
    leader_uptime: now - m.roleSince,
    last_proposal_size: m.proposalSize.last,
    min_proposal_size: m.proposalSize.min,
    max_proposal_size: m.proposalSize.max,
    proposal_count: m.proposals,
    bytes_received_count: m.bytesReceived,
    connection_request_count: m.connectionRequests,
    connection_rejected: m.connectionRejected,
    sessionless_connections_expired: m.sessionlessConnectionsExpired,
    looking_count: m.lookingCount,
  }
}

function family(prefix: string, summary: Summary | undefined, percentiles: boolean): [string, MonitorValue][] {
  const v = summary?.values ?? { avg: 0, min: 0, max: 0, cnt: 0, sum: 0 }
  const out: [string, MonitorValue][] = FAMILY.map((f) => [`${f}_${prefix}`, f === 'avg' ? new JavaDouble(v.avg) : v[f]])
  if (percentiles) for (const [name, p] of PERCENTILES) out.push([`${name}_${prefix}`, summary?.percentile(p) ?? 0])
  return out
}

/**
 * mntr's [key, value] pairs for a serving server, keys without the `zk_` prefix the four-letter
 * word adds. The caller checks that the server serves (ZooKeeper answers neither form otherwise).
 */
export function monitorValues(s: ServerView): [string, MonitorValue][] {
  const m = s.metrics
  // ZooKeeper keeps a queue summary per learner from its first packet on, and never forgets one.
  for (const id of s.quorum?.peer.syncedFollowers ?? []) {
    m.learnerQueueSize.touch(String(id))
    m.learnerQueueTime.touch(String(id))
  }
  const plain = plainValues(s)
  const summaries: Record<string, Summary> = {
    readlatency: m.readLatency,
    updatelatency: m.updateLatency,
    election_time: m.electionTime,
    snapshottime: m.snapshotTime,
  }
  const out: [string, MonitorValue][] = []
  for (const e of MNTR_ENTRIES) {
    if ((e.only === 'quorum' && !s.quorum) || (e.only === 'leader' && s.mode !== 'leader')) continue
    if (e.kind !== 'value') {
      out.push(...family(e.key, summaries[e.key], e.kind === 'percentiles'))
      continue
    }
    const v = plain[e.key] ?? (e.type === 'string' ? '' : 0)
    out.push([e.key, e.type === 'double' ? new JavaDouble(Number(v)) : v])
  }
  const sets: Record<string, SummarySet> = {
    read_per_namespace: m.readPerNamespace,
    write_per_namespace: m.writePerNamespace,
    learner_handler_qp_size: m.learnerQueueSize,
    learner_handler_qp_time_ms: m.learnerQueueTime,
  }
  for (const [names, percentiles] of [
    [BASIC_SETS, false],
    [PERCENTILE_SETS, true],
  ] as const) {
    for (const name of names)
      for (const [key, summary] of sets[name]?.entries() ?? []) out.push(...family(`${key}_${name}`, summary, percentiles))
  }
  return out
}

/** A value as mntr's four-letter word prints it. */
export function monitorText(v: MonitorValue): string {
  return typeof v === 'number' ? String(v) : v.toString()
}
