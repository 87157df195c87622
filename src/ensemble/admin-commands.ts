// The AdminServer's commands (`/commands/<name>`), with ZooKeeper 3.8's names, aliases and JSON
// shapes. Each answers a map whose keys come first, then "command" (the primary name) and "error".
// Commands that need a serving server answer an error on a quorum peer that is looking for a leader.
import { readdirSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { JavaDouble, type JsonValue } from './jackson-json.js'
import { environment } from './environment.js'
import { VERSION } from './version.js'
import { monitorValues } from './monitor.js'
import { JavaHashSet } from './java-order.js'
import { DEFAULT_MAX_CLIENT_CNXNS, type ServerView } from './server-view.js'
import type { ClientConnection } from './client-connection.js'

type Json = { [key: string]: JsonValue }
type Connection = ClientConnection

/** What running a command gives: an HTTP status and its JSON (or, for ZooKeeper's 500, a message). */
export type CommandOutcome = { status: 200; json: Json } | { status: 500; message: string }

interface Command {
  /** The primary name first, then the aliases. */
  names: readonly string[]
  /** false for the commands ZooKeeper runs without a serving server. */
  serverRequired: boolean
  run(s: ServerView, args: Record<string, string>): Json
}

/** ZooKeeper's words for a server that cannot answer (a quorum peer without an established leader). */
export const NOT_SERVING = 'This ZooKeeper instance is not currently serving requests'

const hex = (n: bigint) => BigInt.asUintN(64, n).toString(16)
const hostOf = (c: Connection) => `${c.address.replace(/^::ffff:/, '')}:${c.socket.remotePort ?? 0}`

/** A connection as ServerCnxn.getConnectionInfo describes it; `brief` for stat's list. */
function connectionInfo(c: Connection, brief: boolean): Json {
  const info: Json = {
    remote_socket_address: hostOf(c),
    // NIO's interest set: read (1) unless closed or throttled, write (4) while replies wait to be sent.
    interest_ops: c.closed ? 0 : (c.reading ? 1 : 0) | (c.socket.writableLength > 0 ? 4 : 0),
    outstanding_requests: c.outstanding,
    packets_received: c.received,
    packets_sent: c.sent,
  }
  if (brief) return info
  const lat = c.stats.latencies()
  return {
    ...info,
    session_id: c.sessionId,
    last_operation: c.stats.lastOp,
    established: c.stats.established,
    session_timeout: c.timeout,
    last_cxid: c.stats.lastCxid,
    last_zxid: c.stats.lastZxid,
    last_response_time: c.stats.lastResponseTime,
    last_latency: c.stats.lastLatency,
    min_latency: lat.min,
    avg_latency: lat.avg,
    max_latency: lat.max,
  }
}

/** The directory a server keeps its files in, if it keeps any. */
function serverDir(s: ServerView): string | undefined {
  if (!s.opts.dataDir) return undefined
  return s.quorum ? path.join(s.opts.dataDir, `server${s.quorum.id}`) : s.opts.dataDir
}

/** Bytes of the files under `dir` (ZooKeeper's data and log dir sizes); 0 in memory. */
function dirSize(dir: string | undefined): number {
  if (!dir) return 0
  let total = 0
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      total += e.isDirectory() ? dirSize(p) : statSync(p).size
    }
  } catch {
    // A file removed while counting (a snapshot replacing logs) is simply not counted.
  }
  return total
}

const bufferStats = (b: { last: number; min: number; max: number }): Json => ({
  last_buffer_size: b.last,
  min_buffer_size: b.min,
  max_buffer_size: b.max,
})

/** srvr's map; stat adds the connections. */
function serverStats(s: ServerView): Json {
  const m = s.metrics
  const size = dirSize(serverDir(s))
  const out: Json = {
    version: VERSION,
    read_only: false,
    server_stats: {
      packets_sent: s.packetsSent,
      packets_received: s.packetsReceived,
      fsync_threshold_exceed_count: 0,
      client_response_stats: bufferStats(m.responseSize),
      data_dir_size: size,
      log_dir_size: size,
      provider_null: false,
      server_state: s.mode,
      last_processed_zxid: s.tree.lastZxid,
      outstanding_requests: s.outstanding,
      avg_latency: new JavaDouble(m.latency.avg),
      max_latency: m.latency.values.max,
      min_latency: m.latency.values.min,
      num_alive_client_connections: s.connections.size,
      uptime: Date.now() - s.startedAt,
      auth_failed_count: 0,
      non_mtlsremote_conn_count: 0,
      non_mtlslocal_conn_count: 0,
    },
    client_response: bufferStats(m.responseSize),
  }
  if (s.mode === 'leader') out.proposal_stats = bufferStats(m.proposalSize)
  out.node_count = s.nodeCount()
  return out
}

/** ZooKeeper's InetSocketAddress list type (MultipleAddresses) as Jackson writes its getters. */
function multipleAddresses(host: string, port: number): Json {
  const a = `${host}:${port}`
  return {
    empty: false,
    all_addresses: [a],
    all_reachable_addresses: [a],
    one: a,
    reachable_address: a,
    wildcard_addresses: [`0.0.0.0:${port}`],
    all_ports: [port],
    all_host_strings: [host],
    all_reachable_addresses_or_all: [a],
    reachable_or_one: a,
  }
}

/** Group `items` by `key` into a JSON map of lists (Java HashMap<K, Set<V>>). */
function groups<T>(items: Iterable<T>, key: (t: T) => string, value: (t: T) => JsonValue): Json {
  const out: Json = {}
  for (const item of items) {
    const k = key(item)
    ;((out[k] ??= []) as JsonValue[]).push(value(item))
  }
  return out
}

/** The paths of a session's watches as ZooKeeper's HashSet lists them. */
const javaOrdered = (paths: Iterable<string>) => {
  const set = new JavaHashSet()
  for (const p of paths) set.add(p)
  return set.toArray()
}

const sessionOf = (w: unknown) => (w as { sessionId?: bigint }).sessionId ?? 0n

function watchesBySession(s: ServerView): Json {
  const bySession = new Map<bigint, string[]>()
  for (const [p, targets] of s.watches.dataWatchers()) {
    for (const t of targets) {
      const id = sessionOf(t)
      bySession.set(id, [...(bySession.get(id) ?? []), p])
    }
  }
  return Object.fromEntries([...bySession].map(([id, paths]) => [String(id), javaOrdered(paths)]))
}

function watchesByPath(s: ServerView): Json {
  const table = s.watches.dataWatchers()
  const out: Json = {}
  for (const p of javaOrdered(table.keys())) out[p] = [...new Set(table.get(p)!.map(sessionOf))]
  return out
}

/** The newest snapshot: its zxid and when it was written (seconds); the start state when there is none. */
function lastSnapshot(s: ServerView): { zxid: bigint; seconds: number } {
  const started = { zxid: 0n, seconds: Math.floor(s.startedAt / 1000) }
  if (s.quorum) {
    const base = s.quorum.peer.base
    return base ? { zxid: base.zxid, seconds: started.seconds } : started
  }
  const dir = serverDir(s)
  if (!dir) return started
  try {
    const newest = readdirSync(dir)
      .filter((f) => /^snapshot\.[0-9a-f]+$/.test(f))
      .sort()
      .pop()
    if (!newest) return started
    return { zxid: BigInt(`0x${newest.slice('snapshot.'.length)}`), seconds: Math.floor(statSync(path.join(dir, newest)).mtimeMs / 1000) }
  } catch {
    return started
  }
}

/** The server's connections, split as ZooKeeper lists them: those of the plain client port and those over TLS. */
function plainAndSecure(s: ServerView): { plain: ClientConnection[]; secure: ClientConnection[] } {
  const all = [...s.connections]
  const isSecure = (c: ClientConnection) => (c.socket as { encrypted?: boolean }).encrypted === true
  return { plain: all.filter((c) => !isSecure(c)), secure: all.filter(isSecure) }
}

/** What a standalone server would have read from its zoo.cfg (ZooKeeper answers the file's text). */
function initialConfiguration(s: ServerView): string {
  const o = s.opts
  const lines = [
    `tickTime=${o.tickTime ?? 2000}`,
    `dataDir=${o.dataDir ?? '(in memory)'}`,
    `clientPort=${s.port ?? o.port ?? 0}`,
    `clientPortAddress=${o.host ?? '127.0.0.1'}`,
    ...(o.minSessionTimeout ? [`minSessionTimeout=${o.minSessionTimeout}`] : []),
    ...(o.maxSessionTimeout ? [`maxSessionTimeout=${o.maxSessionTimeout}`] : []),
    'admin.enableServer=true',
    'admin.serverAddress=127.0.0.1',
    `admin.serverPort=${s.adminPort ?? o.adminPort ?? 0}`,
    '4lw.commands.whitelist=*',
    `extendedTypesEnabled=${o.ttlEnabled ?? true}`,
    'standaloneEnabled=true',
  ]
  return lines.join('\n') + '\n'
}

/** Node's answers to the JVM properties ZooKeeper lists, sorted by name as it sorts them. */
function systemProperties(s: ServerView): Json {
  const props: Record<string, string> = {
    'file.encoding': 'UTF-8',
    'file.separator': path.sep,
    'java.io.tmpdir': os.tmpdir(),
    'line.separator': os.EOL,
    'os.arch': process.arch,
    'os.name': process.platform,
    'os.version': os.release(),
    'path.separator': path.delimiter,
    'user.dir': process.cwd(),
    'user.home': os.homedir(),
    'user.timezone': Intl.DateTimeFormat().resolvedOptions().timeZone,
    'zookeeper.4lw.commands.whitelist': '*',
    'zookeeper.admin.enableServer': 'true',
    'zookeeper.admin.serverAddress': '127.0.0.1',
    'zookeeper.admin.serverPort': String(s.adminPort ?? ''),
    'zookeeper.extendedTypesEnabled': String(s.opts.ttlEnabled ?? true),
    'zookit.node.version': process.version,
  }
  return Object.fromEntries(
    Object.keys(props)
      .sort()
      .map((k) => [k, props[k]!]),
  )
}

const COMMANDS: Command[] = [
  {
    names: ['connection_stat_reset', 'crst'],
    serverRequired: true,
    run(s) {
      for (const c of s.connections) {
        c.received = c.sent = 0
        c.stats.reset()
      }
      return {}
    },
  },
  {
    names: ['configuration', 'conf', 'config'],
    serverRequired: true,
    run(s) {
      const dir = s.opts.dataDir ? `${s.opts.dataDir}/version-2` : '(in memory)'
      return {
        client_port: s.port ?? 0,
        data_dir: dir,
        data_log_dir: dir,
        tick_time: s.opts.tickTime ?? 2000,
        max_client_cnxns: s.opts.maxClientCnxns ?? DEFAULT_MAX_CLIENT_CNXNS,
        min_session_timeout: s.tracker.minTimeout,
        max_session_timeout: s.tracker.maxTimeout,
        server_id: s.quorum?.id ?? 0,
        client_port_listen_backlog: -1,
      }
    },
  },
  {
    names: ['connections', 'cons'],
    serverRequired: true,
    run: (s) => ({
      connections: plainAndSecure(s).plain.map((c) => connectionInfo(c, false)),
      secure_connections: plainAndSecure(s).secure.map((c) => connectionInfo(c, false)),
    }),
  },
  {
    names: ['dirs'],
    serverRequired: true,
    run(s) {
      const size = dirSize(serverDir(s))
      return { datadir_size: size, logdir_size: size }
    },
  },
  {
    names: ['dump'],
    serverRequired: true,
    run(s) {
      // Only the server that expires sessions (standalone, leader) knows their deadlines.
      const sessions = s.decides ? [...s.tracker.sessions.values()] : []
      const ephemerals: Json = {}
      for (const [id, paths] of s.tree.ephemerals) if (paths.size) ephemerals[String(id)] = [...paths]
      return {
        expiry_time_to_session_ids: groups(
          sessions,
          (x) => String(x.expiresAt),
          (x) => x.id,
        ),
        session_id_to_ephemeral_paths: ephemerals,
      }
    },
  },
  {
    names: ['environment', 'env', 'envi'],
    serverRequired: false,
    run: () => Object.fromEntries(environment()),
  },
  {
    names: ['get_trace_mask', 'gtmk'],
    serverRequired: false,
    run: (s) => ({ tracemask: s.metrics.traceMask }),
  },
  {
    names: ['hash'],
    serverRequired: true,
    // ZooKeeper's digest history; the bundled server keeps no tree digests.
    run: () => ({ digests: [] }),
  },
  {
    names: ['initial_configuration', 'icfg'],
    serverRequired: true,
    // A quorum peer of ZooKeeper 3.8 keeps no initial configuration text.
    run: (s) => ({ initial_configuration: s.quorum ? null : initialConfiguration(s) }),
  },
  {
    names: ['is_read_only', 'isro'],
    serverRequired: true,
    run: () => ({ read_only: false }),
  },
  {
    names: ['last_snapshot', 'lsnp'],
    serverRequired: true,
    run(s) {
      const snap = lastSnapshot(s)
      return { zxid: hex(snap.zxid), timestamp: snap.seconds }
    },
  },
  {
    names: ['leader', 'lead'],
    serverRequired: true,
    run(s): Json {
      const q = s.quorum
      if (!q) return { error: 'server is not initialized' }
      const leader = q.peer.leader ?? -1
      return { is_leader: s.mode === 'leader', leader_id: leader, leader_ip: q.cfg.peers.get(leader)?.host ?? '' }
    },
  },
  {
    names: ['monitor', 'mntr'],
    serverRequired: false,
    run: (s) => Object.fromEntries(monitorValues(s)),
  },
  {
    names: ['observer_connection_stat_reset', 'orst'],
    serverRequired: true,
    run: () => ({}),
  },
  {
    names: ['ruok'],
    serverRequired: true,
    run: () => ({}),
  },
  {
    names: ['set_trace_mask', 'stmk'],
    serverRequired: false,
    run(s, args): Json {
      const raw = args.traceMask
      if (raw === undefined) return { error: 'setTraceMask requires long traceMask argument' }
      if (!/^[+-]?\d+$/.test(raw)) return { error: `setTraceMask requires long traceMask argument, got ${raw}` }
      s.metrics.traceMask = BigInt.asIntN(64, BigInt(raw))
      return { tracemask: s.metrics.traceMask }
    },
  },
  {
    names: ['server_stats', 'srvr'],
    serverRequired: true,
    run: serverStats,
  },
  {
    names: ['stat_reset', 'srst'],
    serverRequired: true,
    run(s) {
      s.packetsReceived = s.packetsSent = 0
      s.metrics.reset()
      return {}
    },
  },
  {
    names: ['stats', 'stat'],
    serverRequired: true,
    run: (s) => ({
      ...serverStats(s),
      connections: plainAndSecure(s).plain.map((c) => connectionInfo(c, true)),
      secure_connections: plainAndSecure(s).secure.map((c) => connectionInfo(c, true)),
    }),
  },
  {
    names: ['observers', 'obsr'],
    serverRequired: true,
    // The bundled ensemble has no observers.
    run: () => ({ synced_observers: 0, observers: [] }),
  },
  {
    names: ['system_properties', 'sysp'],
    serverRequired: false,
    run: systemProperties,
  },
  {
    names: ['voting_view'],
    serverRequired: true,
    run(s) {
      const q = s.quorum
      const current: Json = {}
      for (const id of q ? [...q.cfg.voters].sort((a, b) => a - b) : []) {
        const a = q!.cfg.peers.get(id)
        // A peer's zoo.cfg names the others' quorum (learner) and election ports only, so it knows its own client port alone.
        current[String(id)] = {
          server_addresses: a ? [`${a.host}:${a.learnerPort}`] : [],
          election_addresses: a ? [`${a.host}:${a.port}`] : [],
          client_address: id === q!.id ? `${s.opts.host ?? '127.0.0.1'}:${s.port}` : '',
          learner_type: 'participant',
        }
      }
      return { current_config: current }
    },
  },
  {
    names: ['watches', 'wchc'],
    serverRequired: true,
    run: (s) => ({ session_id_to_watched_paths: watchesBySession(s) }),
  },
  {
    names: ['watches_by_path', 'wchp'],
    serverRequired: true,
    run: (s) => ({ path_to_session_ids: watchesByPath(s) }),
  },
  {
    names: ['watch_summary', 'wchs'],
    serverRequired: true,
    run(s) {
      const w = s.watches.dataSummary()
      return { num_connections: w.connections, num_paths: w.paths, num_total_watches: w.watches }
    },
  },
  {
    names: ['zabstate'],
    serverRequired: false,
    run(s): Json {
      const q = s.quorum
      // ZooKeeper answers this for a serving quorum peer only (its server object is gone meanwhile).
      if (!q || !s.serving) return { voting: false, zabstate: '' }
      const self = q.cfg.peers.get(q.id) ?? { host: '127.0.0.1', port: 0, learnerPort: 0 }
      const zxid = s.tree.lastZxid
      return {
        myid: q.id,
        is_leader: s.mode === 'leader',
        // The quorum port is where a leader takes its learners (peer-links.ts).
        quorum_address: multipleAddresses(self.host, self.learnerPort),
        election_address: multipleAddresses(self.host, self.port),
        client_address: `${s.opts.host ?? '127.0.0.1'}:${s.port}`,
        voting: true,
        last_zxid: `0x${hex(zxid)}`,
        zab_epoch: Number(zxid >> 32n),
        zab_counter: Number(zxid & 0xffffffffn),
        zabstate: 'broadcast',
      }
    },
  },
]

const BY_NAME = new Map(COMMANDS.flatMap((c) => c.names.map((n) => [n, c] as const)))

/** Every command's primary name, sorted as ZooKeeper's index lists them. */
export const COMMAND_NAMES: readonly string[] = COMMANDS.map((c) => c.names[0]!).sort()

/** The map ZooKeeper sends: the command's keys, then "command" and "error" unless it set them. */
function response(command: string, error: string | null, data: Json = {}): Json {
  return { ...data, command: data.command ?? command, error: 'error' in data ? data.error! : error }
}

/**
 * Run command `name` (a primary name or an alias) against `s`. Unknown names and commands a looking
 * peer cannot serve answer 200 with an error, named as asked, as ZooKeeper 3.8 does.
 */
export function runAdminCommand(name: string, s: ServerView, args: Record<string, string> = {}): CommandOutcome {
  const c = BY_NAME.get(name)
  if (!c) return { status: 200, json: response(name, `Unknown command: ${name}`) }
  if (c.serverRequired && !s.serving) return { status: 200, json: response(name, NOT_SERVING) }
  // ZooKeeper 3.8's monitor fails with a NullPointerException (HTTP 500) while there is no server.
  if (c.names[0] === 'monitor' && !s.serving) return { status: 500, message: `monitor: ${NOT_SERVING}` }
  return { status: 200, json: response(c.names[0]!, null, c.run(s, args)) }
}
