// The errors of the admin clients: one AdminError base naming the command and the server, and one
// subclass per way a call can fail. They are not ZooKeeperErrors: no ZooKeeper error code applies.

/** What an AdminError's `code` can be; each has its own subclass. */
export type AdminErrorCode =
  'NOTWHITELISTED' | 'NOTSERVING' | 'COMMANDFAILED' | 'TIMEOUT' | 'ABORTED' | 'UNREACHABLE' | 'HTTPSTATUS' | 'BADRESPONSE'

/** Where an admin call failed. */
export interface AdminErrorContext {
  /** The command as asked ("srvr", "mntr", …). */
  command: string
  /** The server: "host:port" of its client port, or the AdminServer's URL. */
  server: string
  /** The underlying error (a socket error, a JSON syntax error, an abort reason). */
  cause?: unknown
}

/** Any failure of an admin call. The message reads `CODE (command server): what happened`. */
export class AdminError extends Error {
  /** Which failure this is. */
  readonly code: AdminErrorCode
  /** The command that failed. */
  readonly command: string
  /** The server it was sent to. */
  readonly server: string

  constructor(code: AdminErrorCode, message: string, ctx: AdminErrorContext) {
    super(`${code} (${ctx.command} ${ctx.server}): ${message}`, ctx.cause === undefined ? undefined : { cause: ctx.cause })
    this.code = code
    this.command = ctx.command
    this.server = ctx.server
    this.name = new.target.name
  }
}

/** The server refused a four-letter word left out of its `4lw.commands.whitelist`. */
export class AdminNotWhitelistedError extends AdminError {
  constructor(ctx: AdminErrorContext) {
    super('NOTWHITELISTED', `the server does not run "${ctx.command}": it is not in its 4lw.commands.whitelist`, ctx)
  }
}

/** The server is up but not serving (a quorum peer without a leader, a server starting or stopping). */
export class AdminNotServingError extends AdminError {
  constructor(ctx: AdminErrorContext) {
    super('NOTSERVING', 'the server is not currently serving requests', ctx)
  }
}

/** The AdminServer answered with an error of its own (an unknown command, a missing argument). */
export class AdminCommandError extends AdminError {
  /** The server's error text. */
  readonly serverError: string

  constructor(serverError: string, ctx: AdminErrorContext) {
    super('COMMANDFAILED', `the server answered with an error: ${serverError}`, ctx)
    this.serverError = serverError
  }
}

/** No complete answer came within the call's timeout. */
export class AdminTimeoutError extends AdminError {
  /** The timeout that passed, ms. */
  readonly timeout: number

  constructor(timeout: number, ctx: AdminErrorContext) {
    super('TIMEOUT', `no complete answer within ${timeout} ms`, ctx)
    this.timeout = timeout
  }
}

/** The call was aborted through its signal; `cause` is the signal's reason. */
export class AdminAbortedError extends AdminError {
  constructor(ctx: AdminErrorContext) {
    super('ABORTED', 'aborted by its signal', ctx)
  }
}

/** The server could not be reached: `cause` is the connection error (ECONNREFUSED, ENOTFOUND, …). */
export class AdminUnreachableError extends AdminError {
  constructor(ctx: AdminErrorContext) {
    const code = (ctx.cause as { code?: unknown } | undefined)?.code
    super('UNREACHABLE', `could not connect${typeof code === 'string' ? ` (${code})` : ''}`, ctx)
  }
}

/** The AdminServer (or a proxy before it) answered with an HTTP status other than 200. */
export class AdminHttpError extends AdminError {
  /** The HTTP status code. */
  readonly status: number
  /** The start of the response body (up to 500 characters). */
  readonly body: string

  constructor(status: number, body: string, ctx: AdminErrorContext) {
    const excerpt = body.length > 500 ? `${body.slice(0, 500)}…` : body
    super('HTTPSTATUS', `HTTP ${status}${excerpt.trim() ? `: ${excerpt.trim().slice(0, 120)}` : ''}`, ctx)
    this.status = status
    this.body = excerpt
  }
}

/** The answer could not be read: not JSON, not the shape of the command's answer, or cut short. */
export class AdminBadResponseError extends AdminError {
  /** The answer as received (up to 2000 characters), when there was one. */
  readonly raw: string | undefined

  constructor(message: string, raw: string | undefined, ctx: AdminErrorContext) {
    super('BADRESPONSE', message, ctx)
    this.raw = raw === undefined || raw.length <= 2000 ? raw : `${raw.slice(0, 2000)}…`
  }
}
