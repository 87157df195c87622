// Time as an injected dependency: the system clock in production, a manual clock in tests, so that
// pings, read timeouts, backoff and expiry can be tested without waiting.

/** Cancels a timer made by Clock.setTimeout; cancelling twice, or after it fired, is harmless. */
export interface TimerHandle {
  cancel(): void
}

/** What the session layer needs of time: a millisecond reading and one-shot timers. */
export interface Clock {
  /** Milliseconds on some monotonic-enough scale (only differences matter). */
  now(): number
  /** Run `fn` once after `ms` milliseconds, unless cancelled first. */
  setTimeout(fn: () => void, ms: number): TimerHandle
}

/**
 * Wall-clock time and Node's timers. Timers are not unref'd: a session that is backing off between
 * reconnects, with no socket open, must still keep the process alive until close(), which cancels
 * every timer the session set.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, Math.max(0, ms))
    return { cancel: () => clearTimeout(timer) }
  },
}

interface ManualTimer {
  at: number
  seq: number
  fn: () => void
  live: boolean
}

/**
 * A clock that moves only when told to. advance(ms) fires every timer that falls due, earliest first
 * (ties in creation order), including timers that the fired callbacks create within the window.
 */
export class ManualClock implements Clock {
  private time: number
  private seq = 0
  /** Live timers, kept sorted by (at, seq). */
  private timers: ManualTimer[] = []

  constructor(start = 0) {
    this.time = start
  }

  now(): number {
    return this.time
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, live: true }
    // Insert after every timer due at the same time or earlier, so ties keep creation order.
    let i = this.timers.length
    while (i > 0 && this.timers[i - 1]!.at > timer.at) i--
    this.timers.splice(i, 0, timer)
    return {
      cancel: () => {
        if (!timer.live) return
        timer.live = false
        this.timers.splice(this.timers.indexOf(timer), 1)
      },
    }
  }

  /** Move time forward by `ms`, firing due timers in order; `now()` reads each timer's due time while it runs. */
  advance(ms: number): void {
    const end = this.time + Math.max(0, ms)
    for (;;) {
      const next = this.timers[0]
      if (!next || next.at > end) break
      this.timers.shift()
      next.live = false
      this.time = Math.max(this.time, next.at)
      next.fn()
    }
    this.time = end
  }

  /** Number of timers not yet fired or cancelled. */
  get pending(): number {
    return this.timers.length
  }

  /** Milliseconds until the next timer is due, or undefined when none is set. */
  get nextDue(): number | undefined {
    const next = this.timers[0]
    return next === undefined ? undefined : Math.max(0, next.at - this.time)
  }
}
