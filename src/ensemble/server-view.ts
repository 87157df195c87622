// The server as its inspectors see it (four-letter words, mntr, the AdminServer): what they may read,
// declared below the server so that they need not import it, and it can import them.
import type { DataTree } from './datatree.js'
import type { SessionTracker } from './session-tracker.js'
import type { WatchManager } from './watch-manager.js'
import type { ServerMetrics } from './server-metrics.js'
import type { ClientConnection } from './client-connection.js'
import type { QuorumConfig, QuorumPeer } from './quorum-peer.js'
import type { ServerMode } from './commit.js'
import type { SecureClientOptions } from './secure-listener.js'
import type { SaslOptions } from './sasl.js'

/** ZooKeeper's maxClientCnxns default: connections from one IP address at a time. */
export const DEFAULT_MAX_CLIENT_CNXNS = 60
/** ZooKeeper's zookeeper.globalOutstandingLimit default. */
export const DEFAULT_GLOBAL_OUTSTANDING_LIMIT = 1000
/** ZooKeeper's zookeeper.nio.sessionlessCnxnTimeout default, ms. */
export const DEFAULT_SESSIONLESS_CONNECTION_TIMEOUT = 10_000

/** Options of one server. */
export interface ServerOptions {
  /** Client port (default 0: the OS picks one; listen() resolves with it). */
  port?: number
  /** Address to bind (default 127.0.0.1). */
  host?: string
  /** ZooKeeper's tickTime in ms (default 2000): the unit of session timeouts and expiry checks. */
  tickTime?: number
  /** Shortest session timeout granted, ms (default 2 × tickTime, as in ZooKeeper). */
  minSessionTimeout?: number
  /** Longest session timeout granted, ms (default 20 × tickTime, as in ZooKeeper). */
  maxSessionTimeout?: number
  /** "super:<base64 sha1>" digest id granting super rights. */
  superDigest?: string
  /** SASL (DIGEST-MD5) users on the client port, and whether sessions must authenticate; enables the `sasl` ACL scheme. */
  sasl?: SaslOptions
  /** Allow TTL nodes (default true, like a ZooKeeper started with extendedTypesEnabled). */
  ttlEnabled?: boolean
  /**
   * Refuse writes over a hard quota (`setquota -N/-B`) with QUOTAEXCEEDED, as ZooKeeper started
   * with zookeeper.enforceQuota=true (default false, as ZooKeeper: hard limits only log).
   */
  enforceQuota?: boolean
  /** jute.maxbuffer: largest request or znode payload accepted (default 0xfffff). */
  maxBuffer?: number
  /** Server id, as in ZooKeeper's myid (default 1); it seeds the session ids the server mints. */
  serverId?: number
  /** Keep a transaction log and snapshots here; without it the server is in-memory only. */
  dataDir?: string
  /** fsync the log before acknowledging a write (default true with a dataDir). */
  fsync?: boolean
  /** Take a snapshot after this many logged txns (default 10000). */
  snapshotEvery?: number
  /** How often empty containers and expired TTL nodes are reaped, ms (ZooKeeper's default 60000). */
  containerCheckInterval?: number
  /**
   * Serve ZooKeeper's AdminServer (`/commands` over HTTP, as admin.serverPort) on this port of
   * 127.0.0.1; 0 picks a free one (see `adminPort` once listening). Off when absent. In
   * startEnsemble() server i of a quorum takes adminPort + i (0: a free port each).
   */
  adminPort?: number
  /** Also (or, with `only`, instead) serve clients over TLS on a secure client port, as ZooKeeper's secureClientPort. */
  secureClient?: SecureClientOptions
  /**
   * Run as one peer of a quorum (Zab) instead of standalone.
   * @internal startEnsemble() wires this up.
   */
  quorum?: QuorumConfig
  /** Secret that session passwords derive from; peers of one ensemble share it. */
  secret?: Buffer
  /**
   * The four-letter words answered on the client port (ZooKeeper's `4lw.commands.whitelist`), or
   * `'*'` for all. Default `'*'`, unlike ZooKeeper, whose default allows only `srvr`; `srvr` is
   * always allowed, as in ZooKeeper. A word left out gets ZooKeeper's "… is not executed because it
   * is not in the whitelist." The AdminServer is not governed by this list.
   */
  fourLetterWords?: readonly string[] | '*'
  /** Most connections from one IP address at a time (ZooKeeper's maxClientCnxns, default 60; 0: no limit). */
  maxClientCnxns?: number
  /**
   * Requests read and not yet answered, all connections together, above which connections with
   * requests of their own outstanding are not read (zookeeper.globalOutstandingLimit, default 1000).
   */
  globalOutstandingLimit?: number
  /**
   * A connection that has sent no ConnectRequest this long after it opened is closed, ms
   * (zookeeper.nio.sessionlessCnxnTimeout, default 10000).
   */
  sessionlessConnectionTimeout?: number
}

/** What the inspectors read of a running server. */
export interface ServerView {
  readonly opts: ServerOptions
  readonly mode: ServerMode
  /** Whether clients are served now. */
  readonly serving: boolean
  /** Whether this server decides writes (standalone, or the leader). */
  readonly decides: boolean
  readonly tree: DataTree
  readonly tracker: SessionTracker
  readonly watches: WatchManager
  readonly metrics: ServerMetrics
  readonly connections: ReadonlySet<ClientConnection>
  /** The quorum side, when the server is one peer of an ensemble. */
  readonly quorum: QuorumPeer | undefined
  readonly startedAt: number
  /** Requests read from clients and not yet answered, all connections together (mntr's outstanding_requests). */
  readonly outstanding: number
  /** Frames sent to and read from clients (stat_reset zeroes them). */
  packetsSent: number
  packetsReceived: number
  readonly port: number | undefined
  readonly securePort: number | undefined
  readonly adminPort: number | undefined
  nodeCount(): number
}
