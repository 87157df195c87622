// zookit/ensemble: start a ZooKeeper-compatible ensemble in-process for tests, with fault hooks. One
// server runs standalone; three or five run Zab between them over loopback TCP. The options, the
// Ensemble API (declared in ensemble.ts) and the choice of launcher; the launchers are in launch/.
/**
 * A ZooKeeper-compatible ensemble to start in-process for tests: `startEnsemble()`, with hooks to
 * kill, pause, partition and expire. One server runs standalone; three or five run Zab.
 * @module zookit/ensemble
 */
import { validateEnsembleOptions } from './options.js'
import { startStandalone } from './launch/standalone.js'
import { startInProcessQuorum } from './launch/in-process-quorum.js'
import { startProcessQuorum } from './launch/process-quorum.js'
import type { Ensemble, EnsembleOptions } from './ensemble.js'

export type { Ensemble, EnsembleOptions } from './ensemble.js'
export type { PeerTls } from './peer-links.js'

/** Start an in-process ensemble on 127.0.0.1 (ports picked by the OS unless given). */
export async function startEnsemble(opts: EnsembleOptions = {}): Promise<Ensemble> {
  validateEnsembleOptions(opts)
  const size = opts.size ?? 1
  if (size > 1) return opts.processes ? startProcessQuorum(opts, size) : startInProcessQuorum(opts, size)
  if (opts.processes) throw new RangeError('startEnsemble: processes: true needs a quorum (size 3 or more)')
  return startStandalone(opts)
}

export { ZooKeeperServer } from './server.js'
export type { ServerOptions, ServerMode } from './server.js'
export type { ClientAuth, Pem, SecureClientOptions } from './secure-listener.js'
export type { SaslOptions } from './sasl.js'
export { TreeDumpError } from './tree-dump.js'
export type {
  DataEncoding,
  DumpOptions,
  DumpedAcl,
  DumpedNode,
  DumpedNodeKind,
  DumpedStat,
  TreeDump,
  TreeFixture,
  TreeNodeInput,
} from './tree-dump.js'
export { LeaderUnavailableError } from './tree-admin.js'
export type { ResetOptions, SessionInfo } from './tree-admin.js'
export { startControlPlane } from './control-plane.js'
export type { ControlPlane, ControlPlaneOptions } from './control-plane.js'
