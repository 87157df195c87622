// Tree administration for tests: dump the tree, empty it, load a fixture, list sessions. A change is
// planned against the leader's view (tree-dump.ts), proposed there as ordinary txns, so every server
// applies it in zxid order like any write, and reported once the leader applied it and the other
// serving servers caught up. runTreeAdmin() works on one server; treeOps() gives an ensemble the
// methods, over whatever reaches its servers (a call in this process, or IPC to a peer process).
import type { ZooKeeperServer } from './server.js'
import {
  dumpTree,
  hexId,
  parseHexId,
  planLoad,
  planReset,
  readTreeFixture,
  type DumpOptions,
  type PlannedTxn,
  type TreeDump,
  type TreeFixture,
} from './tree-dump.js'

/** No leader to make the change, or it lost leadership (or time) before the change was applied. */
export class LeaderUnavailableError extends Error {
  /** Always "LeaderUnavailableError". */
  override readonly name = 'LeaderUnavailableError'
}

/** A session the leader tracks. */
export interface SessionInfo {
  /** The session id (print it with `0x${id.toString(16)}`, as ZooKeeper does). */
  id: bigint
  /** Its negotiated timeout, ms. */
  timeoutMs: number
  /** Paths of the ephemerals it owns. */
  ephemerals: string[]
}

/** Options of reset(). */
export interface ResetOptions {
  /**
   * Expire every session first (default false): their clients see Expired, as after a real session
   * timeout. Otherwise sessions stay open and see only the deletes.
   */
  expireSessions?: boolean
}

/** What one server is asked to do (plain JSON, so it crosses IPC as is). @internal */
export type TreeAdminRequest =
  | { op: 'dump'; encoding?: DumpOptions['encoding'] }
  | { op: 'sessions' }
  | { op: 'reset'; expireSessions: boolean }
  | { op: 'load'; fixture: TreeFixture }
  | { op: 'caughtUp'; zxid: string; timeoutMs: number }

/** A session as it crosses IPC (the id in hex). @internal */
export interface SessionListing {
  id: string
  timeoutMs: number
  ephemerals: string[]
}

/** The answer: the server's last applied zxid, and what was asked for. @internal */
export interface TreeAdminReply {
  zxid: string
  dump?: TreeDump
  sessions?: SessionListing[]
}

/** How long the leader may take to apply a change. */
export const ADMIN_TIMEOUT_MS = 10_000
/** How long the other servers get to catch up with a change; one cut off from the leader is not waited for longer. */
const CATCH_UP_MS = 2_000
/** How long to wait for a leader before giving up on a tree operation. */
const LEADER_WAIT_MS = 10_000

/**
 * The cxid of the txns proposed here. Never a client's: clients number their requests from 1 up and
 * ZooKeeper's special xids are -1 to -8, so the request bookkeeping of an ephemeral's owner never
 * mistakes one of these for its own.
 */
const ADMIN_CXID = -0x5a00

/** Resolve once `server` has applied `zxid`; with `leading`, reject if it stops leading first. */
function appliedThrough(server: ZooKeeperServer, zxid: bigint, timeoutMs: number, leading: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      // Under a new leader a higher zxid may not contain our change: no longer leading is a failure.
      if (leading && !server.decides)
        return finish(
          new LeaderUnavailableError(
            `server ${server.opts.serverId ?? 1} stopped leading before the change committed; it may or may not have taken effect`,
          ),
        )
      if (server.tree.lastZxid >= zxid) finish()
    }
    const timer = setTimeout(
      () =>
        finish(
          new LeaderUnavailableError(
            `the change (zxid ${hexId(zxid)}) was not applied within ${timeoutMs} ms (server ${server.opts.serverId ?? 1} is ${server.mode})`,
          ),
        ),
      timeoutMs,
    )
    const finish = (err?: Error) => {
      clearTimeout(timer)
      server.appliedListeners.delete(check)
      server.quorum?.off('mode', check)
      if (err) reject(err)
      else resolve()
    }
    server.appliedListeners.add(check)
    server.quorum?.on('mode', check)
    check()
  })
}

/** Propose each planned txn on the deciding server, then wait until it applied them all. */
async function commit(server: ZooKeeperServer, plan: PlannedTxn[], timeoutMs: number): Promise<void> {
  const view = () => server.commit.view ?? server.tree
  for (const p of plan) {
    const before = view().lastZxid
    server.propose({ hdr: { clientId: p.clientId, cxid: ADMIN_CXID, time: BigInt(Date.now()) }, txn: p.txn })
    if (view().lastZxid === before)
      throw new LeaderUnavailableError(`server ${server.opts.serverId ?? 1} could not propose the change (it is ${server.mode})`)
  }
  // The view holds every decided change, the session expiries of a reset included.
  await appliedThrough(server, view().lastZxid, timeoutMs, true)
}

const live = (server: ZooKeeperServer, id: bigint) => {
  const s = server.tracker.sessions.get(id)
  return s !== undefined && !s.closing
}

/** Carry out `req` on one server: dump, sessions, reset and load on the one that decides writes. @internal */
export async function runTreeAdmin(server: ZooKeeperServer, req: TreeAdminRequest, timeoutMs = ADMIN_TIMEOUT_MS): Promise<TreeAdminReply> {
  const done = () => ({ zxid: hexId(server.tree.lastZxid) })
  if (req.op === 'caughtUp') {
    await appliedThrough(server, BigInt(req.zxid), req.timeoutMs, false)
    return done()
  }
  if (!server.decides || server.paused)
    throw new LeaderUnavailableError(
      `server ${server.opts.serverId ?? 1} does not lead now (it is ${server.paused ? 'paused' : server.mode})`,
    )
  const view = () => server.commit.view ?? server.tree
  switch (req.op) {
    case 'dump':
      // The applied tree: what a client reading from the leader sees now.
      return { ...done(), dump: dumpTree(server.tree, { encoding: req.encoding }) }
    case 'sessions': {
      const sessions = [...server.tracker.sessions.values()]
        .filter((s) => !s.closing)
        .map((s) => ({ id: hexId(s.id), timeoutMs: s.timeout, ephemerals: [...(server.tree.ephemerals.get(s.id) ?? [])].sort() }))
      return { ...done(), sessions }
    }
    case 'reset':
      if (req.expireSessions) for (const id of [...server.tracker.sessions.keys()]) server.expireSession(id)
      await commit(server, planReset(view()), timeoutMs)
      return done()
    case 'load':
      await commit(
        server,
        planLoad(view(), readTreeFixture(req.fixture), (id) => live(server, id)),
        timeoutMs,
      )
      return done()
  }
}

/** How an ensemble reaches its servers for tree operations. @internal */
export interface TreeAdminTargets {
  /** The leader's index now, or undefined. */
  leader(): number | undefined
  /** Wait for a leader; rejects when none comes in time. */
  waitForLeader(timeoutMs: number): Promise<number>
  /** Indexes of the servers that serve clients now. */
  serving(): number[]
  /** Ask server i. */
  run(i: number, req: TreeAdminRequest): Promise<TreeAdminReply>
}

/** The tree methods of an Ensemble. @internal */
export interface TreeOps {
  dumpTree(opts?: DumpOptions): Promise<TreeDump>
  loadTree(fixture: TreeFixture): Promise<void>
  reset(opts?: ResetOptions): Promise<void>
  sessions(): Promise<SessionInfo[]>
}

/** dumpTree, loadTree, reset and sessions over `t`. @internal */
export function treeOps(t: TreeAdminTargets): TreeOps {
  const onLeader = async (req: TreeAdminRequest) => {
    const l =
      t.leader() ??
      (await t.waitForLeader(LEADER_WAIT_MS).catch((err: Error) => {
        throw new LeaderUnavailableError(`no leader to ask: ${err.message}`, { cause: err })
      }))
    return { leader: l, reply: await t.run(l, req) }
  }
  /** A change: made on the leader, then the other servers get a moment to apply it too. */
  const change = async (req: TreeAdminRequest) => {
    const { leader, reply } = await onLeader(req)
    // So that a client reading from a follower right after sees the change; a server cut off from
    // the leader cannot catch up, and is not waited for beyond CATCH_UP_MS.
    const others = t.serving().filter((i) => i !== leader)
    await Promise.all(others.map((i) => t.run(i, { op: 'caughtUp', zxid: reply.zxid, timeoutMs: CATCH_UP_MS }).catch(() => undefined)))
  }
  return {
    dumpTree: async (opts = {}) => (await onLeader({ op: 'dump', encoding: opts.encoding })).reply.dump!,
    async loadTree(fixture) {
      readTreeFixture(fixture) // a bad fixture fails here, before anything is sent
      await change({ op: 'load', fixture })
    },
    reset: (opts = {}) => change({ op: 'reset', expireSessions: opts.expireSessions ?? false }),
    async sessions() {
      const listed = (await onLeader({ op: 'sessions' })).reply.sessions!
      return listed.map((s) => ({ id: parseHexId(s.id)!, timeoutMs: s.timeoutMs, ephemerals: s.ephemerals }))
    },
  }
}
