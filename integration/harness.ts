// One integration suite, several targets: real Apache ZooKeeper 3.8 (Debian's, started on loopback)
// and zookit's bundled ensemble. Each test gets its own chroot and its clients are closed for it.
import type { Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ZooKeeper, type ClientOptions } from '../src/index.js'
import { startRealZooKeeper, realZooKeeperAvailable } from '../src/testing/real-zookeeper.js'

const ENSEMBLE_MODULE = '../src/ensemble/index.js'

/**
 * Which server implementation a run talks to: real ZooKeeper, the bundled ensemble, or (for suites
 * written for one server) a 3-node bundled ensemble with the clients connected to a follower.
 */
export type TargetKind = 'real' | 'ensemble' | 'quorum'

/** A running cluster of either kind, with the fault hooks the suite needs. */
export interface Cluster {
  kind: TargetKind
  size: number
  /** All servers, "127.0.0.1:p1,127.0.0.1:p2,…". */
  connectString: string
  /** One entry per server, "127.0.0.1:port". */
  hosts: string[]
  /** kill -9 server i (real processes) or stop it abruptly (in-process). */
  kill?(i: number): Promise<void>
  /** Freeze server i (SIGSTOP): its connections stay open but nothing is answered. */
  pause?(i: number): Promise<void>
  /** Start server i again on the same port and data. */
  restart?(i: number): Promise<void>
  stop(): Promise<void>
}

/**
 * Targets selected by ZOOKIT_TARGET ("real", "ensemble", "quorum" or "all", default all). A target
 * whose server is not available on this machine is reported as a skip, never silently dropped.
 */
export function targetKinds(size = 1): TargetKind[] {
  const want = (process.env.ZOOKIT_TARGET ?? 'all').toLowerCase()
  if (want === 'real' || want === 'ensemble' || want === 'quorum') return [want]
  // A suite that asks for 3 servers already runs the bundled ensemble as a quorum.
  return size === 1 ? ['real', 'ensemble', 'quorum'] : ['real', 'ensemble']
}

/** Why a target cannot run here, or undefined when it can. */
export function unavailable(kind: TargetKind, size: number): string | undefined {
  if (kind === 'real' && !realZooKeeperAvailable()) return 'Debian zookeeper is not installed (apt-get install zookeeper)'
  if (kind !== 'real' && !existsSync(fileURLToPath(new URL(ENSEMBLE_MODULE.replace(/\.js$/, '.ts'), import.meta.url))))
    return 'bundled ensemble not built yet'
  if (kind === 'quorum' && size > 1) return 'the quorum target is for single-server suites'
  return undefined
}

/** Start a cluster of the given kind and size on loopback ports it picks. */
export async function startCluster(kind: TargetKind, size: 1 | 3 = 1, opts: { tickTime?: number } = {}): Promise<Cluster> {
  if (kind === 'real') {
    const real = await startRealZooKeeper({ size, tickTime: opts.tickTime })
    return {
      kind,
      size,
      connectString: real.connectString,
      hosts: real.servers.map((s) => `127.0.0.1:${s.clientPort}`),
      kill: (i) => real.servers[i]!.kill('SIGKILL'),
      pause: async (i) => real.servers[i]!.pause(),
      restart: (i) => real.servers[i]!.start(),
      stop: () => real.stop(),
    }
  }
  // The bundled ensemble is loaded only when a test targets it.
  const { startEnsemble } = (await import(ENSEMBLE_MODULE)) as typeof import('../src/ensemble/index.js')
  if (kind === 'quorum') {
    // Three servers; the suite's clients talk to a follower only, so every write is forwarded.
    const ens = await startEnsemble({ size: 3, tickTime: opts.tickTime })
    const leader = await ens.waitForLeader()
    const order = [0, 1, 2].filter((i) => i !== leader).concat([leader])
    return {
      kind,
      size: 1,
      connectString: ens.connectStringOf(order[0]!),
      hosts: order.map((i) => ens.connectStringOf(i)),
      stop: () => ens.stop(),
    }
  }
  const ens = await startEnsemble({ size, tickTime: opts.tickTime })
  return {
    kind,
    size,
    connectString: ens.connectString,
    hosts: ens.connectString.split(','),
    kill: (i) => ens.kill(i),
    pause: async (i) => ens.pause(i),
    restart: (i) => ens.restart(i),
    stop: () => ens.stop(),
  }
}

/** What a test body gets: its cluster, a private chroot and a client factory. */
export interface Harness {
  cluster: Cluster
  /** This test's chroot, e.g. "/t-1b2c…"; created before the test runs. */
  root: string
  /** Connect string with this test's chroot appended. */
  connectString: string
  /** A connected client under the chroot, closed at teardown. */
  connect(opts?: ClientOptions & { connectString?: string }): Promise<ZooKeeper>
}

/**
 * Run `body` once per target as subtests of `t`, each against a fresh cluster shared by the body's
 * own subtests (stopped when the target's subtest ends). Inside, each subtest calls
 * `harness(t, cluster)` for its own chroot and clients closed at its teardown.
 */
export function eachTarget(t: Test, opts: { size?: 1 | 3; tickTime?: number }, body: (t: Test, cluster: Cluster) => Promise<void>): void {
  const size = opts.size ?? 1
  for (const kind of targetKinds(size)) {
    const skip = unavailable(kind, size)
    t.test(`${kind} (${size} server${size > 1 ? 's' : ''})`, { skip }, async (t) => {
      const cluster = await startCluster(kind, size, opts)
      t.teardown(() => cluster.stop())
      await body(t, cluster)
    })
  }
}

/** Make a Harness for one test: a fresh chroot on `cluster`, clients closed at the test's teardown. */
export async function harness(t: Test, cluster: Cluster): Promise<Harness> {
  const root = `/t-${randomUUID().slice(0, 8)}`
  const admin = await ZooKeeper.connect(cluster.connectString, { sessionTimeout: 10_000 })
  await admin.create(root)
  await admin.close()
  const clients: ZooKeeper[] = []
  t.teardown(async () => {
    await Promise.allSettled(clients.map((c) => c.close()))
  })
  const connectString = cluster.connectString + root
  return {
    cluster,
    root,
    connectString,
    async connect(opts = {}) {
      const c = await ZooKeeper.connect(opts.connectString ?? connectString, { sessionTimeout: 10_000, ...opts })
      clients.push(c)
      return c
    },
  }
}

/**
 * End `zk`'s session from the server's side, the way Curator's KillSession does: a second client
 * takes the session over with its id and password and closes it. `zk` then sees `expired`.
 */
export async function killSession(connectString: string, zk: ZooKeeper): Promise<void> {
  const twin = new ZooKeeper(connectString, { sessionId: zk.sessionId, sessionPassword: zk.sessionPassword, sessionTimeout: 10_000 })
  await twin.waitForConnected({ timeout: 10_000 })
  await twin.close()
}
