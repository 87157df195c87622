// What both quorum launchers derive from startEnsemble()'s options the same way: each server's
// AdminServer port and secure client port, whether the peers fsync their logs, and the secret the
// peers share for session passwords and to authenticate their links.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { EnsembleOptions } from '../ensemble.js'
import type { SecureClientOptions } from '../secure-listener.js'
import { writeFileAtomic } from '../durable-file.js'

/** Server i's admin port: the option's port + i, or 0 (any free port) for each, or none. */
export function adminPortFor(opts: EnsembleOptions, i: number): number | undefined {
  return opts.adminPort ? opts.adminPort + i : opts.adminPort
}

/** Server i's secure client options: the option's port + i (0 or none: a free port each), or none without TLS. */
export function secureClientFor(opts: EnsembleOptions, i: number, port?: number): SecureClientOptions | undefined {
  const s = opts.secureClient
  if (!s) return undefined
  return { ...s, port: port ?? (s.port ? s.port + i : 0) }
}

/**
 * Whether the peers fsync their logs: as `fsync` says, else when the caller gave a dataDir (the
 * documented default). The temporary directory of a process quorum without one is not worth it.
 */
export function peerFsync(opts: EnsembleOptions): boolean {
  return opts.fsync ?? Boolean(opts.dataDir)
}

/** The secret session passwords derive from and peer links prove: shared by the peers, kept in the data dir if there is one. */
export function ensembleSecret(dataDir: string | undefined): Buffer {
  if (!dataDir) return randomBytes(32)
  mkdirSync(dataDir, { recursive: true })
  const f = path.join(dataDir, 'secret')
  if (!existsSync(f)) writeFileAtomic(f, randomBytes(32), true)
  return readFileSync(f)
}
