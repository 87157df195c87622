// zookit/ensemble: start a ZooKeeper-compatible ensemble in-process for tests, with fault hooks. One
// server runs standalone; three or five run Zab between them over loopback TCP.
/**
 * A ZooKeeper-compatible ensemble to start in-process for tests: `startEnsemble()`, with hooks to
 * kill, pause, partition and expire. One server runs standalone; three or five run Zab.
 * @module zookit/ensemble
 */
import { randomBytes } from 'node:crypto'
import { fork, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ZooKeeperServer, type ServerMode, type ServerOptions } from './server.js'
import { validateEnsembleOptions } from './options.js'
import type { ChildConfig, FromChild, ToChild } from './peer-process.js'
import { FileStore, MemoryStore, type QuorumStore } from './zab/storage.js'
import type { PeerAddress } from './zab/links.js'
import { runTreeAdmin, treeOps, type ResetOptions, type SessionInfo, type TreeAdminReply, type TreeAdminRequest } from './tree-admin.js'
import type { DumpOptions, TreeDump, TreeFixture } from './tree-dump.js'
import { AdminCalls } from './admin-calls.js'

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
}

/** A running ensemble. */
export interface Ensemble {
  /** "127.0.0.1:port[,…]" */
  readonly connectString: string
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
   * Empty the tree between tests, servers staying up: every node but "/" and /zookeeper is deleted
   * (the root's data and ACL reset), as txns every server applies, so watchers fire as for any
   * delete. Open sessions stay open (their ephemerals go) unless `expireSessions` expires them.
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

/** Start an in-process ensemble on 127.0.0.1 (ports picked by the OS unless given). */
export async function startEnsemble(opts: EnsembleOptions = {}): Promise<Ensemble> {
  validateEnsembleOptions(opts)
  const size = opts.size ?? 1
  if (size > 1) return opts.processes ? startProcesses(opts, size) : startQuorum(opts, size)
  if (opts.processes) throw new RangeError('startEnsemble: processes: true needs a quorum (size 3 or more)')
  let server = new ZooKeeperServer({ ...opts, serverId: 1 })
  const port = await server.listen()
  const adminPort = server.adminPort
  let stopped: Promise<void> | undefined
  let running = true
  const servers = [server]
  const only = (i = 0) => {
    if (i !== 0) throw new RangeError(`no server ${i}: the ensemble has 1 server`)
  }
  const ensemble: Ensemble = {
    connectString: `127.0.0.1:${port}`,
    adminPortOf: (i) => (only(i), adminPort),
    servers,
    modes: () => [running ? 'standalone' : 'down'],
    expireSession: (id) => server.expireSession(id),
    async kill(i) {
      only(i)
      running = false
      await server.close()
    },
    async restart(i) {
      only(i)
      if (running) await server.close()
      server = new ZooKeeperServer({ ...opts, serverId: 1, port, adminPort })
      servers[0] = server
      await server.listen()
      running = true
    },
    pause: (i) => (only(i), server.pause()),
    resume: (i) => (only(i), server.resume()),
    dropConnections: (i) => (only(i), server.dropConnections()),
    leader: () => (running ? 0 : undefined),
    waitForLeader: async () => 0,
    partition: () => {
      throw new RangeError('partition: a single server has no peers to cut off')
    },
    heal: () => {},
    dropLink: () => {
      throw new RangeError('dropLink: a single server has no peer links')
    },
    delayLink: () => {
      throw new RangeError('delayLink: a single server has no peer links')
    },
    connectStringOf: (i) => (only(i), `127.0.0.1:${port}`),
    ...treeOps({
      leader: () => (running ? 0 : undefined),
      waitForLeader: async () => {
        if (!running) throw new Error('the server is down')
        return 0
      },
      serving: () => [],
      run: (_, req) => runTreeAdmin(server, req),
    }),
    stop: () => (stopped ??= running ? server.close() : Promise.resolve()),
    [Symbol.asyncDispose]: () => ensemble.stop(),
  }
  return ensemble
}

/** What differs between in-process and per-process quorums: how to reach and hurt server i. */
interface Members {
  size: number
  servers: ZooKeeperServer[]
  host: string
  clientPort(i: number): number
  adminPort(i: number): number | undefined
  mode(i: number): ServerMode | 'down'
  paused(i: number): boolean
  kill(i: number): Promise<void>
  restart(i: number): Promise<void>
  pause(i: number): void
  resume(i: number): void
  dropConnections(i: number): void
  expire(i: number, id: bigint): boolean
  block(i: number, peerIds: number[]): void
  heal(i: number): void
  drop(i: number, toId: number, on: boolean): void
  delay(i: number, toId: number, ms: number): void
  admin(i: number, req: TreeAdminRequest): Promise<TreeAdminReply>
  stopAll(): Promise<void>
}

/** Listeners for "some server changed its role" (waitForLeader waits on them). */
type Changes = Set<() => void>
const notifyAll = (c: Changes) => {
  for (const w of [...c]) w()
}

/** The Ensemble API over a quorum's members; resolves once a leader serves unless told not to wait. */
async function quorumEnsemble(m: Members, changes: Changes, wait: boolean): Promise<Ensemble> {
  const ids = Array.from({ length: m.size }, (_, i) => i + 1)
  const check = (i: number) => {
    if (!Number.isInteger(i) || i < 0 || i >= m.size) throw new RangeError(`no server ${i}: the ensemble has servers 0 to ${m.size - 1}`)
    return i
  }
  const modes = () => ids.map((_, i) => m.mode(i))
  const leader = () => {
    const i = ids.findIndex((_, k) => m.mode(k) === 'leader' && !m.paused(k))
    return i < 0 ? undefined : i
  }
  const settled = () => {
    const l = leader()
    if (l === undefined) return undefined
    const serving = ids.filter((_, k) => !m.paused(k) && (m.mode(k) === 'leader' || m.mode(k) === 'follower')).length
    return serving > m.size / 2 ? l : undefined
  }
  /** Resolve with what `probe` returns once it is defined, re-probing on every role change. */
  const until = <T>(probe: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const v = probe()
        if (v === undefined) return
        finish()
        resolve(v)
      }
      const timer = setTimeout(() => {
        finish()
        reject(new Error(`no ${what} within ${timeoutMs} ms (modes: ${modes().join(', ')})`))
      }, timeoutMs)
      const finish = () => {
        clearTimeout(timer)
        changes.delete(check)
      }
      changes.add(check)
      check()
    })
  let stopped: Promise<void> | undefined
  const ensemble: Ensemble = {
    connectString: ids.map((_, i) => `${m.host}:${m.clientPort(i)}`).join(','),
    adminPortOf: (i = 0) => m.adminPort(check(i)),
    servers: m.servers,
    modes,
    expireSession(id) {
      const l = leader()
      return l === undefined ? false : m.expire(l, id)
    },
    kill: async (i = 0) => {
      await m.kill(check(i))
      notifyAll(changes)
    },
    restart: (i = 0) => m.restart(check(i)),
    pause: (i = 0) => {
      m.pause(check(i))
      notifyAll(changes)
    },
    resume: (i = 0) => {
      m.resume(check(i))
      notifyAll(changes)
    },
    dropConnections: (i = 0) => m.dropConnections(check(i)),
    leader,
    waitForLeader: (timeoutMs = 30_000) => until(settled, timeoutMs, 'a leader with a serving majority'),
    partition(groups) {
      const group = new Map<number, number>()
      groups.forEach((g, k) =>
        g.forEach((i) => {
          if (group.has(check(i))) throw new RangeError(`partition: server ${i} is named in two groups`)
          group.set(i, k)
        }),
      )
      ids.forEach((_, i) => {
        if (!group.has(i)) group.set(i, groups.length + i)
      })
      ids.forEach((_, i) => m.block(i, ids.filter((_, j) => group.get(j) !== group.get(i))))
    },
    heal: () => ids.forEach((_, i) => m.heal(i)),
    dropLink: (from, to, on = true) => m.drop(check(from), check(to) + 1, on),
    delayLink: (from, to, ms) => m.delay(check(from), check(to) + 1, ms),
    connectStringOf: (i) => `${m.host}:${m.clientPort(check(i))}`,
    ...treeOps({
      leader,
      waitForLeader: (ms) => until(settled, ms, 'a leader with a serving majority'),
      serving: () => ids.flatMap((_, k) => (!m.paused(k) && (m.mode(k) === 'leader' || m.mode(k) === 'follower') ? [k] : [])),
      run: (i, req) => m.admin(i, req),
    }),
    stop: () => (stopped ??= m.stopAll()),
    [Symbol.asyncDispose]: () => ensemble.stop(),
  }
  if (wait) {
    try {
      // At start every server was started: wait until each serves, not just a majority.
      const all = () => (modes().every((x) => x === 'leader' || x === 'follower') ? leader() : undefined)
      await until(all, 30_000, 'leader with every server serving')
    } catch (err) {
      await ensemble.stop()
      throw err
    }
  }
  return ensemble
}

/** Server i's admin port: the option's port + i, or 0 (any free port) for each, or none. */
function adminPortFor(opts: EnsembleOptions, i: number): number | undefined {
  return opts.adminPort ? opts.adminPort + i : opts.adminPort
}

/** The secret session passwords derive from: shared by the peers, kept in the data dir if there is one. */
function ensembleSecret(dataDir: string | undefined): Buffer {
  if (!dataDir) return randomBytes(32)
  mkdirSync(dataDir, { recursive: true })
  const f = path.join(dataDir, 'secret')
  if (!existsSync(f)) writeFileSync(f, randomBytes(32))
  return readFileSync(f)
}

async function startQuorum(opts: EnsembleOptions, size: number): Promise<Ensemble> {
  const ids = Array.from({ length: size }, (_, i) => i + 1)
  const host = opts.host ?? '127.0.0.1'
  const secret = ensembleSecret(opts.dataDir)
  const peers = new Map<number, PeerAddress>()
  // An in-memory peer's "disk" outlives its kill and restart, as a real disk would.
  const memory = ids.map(() => new MemoryStore())
  const store = (i: number): QuorumStore => (opts.dataDir ? new FileStore(path.join(opts.dataDir, `server${i + 1}`), { fsync: opts.fsync ?? true }) : memory[i]!)
  const { size: _s, peerTickMs, peerSilenceTicks, waitForLeader: wait, processes: _p, ...serverOpts } = opts
  const make = (i: number, port?: number, adminPort = adminPortFor(opts, i)) =>
    new ZooKeeperServer({
      ...serverOpts,
      port,
      adminPort,
      serverId: i + 1,
      secret,
      quorum: { id: i + 1, voters: ids, peers, store: store(i), tickMs: peerTickMs, silenceTicks: peerSilenceTicks, snapshotEvery: opts.snapshotEvery },
    })
  const servers = ids.map((_, i) => make(i, opts.port ? opts.port + i : undefined))
  const clientPorts: number[] = []
  const adminPorts: (number | undefined)[] = []
  try {
    for (const [i, s] of servers.entries()) peers.set(i + 1, { host, port: await s.listenQuorum() })
    for (const s of servers) clientPorts.push(await s.listen())
    for (const s of servers) adminPorts.push(s.adminPort)
  } catch (err) {
    // A port in use (or any other failure) must not leave the servers already listening behind.
    await Promise.all(servers.map((s) => s.close()))
    throw new Error(`startEnsemble: could not listen: ${(err as Error).message}`, { cause: err })
  }
  const running = servers.map(() => true)
  const changes: Changes = new Set()
  const watch = (s: ZooKeeperServer) => s.quorum!.on('mode', () => notifyAll(changes))
  servers.forEach(watch)
  for (const s of servers) s.quorum!.start()
  const quorumOf = (i: number) => servers[i]!.quorum!
  return quorumEnsemble(
    {
      size,
      servers,
      host,
      clientPort: (i) => clientPorts[i]!,
      adminPort: (i) => adminPorts[i],
      mode: (i) => (running[i] ? servers[i]!.mode : 'down'),
      paused: (i) => servers[i]!.paused,
      async kill(i) {
        if (!running[i]) return
        running[i] = false
        await servers[i]!.close()
      },
      async restart(i) {
        if (running[i]) await servers[i]!.close()
        const s = make(i, clientPorts[i], adminPorts[i])
        servers[i] = s
        watch(s)
        await s.listenQuorum(peers.get(i + 1)!.port)
        await s.listen()
        running[i] = true
        s.quorum!.start()
      },
      pause: (i) => servers[i]!.pause(),
      resume: (i) => servers[i]!.resume(),
      dropConnections: (i) => servers[i]!.dropConnections(),
      expire: (i, id) => servers[i]!.expireSession(id),
      block: (i, peerIds) => quorumOf(i).links.block(peerIds),
      heal: (i) => quorumOf(i).links.heal(),
      drop: (i, to, on) => quorumOf(i).links.drop(to, on),
      delay: (i, to, ms) => quorumOf(i).links.delay(to, ms),
      admin: (i, req) => runTreeAdmin(servers[i]!, req),
      stopAll: () => Promise.all(servers.map((s, i) => (running[i] ? s.close() : undefined))).then(() => undefined),
    },
    changes,
    wait ?? true,
  )
}

/** The peer process module, compiled or (under a TypeScript loader) as source. */
function childModule(): string {
  const js = fileURLToPath(new URL('./peer-process.js', import.meta.url))
  return existsSync(js) ? js : fileURLToPath(new URL('./peer-process.ts', import.meta.url))
}

interface Child {
  proc: ChildProcess
  mode: ServerMode | 'down'
  paused: boolean
  clientPort: number
  quorumPort: number
  adminPort?: number
  exited: Promise<void>
}

async function startProcesses(opts: EnsembleOptions, size: number): Promise<Ensemble> {
  const ids = Array.from({ length: size }, (_, i) => i + 1)
  const host = opts.host ?? '127.0.0.1'
  const ownDir = !opts.dataDir
  const base = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'zookit-ensemble-'))
  const secret = ensembleSecret(base).toString('base64')
  const { size: _s, peerTickMs, peerSilenceTicks, waitForLeader: wait, processes: _p, dataDir: _d, fsync, port, host: _h, ...server } = opts
  const children: Child[] = []
  const changes: Changes = new Set()
  const calls = new AdminCalls()
  const tell = (i: number, m: ToChild) => {
    const c = children[i]
    if (c && c.mode !== 'down' && c.proc.connected) c.proc.send(m)
  }

  const spawnChild = (i: number, ports?: { clientPort: number; quorumPort: number; adminPort?: number }): Promise<Child> =>
    new Promise((resolve, reject) => {
      const proc = fork(childModule(), [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      let child: Child | undefined
      let startError: string | undefined
      proc.on('error', () => {}) // a message to a process that just died; its exit is handled below
      const exited = new Promise<void>((r) => proc.once('exit', () => r()))
      proc.on('message', (m: FromChild) => {
        if (m.ev === 'listening') {
          child = { proc, mode: 'looking', paused: false, clientPort: m.clientPort, quorumPort: m.quorumPort, adminPort: m.adminPort, exited }
          resolve(child)
        } else if (m.ev === 'mode' && child) {
          child.mode = m.mode as ServerMode
          notifyAll(changes)
        } else if (m.ev === 'admin') {
          calls.answer(m)
        } else if (m.ev === 'error' && !child) {
          // It could not start (a port in use, say) but lives on: end it; its exit fails the start.
          startError = m.message
          proc.kill('SIGKILL')
        }
      })
      proc.once('exit', (code, signal) => {
        if (!child) reject(new Error(startError ? `server ${i}: ${startError}` : `server ${i} exited before listening (${signal ?? code})`))
        else {
          child.mode = 'down'
          calls.serverGone(i)
          notifyAll(changes)
        }
      })
      const config: ChildConfig = {
        id: i + 1,
        voters: ids,
        dataDir: path.join(base, `server${i + 1}`),
        secret,
        clientPort: ports?.clientPort ?? (port ? port + i : undefined),
        quorumPort: ports?.quorumPort,
        adminPort: ports?.adminPort ?? adminPortFor(opts, i),
        fsync: fsync ?? false,
        peerTickMs,
        peerSilenceTicks,
        // A dir the caller gave is theirs to keep; our temporary one must not outlive a killed parent.
        removeWhenOrphaned: ownDir ? base : undefined,
        server,
      }
      proc.send({ cmd: 'config', config } satisfies ToChild)
    })

  const peerList = () => children.map((c, i): [number, { host: string; port: number }] => [i + 1, { host, port: c.quorumPort }])
  const started = await Promise.allSettled(ids.map((_, i) => spawnChild(i)))
  const up = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  const failed = started.find((r) => r.status === 'rejected')
  if (failed) {
    // The servers that did start must not linger, nor their temporary directory.
    for (const c of up) c.proc.kill('SIGKILL')
    await Promise.all(up.map((c) => c.exited))
    if (ownDir) rmSync(base, { recursive: true, force: true })
    throw failed.reason
  }
  children.push(...up)
  children.forEach((_, i) => tell(i, { cmd: 'start', peers: peerList() }))

  const kill = async (i: number) => {
    const c = children[i]!
    if (c.mode === 'down') return
    c.proc.kill('SIGKILL')
    await c.exited
  }
  return quorumEnsemble(
    {
      size,
      servers: [],
      host,
      clientPort: (i) => children[i]!.clientPort,
      adminPort: (i) => children[i]!.adminPort,
      mode: (i) => children[i]!.mode,
      paused: (i) => children[i]!.paused,
      kill,
      async restart(i) {
        await kill(i)
        const old = children[i]!
        children[i] = await spawnChild(i, { clientPort: old.clientPort, quorumPort: old.quorumPort, adminPort: old.adminPort })
        tell(i, { cmd: 'start', peers: peerList() })
      },
      pause(i) {
        const c = children[i]!
        if (c.mode === 'down' || c.paused) return
        c.paused = true
        c.proc.kill('SIGSTOP')
      },
      resume(i) {
        const c = children[i]!
        if (!c.paused) return
        c.paused = false
        c.proc.kill('SIGCONT')
      },
      dropConnections: (i) => tell(i, { cmd: 'dropConnections' }),
      // The expiry happens in the leader's process, asynchronously.
      expire: (i, id) => (tell(i, { cmd: 'expire', sessionId: id.toString() }), true),
      block: (i, peerIds) => tell(i, { cmd: 'block', peers: peerIds }),
      heal: (i) => tell(i, { cmd: 'heal' }),
      drop: (i, to, on) => tell(i, { cmd: 'drop', to, on }),
      delay: (i, to, ms) => tell(i, { cmd: 'delay', to, ms }),
      admin: (i, req) =>
        calls.call(
          i,
          (rid) => {
            const c = children[i]
            if (!c || c.mode === 'down' || !c.proc.connected) return false
            c.proc.send({ cmd: 'admin', rid, req } satisfies ToChild)
            return true
          },
          req,
        ),
      async stopAll() {
        await Promise.all(
          children.map(async (c) => {
            if (c.mode === 'down') return
            if (c.paused) c.proc.kill('SIGCONT')
            c.proc.kill('SIGKILL')
            await c.exited
          }),
        )
        if (ownDir) rmSync(base, { recursive: true, force: true })
      },
    },
    changes,
    wait ?? true,
  )
}

export { ZooKeeperServer } from './server.js'
export type { ServerOptions, ServerMode } from './server.js'
export { TreeDumpError } from './tree-dump.js'
export type { DataEncoding, DumpOptions, DumpedAcl, DumpedNode, DumpedNodeKind, DumpedStat, TreeDump, TreeFixture, TreeNodeInput } from './tree-dump.js'
export { LeaderUnavailableError } from './tree-admin.js'
export type { ResetOptions, SessionInfo } from './tree-admin.js'
export { startControlPlane } from './control-plane.js'
export type { ControlPlane, ControlPlaneOptions } from './control-plane.js'
