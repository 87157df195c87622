// AdminServer answers (JSON from /commands/<name>, ZooKeeper 3.5+) turned into the same typed results
// as the four-letter words. Each mapper throws ShapeError on a field that is missing or mistyped.
import type { JsonObject, JsonValue } from './json.js'
import { metricsResult } from './parse.js'
import { serverMode, ShapeError } from './shape.js'
import type {
  ClientConnection,
  ConfResult,
  ConnectionInfo,
  ConsResult,
  DumpResult,
  EnviResult,
  IsroResult,
  MntrResult,
  RuokResult,
  SessionExpiry,
  SrvrResult,
  StatResult,
  WchsResult,
} from './types.js'

/** A parsed answer and its text. */
export interface JsonAnswer {
  /** The body as parsed, large integers as bigints. */
  json: JsonObject
  /** The body as received. */
  raw: string
}

function field(o: JsonObject, key: string): JsonValue {
  if (!(key in o)) throw new ShapeError(`no "${key}" field`)
  return o[key]!
}

function num(o: JsonObject, key: string): number {
  const v = field(o, key)
  if (typeof v === 'bigint') return Number(v)
  if (typeof v !== 'number') throw new ShapeError(`"${key}": expected a number, got ${describe(v)}`)
  return v
}

function big(o: JsonObject, key: string): bigint {
  const v = field(o, key)
  if (typeof v === 'bigint') return v
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ShapeError(`"${key}": expected an integer, got ${describe(v)}`)
  return BigInt(v)
}

function str(o: JsonObject, key: string): string {
  const v = field(o, key)
  if (typeof v !== 'string') throw new ShapeError(`"${key}": expected a string, got ${describe(v)}`)
  return v
}

function bool(o: JsonObject, key: string): boolean {
  const v = field(o, key)
  if (typeof v !== 'boolean') throw new ShapeError(`"${key}": expected true or false, got ${describe(v)}`)
  return v
}

function obj(o: JsonObject, key: string): JsonObject {
  const v = field(o, key)
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ShapeError(`"${key}": expected an object, got ${describe(v)}`)
  return v
}

function list(o: JsonObject, key: string): JsonObject[] {
  const v = field(o, key)
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x)))
    throw new ShapeError(`"${key}": expected a list of objects, got ${describe(v)}`)
  return v as JsonObject[]
}

function describe(v: JsonValue): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  return typeof v === 'object' ? 'an object' : JSON.stringify(typeof v === 'bigint' ? String(v) : v)
}

/** The answer's own fields: everything but the "command" and "error" every answer carries. */
function payload(o: JsonObject): [string, JsonValue][] {
  return Object.entries(o).filter(([k]) => k !== 'command' && k !== 'error')
}

/** A value as the text the client port would print. */
function text(v: JsonValue): string {
  return typeof v === 'object' && v !== null ? JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? String(x) : x)) : String(v)
}

export function ruokFromJson({ raw }: JsonAnswer): RuokResult {
  return { ok: true, raw }
}

export function isroFromJson({ json, raw }: JsonAnswer): IsroResult {
  return { readOnly: bool(json, 'read_only'), raw }
}

export function srvrFromJson({ json, raw }: JsonAnswer): SrvrResult {
  const stats = obj(json, 'server_stats')
  const proposal = json.proposal_stats === undefined ? undefined : obj(json, 'proposal_stats')
  return {
    version: str(json, 'version'),
    readOnly: bool(json, 'read_only'),
    latency: { min: num(stats, 'min_latency'), avg: num(stats, 'avg_latency'), max: num(stats, 'max_latency') },
    packetsReceived: num(stats, 'packets_received'),
    packetsSent: num(stats, 'packets_sent'),
    connections: num(stats, 'num_alive_client_connections'),
    outstandingRequests: num(stats, 'outstanding_requests'),
    zxid: big(stats, 'last_processed_zxid'),
    mode: serverMode(field(stats, 'server_state')),
    nodeCount: num(json, 'node_count'),
    proposalSizes: proposal && {
      last: num(proposal, 'last_buffer_size'),
      min: num(proposal, 'min_buffer_size'),
      max: num(proposal, 'max_buffer_size'),
    },
    raw,
  }
}

function brief(c: JsonObject): ClientConnection {
  return {
    address: str(c, 'remote_socket_address'),
    interestOps: num(c, 'interest_ops'),
    outstandingRequests: num(c, 'outstanding_requests'),
    packetsReceived: num(c, 'packets_received'),
    packetsSent: num(c, 'packets_sent'),
  }
}

export function statFromJson(answer: JsonAnswer): StatResult {
  return { ...srvrFromJson(answer), clients: list(answer.json, 'connections').map(brief) }
}

function connection(c: JsonObject): ConnectionInfo {
  const sessionId = big(c, 'session_id')
  // As on the client port, a connection without a session (0) has no session fields worth reading.
  if (sessionId === 0n) return { ...brief(c), session: undefined }
  const cxid = num(c, 'last_cxid')
  return {
    ...brief(c),
    session: {
      sessionId,
      lastOperation: str(c, 'last_operation'),
      established: num(c, 'established'),
      sessionTimeout: num(c, 'session_timeout'),
      lastCxid: cxid < 0 ? undefined : cxid,
      lastZxid: big(c, 'last_zxid'),
      lastResponseTime: num(c, 'last_response_time'),
      lastLatency: num(c, 'last_latency'),
      minLatency: num(c, 'min_latency'),
      avgLatency: num(c, 'avg_latency'),
      maxLatency: num(c, 'max_latency'),
    },
  }
}

export function consFromJson({ json, raw }: JsonAnswer): ConsResult {
  return {
    connections: list(json, 'connections').map(connection),
    secureConnections: json.secure_connections === undefined ? [] : list(json, 'secure_connections').map(connection),
    raw,
  }
}

export function confFromJson({ json, raw }: JsonAnswer): ConfResult {
  return {
    clientPort: num(json, 'client_port'),
    dataDir: str(json, 'data_dir'),
    dataLogDir: str(json, 'data_log_dir'),
    tickTime: num(json, 'tick_time'),
    maxClientCnxns: num(json, 'max_client_cnxns'),
    minSessionTimeout: num(json, 'min_session_timeout'),
    maxSessionTimeout: num(json, 'max_session_timeout'),
    serverId: num(json, 'server_id'),
    clientPortListenBacklog: json.client_port_listen_backlog === undefined ? undefined : num(json, 'client_port_listen_backlog'),
    servers: [],
    settings: Object.fromEntries(payload(json).map(([k, v]) => [k, text(v)])),
    raw,
  }
}

export function enviFromJson({ json, raw }: JsonAnswer): EnviResult {
  return { environment: Object.fromEntries(payload(json).map(([k, v]) => [k, text(v)])), raw }
}

export function mntrFromJson({ json, raw }: JsonAnswer): MntrResult {
  const metrics: Record<string, number | string> = {}
  for (const [k, v] of payload(json)) {
    if (v === null) continue
    metrics[k] = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : text(v)
  }
  return metricsResult(metrics, raw)
}

export function wchsFromJson({ json, raw }: JsonAnswer): WchsResult {
  return { connections: num(json, 'num_connections'), paths: num(json, 'num_paths'), watches: num(json, 'num_total_watches'), raw }
}

/** A map key that is a decimal 64-bit number (JSON keys are strings). */
function bigKey(key: string, what: string): bigint {
  if (!/^-?\d+$/.test(key)) throw new ShapeError(`${what}: expected a number as key, got ${JSON.stringify(key)}`)
  return BigInt(key)
}

export function dumpFromJson({ json, raw }: JsonAnswer): DumpResult {
  const sessions: SessionExpiry[] = []
  for (const [time, ids] of Object.entries(obj(json, 'expiry_time_to_session_ids'))) {
    if (!Array.isArray(ids)) throw new ShapeError('expiry_time_to_session_ids: expected lists of session ids')
    const expiresAt = Number(bigKey(time, 'expiry_time_to_session_ids'))
    for (const id of ids) {
      if (typeof id !== 'number' && typeof id !== 'bigint') throw new ShapeError('expiry_time_to_session_ids: expected session ids')
      sessions.push({ sessionId: BigInt(id), expiresAt, timeout: undefined })
    }
  }
  const ephemerals = Object.entries(obj(json, 'session_id_to_ephemeral_paths')).map(([id, paths]) => {
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string'))
      throw new ShapeError('session_id_to_ephemeral_paths: expected lists of paths')
    return { sessionId: bigKey(id, 'session_id_to_ephemeral_paths'), paths: paths as string[] }
  })
  return { clock: 'elapsed', sessions, ephemerals, connections: [], raw }
}
