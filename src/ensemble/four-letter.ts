// Four-letter words on the client port (ZooKeeper with 4lw.commands.whitelist=*), shaped like 3.8's.
import type { ZooKeeperServer } from './server.js'

/** The words this server answers. */
export const FOUR_LETTER_WORDS = new Set(['ruok', 'srvr', 'stat', 'mntr', 'cons', 'envi', 'conf', 'wchs', 'dump', 'isro'])

/** The version line clients parse ("Zookeeper version: 3.8.x-…"). */
export const VERSION = '3.8.0-zookit, built on 2026-11-24 00:00 UTC'

const hex = (n: bigint) => `0x${n.toString(16)}`

/** The answer to one word. */
export function fourLetterWord(word: string, s: ZooKeeperServer): string {
  // A quorum peer without an established leader answers like ZooKeeper's: only ruok, envi and conf.
  if (!s.serving && word !== 'ruok' && word !== 'envi' && word !== 'conf') return 'This ZooKeeper instance is not currently serving requests\n'
  const zxid = s.tree.lastZxid
  const connections = s.connections.size
  switch (word) {
    case 'ruok':
      return 'imok'
    case 'isro':
      return 'rw'
    case 'srvr':
    case 'stat': {
      const lines = [`Zookeeper version: ${VERSION}`]
      if (word === 'stat') {
        lines.push('Clients:')
        for (const c of s.connections) lines.push(connectionLine(c, true))
        lines.push('')
      }
      lines.push(
        'Latency min/avg/max: 0/0.0/0',
        `Received: ${s.packetsReceived}`,
        `Sent: ${s.packetsSent}`,
        `Connections: ${connections}`,
        'Outstanding: 0',
        `Zxid: ${hex(zxid)}`,
        `Mode: ${s.mode}`,
        `Node count: ${s.nodeCount()}`,
      )
      return lines.join('\n') + '\n'
    }
    case 'mntr': {
      const w = s.watches.summary()
      const kv: [string, string | number][] = [
        ['zk_version', VERSION],
        ['zk_server_state', s.mode],
        ['zk_avg_latency', 0],
        ['zk_max_latency', 0],
        ['zk_min_latency', 0],
        ['zk_packets_received', s.packetsReceived],
        ['zk_packets_sent', s.packetsSent],
        ['zk_num_alive_connections', connections],
        ['zk_outstanding_requests', 0],
        ['zk_znode_count', s.nodeCount()],
        ['zk_watch_count', w.watches],
        ['zk_ephemerals_count', [...s.tree.ephemerals.values()].reduce((n, e) => n + e.size, 0)],
        ['zk_approximate_data_size', [...s.tree.nodes.values()].reduce((n, z) => n + (z.data?.length ?? 0), 0)],
        ['zk_open_file_descriptor_count', connections],
        ['zk_max_file_descriptor_count', 4096],
        ['zk_uptime', Date.now() - s.startedAt],
      ]
      return kv.map(([k, v]) => `${k}\t${v}`).join('\n') + '\n'
    }
    case 'cons':
      return [...s.connections].map((c) => connectionLine(c, false)).join('\n') + '\n\n'
    case 'envi':
      return ['Environment:', `zookeeper.version=${VERSION}`, `host.name=localhost`, `java.version=none (zookit on Node ${process.version})`, `os.name=${process.platform}`, `user.dir=${process.cwd()}`].join('\n') + '\n'
    case 'conf': {
      // In memory there is no directory; the line stays, as clients parse the whole list.
      const dir = s.opts.dataDir ? `${s.opts.dataDir}/version-2` : '(in memory)'
      const lines = [
        `clientPort=${s.port}`,
        'secureClientPort=-1',
        `dataDir=${dir}`,
        'dataDirSize=0',
        `dataLogDir=${dir}`,
        'dataLogSize=0',
        `tickTime=${s.opts.tickTime ?? 2000}`,
        'maxClientCnxns=0',
        `minSessionTimeout=${s.tracker.minTimeout}`,
        `maxSessionTimeout=${s.tracker.maxTimeout}`,
        'clientPortListenBacklog=-1',
        `serverId=${s.quorum?.id ?? 0}`,
        ...(s.quorum ? [...s.quorum.cfg.peers].map(([id, a]) => `server.${id}=${a.host}:${a.port}:${a.port}:participant`) : []),
      ]
      return lines.join('\n') + '\n'
    }
    case 'wchs': {
      const w = s.watches.summary()
      return `${w.connections} connections watching ${w.paths} paths\nTotal watches:${w.watches}\n`
    }
    case 'dump': {
      const sessions = [...s.tracker.sessions.values()]
      const buckets = groupBy(sessions, (x) => x.expiresAt)
      const lines = ['SessionTracker dump:', `Session Sets (${buckets.size})/(${sessions.length}):`]
      for (const [at, group] of [...buckets].sort((a, b) => a[0] - b[0])) {
        lines.push(`${group.length} expire at ${javaDate(at)}:`)
        for (const x of group) lines.push(`\t${hex(x.id)}`)
      }
      lines.push('ephemeral nodes dump:', `Sessions with Ephemerals (${s.tree.ephemerals.size}):`)
      for (const [id, paths] of s.tree.ephemerals) {
        lines.push(`${hex(id)}:`)
        for (const p of paths) lines.push(`\t${p}`)
      }
      // Connections expire by their session's deadline (a connection without one, by the next tick).
      const tick = s.opts.tickTime ?? 2000
      const conns = [...s.connections]
      const byDeadline = groupBy(conns, (c) => s.tracker.sessions.get(c.sessionId)?.expiresAt ?? (Math.floor(Date.now() / tick) + 1) * tick)
      lines.push('Connections dump:', `Connections Sets (${byDeadline.size})/(${conns.length}):`)
      for (const [at, group] of [...byDeadline].sort((a, b) => a[0] - b[0])) {
        lines.push(`${group.length} expire at ${javaDate(at)}:`)
        for (const c of group) lines.push(`\tip: /${c.address.replace(/^::ffff:/, '')}:${c.socket.remotePort} sessionId: ${hex(c.sessionId)}`)
      }
      return lines.join('\n') + '\n'
    }
  }
  return ''
}

/** One line of `cons` (full) or of `stat`'s client list (brief), as ServerCnxn prints it. */
function connectionLine(c: ZooKeeperServer['connections'] extends Set<infer C> ? C : never, brief: boolean): string {
  const head = ` /${c.address.replace(/^::ffff:/, '')}:${c.socket.remotePort}[${c.closed ? 0 : 1}](queued=${c.inflight},recved=${c.received},sent=${c.sent}`
  if (brief || c.sessionId === 0n) return `${head})`
  return `${head},sid=${hex(c.sessionId)},${c.stats.describe(c.timeout)})`
}

function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>()
  for (const item of items) {
    const k = key(item)
    const list = out.get(k)
    if (list) list.push(item)
    else out.set(k, [item])
  }
  return out
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** A time as Java's Date.toString prints it ("Wed Dec 02 03:01:07 UTC 2026"), in UTC. */
function javaDate(ms: number): string {
  const d = new Date(ms)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`
}
