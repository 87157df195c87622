// Time as an injected dependency: the system clock in production, a manual one in tests.

/** A cancellable timer handle. */
export interface TimerHandle {
  cancel(): void
}

/** What the session layer needs of time. */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): TimerHandle
}

/** Wall-clock time and Node's timers (unref'd so a forgotten timer never keeps a process alive). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms)
    t.unref?.()
    return { cancel: () => clearTimeout(t) }
  },
}

/** A clock that moves only when told to; timers fire in due order inside advance(). */
export class ManualClock implements Clock {
  private time: number
  private seq = 0
  private timers: { at: number; seq: number; fn: () => void }[] = []

  constructor(start = 0) {
    this.time = start
  }

  now(): number {
    return this.time
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn }
    this.timers.push(timer)
    return { cancel: () => void (this.timers = this.timers.filter((t) => t !== timer)) }
  }

  /** Move time forward by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const end = this.time + ms
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
      if (!due) break
      this.timers = this.timers.filter((t) => t !== due)
      this.time = Math.max(this.time, due.at)
      due.fn()
    }
    this.time = end
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.length
  }
}
