// zookit/ensemble: start a ZooKeeper-compatible server in-process for tests, with fault hooks.
import { ZooKeeperServer, type ServerOptions } from './server.js'

/** Options of startEnsemble(). */
export interface EnsembleOptions extends Omit<ServerOptions, 'serverId'> {
  /** Number of servers; only 1 until the quorum (Zab) lands. */
  size?: number
}

/** A running ensemble. */
export interface Ensemble {
  /** "127.0.0.1:port[,…]" */
  readonly connectString: string
  readonly servers: ZooKeeperServer[]
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
  resume(i?: number): void
  /** Cut every client connection to server i; the server stays up and sessions live on. */
  dropConnections(i?: number): void
  /** The server that leads (the only one, until the quorum lands). */
  leader(): ZooKeeperServer
  /** Stop every server. */
  stop(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** Start an in-process ensemble on 127.0.0.1 (ports picked by the OS unless given). */
export async function startEnsemble(opts: EnsembleOptions = {}): Promise<Ensemble> {
  const size = opts.size ?? 1
  if (size !== 1) throw new RangeError(`startEnsemble: size ${size} needs the quorum (Zab), which is not built yet; use size 1`)
  let server = new ZooKeeperServer({ ...opts, serverId: 1 })
  const port = await server.listen()
  let stopped: Promise<void> | undefined
  let running = true
  const servers = [server]
  const only = (i = 0) => {
    if (i !== 0) throw new RangeError(`no server ${i}: the ensemble has 1 server`)
  }
  const ensemble: Ensemble = {
    connectString: `127.0.0.1:${port}`,
    servers,
    expireSession: (id) => server.expireSession(id),
    async kill(i) {
      only(i)
      running = false
      await server.close()
    },
    async restart(i) {
      only(i)
      if (running) await server.close()
      server = new ZooKeeperServer({ ...opts, serverId: 1, port })
      servers[0] = server
      await server.listen()
      running = true
    },
    pause: (i) => (only(i), server.pause()),
    resume: (i) => (only(i), server.resume()),
    dropConnections: (i) => (only(i), server.dropConnections()),
    leader: () => server,
    stop: () => (stopped ??= running ? server.close() : Promise.resolve()),
    [Symbol.asyncDispose]: () => ensemble.stop(),
  }
  return ensemble
}

export { ZooKeeperServer } from './server.js'
export type { ServerOptions } from './server.js'
