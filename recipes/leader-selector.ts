// LeaderSelector (Curator's layout: a Mutex on <path>, nodes _c_<uuid>-lock-<seq>): participants
// take turns; the one holding the lock runs takeLeadership(), and gives leadership up when it returns,
// when close() is called, or at a connection state its error policy counts (the signal passed to it
// aborts).
import type { ZooKeeper } from '../src/index.js'
import { IllegalStateError } from '../src/index.js'
import { connectionStateOf, isErrorState, type ConnectionState, type ErrorPolicyOptions } from './connection-state.js'
import { Mutex } from './lock.js'
import { requireFunction } from './internal/arguments.js'

/** What a leader does while it leads; it should stop when `signal` aborts. */
export type TakeLeadership = (signal: AbortSignal) => Promise<void>

/** Options of a LeaderSelector. */
export interface LeaderSelectorOptions extends ErrorPolicyOptions {
  /** Queue again after each turn (default true); never once the client cannot reconnect. */
  autoRequeue?: boolean
  /** This participant's id, stored in its lock node. */
  id?: string
}

/**
 * A participant in a leader election that runs `takeLeadership` each time it is elected.
 *
 * Connection states (connectionStateOf(zk)), as Curator's LeaderSelectorListenerAdapter: a state
 * that is an error under `errorPolicy` interrupts the leader (its signal aborts with an
 * IllegalStateError): SUSPENDED or LOST with 'standard' (the default), only LOST with 'session-only'.
 */
export class LeaderSelector {
  private readonly mutex: Mutex
  private running = false
  private loop: Promise<void> | undefined
  private current: AbortController | undefined
  private readonly stop = new AbortController()
  private readonly onConnection = (state: ConnectionState) => {
    if (isErrorState(state, this.opts.errorPolicy))
      this.current?.abort(new IllegalStateError(`connection ${state}: leadership may be lost`, { op: 'LeaderSelector', path: this.path }))
  }

  /**
   * @param path the election's directory (a Mutex's, as in Curator)
   * @param takeLeadership what to run while leading; leadership ends when it returns
   * @param opts `autoRequeue`, `id` and `errorPolicy` (see LeaderSelectorOptions)
   */
  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
    private readonly takeLeadership: TakeLeadership,
    private readonly opts: LeaderSelectorOptions = {},
  ) {
    requireFunction(takeLeadership, 'takeLeadership', 'LeaderSelector', path)
    this.mutex = new Mutex(zk, path, Buffer.from(opts.id ?? ''))
  }

  /** Join; with autoRequeue (default true) the participant queues again after each turn. */
  start(): void {
    if (this.running) throw new IllegalStateError('already started', { op: 'LeaderSelector.start', path: this.path })
    this.running = true
    connectionStateOf(this.zk).on('change', this.onConnection)
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
    } while (this.running && (this.opts.autoRequeue ?? true) && !this.stop.signal.aborted && connectionStateOf(this.zk).canReconnect)
  }

  /** Leave: interrupts a running leader and waits for it to finish. */
  async close(): Promise<void> {
    this.running = false
    connectionStateOf(this.zk).off('change', this.onConnection)
    this.stop.abort(new IllegalStateError('selector closed', { op: 'LeaderSelector.close', path: this.path }))
    await this.loop
  }

  /** close(), for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}
