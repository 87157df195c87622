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
  /** Stop and start server i again on the same port (and data, with a dataDir): a crash and restart. */
  restart(i?: number): Promise<void>
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
  const servers = [server]
  const ensemble: Ensemble = {
    connectString: `127.0.0.1:${port}`,
    servers,
    expireSession: (id) => server.expireSession(id),
    async restart() {
      await server.close()
      server = new ZooKeeperServer({ ...opts, serverId: 1, port })
      servers[0] = server
      await server.listen()
    },
    stop: () => (stopped ??= server.close()),
    [Symbol.asyncDispose]: () => ensemble.stop(),
  }
  return ensemble
}

export { ZooKeeperServer } from './server.js'
export type { ServerOptions } from './server.js'
