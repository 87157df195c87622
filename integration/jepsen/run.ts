// What a Jepsen run records: its History of ops, the Stat of each acknowledged write, its sessions,
// a timestamped log of the nemesis' steps, liveness problems, and the clients to close at the end.
import { BadVersionError, ConnectionLossError, OperationTimeoutError, SessionExpiredError, ZooKeeper, type Stat } from '../../src/index.js'
import { History, type Recorded, type RegisterOp } from '../../src/testing/history.js'
import { logger } from '../../src/debug.js'
import { CONNECT_TIMEOUT, SESSION_TIMEOUT } from './settings.js'

/** DEBUG=zookit:jepsen prints the nemesis' steps as they happen, between the peers' own lines. */
const log = logger('jepsen')

/** One timestamped event of the run, for failure reports. */
export interface LogLine {
  ms: number
  /** The History's logical clock when it happened (compare with ops' start/end). */
  clock: number
  what: string
}

type Completion = ReturnType<History['invoke']>

/** Everything a run records. */
export class Run {
  readonly h = new History()
  /** Local reads: checked for session order only. */
  readonly plain = new Set<Recorded>()
  /** Stat returned for each acknowledged write or CAS. */
  readonly stats = new Map<Recorded, Stat>()
  /** What each History session was (worker, servers). */
  readonly sessions = new Map<number, string>()
  readonly log: LogLine[] = []
  /** Liveness problems (no recovery after a fault, a hung worker, a server that never serves again). */
  readonly problems: string[] = []
  /** Errors other than the expected indeterminate ones and BadVersion, by message. */
  readonly oddErrors = new Map<string, number>()
  readonly clients = new Set<ZooKeeper>()
  stopping = false
  private nextSession = 0

  newSession(what: string): number {
    const s = ++this.nextSession
    this.sessions.set(s, what)
    return s
  }

  /** The History's logical clock now (its largest stamp). */
  clock(): number {
    let c = 0
    for (const o of this.h.ops) c = Math.max(c, o.start, o.end ?? 0)
    return c
  }

  note(what: string): void {
    // Stamped on the History's own ms, so that timelines draw faults where the ops saw them.
    this.log.push({ ms: Math.round(this.h.elapsed()), clock: this.clock(), what })
    log('%s', what)
  }

  /** Invoke an op; returns its completion handle and its record. */
  invoke(key: string, session: number, op: RegisterOp): { done: Completion; rec: Recorded } {
    const done = this.h.invoke(key, session, op)
    return { done, rec: this.h.ops[this.h.ops.length - 1]! }
  }

  /** Settle an op that threw: BadVersion on a CAS is a definite failure, anything else indeterminate. */
  failed(done: Completion, err: unknown, definite = false): void {
    if (definite) done.fail()
    else done.unknown()
    const expected =
      err instanceof BadVersionError ||
      err instanceof ConnectionLossError ||
      err instanceof OperationTimeoutError ||
      err instanceof SessionExpiredError
    if (!expected) {
      const name = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
      this.oddErrors.set(name, (this.oddErrors.get(name) ?? 0) + 1)
    }
  }

  /** A client of this run, closed at the end whatever happens. */
  async connect(cs: string, initialConnectTimeout = CONNECT_TIMEOUT): Promise<ZooKeeper> {
    const zk = await ZooKeeper.connect(cs, { sessionTimeout: SESSION_TIMEOUT, initialConnectTimeout })
    this.clients.add(zk)
    return zk
  }

  async release(zk: ZooKeeper): Promise<void> {
    this.clients.delete(zk)
    await zk.close().catch(() => {})
  }
}

/** Whether a client can do nothing more: its worker needs a new session. */
export const terminal = (zk: ZooKeeper) => zk.state === 'expired' || zk.state === 'closed' || zk.state === 'authFailed'
