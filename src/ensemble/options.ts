// The check of startEnsemble()'s options (and the ServerOptions they carry), made before any server
// starts: a wrong type is a TypeError, a value out of range a RangeError, each naming the option and
// the value, instead of a server that ticks every -5 ms or listens on no port it can report.
import type { EnsembleOptions } from './ensemble.js'
import { ZOOKEEPER_WORDS } from './four-letter.js'
import { checkSecureClientOptions } from './secure-listener.js'

/** Largest delay Node's timers honour (2^31-1 ms); also the int range ZooKeeper's timeouts use. */
const MAX_MS = 0x7fffffff

/** A value as it reads in a message: strings quoted, so that '200' is not taken for 200. */
function shown(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object'
  return String(value)
}

/** Throw unless `value` is undefined or a whole number in min..max. */
function whole(value: unknown, name: string, min: number, max: number, unit = ''): void {
  if (value === undefined) return
  const wanted = `startEnsemble: ${name} must be a whole number${unit} from ${min} to ${max}, got ${shown(value)}`
  if (typeof value !== 'number') throw new TypeError(wanted)
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(wanted)
}

function flag(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'boolean')
    throw new TypeError(`startEnsemble: ${name} must be true or false, got ${shown(value)}`)
}

function text(value: unknown, name: string): void {
  if (value === undefined) return
  if (typeof value !== 'string') throw new TypeError(`startEnsemble: ${name} must be a string, got ${shown(value)}`)
  if (value === '') throw new RangeError(`startEnsemble: ${name} must not be empty`)
}

/** Throw unless `value` is undefined, '*' or a list of words ZooKeeper knows. */
function words(value: unknown, name: string): void {
  if (value === undefined || value === '*') return
  const wanted = `startEnsemble: ${name} must be '*' or an array of four-letter words`
  if (!Array.isArray(value)) throw new TypeError(`${wanted}, got ${shown(value)}`)
  for (const w of value as unknown[]) {
    if (typeof w !== 'string') throw new TypeError(`${wanted}, got ${shown(w)} in the array`)
    if (!ZOOKEEPER_WORDS.has(w))
      throw new RangeError(
        `startEnsemble: ${name} has ${JSON.stringify(w)}, which is not a four-letter word of ZooKeeper 3.8 (${[...ZOOKEEPER_WORDS].join(', ')})`,
      )
  }
}

/** ServerOptions.sasl: an object of users (name → password, both non-empty strings) and an optional enforce flag. */
function saslOptions(value: unknown): void {
  if (value === undefined) return
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(`startEnsemble: sasl must be an object { users, enforce? }, got ${shown(value)}`)
  const { users, enforce } = value as { users?: unknown; enforce?: unknown }
  if (typeof users !== 'object' || users === null || Array.isArray(users))
    throw new TypeError(`startEnsemble: sasl.users must be an object of user names to passwords, got ${shown(users)}`)
  for (const [name, password] of Object.entries(users)) {
    if (name === '') throw new RangeError('startEnsemble: sasl.users has an empty user name')
    if (typeof password !== 'string')
      throw new TypeError(`startEnsemble: sasl.users.${name} must be a password string, got ${shown(password)}`)
  }
  flag(enforce, 'sasl.enforce')
}

/**
 * Throw TypeError or RangeError for the first invalid option of startEnsemble() (and of the
 * ServerOptions it passes on). Defaults are those of ZooKeeperServer: tickTime 2000, session
 * timeouts from 2 to 20 ticks.
 */
export function validateEnsembleOptions(opts: EnsembleOptions): void {
  if (typeof opts !== 'object' || opts === null) throw new TypeError(`startEnsemble: options must be an object, got ${shown(opts)}`)
  const size = opts.size ?? 1
  whole(opts.size, 'size', 1, 15, ' of servers')
  // Server i of a quorum listens on port + i: the last one must still be a port.
  whole(opts.port, 'port', 0, 65535 - (size - 1))
  whole(opts.adminPort, 'adminPort', 0, 65535 - (size - 1))
  text(opts.host, 'host')
  checkSecureClientOptions(opts.secureClient, 'startEnsemble')
  whole(opts.secureClient?.port, 'secureClient.port', 0, 65535 - (size - 1))
  whole(opts.tickTime, 'tickTime', 1, MAX_MS, ' of ms')
  whole(opts.minSessionTimeout, 'minSessionTimeout', 1, MAX_MS, ' of ms')
  whole(opts.maxSessionTimeout, 'maxSessionTimeout', 1, MAX_MS, ' of ms')
  const tick = opts.tickTime ?? 2000
  const min = opts.minSessionTimeout ?? 2 * tick
  const max = opts.maxSessionTimeout ?? 20 * tick
  if (min > max) {
    throw new RangeError(
      `startEnsemble: minSessionTimeout (${min} ms${opts.minSessionTimeout === undefined ? ', 2 ticks' : ''}) is above maxSessionTimeout (${max} ms${opts.maxSessionTimeout === undefined ? ', 20 ticks' : ''})`,
    )
  }
  whole(opts.maxBuffer, 'maxBuffer', 1, MAX_MS, ' of bytes')
  whole(opts.snapshotEvery, 'snapshotEvery', 1, Number.MAX_SAFE_INTEGER, ' of txns')
  whole(opts.containerCheckInterval, 'containerCheckInterval', 1, MAX_MS, ' of ms')
  whole(opts.peerTickMs, 'peerTickMs', 1, MAX_MS, ' of ms')
  whole(opts.peerSilenceTicks, 'peerSilenceTicks', 1, Number.MAX_SAFE_INTEGER, ' of ticks')
  whole(opts.maxClientCnxns, 'maxClientCnxns', 0, MAX_MS, ' of connections (0: no limit)')
  whole(opts.globalOutstandingLimit, 'globalOutstandingLimit', 0, MAX_MS, ' of requests')
  whole(opts.sessionlessConnectionTimeout, 'sessionlessConnectionTimeout', 1, MAX_MS, ' of ms')
  words(opts.fourLetterWords, 'fourLetterWords')
  text(opts.dataDir, 'dataDir')
  text(opts.superDigest, 'superDigest')
  saslOptions(opts.sasl)
  flag(opts.ttlEnabled, 'ttlEnabled')
  flag(opts.fsync, 'fsync')
  flag(opts.waitForLeader, 'waitForLeader')
  flag(opts.processes, 'processes')
  quorumTls(opts.quorumTls, opts.size ?? 1)
}

/** quorumTls needs a CA, a certificate and its key, each PEM text or bytes, and a quorum to use them. */
function quorumTls(value: unknown, size: number): void {
  if (value === undefined) return
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(`startEnsemble: quorumTls must be an object with ca, cert and key, got ${shown(value)}`)
  for (const part of ['ca', 'cert', 'key'] as const) {
    const pem = (value as Record<string, unknown>)[part]
    if (typeof pem !== 'string' && !Buffer.isBuffer(pem))
      throw new TypeError(`startEnsemble: quorumTls.${part} must be PEM text or a Buffer, got ${shown(pem)}`)
    if (!pem.toString().includes('-----BEGIN ')) throw new RangeError(`startEnsemble: quorumTls.${part} is not PEM (no "-----BEGIN" line)`)
  }
  if (size < 2) throw new RangeError(`startEnsemble: quorumTls secures peer links, which a single server (size ${size}) does not have`)
}
