// A single bundled server as an Ensemble: server 0 runs standalone, has no peer links, and leads
// whenever it is up. Killed, it stays down until restart() brings it back on the same ports.
import type { Ensemble, EnsembleOptions } from '../ensemble.js'
import { ZooKeeperServer } from '../server.js'
import { runTreeAdmin } from '../tree-admin.js'
import { buildEnsemble, type RoleChanges } from './members.js'

/** Start one server on 127.0.0.1 (its port picked by the OS unless given). */
export async function startStandalone(opts: EnsembleOptions): Promise<Ensemble> {
  let server = new ZooKeeperServer({ ...opts, serverId: 1 })
  const port = await server.listen()
  // Kept for restarts, so that the server comes back where its clients and admin tools knew it.
  const adminPort = server.adminPort
  const securePort = server.securePort
  const secureClient = opts.secureClient && { ...opts.secureClient, port: securePort }
  let running = true
  const servers = [server]
  const changes: RoleChanges = new Set()
  return buildEnsemble(
    {
      size: 1,
      servers,
      host: '127.0.0.1',
      clientPort: () => port,
      securePort: () => securePort,
      adminPort: () => adminPort,
      mode: () => (running ? server.mode : 'down'),
      paused: () => server.paused,
      async kill() {
        running = false
        await server.close()
      },
      async restart() {
        if (running) await server.close()
        server = new ZooKeeperServer({ ...opts, serverId: 1, port, adminPort, secureClient })
        servers[0] = server
        await server.listen()
        running = true
      },
      pause: () => server.pause(),
      resume: () => server.resume(),
      dropConnections: () => server.dropConnections(),
      expire: (_, id) => server.expireSession(id),
      admin: (_, req) => runTreeAdmin(server, req),
      stopAll: () => (running ? server.close() : Promise.resolve()),
      leadership: {
        // Paused it still leads: there is no one to take over.
        leader: () => (running ? 0 : undefined),
        // Nothing to elect: server 0, at once, even while it is down.
        waitForLeader: async () => 0,
        // Asked only while it is down (it leads otherwise), and no leader comes until a restart.
        waitForTreeLeader: async () => {
          if (!running) throw new Error('the server is down')
          return 0
        },
        // Its sessions live on in the server object while it is down.
        sessionExpirer: () => 0,
      },
    },
    changes,
    false,
  )
}
