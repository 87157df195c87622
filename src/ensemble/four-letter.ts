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
        for (const c of s.connections) lines.push(` /${c.address}:${c.socket.remotePort}[1](queued=0,recved=${c.received},sent=${c.sent})`)
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
      return [...s.connections].map((c) => ` /${c.address}:${c.socket.remotePort}[1](queued=0,recved=${c.received},sent=${c.sent},sid=${hex(c.sessionId)})`).join('\n') + '\n\n'
    case 'envi':
      return ['Environment:', `zookeeper.version=${VERSION}`, `host.name=localhost`, `java.version=none (zookit on Node ${process.version})`, `os.name=${process.platform}`, `user.dir=${process.cwd()}`].join('\n') + '\n'
    case 'conf':
      return [`clientPort=${s.port}`, `tickTime=${s.opts.tickTime ?? 2000}`, `maxClientCnxns=0`, `minSessionTimeout=${s.tracker.minTimeout}`, `maxSessionTimeout=${s.tracker.maxTimeout}`, `serverId=${s.quorum?.id ?? 0}`, ...(s.quorum ? [...s.quorum.cfg.peers].map(([id, a]) => `server.${id}=${a.host}:${a.port}:${a.port}:participant`) : [])].join('\n') + '\n'
    case 'wchs': {
      const w = s.watches.summary()
      return `${w.connections} connections watching ${w.paths} paths\nTotal watches:${w.watches}\n`
    }
    case 'dump': {
      const lines = ['SessionTracker dump:', `Session Sets (${s.tracker.sessions.size}):`]
      for (const x of s.sessionList()) lines.push(`${hex(x.id)}\t${x.timeout}ms`)
      lines.push('ephemeral nodes dump:', `Sessions with Ephemerals (${s.tree.ephemerals.size}):`)
      for (const [id, paths] of s.tree.ephemerals) {
        lines.push(`${hex(id)}:`)
        for (const p of paths) lines.push(`\t${p}`)
      }
      return lines.join('\n') + '\n'
    }
  }
  return ''
}
