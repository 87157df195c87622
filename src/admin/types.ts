// The typed results of the admin commands, shared by the four-letter-word client and the AdminServer
// client: one shape per command, filled from whichever form the server answered in.

/** What a serving ZooKeeper server is doing, as its `srvr`/`mntr` report it (`server_state`). */
export type ServerMode = 'standalone' | 'leader' | 'follower' | 'observer' | 'read-only'

/** Options of every admin call. */
export interface AdminCallOptions {
  /** Give up after this many ms (default: the client's `timeout`, itself 5000 by default). */
  timeout?: number
  /** Abort the call; it then rejects with an AdminAbortedError whose cause is the signal's reason. */
  signal?: AbortSignal
}

/** Every result keeps the server's answer as it came: the text of a four-letter word, or the JSON body. */
export interface RawAnswer {
  /** The answer as received (UTF-8 text; the JSON body over HTTP). */
  raw: string
}

/** Result of `ruok`. */
export interface RuokResult extends RawAnswer {
  /**
   * Whether the server said it is running: "imok" on the client port (even while not serving), an
   * answer without an error from the AdminServer (which answers only while serving).
   */
  ok: boolean
}

/** Result of `isro`. */
export interface IsroResult extends RawAnswer {
  /** Whether the server runs read-only (it lost its quorum and serves only read-only clients). */
  readOnly: boolean
}

/** Minimum, average and maximum of something measured, in ms (latencies) or bytes (sizes). */
export interface MinAvgMax {
  /** The smallest value seen. */
  min: number
  /** The mean. */
  avg: number
  /** The largest value seen. */
  max: number
}

/** Result of `srvr`: the server's version, role and counters. */
export interface SrvrResult extends RawAnswer {
  /** The version string ("3.8.0-…, built on …"). */
  version: string
  /** Whether the server runs read-only. */
  readOnly: boolean
  /** Request latency in ms since the counters were last reset. */
  latency: MinAvgMax
  /** Packets received from clients. */
  packetsReceived: number
  /** Packets sent to clients. */
  packetsSent: number
  /** Client connections open now. */
  connections: number
  /** Requests received and not yet answered. */
  outstandingRequests: number
  /** The last zxid the server has applied. */
  zxid: bigint
  /** What the server is doing. */
  mode: ServerMode
  /** Znodes in its tree. */
  nodeCount: number
  /** A leader's proposal sizes; undefined on other servers. */
  proposalSizes: ProposalSizes | undefined
}

/** The sizes of the proposals a leader sent, bytes; each -1 before the first. */
export interface ProposalSizes {
  /** The last one. */
  last: number
  /** The smallest. */
  min: number
  /** The largest. */
  max: number
}

/** One client connection as `stat` lists it. */
export interface ClientConnection {
  /** The client's address and port as the server sees it ("127.0.0.1:52798", "[::1]:52798"). */
  address: string
  /** The connection's selector interest set (0 while the server holds its reads back). */
  interestOps: number
  /** Requests of this connection not yet answered. */
  outstandingRequests: number
  /** Packets received on this connection. */
  packetsReceived: number
  /** Packets sent on this connection. */
  packetsSent: number
}

/** Result of `stat`: `srvr` plus the client connections. */
export interface StatResult extends SrvrResult {
  /**
   * The client connections. Over the client port this includes the connection that asked; over
   * HTTP it does not.
   */
  clients: ClientConnection[]
}

/** The session a connection carries, as `cons` reports it. */
export interface ConnectionSession {
  /** The session id. */
  sessionId: bigint
  /** The last operation, by ZooKeeper's short name ("GETD", "PING", "SESS", …). */
  lastOperation: string
  /** When the connection was established, ms since the epoch. */
  established: number
  /** The negotiated session timeout, ms. */
  sessionTimeout: number
  /** The xid of the last request, or undefined before the first. */
  lastCxid: number | undefined
  /** The zxid of the last reply. */
  lastZxid: bigint
  /** When the last reply went out, on the server's monotonic clock (ms; comparable only on that server). */
  lastResponseTime: number
  /** Latencies of this connection's requests, ms: the last one, then min/avg/max. */
  lastLatency: number
  /** Smallest latency, ms. */
  minLatency: number
  /** Mean latency, ms (ZooKeeper rounds it down). */
  avgLatency: number
  /** Largest latency, ms. */
  maxLatency: number
}

/** One client connection as `cons` lists it. */
export interface ConnectionInfo extends ClientConnection {
  /** Its session, or undefined while it has none (a four-letter-word connection, a handshake). */
  session: ConnectionSession | undefined
}

/** Result of `cons`. */
export interface ConsResult extends RawAnswer {
  /** The connections on the client port (including, over that port, the one that asked). */
  connections: ConnectionInfo[]
  /** The connections on the secure client port (only the AdminServer lists them; else empty). */
  secureConnections: ConnectionInfo[]
}

/** A member of the ensemble as `conf` lists it. */
export interface QuorumMember {
  /** Its server id (the N of server.N). */
  id: number
  /** Its addresses and role as configured ("127.0.0.1:2888:3888:participant;127.0.0.1:2181"). */
  spec: string
}

/** Result of `conf`: the server's configuration. */
export interface ConfResult extends RawAnswer {
  /** The client port. */
  clientPort: number
  /** Where snapshots go. */
  dataDir: string
  /** Where the transaction log goes. */
  dataLogDir: string
  /** The tick, ms. */
  tickTime: number
  /** Connections allowed per client address (0: no limit). */
  maxClientCnxns: number
  /** The smallest session timeout granted, ms. */
  minSessionTimeout: number
  /** The largest session timeout granted, ms. */
  maxSessionTimeout: number
  /** The server id (0 standalone). */
  serverId: number
  /** The client port's listen backlog (-1: the system's), or undefined where the server does not say (before 3.7). */
  clientPortListenBacklog: number | undefined
  /** The ensemble's members (four-letter word only: the AdminServer's conf does not list them; else empty). */
  servers: QuorumMember[]
  /**
   * Every setting as the server named and printed it: camelCase keys and text values over the
   * client port (`initLimit`, `peerType`, …), the AdminServer's snake_case keys over HTTP.
   */
  settings: Record<string, string>
}

/** Result of `envi`: the server's environment (Java and OS properties, paths). */
export interface EnviResult extends RawAnswer {
  /** Each entry by name ("zookeeper.version", "java.version", "os.name", "user.dir", …). */
  environment: Record<string, string>
}

/** Result of `mntr`: the monitoring values, with the common ones typed. */
export interface MntrResult extends RawAnswer {
  /** The version string. */
  version: string
  /** What the server is doing (`server_state`). */
  mode: ServerMode
  /** The peer's state in a quorum ("leading - broadcast", "following - broadcast"), else undefined. */
  peerState: string | undefined
  /** Mean request latency, ms. */
  avgLatency: number
  /** Largest request latency, ms. */
  maxLatency: number
  /** Smallest request latency, ms. */
  minLatency: number
  /** Packets received from clients. */
  packetsReceived: number
  /** Packets sent to clients. */
  packetsSent: number
  /** Client connections open now. */
  numAliveConnections: number
  /** Requests received and not yet answered. */
  outstandingRequests: number
  /** Znodes in the tree. */
  znodeCount: number
  /** Watches set. */
  watchCount: number
  /** Ephemeral znodes. */
  ephemeralsCount: number
  /** Bytes of znode data, roughly. */
  approximateDataSize: number
  /** Open file descriptors (Unix only; else undefined). */
  openFileDescriptorCount: number | undefined
  /** The file descriptor limit (Unix only; else undefined). */
  maxFileDescriptorCount: number | undefined
  /** Followers in sync with this leader; undefined on other servers. */
  syncedFollowers: number | undefined
  /** Syncs this leader has not finished; undefined on other servers. */
  pendingSyncs: number | undefined
  /**
   * Every value by name, without the `zk_` prefix the client port adds: numbers as numbers, other
   * values as text. Values the server reports as null are left out.
   */
  metrics: Record<string, number | string>
}

/** Result of `wchs`: how many watches are set. */
export interface WchsResult extends RawAnswer {
  /** Connections with at least one watch. */
  connections: number
  /** Paths with at least one watch. */
  paths: number
  /** Watches in all (data and child watches counted apart). */
  watches: number
}

/** A session as `dump` reports it. */
export interface SessionExpiry {
  /** The session id. */
  sessionId: bigint
  /**
   * When the session expires unless heard from, in ms on the clock named by DumpResult.clock;
   * undefined where the server lists timeouts instead (a follower) or prints a time zone it cannot
   * be read in.
   */
  expiresAt: number | undefined
  /** The session's timeout, ms, where the server lists it (a follower's global sessions); else undefined. */
  timeout: number | undefined
}

/** The ephemeral znodes of one session. */
export interface SessionEphemerals {
  /** The owning session. */
  sessionId: bigint
  /** Their paths. */
  paths: string[]
}

/** A connection as the client port's `dump` lists it. */
export interface ConnectionExpiry {
  /** The client's address and port. */
  address: string
  /** Its session id (0n before the handshake). */
  sessionId: bigint
  /** When the server drops it unless heard from, ms since the epoch (undefined as for SessionExpiry). */
  expiresAt: number | undefined
}

/** Result of `dump`: sessions, their ephemeral znodes and (client port only) connections. */
export interface DumpResult extends RawAnswer {
  /**
   * The clock of the `expiresAt` times: `wall` (ms since the epoch, to the second, as the client
   * port prints dates) or `elapsed` (the server's monotonic clock, as the AdminServer gives it:
   * compare such times only with each other).
   */
  clock: 'wall' | 'elapsed'
  /** Sessions the server tracks (a follower knows only their timeouts). */
  sessions: SessionExpiry[]
  /** Ephemeral znodes by session. */
  ephemerals: SessionEphemerals[]
  /** Client connections (the client port's dump only; empty over HTTP). */
  connections: ConnectionExpiry[]
}

/** The commands both clients offer, each resolving to its typed result. */
export interface AdminCommands {
  /** Is the server running (over HTTP: serving)? */
  ruok(opts?: AdminCallOptions): Promise<RuokResult>
  /** Version, role, latency and packet counters, zxid, node count. */
  srvr(opts?: AdminCallOptions): Promise<SrvrResult>
  /** `srvr` plus the client connections. */
  stat(opts?: AdminCallOptions): Promise<StatResult>
  /** Monitoring values. */
  mntr(opts?: AdminCallOptions): Promise<MntrResult>
  /** Client connections with their sessions. */
  cons(opts?: AdminCallOptions): Promise<ConsResult>
  /** Configuration. */
  conf(opts?: AdminCallOptions): Promise<ConfResult>
  /** Environment. */
  envi(opts?: AdminCallOptions): Promise<EnviResult>
  /** Watch counts. */
  wchs(opts?: AdminCallOptions): Promise<WchsResult>
  /** Sessions and ephemerals. */
  dump(opts?: AdminCallOptions): Promise<DumpResult>
  /** Read-only or not. */
  isro(opts?: AdminCallOptions): Promise<IsroResult>
}
