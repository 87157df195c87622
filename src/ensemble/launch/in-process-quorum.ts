// A quorum of 3 or 5 bundled servers in this process, running Zab between them over loopback TCP.
// Kill closes a server; restart makes a new one on the same ports over the same store.
import path from 'node:path'
import type { Ensemble, EnsembleOptions } from '../ensemble.js'
import { ZooKeeperServer } from '../server.js'
import { runTreeAdmin } from '../tree-admin.js'
import { FileStore, MemoryStore, type QuorumStore } from '../peer-storage.js'
import type { PeerAddress } from '../peer-links.js'
import { buildEnsemble, notifyRoleChange, type RoleChanges } from './members.js'
import { adminPortFor, ensembleSecret, peerFsync, secureClientFor } from './quorum-settings.js'

/** Start `size` peers in this process; resolves once every one serves unless `waitForLeader` is false. */
export async function startInProcessQuorum(opts: EnsembleOptions, size: number): Promise<Ensemble> {
  const ids = Array.from({ length: size }, (_, i) => i + 1)
  const host = opts.host ?? '127.0.0.1'
  const secret = ensembleSecret(opts.dataDir)
  const peers = new Map<number, PeerAddress>()
  // An in-memory peer's "disk" outlives its kill and restart, as a real disk would.
  const memory = ids.map(() => new MemoryStore())
  const store = (i: number): QuorumStore =>
    opts.dataDir ? new FileStore(path.join(opts.dataDir, `server${i + 1}`), { fsync: peerFsync(opts) }) : memory[i]!
  const { size: _s, peerTickMs, peerSilenceTicks, waitForLeader: wait, processes: _p, quorumTls, ...serverOpts } = opts
  const make = (i: number, port?: number, adminPort = adminPortFor(opts, i), securePort?: number) =>
    new ZooKeeperServer({
      ...serverOpts,
      port,
      adminPort,
      secureClient: secureClientFor(opts, i, securePort),
      serverId: i + 1,
      secret,
      quorum: {
        id: i + 1,
        voters: ids,
        peers,
        secret,
        tls: quorumTls,
        store: store(i),
        tickMs: peerTickMs,
        silenceTicks: peerSilenceTicks,
        snapshotEvery: opts.snapshotEvery,
      },
    })
  const servers = ids.map((_, i) => make(i, opts.port ? opts.port + i : undefined))
  const clientPorts: number[] = []
  const adminPorts: (number | undefined)[] = []
  const securePorts: (number | undefined)[] = []
  try {
    for (const [i, s] of servers.entries()) peers.set(i + 1, { host, ...(await s.listenQuorum()) })
    for (const s of servers) clientPorts.push(await s.listen())
    for (const s of servers) adminPorts.push(s.adminPort)
    for (const s of servers) securePorts.push(s.securePort)
  } catch (err) {
    // A port in use (or any other failure) must not leave the servers already listening behind.
    await Promise.all(servers.map((s) => s.close()))
    throw new Error(`startEnsemble: could not listen: ${(err as Error).message}`, { cause: err })
  }
  const running = servers.map(() => true)
  const changes: RoleChanges = new Set()
  const watch = (s: ZooKeeperServer) => s.quorum!.on('mode', () => notifyRoleChange(changes))
  servers.forEach(watch)
  for (const s of servers) s.quorum!.start()
  const quorumOf = (i: number) => servers[i]!.quorum!
  return buildEnsemble(
    {
      size,
      servers,
      host,
      clientPort: (i) => clientPorts[i]!,
      securePort: (i) => securePorts[i],
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
        const s = make(i, clientPorts[i], adminPorts[i], securePorts[i])
        servers[i] = s
        watch(s)
        // The same election and learner ports: the other peers know this server by them.
        await s.listenQuorum(peers.get(i + 1))
        await s.listen()
        running[i] = true
        s.quorum!.start()
      },
      pause: (i) => servers[i]!.pause(),
      resume: (i) => servers[i]!.resume(),
      dropConnections: (i) => servers[i]!.dropConnections(),
      expire: (i, id) => servers[i]!.expireSession(id),
      links: {
        block: (i, peerIds) => quorumOf(i).links.block(peerIds),
        heal: (i) => quorumOf(i).links.heal(),
        drop: (i, to, on) => quorumOf(i).links.drop(to, on),
        delay: (i, to, ms) => quorumOf(i).links.delay(to, ms),
      },
      admin: (i, req) => runTreeAdmin(servers[i]!, req),
      stopAll: () => Promise.all(servers.map((s, i) => (running[i] ? s.close() : undefined))).then(() => undefined),
    },
    changes,
    wait ?? true,
  )
}
