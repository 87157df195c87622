// Calls between request() and their settlement: the Pending object (promise, decoder, timeout and
// abort), the FIFO of calls on the wire (ZooKeeper replies in request order), and the bounded
// queue of calls waiting for a connection. Pure: time comes from an injected Clock.
import type { Reader } from '../jute/reader.js'
import type { Clock, TimerHandle } from '../clock.js'
import {
  AbortedError,
  ConnectionLossError,
  MarshallingError,
  OperationTimeoutError,
  ProtocolError,
  ZooKeeperError,
  errorFromCode,
} from '../errors.js'
import { ErrorCode } from '../protocol.js'
import { logger } from '../debug.js'
import type { RequestOptions } from './types.js'

const log = logger('session')

/** One call from request() until its promise settles. */
export class Pending<T = unknown> {
  /** Wire xid, assigned when sent (0 while unsent). */
  xid = 0
  /** The promise has settled (reply, error, timeout or abort); a later reply is matched and dropped. */
  settled = false
  private disarm: () => void = () => {}

  /**
   * @param frame the whole request frame, length prefix included; its xid slot (bytes 4..7) is
   *   filled in by the session when it is sent.
   */
  constructor(
    readonly opcode: number,
    public frame: Buffer | undefined,
    private readonly decode: ((r: Reader) => T) | null,
    readonly opts: RequestOptions,
    private readonly resolveFn: (value: T) => void,
    private readonly rejectFn: (err: unknown) => void,
  ) {}

  /**
   * Start the per-call timeout and listen to the AbortSignal. Either ends the call at once; then
   * `onEarlyEnd` lets the owner forget it if it was not sent yet. A call already on the wire stays
   * in the FIFO so the replies behind it still match.
   */
  arm(clock: Clock, onEarlyEnd: (p: Pending<T>) => void): void {
    const { signal, timeout, op, path } = this.opts
    // Most calls have neither: nothing to arm (and no closures to allocate).
    if (!signal && !(timeout !== undefined && timeout > 0)) return
    if (signal?.aborted) {
      this.fail(new AbortedError({ op, path, cause: signal.reason }))
      return
    }
    let timer: TimerHandle | undefined
    const onAbort = () => {
      if (this.fail(new AbortedError({ op, path, cause: signal!.reason }))) onEarlyEnd(this)
    }
    if (timeout !== undefined && timeout > 0) {
      timer = clock.setTimeout(() => {
        // Say whether it ever left: an unsent call is safe to retry, a sent one may have been applied.
        const why =
          this.xid === 0
            ? `not sent within ${timeout} ms (the timeout option): no connection to send it on`
            : `no reply within ${timeout} ms (the timeout option)`
        if (this.fail(new OperationTimeoutError(why, { op, path }))) onEarlyEnd(this)
      }, timeout)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    this.disarm = () => {
      timer?.cancel()
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /** Reject with `err` unless already settled; true when this call did settle it. */
  fail(err: unknown): boolean {
    if (this.settled) return false
    this.settled = true
    this.frame = undefined
    this.disarm()
    this.rejectFn(err)
    return true
  }

  /**
   * The reply arrived. onReply runs first, synchronously, so the client registers watches before
   * any later frame (a notification) is looked at; then the promise settles. A call that already
   * ended (timeout/abort) ignores its reply: the caller gave up, so its watcher is not registered.
   */
  complete(err: number, zxid: bigint, body: Reader): void {
    if (this.settled) return
    const { op, path, onReply } = this.opts
    try {
      onReply?.(err, zxid)
    } catch (e) {
      log('onReply of %s %s threw: %s', op, path ?? '', (e as Error).message)
    }
    if (err !== ErrorCode.OK) {
      this.fail(errorFromCode(err, { op, path }))
      return
    }
    let value: T
    try {
      value = this.decode ? this.decode(body) : (undefined as T)
    } catch (e) {
      // The frame itself was fine (framing is by length), so only this call fails.
      const why = e instanceof Error ? e.message : String(e)
      this.fail(new MarshallingError(`cannot decode the ${op} reply: ${why}`, { op, path, cause: e }))
      return
    }
    this.settled = true
    this.frame = undefined
    this.disarm()
    this.resolveFn(value)
  }
}

/**
 * Calls on the wire, keyed by xid, in send order (a Map iterates in insertion order). ZooKeeper
 * answers each connection's requests in order, so a reply must match the oldest entry; anything
 * else means the stream can no longer be trusted.
 */
export class PendingMap {
  private readonly calls = new Map<number, Pending>()

  get size(): number {
    return this.calls.size
  }

  /** Record a sent call (its xid already set). */
  add(p: Pending): void {
    if (this.calls.has(p.xid)) throw new ProtocolError(`xid ${p.xid} is already in flight`)
    this.calls.set(p.xid, p)
  }

  /** The oldest call on the wire, if any. */
  head(): Pending | undefined {
    return this.calls.values().next().value
  }

  /** Remove and return the call a reply with `xid` answers; it must be the oldest, else ProtocolError. */
  take(xid: number): Pending {
    const head = this.head()
    if (!head || head.xid !== xid) {
      throw new ProtocolError(
        `reply xid ${xid} does not match the oldest request in flight (${head ? `xid ${head.xid}` : 'none'}); ZooKeeper replies in request order`,
      )
    }
    this.calls.delete(xid)
    return head
  }

  /** Fail every call (those still unsettled) with the error `errFor` builds, and forget them all. */
  failAll(errFor: (p: Pending) => unknown): void {
    const all = [...this.calls.values()]
    this.calls.clear()
    for (const p of all) if (!p.settled) p.fail(errFor(p))
  }
}

/** Calls made while not connected, sent in order after the next handshake; bounded. */
export class UnsentQueue {
  /** A Set keeps insertion order and removes a timed-out call in O(1). */
  private readonly calls = new Set<Pending>()

  constructor(readonly max: number) {}

  get size(): number {
    return this.calls.size
  }

  /** Queue a call, or reject it with a ConnectionLossError when the queue is full. */
  push(p: Pending): void {
    if (this.calls.size >= this.max) {
      p.fail(
        new ConnectionLossError(`not connected, and ${this.calls.size} calls already wait for a connection (the limit)`, {
          op: p.opts.op,
          path: p.opts.path,
        }),
      )
      return
    }
    this.calls.add(p)
  }

  remove(p: Pending): void {
    this.calls.delete(p)
  }

  /** Take every waiting call that is still unsettled, oldest first. */
  drain(): Pending[] {
    const all = [...this.calls].filter((p) => !p.settled)
    this.calls.clear()
    return all
  }

  /** Fail every waiting call with the error `errFor` builds. */
  failAll(errFor: (p: Pending) => unknown): void {
    for (const p of this.drain()) p.fail(errFor(p))
  }
}

/** The error to report for `e` thrown while encoding a request. */
export function encodingError(e: unknown, op: string, path?: string): ZooKeeperError {
  if (e instanceof ZooKeeperError) return e
  return new MarshallingError(`cannot encode the ${op} request: ${e instanceof Error ? e.message : String(e)}`, { op, path, cause: e })
}
