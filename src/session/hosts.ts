// Connect strings ("h1:2181,h2:2181/chroot") and the host provider that walks them.
import { BadArgumentsError } from '../errors.js'
import type { HostPort } from './types.js'

/** Parse a connect string into hosts and an optional chroot. */
export function parseConnectString(s: string): { hosts: HostPort[]; chroot: string | undefined } {
  const bad = (why: string) => new BadArgumentsError(`invalid connect string ${JSON.stringify(s)}: ${why}`, { op: 'connect' })
  if (typeof s !== 'string' || s.trim() === '') throw bad('it is empty')
  const slash = s.indexOf('/')
  const hostPart = slash < 0 ? s : s.slice(0, slash)
  let chroot = slash < 0 ? undefined : s.slice(slash)
  if (chroot !== undefined) {
    if (chroot === '/') chroot = undefined
    else if (chroot.endsWith('/') || chroot.includes('//')) throw bad(`chroot ${JSON.stringify(chroot)} is not a valid path`)
  }
  const hosts: HostPort[] = []
  for (const raw of hostPart.split(',')) {
    const entry = raw.trim()
    if (!entry) throw bad('empty host entry')
    let host: string
    let port = 2181
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry)
    if (v6) {
      host = v6[1]!
      if (v6[2]) port = Number(v6[2])
    } else {
      const parts = entry.split(':')
      if (parts.length > 2) throw bad(`host ${JSON.stringify(entry)}: write IPv6 addresses as [addr]:port`)
      host = parts[0]!
      if (parts.length === 2) {
        if (!/^\d+$/.test(parts[1]!)) throw bad(`port of ${JSON.stringify(entry)} is not a number`)
        port = Number(parts[1])
      }
    }
    if (!host) throw bad(`host missing in ${JSON.stringify(entry)}`)
    if (!(port > 0 && port < 65536)) throw bad(`port of ${JSON.stringify(entry)} is out of range`)
    hosts.push({ host, port })
  }
  return { hosts, chroot }
}

/** Walks the hosts round-robin (shuffled once), and tells when a full cycle has been tried. */
export class HostProvider {
  private readonly hosts: HostPort[]
  private index = -1
  private sinceConnect = 0

  constructor(hosts: HostPort[], shuffle = true, random: () => number = Math.random) {
    if (hosts.length === 0) throw new BadArgumentsError('no hosts to connect to', { op: 'connect' })
    this.hosts = [...hosts]
    if (shuffle) {
      for (let i = this.hosts.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1))
        ;[this.hosts[i], this.hosts[j]] = [this.hosts[j]!, this.hosts[i]!]
      }
    }
  }

  get size(): number {
    return this.hosts.length
  }

  /** The next host to try. */
  next(): HostPort {
    this.index = (this.index + 1) % this.hosts.length
    this.sinceConnect++
    return this.hosts[this.index]!
  }

  /** True once every host has been tried since the last successful connect (time to back off). */
  get cycled(): boolean {
    return this.sinceConnect >= this.hosts.length
  }

  /** A connection succeeded: the next failure starts a new cycle. */
  connected(): void {
    this.sinceConnect = 0
  }
}
