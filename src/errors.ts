// Typed errors: one ZooKeeperError base carrying code, op and path; one subclass per code users
// branch on, each registering itself in the code → class table where it is declared; plus
// client-side error types.
import { ErrorCode, errorName } from './protocol.js'

/** Where an error happened: which operation and which path (client-side view, chroot stripped). */
export interface ErrorContext {
  /** The operation, by its client method name ("getData", "multi", "connect"). */
  op?: string
  /** The path the operation was given. */
  path?: string
  /** The underlying error or abort reason, as Error's `cause`. */
  cause?: unknown
}

/** Any error reported by zookit that corresponds to a ZooKeeper error code. */
export class ZooKeeperError extends Error {
  /** ZooKeeper error code (negative number, see ErrorCode). */
  readonly code: number
  /** Operation that failed ("create", "getData", "connect" …), when known. */
  readonly op: string | undefined
  /** Path the operation was about, when it had one. */
  readonly path: string | undefined

  /**
   * @param label the word the message starts with: the code's name unless given. Client-side
   *   conditions that borrow a code (an aborted call, a closed client) name themselves instead, so
   *   that they never read as a timeout or a lost connection.
   */
  constructor(code: number, message?: string, ctx: ErrorContext = {}, label: string = errorName(code)) {
    const where = [ctx.op, ctx.path].filter(Boolean).join(' ')
    super(
      `${label}${where ? ` (${where})` : ''}${message ? `: ${message}` : ''}`,
      ctx.cause === undefined ? undefined : { cause: ctx.cause },
    )
    this.code = code
    this.op = ctx.op
    this.path = ctx.path
    this.name = new.target.name
  }

  /** The symbolic name of the code, e.g. "NONODE". */
  get codeName(): string {
    return errorName(this.code)
  }
}

type ErrorClass = new (message?: string, ctx?: ErrorContext) => ZooKeeperError
const byCode = new Map<number, ErrorClass>()

/**
 * Puts a class in the code → class table, by the code its instances carry. Each class calls it as
 * it is declared (as kazoo's decorator registers its exceptions), so adding a code is one edit.
 */
function registerByCode(cls: ErrorClass): void {
  byCode.set(new cls().code, cls)
}

export class SystemError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.SYSTEMERROR, m, c)
  }
}
export class RuntimeInconsistencyError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.RUNTIMEINCONSISTENCY, m, c)
  }
}
export class DataInconsistencyError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.DATAINCONSISTENCY, m, c)
  }
}
/** The connection to the server was lost before the reply arrived; the operation may or may not have been applied. */
export class ConnectionLossError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.CONNECTIONLOSS, m, c)
  }
}
/** A record could not be encoded or decoded (malformed or oversized frame, bad field). */
export class MarshallingError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.MARSHALLINGERROR, m, c)
  }
}
export class UnimplementedError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.UNIMPLEMENTED, m, c)
  }
}
/** The operation did not complete in time (per-call timeout). */
export class OperationTimeoutError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.OPERATIONTIMEOUT, m, c)
  }
}
/** Arguments were rejected (by client-side validation or by the server). */
export class BadArgumentsError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.BADARGUMENTS, m, c)
  }
}
export class UnknownSessionError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.UNKNOWNSESSION, m, c)
  }
}
export class NewConfigNoQuorumError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.NEWCONFIGNOQUORUM, m, c)
  }
}
export class ReconfigInProgressError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.RECONFIGINPROGRESS, m, c)
  }
}
export class ApiError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.APIERROR, m, c)
  }
}
/** The node does not exist. */
export class NoNodeError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.NONODE, m, c)
  }
}
/** The session lacks the permission the ACL requires. */
export class NoAuthError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.NOAUTH, m, c)
  }
}
/** The expected version did not match the node's version. */
export class BadVersionError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.BADVERSION, m, c)
  }
}
/** Ephemeral nodes may not have children. */
export class NoChildrenForEphemeralsError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.NOCHILDRENFOREPHEMERALS, m, c)
  }
}
/** The node already exists. */
export class NodeExistsError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.NODEEXISTS, m, c)
  }
}
/** The node has children. */
export class NotEmptyError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.NOTEMPTY, m, c)
  }
}
/** The session has expired; the client must be re-created (ephemerals and watches are gone). */
export class SessionExpiredError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.SESSIONEXPIRED, m, c)
  }
}
export class InvalidCallbackError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.INVALIDCALLBACK, m, c)
  }
}
/** The ACL is invalid (empty, unknown scheme, malformed id). */
export class InvalidACLError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.INVALIDACL, m, c)
  }
}
/** Authentication failed; the session can no longer be used. */
export class AuthFailedError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.AUTHFAILED, m, c)
  }
}
export class SessionMovedError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.SESSIONMOVED, m, c)
  }
}
export class NotReadOnlyError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.NOTREADONLY, m, c)
  }
}
export class EphemeralOnLocalSessionError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.EPHEMERALONLOCALSESSION, m, c)
  }
}
/** No matching watcher was registered (removeWatches / checkWatches). */
export class NoWatcherError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.NOWATCHER, m, c)
  }
}
export class RequestTimeoutError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.REQUESTTIMEOUT, m, c)
  }
}
export class ReconfigDisabledError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.RECONFIGDISABLED, m, c)
  }
}
export class SessionClosedRequireSaslAuthError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.SESSIONCLOSEDREQUIRESASLAUTH, m, c)
  }
}
export class QuotaExceededError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.QUOTAEXCEEDED, m, c)
  }
}
export class ThrottledOpError extends ZooKeeperError {
  static {
    registerByCode(this)
  }
  constructor(m?: string, c?: ErrorContext) {
    super(ErrorCode.THROTTLEDOP, m, c)
  }
}

/** Build the typed error for a ZooKeeper error code; unknown codes keep their raw code on the base class. */
export function errorFromCode(code: number, ctx: ErrorContext = {}, message?: string): ZooKeeperError {
  const cls = byCode.get(code)
  return cls ? new cls(message, ctx) : new ZooKeeperError(code, message, ctx)
}

/** The subclass registered for a code, if any (for `instanceof` checks built from codes). */
export function errorClassForCode(code: number): ErrorClass | undefined {
  return byCode.get(code)
}

/**
 * The client was closed by the user; pending and later calls fail with this. Its code stays
 * CONNECTIONLOSS for code that branches on codes, but it reads "CLOSED" and is never retried.
 */
export class ClientClosedError extends ZooKeeperError {
  constructor(ctx: ErrorContext = {}) {
    super(ErrorCode.CONNECTIONLOSS, 'the client was closed (close() was called)', ctx, 'CLOSED')
  }
}

/**
 * A call was aborted through its AbortSignal; `cause` is the signal's reason, which the message
 * repeats. The request may already have reached the server. Its code stays OPERATIONTIMEOUT for
 * code that branches on codes, but it reads "ABORTED" and is never retried.
 */
export class AbortedError extends ZooKeeperError {
  constructor(ctx: ErrorContext = {}) {
    super(ErrorCode.OPERATIONTIMEOUT, `aborted by its signal: ${describeReason(ctx.cause)}`, ctx, 'ABORTED')
  }
}

/** An abort reason as words: an Error's message, a string as is, anything else as JSON when it can be. */
function describeReason(reason: unknown): string {
  if (reason === undefined) return 'no reason given'
  if (reason instanceof Error) return reason.message || reason.name
  if (typeof reason === 'string') return reason
  try {
    return JSON.stringify(reason) ?? String(reason)
  } catch {
    return String(reason)
  }
}

/** The server or peer violated the protocol (wrong xid order, malformed frame); the connection is dropped. */
export class ProtocolError extends ZooKeeperError {
  constructor(message: string, ctx: ErrorContext = {}) {
    super(ErrorCode.MARSHALLINGERROR, message, ctx)
  }
}

/** An object used out of order: a lock released without being held, a recipe started twice. */
export class IllegalStateError extends ZooKeeperError {
  constructor(message: string, ctx: ErrorContext = {}) {
    super(ErrorCode.APIERROR, message, ctx)
  }
}
