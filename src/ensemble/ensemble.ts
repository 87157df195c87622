// The public shape of a bundled ensemble: startEnsemble()'s options and the Ensemble it resolves
// with. Declared apart from index.ts so that the launchers and the control plane, which index.ts
// imports, can name them without importing it back.
import type { ServerMode } from './commit.js'
import type { ServerOptions } from './server-view.js'
import type { ZooKeeperServer } from './server.js'
import type { PeerTls } from './peer-links.js'
import type { ResetOptions, SessionInfo } from './tree-admin.js'
import type { DumpOptions, TreeDump, TreeFixture } from './tree-dump.js'

/** Options of startEnsemble(). */
export interface EnsembleOptions extends Omit<ServerOptions, 'serverId' | 'quorum' | 'secret'> {
  /** Number of servers (default 1). More than one run Zab; use an odd number (3, 5). */
  size?: number
  /** Zab's tick, ms (default 50). */
  peerTickMs?: number
  /** Zab ticks of silence before a peer gives up on another (default 10). */
  peerSilenceTicks?: number
  /** Resolve only once a leader serves and every server follows it (default true). */
  waitForLeader?: boolean
  /**
   * Run each server of a quorum in its own process (kill is SIGKILL, pause is SIGSTOP). Their logs
   * go to `dataDir` (when none is given, a temporary directory removed at stop, or by the servers
   * themselves should this process die first: they notice, exit, and delete it).
   */
  processes?: boolean
  /**
   * Peer links over mutual TLS, as ZooKeeper's `sslQuorum=true`: every server presents `cert` (with
   * `key`, PEM) and accepts only peers whose certificate `ca` signed; the ensemble's secret is still
   * proved on top. A plain-text or wrongly certified stranger never reaches the handshake.
   */
  quorumTls?: PeerTls
}

/** A running ensemble. */
export interface Ensemble {
  /** "127.0.0.1:port[,…]" */
  readonly connectString: string
  /**
   * "127.0.0.1:port[,…]" of the secure (TLS) client ports with the `secureClient` option, else
   * undefined. With `secureClient.only` it is also the connectString.
   */
  readonly secureConnectString: string | undefined
  /**
   * The HTTP port of server i's AdminServer (`http://127.0.0.1:<port>/commands`), or undefined
   * without the `adminPort` option. It stays the same across kill() and restart().
   */
  adminPortOf(i?: number): number | undefined
  /** The servers, when they run in this process (empty with `processes: true`). */
  readonly servers: ZooKeeperServer[]
  /** What each server is doing now ("down" when killed). */
  modes(): (ServerMode | 'down')[]
  /** Expire a session now, as if its timeout had passed (ephemerals deleted, watchers told). */
  expireSession(sessionId: bigint): boolean
  /**
   * Crash server i: it stops listening and drops its connections at once. With a dataDir its
   * acknowledged state survives; in memory it is gone (a fresh, empty server comes back).
   */
  kill(i?: number): Promise<void>
  /** Start server i again on the same port (after kill(), or as a crash and restart if running). */
  restart(i?: number): Promise<void>
  /** Freeze server i (as SIGSTOP): connections stay open, nothing is answered, no session expires. */
  pause(i?: number): void
  /** Let a paused server i run again; its sessions get a full timeout from now. */
  resume(i?: number): void
  /** Cut every client connection to server i; the server stays up and sessions live on. */
  dropConnections(i?: number): void
  /** Index of the server that leads now (the only one standalone), or undefined during an election. */
  leader(): number | undefined
  /** Resolve with the leader's index once a leader and a majority serve. */
  waitForLeader(timeoutMs?: number): Promise<number>
  /**
   * Resolve once server i is in `mode` (or in any of several), with the mode it is in: at once if it
   * already is, else on the role change that takes it there, as modes() would report it ("down"
   * after kill(); a paused server keeps its mode). Rejects after `timeoutMs` (default 30 s) with an
   * error naming the server, the mode wanted and every server's mode then; rejects with a
   * RangeError for an unknown server or mode.
   * @example await ens.waitForMode(2, 'follower') // after restart(2): synced with the leader
   * @example await ens.waitForMode(0, ['leader', 'follower']) // serving clients again
   */
  waitForMode(i: number, mode: ServerMode | 'down' | readonly (ServerMode | 'down')[], timeoutMs?: number): Promise<ServerMode | 'down'>
  /**
   * Cut the ensemble into groups of server indexes that cannot reach each other (servers not named
   * form a group of their own each). Client connections are not affected.
   */
  partition(groups: number[][]): void
  /** Undo partitions and link faults. */
  heal(): void
  /** Lose (or stop losing) what server `from` sends to server `to`; the reverse direction works. */
  dropLink(from: number, to: number, on?: boolean): void
  /** Delay what server `from` sends to server `to` by `ms` (0 to stop). */
  delayLink(from: number, to: number, ms: number): void
  /** "127.0.0.1:port" of server i alone. */
  connectStringOf(i: number): string
  /** "127.0.0.1:port" of server i's secure client port, or undefined without `secureClient`. */
  secureConnectStringOf(i: number): string | undefined
  /**
   * The tree as JSON, read on the leader: every node but /zookeeper, parents first, with its data
   * (UTF-8 where the bytes allow, else base64, as each node's `encoding` says), ACL, kind and the
   * ephemeral's owner.
   */
  dumpTree(opts?: DumpOptions): Promise<TreeDump>
  /**
   * Make the tree `fixture` (a dumpTree() result, or nodes written by hand): what is there goes and
   * the fixture's nodes are created, as txns every server applies. An ephemeral's owner must be a
   * live session. Rejects with TreeDumpError, naming the node, when the fixture cannot be loaded.
   */
  loadTree(fixture: TreeFixture): Promise<void>
  /**
   * Empty the tree between tests, servers staying up: it becomes the tree of a fresh server. Every
   * node but "/" and ZooKeeper's own /zookeeper, /zookeeper/quota and /zookeeper/config is deleted
   * (quotas, and so their limits, included) and the root's data and ACL are reset, as txns every
   * server applies, so watchers fire as for any delete. Open sessions stay open (their ephemerals go) unless `expireSessions` expires them.
   * Resolves once the leader applied it and the other serving servers caught up.
   */
  reset(opts?: ResetOptions): Promise<void>
  /** The sessions the leader tracks, with their ephemerals. */
  sessions(): Promise<SessionInfo[]>
  /** Stop every server. */
  stop(): Promise<void>
  /** stop(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void>
}
