// Liveness of one connection: ping when nothing was sent for a third of the session timeout, and
// declare the link dead when nothing was received for two thirds of it (ZooKeeper's client uses
// the same fractions). No I/O: it calls back, and takes time from an injected Clock.
import type { Clock, TimerHandle } from '../clock.js'

/** What the heartbeat does to the connection. */
export interface HeartbeatHooks {
  /** Send a ping (xid -2). */
  ping(): void
  /** Nothing was heard for `silentMs` ms (>= the read timeout): drop the connection. */
  dead(silentMs: number): void
}

/** Ping and read-timeout timing for one connection; one timer at a time, set for the next deadline. */
export class Heartbeat {
  /** Idle time without sends after which a ping goes out (ms). */
  readonly pingAfter: number
  /** Silence after which the server is presumed gone (ms). */
  readonly readTimeout: number
  private lastSend = 0
  private lastRecv = 0
  private timer: TimerHandle | undefined
  private running = false

  constructor(
    private readonly clock: Clock,
    negotiatedTimeout: number,
    private readonly hooks: HeartbeatHooks,
  ) {
    this.readTimeout = Math.max(2, Math.floor((negotiatedTimeout * 2) / 3))
    this.pingAfter = Math.max(1, Math.floor(this.readTimeout / 2))
  }

  /** Begin watching; both clocks start now (the handshake just went both ways). */
  start(): void {
    this.running = true
    this.lastSend = this.lastRecv = this.clock.now()
    this.schedule()
  }

  stop(): void {
    this.running = false
    this.timer?.cancel()
    this.timer = undefined
  }

  /** Something was written to the server (any request counts as a sign of life). */
  sent(): void {
    this.lastSend = this.clock.now()
  }

  /** A frame arrived from the server. */
  received(): void {
    this.lastRecv = this.clock.now()
  }

  /** When the last frame arrived (clock ms). */
  get lastReceived(): number {
    return this.lastRecv
  }

  private schedule(): void {
    // Sends and receipts only move timestamps; the timer re-checks and re-arms itself, so the hot
    // path never touches a timer.
    const due = Math.min(this.lastSend + this.pingAfter, this.lastRecv + this.readTimeout)
    this.timer = this.clock.setTimeout(() => this.check(), Math.max(1, due - this.clock.now()))
  }

  private check(): void {
    this.timer = undefined
    if (!this.running) return
    const now = this.clock.now()
    const silent = now - this.lastRecv
    if (silent >= this.readTimeout) {
      this.stop()
      this.hooks.dead(silent)
      return
    }
    if (now - this.lastSend >= this.pingAfter) {
      this.lastSend = now
      this.hooks.ping()
    }
    if (this.running) this.schedule()
  }
}
