// LeaderLatch with Apache Curator's layout: participants create <path>/_c_<uuid>-latch-<seq>
// (ephemeral, data = participant id); the lowest sequence leads; each watches only its predecessor.
// Leadership is given up on the connection states its error policy counts (SUSPENDED and LOST by
// default), and the latch re-enters with a fresh node after a reconnect unless it still leads, so
// two leaders never coexist across a session change.
import { NoNodeError, TypedEventEmitter, type ZooKeeper, IllegalStateError } from '../src/index.js'
import {
  connectionStateOf,
  isErrorState,
  type ConnectionState,
  type ConnectionStateErrorPolicy,
  type ErrorPolicyOptions,
} from './connection-state.js'
import { createProtectedSequential, sortBySequence } from './internal/protected.js'
import { deleteQuietly } from './internal/contenders.js'
import { abortedBy, reportError } from './internal/wait.js'

/** Curator's latch node name. */
export const LATCH_NAME = 'latch-'

/** The events of a LeaderLatch and what their listeners get. */
export interface LeaderLatchEvents {
  /** This participant now leads. */
  isLeader: []
  /** It no longer leads (another leads, the connection state is an error under the policy, or close()). */
  notLeader: []
  /** close() has removed its node. */
  closed: []
  /** Background work failed (re-entering after a reconnect, watching the predecessor). */
  error: [err: unknown]
}

/**
 * A leader latch. Events: 'isLeader' and 'notLeader' (see LeaderLatchEvents). `await
 * latch.await({ timeout, signal })` resolves true once this participant leads.
 *
 * Connection states (connectionStateOf(zk)), as Curator's LeaderLatch: with the 'standard' error
 * policy leadership is given up at SUSPENDED; with 'session-only' the leader keeps leading through
 * a dropped connection. Either way it is given up at LOST. At RECONNECTED a participant that does
 * not lead re-enters with a fresh node (its old one may belong to a session that is gone).
 */
export class LeaderLatch extends TypedEventEmitter<LeaderLatchEvents> {
  private node: string | undefined
  private leader = false
  private started = false
  private closed = false
  private readonly errorPolicy: ConnectionStateErrorPolicy
  private readonly onConnection = (state: ConnectionState) => this.connectionChanged(state)
  /** Bumped on every re-entry, so work of an older round stops mattering. */
  private round = 0

  /**
   * @param path the election's directory
   * @param id this participant's id, stored in its node (participants() lists them)
   * @param opts `errorPolicy`: which connection states cost leadership ('standard' unless set)
   */
  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
    readonly id = '',
    opts: ErrorPolicyOptions = {},
  ) {
    super()
    this.errorPolicy = opts.errorPolicy ?? 'standard'
  }

  /** Join the election. */
  async start(): Promise<void> {
    if (this.started) throw new IllegalStateError('already started', { op: 'LeaderLatch.start', path: this.path })
    this.started = true
    connectionStateOf(this.zk).on('change', this.onConnection)
    await this.enter()
  }

  /** Whether this participant leads now (never while the connection state is an error under the policy). */
  hasLeadership(): boolean {
    return this.leader && !isErrorState(connectionStateOf(this.zk).state, this.errorPolicy)
  }

  /** Wait for leadership: true when leading, false on timeout. Rejects when aborted or closed. */
  await(opts: { timeout?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    if (this.hasLeadership()) return Promise.resolve(true)
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      const done = (fn: () => void) => {
        this.off('isLeader', onLeader)
        this.off('closed', onClosed)
        opts.signal?.removeEventListener('abort', onAbort)
        if (timer) clearTimeout(timer)
        fn()
      }
      const onLeader = () => done(() => resolve(true))
      const onClosed = () =>
        done(() => reject(new IllegalStateError('latch closed while waiting', { op: 'LeaderLatch.await', path: this.path })))
      const onAbort = () => done(() => reject(abortedBy(opts.signal!, { op: 'LeaderLatch.await', path: this.path })))
      if (opts.signal?.aborted) return onAbort()
      this.on('isLeader', onLeader)
      this.on('closed', onClosed)
      opts.signal?.addEventListener('abort', onAbort, { once: true })
      if (opts.timeout !== undefined) timer = setTimeout(() => done(() => resolve(false)), opts.timeout)
    })
  }

  /** Participants' ids in order; the first leads. */
  async participants(): Promise<{ id: string; node: string; isLeader: boolean }[]> {
    const names = sortBySequence(await this.zk.getChildren(this.path).catch(() => []), LATCH_NAME)
    const out: { id: string; node: string; isLeader: boolean }[] = []
    for (const [i, n] of names.entries()) {
      try {
        out.push({ id: (await this.zk.getData(`${this.path}/${n}`)).data.toString(), node: n, isLeader: i === 0 })
      } catch (err) {
        if (!(err instanceof NoNodeError)) throw err
      }
    }
    return out
  }

  /** Leave the election (deletes our node). */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.round++
    connectionStateOf(this.zk).off('change', this.onConnection)
    this.setLeader(false)
    const node = this.node
    this.node = undefined
    if (node) await deleteQuietly(this.zk, node)
    this.emit('closed')
  }

  /** close(), for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  private async enter(): Promise<void> {
    const round = ++this.round
    const old = this.node
    this.node = undefined
    if (old) await deleteQuietly(this.zk, old)
    const node = await createProtectedSequential(this.zk, this.path, LATCH_NAME, Buffer.from(this.id))
    if (round !== this.round || this.closed) {
      await deleteQuietly(this.zk, node)
      return
    }
    this.node = node
    await this.check(round)
  }

  /** Look at the participants: lead if first, else watch the predecessor. */
  private async check(round: number): Promise<void> {
    while (round === this.round && !this.closed) {
      const names = sortBySequence(await this.zk.getChildren(this.path), LATCH_NAME)
      const mine = this.node!.slice(this.path.length + 1)
      const i = names.indexOf(mine)
      if (i < 0) {
        // Our node vanished (session moved on or someone deleted it): enter again.
        void this.enter().catch((err) => reportError(this, err))
        return
      }
      if (i === 0) {
        this.setLeader(true)
        return
      }
      const prev = `${this.path}/${names[i - 1]}`
      const gone = await new Promise<boolean>((resolve, reject) => {
        this.zk
          .exists(prev, {
            watch: (e) => e.type === 'deleted' && round === this.round && void this.check(round).catch((err) => reportError(this, err)),
          })
          .then((stat) => resolve(stat === null), reject)
      })
      if (!gone) return // the watch will call check() again
    }
  }

  private connectionChanged(state: ConnectionState): void {
    if (this.closed) return
    // Another participant may lead meanwhile: an error state costs leadership at once.
    if (isErrorState(state, this.errorPolicy)) this.setLeader(false)
    // Not leading after a reconnect: our node may belong to a session that is gone; re-enter to be
    // sure we wait with a node of this one. A leader that kept leading (session-only) keeps its node.
    if (state === 'RECONNECTED' && !this.leader) void this.enter().catch((err) => reportError(this, err))
  }

  private setLeader(v: boolean): void {
    if (this.leader === v) return
    this.leader = v
    this.emit(v ? 'isLeader' : 'notLeader')
  }
}
