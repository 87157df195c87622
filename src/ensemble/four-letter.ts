// Four-letter words on the client port, shaped like 3.8's, and its 4lw.commands.whitelist.
import { DEFAULT_MAX_CLIENT_CNXNS, type ServerView } from './server-view.js'
import type { ClientConnection } from './client-connection.js'
import { monitorText, monitorValues } from './monitor.js'
import { environment } from './environment.js'
import { JavaDouble } from './jackson-json.js'
import { VERSION } from './version.js'
import { javaDate } from '../java-date.js'

/** The words this server answers. */
export const FOUR_LETTER_WORDS = new Set(['ruok', 'srvr', 'stat', 'mntr', 'cons', 'envi', 'conf', 'wchs', 'dump', 'isro'])

/** Every word ZooKeeper 3.8 knows: one left out of the whitelist is refused in words, not taken for a frame length. */
export const ZOOKEEPER_WORDS: ReadonlySet<string> = new Set([
  ...FOUR_LETTER_WORDS,
  'crst',
  'dirs',
  'gtmk',
  'stmk',
  'srst',
  'wchc',
  'wchp',
  'hash',
])

/**
 * What the first four bytes of a connection get, when they are a four-letter word: the answer, or
 * ZooKeeper's refusal of a word not in `allowed`. Undefined when they are not a word this server
 * answers (they are then a frame's length).
 */
export function fourLetterAnswer(word: string, allowed: readonly string[] | '*', s: ServerView): string | undefined {
  if (!ZOOKEEPER_WORDS.has(word)) return undefined
  // ZooKeeper always allows srvr: zkServer.sh status depends on it.
  if (allowed !== '*' && word !== 'srvr' && !allowed.includes(word)) return `${word} is not executed because it is not in the whitelist.\n`
  return FOUR_LETTER_WORDS.has(word) ? fourLetterWord(word, s) : undefined
}

/** The version line, exported here as well for the modules that import it from this one. */
export { VERSION }

const hex = (n: bigint) => `0x${n.toString(16)}`

/** The answer to one word. */
export function fourLetterWord(word: string, s: ServerView): string {
  // A quorum peer without an established leader answers like ZooKeeper's: only ruok and envi.
  if (!s.serving && word !== 'ruok' && word !== 'envi') return 'This ZooKeeper instance is not currently serving requests\n'
  const zxid = s.tree.lastZxid
  const connections = s.connections.size
  const latency = s.metrics.latency.values
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
        `Latency min/avg/max: ${latency.min}/${new JavaDouble(latency.avg)}/${latency.max}`,
        `Received: ${s.packetsReceived}`,
        `Sent: ${s.packetsSent}`,
        `Connections: ${connections}`,
        `Outstanding: ${s.outstanding}`,
        `Zxid: ${hex(zxid)}`,
        `Mode: ${s.mode}`,
        `Node count: ${s.nodeCount()}`,
      )
      const p = s.metrics.proposalSize
      // ZooKeeper's leader adds the sizes of the txns it proposed.
      if (s.mode === 'leader') lines.push(`Proposal sizes last/min/max: ${p.last}/${p.min}/${p.max}`)
      return lines.join('\n') + '\n'
    }
    case 'mntr':
      // The same keys, order and values as the AdminServer's monitor command.
      return (
        monitorValues(s)
          .map(([k, v]) => `zk_${k}\t${monitorText(v)}`)
          .join('\n') + '\n'
      )
    case 'cons':
      return [...s.connections].map((c) => connectionLine(c, false)).join('\n') + '\n\n'
    case 'envi':
      return ['Environment:', ...environment().map(([k, v]) => `${k}=${v}`)].join('\n') + '\n'
    case 'conf': {
      // In memory there is no directory; the line stays, as clients parse the whole list.
      const dir = s.opts.dataDir ? `${s.opts.dataDir}/version-2` : '(in memory)'
      const lines = [
        // -1 for a port the server does not listen on, as ZooKeeper prints it.
        `clientPort=${s.port ?? -1}`,
        `secureClientPort=${s.securePort ?? -1}`,
        `dataDir=${dir}`,
        'dataDirSize=0',
        `dataLogDir=${dir}`,
        'dataLogSize=0',
        `tickTime=${s.opts.tickTime ?? 2000}`,
        `maxClientCnxns=${s.opts.maxClientCnxns ?? DEFAULT_MAX_CLIENT_CNXNS}`,
        `minSessionTimeout=${s.tracker.minTimeout}`,
        `maxSessionTimeout=${s.tracker.maxTimeout}`,
        'clientPortListenBacklog=-1',
        `serverId=${s.quorum?.id ?? 0}`,
        // host:quorumPort:electionPort, as zoo.cfg has them.
        ...(s.quorum ? [...s.quorum.cfg.peers].map(([id, a]) => `server.${id}=${a.host}:${a.learnerPort}:${a.port}:participant`) : []),
      ]
      return lines.join('\n') + '\n'
    }
    case 'wchs': {
      // Data watches only, as ZooKeeper's DataTree summarises them (child watches are not counted).
      const w = s.watches.dataSummary()
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
        for (const c of group)
          lines.push(`\tip: /${c.address.replace(/^::ffff:/, '')}:${c.socket.remotePort} sessionId: ${hex(c.sessionId)}`)
      }
      return lines.join('\n') + '\n'
    }
  }
  return ''
}

/** One line of `cons` (full) or of `stat`'s client list (brief), as ServerCnxn prints it. */
function connectionLine(c: ClientConnection, brief: boolean): string {
  const head = ` /${c.address.replace(/^::ffff:/, '')}:${c.socket.remotePort}[${c.closed ? 0 : 1}](queued=${c.outstanding},recved=${c.received},sent=${c.sent}`
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
