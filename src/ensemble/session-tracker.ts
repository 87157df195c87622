// Sessions of the ensemble: ids built like ZooKeeper's (server id in the top byte, time-based base),
// passwords derived from the id, timeout negotiation, and expiry in tick-sized buckets.
import { createHmac, randomBytes } from 'node:crypto'

/** One live session. */
export interface SessionInfo {
  id: bigint
  timeout: number
  /** Deadline (ms) at which the session expires unless touched. */
  expiresAt: number
  closing: boolean
}

/** Milliseconds of the monotonic clock (CLOCK_MONOTONIC on Linux, what Java's System.nanoTime reads). */
function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n)
}

/** Tracks sessions, their timeouts and expiry. */
export class SessionTracker {
  readonly sessions = new Map<bigint, SessionInfo>()
  private nextId: bigint
  private readonly secret: Buffer

  constructor(
    private readonly tickTime: number,
    serverId = 1,
    elapsedMs = monotonicMs(),
    readonly minTimeout = 2 * tickTime,
    readonly maxTimeout = 20 * tickTime,
    secret?: Buffer,
  ) {
    // As ZooKeeper's SessionTrackerImpl: the id of the server the session was created through in the
    // top byte, then milliseconds of the monotonic clock (Java's nanoTime, Node's hrtime) shifted in.
    this.nextId = BigInt.asIntN(64, (BigInt.asUintN(64, BigInt(elapsedMs) << 24n) >> 8n) | (BigInt(serverId) << 56n))
    this.secret = secret ?? randomBytes(32)
  }

  /** The next session id (not yet registered). */
  newId(): bigint {
    // A session recovered from a data dir may hold an id minted before a reboot reset the clock.
    while (this.sessions.has(this.nextId)) this.nextId++
    return this.nextId++
  }

  /** Clamp a requested timeout to [min, max]. */
  negotiate(requested: number): number {
    return Math.min(this.maxTimeout, Math.max(this.minTimeout, requested))
  }

  /** The password of a session: 16 bytes derived from its id and the server's secret. */
  password(id: bigint): Buffer {
    const b = Buffer.alloc(8)
    b.writeBigInt64BE(id)
    return createHmac('sha256', this.secret).update(b).digest().subarray(0, 16)
  }

  /** Round a deadline up to the next tick boundary, as ZooKeeper's ExpiryQueue does. */
  private bucket(t: number): number {
    return (Math.floor(t / this.tickTime) + 1) * this.tickTime
  }

  add(id: bigint, timeout: number, now: number): SessionInfo {
    const s: SessionInfo = { id, timeout, expiresAt: this.bucket(now + timeout), closing: false }
    this.sessions.set(id, s)
    return s
  }

  /** Extend a live session; false when it is unknown or closing. */
  touch(id: bigint, now: number): boolean {
    const s = this.sessions.get(id)
    if (!s || s.closing) return false
    s.expiresAt = this.bucket(now + s.timeout)
    return true
  }

  /** Sessions whose deadline has passed; they are marked closing. */
  expired(now: number): SessionInfo[] {
    const out: SessionInfo[] = []
    for (const s of this.sessions.values()) {
      if (!s.closing && s.expiresAt <= now) {
        s.closing = true
        out.push(s)
      }
    }
    return out
  }

  remove(id: bigint): void {
    this.sessions.delete(id)
  }
}
