// One server of a quorum ensemble in a process of its own (startEnsemble({ processes: true })), so a
// kill is a real SIGKILL and a pause a real SIGSTOP. The parent talks to it over the IPC channel:
// it sends the configuration, then the peers' addresses and "start", and fault commands; the child
// reports its ports and every role change. The peer's log lives in its data dir.
import { rmSync } from 'node:fs'
import { ZooKeeperServer, type ServerOptions } from './server.js'
import { FileStore } from './peer-storage.js'
import type { PeerAddress, PeerTls } from './peer-links.js'
import { runTreeAdmin, type TreeAdminRequest } from './tree-admin.js'
import type { AdminAnswer } from './admin-calls.js'
import type { SecureClientOptions } from './secure-listener.js'

/** What the parent sends first. */
export interface ChildConfig {
  id: number
  voters: number[]
  dataDir: string
  secret: string
  /** Mutual TLS on the peer links (PEM text). */
  tls?: PeerTls
  clientPort?: number
  /** The election port (votes). */
  quorumPort?: number
  /** The learner port (ZooKeeper's quorum port), where it takes its learners while it leads. */
  learnerPort?: number
  /** This server's AdminServer port (0: any free one), when the ensemble serves them. */
  adminPort?: number
  /** This server's secure client port and TLS material (PEM as text: it crosses the IPC channel as JSON). */
  secureClient?: SecureClientOptions
  fsync: boolean
  peerTickMs?: number
  peerSilenceTicks?: number
  /**
   * The temporary directory the parent made for the ensemble's logs. If the parent dies without
   * stopping the ensemble, every orphaned child deletes all of it (not only its own server dir), so
   * the last to go leaves nothing, even the dirs of servers that were down at the time.
   */
  removeWhenOrphaned?: string
  server: Omit<ServerOptions, 'quorum' | 'secret' | 'dataDir' | 'port' | 'serverId' | 'secureClient'>
}

/** Parent → child. */
export type ToChild =
  | { cmd: 'config'; config: ChildConfig }
  | { cmd: 'start'; peers: [number, PeerAddress][] }
  | { cmd: 'block'; peers: number[] }
  | { cmd: 'heal' }
  | { cmd: 'drop'; to: number; on: boolean }
  | { cmd: 'delay'; to: number; ms: number }
  | { cmd: 'expire'; sessionId: string }
  | { cmd: 'dropConnections' }
  | { cmd: 'admin'; rid: number; req: TreeAdminRequest }
  | { cmd: 'stop' }

/** Child → parent. */
export type FromChild =
  | { ev: 'listening'; clientPort: number; quorumPort: number; learnerPort: number; adminPort?: number; securePort?: number }
  | { ev: 'mode'; mode: string; zxid: string }
  | { ev: 'expired'; sessionId: string; ok: boolean }
  | { ev: 'error'; message: string }
  | ({ ev: 'admin' } & AdminAnswer)
  | { ev: 'stopped' }

function send(m: FromChild): void {
  process.send?.(m)
}

let server: ZooKeeperServer | undefined
let removeWhenOrphaned: string | undefined
/** Set when the parent asked us to stop: that disconnect is expected, not the parent's death. */
let stopping = false
const peers = new Map<number, PeerAddress>()

async function handle(m: ToChild): Promise<void> {
  switch (m.cmd) {
    case 'config': {
      const c = m.config
      removeWhenOrphaned = c.removeWhenOrphaned
      const secret = Buffer.from(c.secret, 'base64')
      server = new ZooKeeperServer({
        ...c.server,
        port: c.clientPort,
        adminPort: c.adminPort,
        secureClient: c.secureClient,
        serverId: c.id,
        secret,
        quorum: {
          id: c.id,
          voters: c.voters,
          peers,
          secret,
          tls: c.tls,
          store: new FileStore(c.dataDir, { fsync: c.fsync }),
          tickMs: c.peerTickMs,
          silenceTicks: c.peerSilenceTicks,
          snapshotEvery: c.server.snapshotEvery,
        },
      })
      const { port: quorumPort, learnerPort } = await server.listenQuorum({ port: c.quorumPort, learnerPort: c.learnerPort })
      const clientPort = await server.listen()
      server.quorum!.on('mode', (mode: string) => send({ ev: 'mode', mode, zxid: server!.tree.lastZxid.toString() }))
      send({ ev: 'listening', clientPort, quorumPort, learnerPort, adminPort: server.adminPort, securePort: server.securePort })
      return
    }
    case 'start':
      for (const [id, a] of m.peers) peers.set(id, a)
      server!.quorum!.start()
      return
    case 'block':
      return server!.quorum!.links.block(m.peers)
    case 'heal':
      return server!.quorum!.links.heal()
    case 'drop':
      return server!.quorum!.links.drop(m.to, m.on)
    case 'delay':
      return server!.quorum!.links.delay(m.to, m.ms)
    case 'expire':
      return send({ ev: 'expired', sessionId: m.sessionId, ok: server!.expireSession(BigInt(m.sessionId)) })
    case 'dropConnections':
      return server!.dropConnections()
    case 'admin':
      // Answered when done, without holding up the commands that follow.
      void runTreeAdmin(server!, m.req).then(
        (reply) => send({ ev: 'admin', rid: m.rid, reply }),
        (err: Error) => send({ ev: 'admin', rid: m.rid, error: { name: err.name, message: err.message } }),
      )
      return
    case 'stop':
      stopping = true
      await server?.close()
      send({ ev: 'stopped' })
      process.disconnect?.()
      return
  }
}

process.on('message', (m: ToChild) => {
  handle(m).catch((err: Error) => send({ ev: 'error', message: err.message }))
})
// Orphaned (the parent died, even by SIGKILL, which closes the IPC channel): go too, and take the
// ensemble's temporary directory along, since no one else will. FileStore writes synchronously, so
// nothing of ours lands in it after this; a sibling's late write into a deleted dir just fails.
process.on('disconnect', () => {
  if (!stopping && removeWhenOrphaned) {
    try {
      // Siblings delete the same tree at the same moment: retry the rmdirs that race with them.
      rmSync(removeWhenOrphaned, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 })
    } catch {
      // Best effort: a sibling that outlives us deletes it too.
    }
  }
  process.exit(0)
})
