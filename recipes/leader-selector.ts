// LeaderSelector (Curator's layout: a Mutex on <path>, nodes _c_<uuid>-lock-<seq>): participants
// take turns; the one holding the lock runs takeLeadership(), and gives leadership up when it returns,
// when close() is called, or when the connection is suspended (the signal passed to it aborts).
import type { SessionState, ZooKeeper } from '../src/index.js'
import { IllegalStateError } from '../src/index.js'
import { Mutex } from './lock.js'
import { requireFunction } from './internal/arguments.js'

/** What a leader does while it leads; it should stop when `signal` aborts. */
export type TakeLeadership = (signal: AbortSignal) => Promise<void>

/** A participant in a leader election that runs `takeLeadership` each time it is elected. */
export class LeaderSelector {
  private readonly mutex: Mutex
  private running = false
  private loop: Promise<void> | undefined
  private current: AbortController | undefined
  private readonly stop = new AbortController()
  private readonly onState = (s: SessionState) => {
    // Curator: SUSPENDED or LOST interrupts the leader.
    if (s === 'disconnected' || s === 'expired' || s === 'closed') this.current?.abort(new IllegalStateError(`connection ${s}: leadership may be lost`, { op: 'LeaderSelector', path: this.path }))
  }

  /**
   * @param path the election's directory (a Mutex's, as in Curator)
   * @param takeLeadership what to run while leading; leadership ends when it returns
   */
  constructor(private readonly zk: ZooKeeper, readonly path: string, private readonly takeLeadership: TakeLeadership, private readonly opts: { autoRequeue?: boolean; id?: string } = {}) {
    requireFunction(takeLeadership, 'takeLeadership', 'LeaderSelector', path)
    this.mutex = new Mutex(zk, path, Buffer.from(opts.id ?? ''))
  }

  /** Join; with autoRequeue (default true) the participant queues again after each turn. */
  start(): void {
    if (this.running) throw new IllegalStateError('already started', { op: 'LeaderSelector.start', path: this.path })
    this.running = true
    this.zk.on('state', this.onState)
    this.loop = this.run()
  }

  /** Whether this participant leads now. */
  hasLeadership(): boolean {
    return this.current !== undefined && !this.current.signal.aborted
  }

  private async run(): Promise<void> {
    do {
      try {
        if (!(await this.mutex.acquire({ signal: this.stop.signal }))) continue
      } catch {
        if (this.stop.signal.aborted) return
        continue
      }
      const ac = new AbortController()
      this.current = ac
      const onStop = () => ac.abort(this.stop.signal.reason)
      this.stop.signal.addEventListener('abort', onStop, { once: true })
      try {
        await this.takeLeadership(ac.signal)
      } catch {
        // A failing leader gives up its turn like one that returns.
      } finally {
        this.stop.signal.removeEventListener('abort', onStop)
        this.current = undefined
        await this.mutex.release().catch(() => {})
      }
    } while (this.running && (this.opts.autoRequeue ?? true) && !this.stop.signal.aborted && this.zk.state !== 'expired' && this.zk.state !== 'closed')
  }

  /** Leave: interrupts a running leader and waits for it to finish. */
  async close(): Promise<void> {
    this.running = false
    this.zk.off('state', this.onState)
    this.stop.abort(new IllegalStateError('selector closed', { op: 'LeaderSelector.close', path: this.path }))
    await this.loop
  }

  /** close(), for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}
