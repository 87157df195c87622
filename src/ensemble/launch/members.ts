// The one builder of the Ensemble object. Each launcher (a single server, a quorum in this process, a
// quorum of child processes) describes its servers as Members: how to reach, watch and hurt server
// i. buildEnsemble() turns that into the public API: index checks, waits on role changes, tree ops.
import type { Ensemble } from '../ensemble.js'
import type { ServerMode, ZooKeeperServer } from '../server.js'
import { treeOps, type TreeAdminReply, type TreeAdminRequest } from '../tree-admin.js'

/** What server i is doing, as Ensemble.modes() reports it. */
export type MemberMode = ServerMode | 'down'

/** Every mode a server can be in, for waitForMode()'s check of its argument. */
const MEMBER_MODES: readonly MemberMode[] = ['standalone', 'leader', 'follower', 'looking', 'down']

/** Listeners for "some server changed its role" (every wait of the Ensemble re-checks on them). */
export type RoleChanges = Set<() => void>

/** Tell every listener that a role may have changed. */
export function notifyRoleChange(changes: RoleChanges): void {
  // A copy: a listener that is satisfied removes itself while we iterate.
  for (const listener of [...changes]) listener()
}

/** Server i's links to its peers, for partitions and one-way link faults. Peers are named by id (index + 1). */
export interface PeerLinks {
  block(i: number, peerIds: number[]): void
  heal(i: number): void
  drop(i: number, toId: number, on: boolean): void
  delay(i: number, toId: number, ms: number): void
}

/** Who leads, and what the waits for a leader resolve with: the rule a single server answers its own way. */
export interface Leadership {
  /** The index of the server that takes writes now, or undefined. */
  leader(): number | undefined
  /** What waitForLeader() resolves with. */
  waitForLeader(timeoutMs: number): Promise<number>
  /** The leader for tree operations, called when leader() has none; rejects when none comes. */
  waitForTreeLeader(timeoutMs: number): Promise<number>
  /** The server that expires a session on expireSession(), or undefined when none can. */
  sessionExpirer(): number | undefined
}

/** How to reach and hurt server i (0-based; every index is checked before a member is asked). */
export interface Members {
  size: number
  /** The server objects when they run in this process (entries are replaced on restart), else empty. */
  servers: ZooKeeperServer[]
  /** The host clients connect to. */
  host: string
  clientPort(i: number): number
  /** Server i's secure (TLS) client port, or undefined without one. */
  securePort(i: number): number | undefined
  adminPort(i: number): number | undefined
  mode(i: number): MemberMode
  paused(i: number): boolean
  kill(i: number): Promise<void>
  restart(i: number): Promise<void>
  pause(i: number): void
  resume(i: number): void
  dropConnections(i: number): void
  expire(i: number, sessionId: bigint): boolean
  /** Peer links; absent for a single server, which has none. */
  links?: PeerLinks
  admin(i: number, req: TreeAdminRequest): Promise<TreeAdminReply>
  stopAll(): Promise<void>
  /** Who leads; when absent, a quorum's rule: the leader that is not paused, waited for until a majority serves. */
  leadership?: Leadership
}

/**
 * Resolve with what `probe` returns once it is defined, re-probing on every role change; reject
 * after `timeoutMs` with "<failure> within <ms> ms (modes: …)".
 */
type Until = <T>(probe: () => T | undefined, timeoutMs: number, failure: string) => Promise<T>

/** What a single server answers to partition(), dropLink() and delayLink(). */
const NO_LINKS = {
  partition: 'partition: a single server has no peers to cut off',
  dropLink: 'dropLink: a single server has no peer links',
  delayLink: 'delayLink: a single server has no peer links',
}

/**
 * The Ensemble API over `m`. `changes` must be told of every role change the members see (kill,
 * restart, pause and resume are told here). With `waitForAll` it resolves once every server serves
 * (and stops them all if that does not happen within 30 s).
 */
export async function buildEnsemble(m: Members, changes: RoleChanges, waitForAll: boolean): Promise<Ensemble> {
  const indexes = Array.from({ length: m.size }, (_, i) => i)
  const check = (i: number) => {
    if (!Number.isInteger(i) || i < 0 || i >= m.size)
      throw new RangeError(`no server ${i}: the ensemble has ${m.size === 1 ? '1 server' : `servers 0 to ${m.size - 1}`}`)
    return i
  }
  const links = (op: keyof typeof NO_LINKS): PeerLinks => {
    if (!m.links) throw new RangeError(NO_LINKS[op])
    return m.links
  }
  const address = (i: number) => `${m.host}:${m.clientPort(i)}`
  const secureAddress = (i: number) => {
    const port = m.securePort(i)
    return port === undefined ? undefined : `${m.host}:${port}`
  }
  const modes = () => indexes.map((i) => m.mode(i))
  const serves = (i: number) => !m.paused(i) && (m.mode(i) === 'leader' || m.mode(i) === 'follower')

  const until: Until = (probe, timeoutMs, failure) =>
    new Promise((resolve, reject) => {
      const reprobe = () => {
        const v = probe()
        if (v === undefined) return
        finish()
        resolve(v)
      }
      const timer = setTimeout(() => {
        finish()
        reject(new Error(`${failure} within ${timeoutMs} ms (modes: ${modes().join(', ')})`))
      }, timeoutMs)
      const finish = () => {
        clearTimeout(timer)
        changes.delete(reprobe)
      }
      changes.add(reprobe)
      reprobe()
    })

  const leadership = m.leadership ?? electedLeadership(m, indexes, serves, until)
  const leader = () => leadership.leader()
  let stopped: Promise<void> | undefined
  const ensemble: Ensemble = {
    connectString: indexes.map(address).join(','),
    secureConnectString: m.securePort(0) === undefined ? undefined : indexes.map(secureAddress).join(','),
    adminPortOf: (i = 0) => m.adminPort(check(i)),
    servers: m.servers,
    modes,
    expireSession(id) {
      const i = leadership.sessionExpirer()
      return i === undefined ? false : m.expire(i, id)
    },
    kill: async (i = 0) => {
      await m.kill(check(i))
      notifyRoleChange(changes)
    },
    restart: async (i = 0) => {
      await m.restart(check(i))
      // Coming back from "down" is no role change of the server's own: waits begun while it was down learn of it here.
      notifyRoleChange(changes)
    },
    pause: (i = 0) => {
      m.pause(check(i))
      notifyRoleChange(changes)
    },
    resume: (i = 0) => {
      m.resume(check(i))
      notifyRoleChange(changes)
    },
    dropConnections: (i = 0) => m.dropConnections(check(i)),
    leader,
    waitForLeader: (timeoutMs = 30_000) => leadership.waitForLeader(timeoutMs),
    async waitForMode(i, mode, timeoutMs = 30_000) {
      const k = check(i)
      const wanted: readonly MemberMode[] = Array.isArray(mode) ? mode : [mode as MemberMode]
      const unknown = wanted.find((w) => !MEMBER_MODES.includes(w))
      if (wanted.length === 0 || unknown !== undefined) {
        throw new RangeError(
          `waitForMode: ${wanted.length === 0 ? 'no mode given' : `unknown mode ${JSON.stringify(unknown)}`}; a server is ${MEMBER_MODES.join(', ')}`,
        )
      }
      const reached = () => {
        const now = m.mode(k)
        return wanted.includes(now) ? now : undefined
      }
      return until(reached, timeoutMs, `server ${k} did not become ${wanted.join(' or ')}`)
    },
    partition(groups) {
      const cut = links('partition')
      const group = new Map<number, number>()
      groups.forEach((g, k) =>
        g.forEach((i) => {
          if (group.has(check(i))) throw new RangeError(`partition: server ${i} is named in two groups`)
          group.set(i, k)
        }),
      )
      // Every server not named is a group of its own.
      for (const i of indexes) if (!group.has(i)) group.set(i, groups.length + i)
      // Only once every group is valid: a bad call changes nothing.
      for (const i of indexes)
        cut.block(
          i,
          indexes.filter((j) => group.get(j) !== group.get(i)).map((j) => j + 1),
        )
    },
    heal: () => {
      for (const i of indexes) m.links?.heal(i)
    },
    dropLink: (from, to, on = true) => links('dropLink').drop(check(from), check(to) + 1, on),
    delayLink: (from, to, ms) => links('delayLink').delay(check(from), check(to) + 1, ms),
    connectStringOf: (i) => address(check(i)),
    secureConnectStringOf: (i) => secureAddress(check(i)),
    ...treeOps({
      leader,
      waitForLeader: (ms) => leadership.waitForTreeLeader(ms),
      serving: () => indexes.filter(serves),
      run: (i, req) => m.admin(i, req),
    }),
    stop: () => (stopped ??= m.stopAll()),
    [Symbol.asyncDispose]: () => ensemble.stop(),
  }
  if (waitForAll) {
    try {
      // At start every server was started: wait until each serves, not just a majority.
      const all = () => (modes().every((x) => x === 'leader' || x === 'follower') ? leader() : undefined)
      await until(all, 30_000, 'no leader with every server serving')
    } catch (err) {
      await ensemble.stop()
      throw err
    }
  }
  return ensemble
}

/** A quorum's rule: the leader is the server in leader mode that is not paused; a wait ends once a majority serves. */
function electedLeadership(m: Members, indexes: number[], serves: (i: number) => boolean, until: Until): Leadership {
  const leader = () => indexes.find((i) => m.mode(i) === 'leader' && !m.paused(i))
  const settled = () => {
    const l = leader()
    return l !== undefined && indexes.filter(serves).length > m.size / 2 ? l : undefined
  }
  const wait = (timeoutMs: number) => until(settled, timeoutMs, 'no a leader with a serving majority')
  // Only the leader expires sessions.
  return { leader, waitForLeader: wait, waitForTreeLeader: wait, sessionExpirer: leader }
}
