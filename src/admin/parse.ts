// Four-letter-word answers (text, as ZooKeeper 3.5–3.9 and the bundled server print them) turned into
// the typed results. Each parser throws ShapeError on text it does not recognise.
import { decimal, hex64, serverMode, ShapeError, socketAddress } from './shape.js'
import type {
  ClientConnection,
  ConfResult,
  ConnectionExpiry,
  ConnectionInfo,
  ConsResult,
  DumpResult,
  EnviResult,
  IsroResult,
  MntrResult,
  QuorumMember,
  RuokResult,
  SessionEphemerals,
  SessionExpiry,
  SrvrResult,
  StatResult,
  WchsResult,
} from './types.js'

/** What a server prints instead of an answer while it does not serve. */
export const NOT_SERVING = 'This ZooKeeper instance is not currently serving requests'

/** A refusal, or undefined for an answer: the words not on `4lw.commands.whitelist` and a server not serving. */
export function refusal(word: string, text: string): 'NOTWHITELISTED' | 'NOTSERVING' | undefined {
  const first = text.trim()
  if (first === `${word} is not executed because it is not in the whitelist.`) return 'NOTWHITELISTED'
  // isro says "null" where the others print the sentence.
  if (first === NOT_SERVING || (word === 'isro' && first === 'null')) return 'NOTSERVING'
  return undefined
}

const lines = (text: string) => text.split('\n').map((l) => l.replace(/\r$/, ''))

export function parseRuok(raw: string): RuokResult {
  return { ok: raw.trim() === 'imok', raw }
}

export function parseIsro(raw: string): IsroResult {
  const word = raw.trim()
  if (word !== 'ro' && word !== 'rw') throw new ShapeError(`expected "ro" or "rw", got ${JSON.stringify(word)}`)
  return { readOnly: word === 'ro', raw }
}

/** One connection line of stat or cons: ` /addr[ops](key=value,…)`. */
function connectionLine(line: string): { address: string; interestOps: number; fields: Map<string, string> } | undefined {
  const m = /^ (\S+)\[([0-9a-fA-F]+)\]\((.*)\)$/.exec(line)
  if (!m) return undefined
  const fields = new Map<string, string>()
  for (const kv of m[3]!.split(',')) {
    const eq = kv.indexOf('=')
    if (eq > 0) fields.set(kv.slice(0, eq), kv.slice(eq + 1))
  }
  return { address: socketAddress(m[1]!), interestOps: parseInt(m[2]!, 16), fields }
}

function brief(c: NonNullable<ReturnType<typeof connectionLine>>): ClientConnection {
  return {
    address: c.address,
    interestOps: c.interestOps,
    outstandingRequests: decimal(c.fields.get('queued'), 'queued'),
    packetsReceived: decimal(c.fields.get('recved'), 'recved'),
    packetsSent: decimal(c.fields.get('sent'), 'sent'),
  }
}

export function parseStat(raw: string): StatResult {
  const clients: ClientConnection[] = []
  const values = new Map<string, string>()
  let readOnly = false
  for (const line of lines(raw)) {
    if (line === '' || line === 'Clients:') continue
    if (line.startsWith('READ-ONLY mode')) {
      readOnly = true
      continue
    }
    const conn = connectionLine(line)
    if (conn) {
      clients.push(brief(conn))
      continue
    }
    const colon = line.indexOf(': ')
    if (colon < 0) throw new ShapeError(`unexpected line ${JSON.stringify(line)}`)
    values.set(line.slice(0, colon), line.slice(colon + 2))
  }
  const need = (key: string) => values.get(key) ?? fail(`no "${key}:" line`)
  const triple = (key: string) => {
    const parts = need(key).split('/')
    if (parts.length !== 3) throw new ShapeError(`${key}: expected a/b/c, got ${JSON.stringify(values.get(key))}`)
    return parts.map((p) => decimal(p, key)) as [number, number, number]
  }
  const [min, avg, max] = triple('Latency min/avg/max')
  const proposal = values.has('Proposal sizes last/min/max') ? triple('Proposal sizes last/min/max') : undefined
  return {
    version: need('Zookeeper version'),
    readOnly,
    latency: { min, avg, max },
    packetsReceived: decimal(need('Received'), 'Received'),
    packetsSent: decimal(need('Sent'), 'Sent'),
    connections: decimal(need('Connections'), 'Connections'),
    outstandingRequests: decimal(need('Outstanding'), 'Outstanding'),
    zxid: hex64(need('Zxid'), 'Zxid'),
    mode: serverMode(need('Mode')),
    nodeCount: decimal(need('Node count'), 'Node count'),
    proposalSizes: proposal && { last: proposal[0], min: proposal[1], max: proposal[2] },
    clients,
    raw,
  }
}

export function parseSrvr(raw: string): SrvrResult {
  const { clients: _, ...srvr } = parseStat(raw)
  return srvr
}

export function parseCons(raw: string): ConsResult {
  const connections: ConnectionInfo[] = []
  for (const line of lines(raw)) {
    if (line === '') continue
    const c = connectionLine(line) ?? fail(`unexpected line ${JSON.stringify(line)}`)
    const f = c.fields
    const sid = f.get('sid')
    connections.push({
      ...brief(c),
      session:
        sid === undefined
          ? undefined
          : {
              sessionId: hex64(sid, 'sid'),
              lastOperation: f.get('lop') ?? fail('no lop'),
              established: decimal(f.get('est'), 'est'),
              sessionTimeout: decimal(f.get('to'), 'to'),
              lastCxid: f.has('lcxid') ? Number(hex64(f.get('lcxid'), 'lcxid')) : undefined,
              lastZxid: hex64(f.get('lzxid'), 'lzxid'),
              lastResponseTime: decimal(f.get('lresp'), 'lresp'),
              lastLatency: decimal(f.get('llat'), 'llat'),
              minLatency: decimal(f.get('minlat'), 'minlat'),
              avgLatency: decimal(f.get('avglat'), 'avglat'),
              maxLatency: decimal(f.get('maxlat'), 'maxlat'),
            },
    })
  }
  return { connections, secureConnections: [], raw }
}

/** `key=value` lines into a map; `skip` says which lines are not settings. */
function settingsOf(text: string, skip: (line: string) => boolean): Map<string, string> {
  const out = new Map<string, string>()
  for (const line of lines(text)) {
    if (line.trim() === '' || skip(line)) continue
    const eq = line.indexOf('=')
    if (eq <= 0) throw new ShapeError(`expected key=value, got ${JSON.stringify(line)}`)
    out.set(line.slice(0, eq), line.slice(eq + 1))
  }
  return out
}

export function parseConf(raw: string): ConfResult {
  // A quorum peer ends with "membership: " and server.N lines (the bundled server prints those alone).
  const all = settingsOf(raw, (l) => l.trim() === 'membership:')
  const servers: QuorumMember[] = []
  const settings: Record<string, string> = {}
  for (const [key, value] of all) {
    const m = /^server\.(\d+)$/.exec(key)
    if (m) servers.push({ id: Number(m[1]), spec: value })
    else settings[key] = value
  }
  const num = (key: string) => decimal(settings[key] ?? fail(`no ${key}=`), key)
  return {
    clientPort: num('clientPort'),
    dataDir: settings.dataDir ?? fail('no dataDir='),
    dataLogDir: settings.dataLogDir ?? fail('no dataLogDir='),
    tickTime: num('tickTime'),
    maxClientCnxns: num('maxClientCnxns'),
    minSessionTimeout: num('minSessionTimeout'),
    maxSessionTimeout: num('maxSessionTimeout'),
    serverId: num('serverId'),
    clientPortListenBacklog: settings.clientPortListenBacklog === undefined ? undefined : num('clientPortListenBacklog'),
    servers,
    settings,
    raw,
  }
}

export function parseEnvi(raw: string): EnviResult {
  if (!raw.startsWith('Environment:')) throw new ShapeError('expected "Environment:" first')
  return { environment: Object.fromEntries(settingsOf(raw, (l) => l === 'Environment:')), raw }
}

/** A monitoring value: numbers as numbers, text as text, "null" left out (undefined). */
function metricValue(text: string): number | string | undefined {
  if (text === 'null') return undefined
  return /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|-?Infinity|NaN)$/.test(text) ? Number(text) : text
}

export function parseMntr(raw: string): MntrResult {
  const metrics: Record<string, number | string> = {}
  for (const line of lines(raw)) {
    if (line === '') continue
    const tab = line.indexOf('\t')
    if (tab <= 0 || !line.startsWith('zk_')) throw new ShapeError(`expected zk_<name><TAB><value>, got ${JSON.stringify(line)}`)
    const v = metricValue(line.slice(tab + 1))
    if (v !== undefined) metrics[line.slice(3, tab)] = v
  }
  return metricsResult(metrics, raw)
}

/** The typed view of a metrics map (shared with the AdminServer's `mntr`). */
export function metricsResult(metrics: Record<string, number | string>, raw: string): MntrResult {
  const num = (key: string) => {
    const v = metrics[key]
    if (typeof v !== 'number') throw new ShapeError(`${key}: expected a number, got ${JSON.stringify(v)}`)
    return v
  }
  const optional = (key: string) => (metrics[key] === undefined ? undefined : num(key))
  const version = metrics.version
  if (typeof version !== 'string') throw new ShapeError('no version')
  const peerState = metrics.peer_state
  return {
    version,
    mode: serverMode(metrics.server_state),
    peerState: typeof peerState === 'string' ? peerState : undefined,
    avgLatency: num('avg_latency'),
    maxLatency: num('max_latency'),
    minLatency: num('min_latency'),
    packetsReceived: num('packets_received'),
    packetsSent: num('packets_sent'),
    numAliveConnections: num('num_alive_connections'),
    outstandingRequests: num('outstanding_requests'),
    znodeCount: num('znode_count'),
    watchCount: num('watch_count'),
    ephemeralsCount: num('ephemerals_count'),
    approximateDataSize: num('approximate_data_size'),
    openFileDescriptorCount: optional('open_file_descriptor_count'),
    maxFileDescriptorCount: optional('max_file_descriptor_count'),
    syncedFollowers: optional('synced_followers'),
    pendingSyncs: optional('pending_syncs'),
    metrics,
    raw,
  }
}

export function parseWchs(raw: string): WchsResult {
  const m = /^(\d+) connections watching (\d+) paths\s+Total watches:\s*(\d+)\s*$/.exec(raw)
  if (!m) throw new ShapeError('expected "N connections watching N paths" and "Total watches:N"')
  return { connections: Number(m[1]), paths: Number(m[2]), watches: Number(m[3]), raw }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/**
 * A date as Java's Date.toString prints it ("Wed Dec 02 03:41:44 UTC 2026"), as ms since the epoch;
 * undefined for a time zone abbreviation JavaScript cannot place (Java prints the server's own zone).
 */
export function javaDate(text: string): number | undefined {
  const m = /^\w{3} (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\S+) (\d{4})$/.exec(text.trim())
  if (!m) throw new ShapeError(`expected a date like "Wed Dec 02 03:41:44 UTC 2026", got ${JSON.stringify(text)}`)
  const [, mon, day, hh, mm, ss, zone, year] = m
  const month = MONTHS.indexOf(mon!)
  if (month < 0) throw new ShapeError(`unknown month in ${JSON.stringify(text)}`)
  if (zone === 'UTC' || zone === 'GMT') return Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss))
  // V8 reads the US zone names and GMT±hh:mm; anything else it cannot place.
  const ms = Date.parse(`${mon} ${day} ${year} ${hh}:${mm}:${ss} ${zone}`)
  return Number.isNaN(ms) ? undefined : ms
}

export function parseDump(raw: string): DumpResult {
  const sessions: SessionExpiry[] = []
  const ephemerals: SessionEphemerals[] = []
  const connections: ConnectionExpiry[] = []
  let section: 'sessions' | 'ephemerals' | 'connections' | undefined
  let expiresAt: number | undefined
  let owner: SessionEphemerals | undefined
  let m: RegExpExecArray | null
  for (const line of lines(raw)) {
    if (line === '') continue
    if (line === 'SessionTracker dump:') section = 'sessions'
    else if (line === 'ephemeral nodes dump:') section = 'ephemerals'
    else if (line === 'Connections dump:') section = 'connections'
    // Headers with counts: "Session Sets (2)/(3):", "Global Sessions(1):", "Sessions with Ephemerals (1):", "Connections Sets …".
    else if (
      /^(Local |Global )*(Session Sets|Sessions with Ephemerals|Connections Sets) ?\(\d+\)(\/\(\d+\))?:$/.test(line) ||
      /^(Local |Global )*Global Sessions\(\d+\):$/.test(line)
    )
      continue
    else if ((section === 'sessions' || section === 'connections') && (m = /^\d+ expire at (.+):$/.exec(line))) expiresAt = javaDate(m[1]!)
    else if (section === 'sessions' && (m = /^\t(0x[0-9a-fA-F]+)$/.exec(line)))
      sessions.push({ sessionId: hex64(m[1], 'session'), expiresAt, timeout: undefined })
    // A follower knows its global sessions' timeouts, not their deadlines.
    else if (section === 'sessions' && (m = /^(0x[0-9a-fA-F]+)\t(\d+)ms$/.exec(line)))
      sessions.push({ sessionId: hex64(m[1], 'session'), expiresAt: undefined, timeout: Number(m[2]) })
    else if (section === 'ephemerals' && (m = /^(0x[0-9a-fA-F]+):$/.exec(line)))
      ephemerals.push((owner = { sessionId: hex64(m[1], 'session'), paths: [] }))
    else if (section === 'ephemerals' && owner && line.startsWith('\t')) owner.paths.push(line.slice(1))
    else if (section === 'connections' && (m = /^\tip: (\S+) sessionId: (0x[0-9a-fA-F]+)$/.exec(line)))
      connections.push({ address: socketAddress(m[1]!), sessionId: hex64(m[2], 'sessionId'), expiresAt })
    else throw new ShapeError(`unexpected line ${JSON.stringify(line)}`)
  }
  if (section === undefined) throw new ShapeError('expected "SessionTracker dump:"')
  return { clock: 'wall', sessions, ephemerals, connections, raw }
}

function fail(message: string): never {
  throw new ShapeError(message)
}
