// Connect strings ("h1:2181,h2:2181/app/x", "[::1]:2181") and the host provider that walks the hosts:
// shuffled once, then round-robin, telling the session when a full cycle has failed (time to back off).
import { BadArgumentsError } from '../errors.js'
import type { HostPort } from '../transport/transport.js'

/** ZooKeeper's client port when a host names none. */
export const DEFAULT_PORT = 2181

/** A parsed connect string. */
export interface ConnectString {
  hosts: HostPort[]
  /** Path every client path is relative to ("/app/x"), or undefined for none ("" or "/"). */
  chroot: string | undefined
}

/**
 * Parse "host[:port][,host[:port]…][/chroot]". IPv6 addresses go in brackets ("[::1]:2181"); the
 * port defaults to 2181. Throws BadArgumentsError naming the offending part.
 */
export function parseConnectString(s: string): ConnectString {
  const bad = (why: string) => new BadArgumentsError(`invalid connect string ${JSON.stringify(s)}: ${why}`, { op: 'connect' })
  if (typeof s !== 'string' || s.trim() === '') throw bad('it is empty')
  const slash = s.indexOf('/')
  const hostPart = slash < 0 ? s : s.slice(0, slash)
  const chroot = slash < 0 ? undefined : parseChroot(s.slice(slash), bad)
  const hosts = hostPart.split(',').map((entry) => parseHost(entry.trim(), bad))
  return { hosts, chroot }
}

function parseChroot(path: string, bad: (why: string) => Error): string | undefined {
  if (path === '/') return undefined
  if (path.endsWith('/')) throw bad(`chroot ${JSON.stringify(path)} must not end with "/"`)
  if (path.includes('//')) throw bad(`chroot ${JSON.stringify(path)} has an empty segment`)
  for (const seg of path.slice(1).split('/')) {
    if (seg === '.' || seg === '..') throw bad(`chroot ${JSON.stringify(path)} has a relative segment`)
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) throw bad(`chroot ${JSON.stringify(path)} has a control character`)
  return path
}

function parseHost(entry: string, bad: (why: string) => Error): HostPort {
  if (entry === '') throw bad('empty host entry')
  let host: string
  let portText: string | undefined
  if (entry.startsWith('[')) {
    const m = /^\[([0-9A-Fa-f:.%\w-]+)\](?::(.*))?$/.exec(entry)
    if (!m) throw bad(`host ${JSON.stringify(entry)} is not a bracketed IPv6 address with an optional port`)
    host = m[1]!
    portText = m[2]
  } else {
    const parts = entry.split(':')
    if (parts.length > 2) throw bad(`host ${JSON.stringify(entry)}: write IPv6 addresses as [addr]:port`)
    host = parts[0]!
    portText = parts[1]
  }
  if (host === '') throw bad(`host missing in ${JSON.stringify(entry)}`)
  if (/\s/.test(host)) throw bad(`host ${JSON.stringify(host)} contains whitespace`)
  let port = DEFAULT_PORT
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) throw bad(`port of ${JSON.stringify(entry)} is not a number`)
    port = Number(portText)
    if (port < 1 || port > 65535) throw bad(`port of ${JSON.stringify(entry)} is out of range 1..65535`)
  }
  return { host, port }
}

/**
 * Hands out hosts round-robin, shuffled once (as ZooKeeper's StaticHostProvider does, so clients
 * spread over the ensemble). After a disconnect the next attempt goes to the next host, not the
 * same one. `cycled` turns true each time every host has been tried without a successful
 * connection: the session backs off then, once per full cycle.
 */
export class HostProvider {
  private readonly hosts: readonly HostPort[]
  private index = -1
  /** Attempts since the last successful connection. */
  private attempts = 0

  constructor(hosts: readonly HostPort[], shuffle = true, random: () => number = Math.random) {
    if (hosts.length === 0) throw new BadArgumentsError('no hosts to connect to', { op: 'connect' })
    const list = hosts.map((h) => ({ ...h }))
    if (shuffle) {
      for (let i = list.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1))
        ;[list[i], list[j]] = [list[j]!, list[i]!]
      }
    }
    this.hosts = list
  }

  /** Number of hosts. */
  get size(): number {
    return this.hosts.length
  }

  /** The hosts in the order they are tried. */
  get order(): readonly HostPort[] {
    return this.hosts
  }

  /** The next host to try. */
  next(): HostPort {
    this.index = (this.index + 1) % this.hosts.length
    this.attempts++
    return this.hosts[this.index]!
  }

  /** True when the attempts since the last success just completed a full cycle over the hosts. */
  get cycled(): boolean {
    return this.attempts > 0 && this.attempts % this.hosts.length === 0
  }

  /** Full cycles that failed since the last success (for growing the backoff). */
  get failedCycles(): number {
    return Math.floor(this.attempts / this.hosts.length)
  }

  /** A connection succeeded: the next failure starts a new cycle (from the next host). */
  connected(): void {
    this.attempts = 0
  }
}
