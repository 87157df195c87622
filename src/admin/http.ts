// The same commands over ZooKeeper's AdminServer (GET <url>/commands/<name>, JSON answers), with the
// same typed results: one HTTP request per call, its status, body and JSON checked before mapping.
import http from 'node:http'
import https from 'node:https'
import { BadArgumentsError } from '../errors.js'
import { describeValue } from '../arguments.js'
import { bounded, checkDefaultTimeout, DEFAULT_ADMIN_TIMEOUT } from './call.js'
import {
  AdminBadResponseError,
  AdminCommandError,
  AdminError,
  AdminHttpError,
  AdminNotServingError,
  AdminUnreachableError,
  type AdminErrorContext,
} from './errors.js'
import { parseJson, type JsonObject } from './json.js'
import { NOT_SERVING } from './parse.js'
import {
  confFromJson,
  consFromJson,
  dumpFromJson,
  enviFromJson,
  isroFromJson,
  mntrFromJson,
  ruokFromJson,
  srvrFromJson,
  statFromJson,
  wchsFromJson,
  type JsonAnswer,
} from './parse-json.js'
import { shaped } from './shape.js'
import type {
  AdminCallOptions,
  AdminCommands,
  ConfResult,
  ConsResult,
  DumpResult,
  EnviResult,
  IsroResult,
  MntrResult,
  RuokResult,
  SrvrResult,
  StatResult,
  WchsResult,
} from './types.js'

/** Options of an AdminServerClient. */
export interface AdminServerClientOptions {
  /** Default timeout of each call, ms (default 5000). */
  timeout?: number
  /** Headers sent with every request (an Authorization header for a proxy, say). */
  headers?: Record<string, string>
  /**
   * The agent for the requests (TLS settings, pooling). By default each call opens a connection of
   * its own and closes it, so nothing lingers between calls.
   */
  agent?: http.Agent
  /** Largest body accepted, bytes (default 64 MiB); a longer one is an AdminBadResponseError. */
  maxAnswerBytes?: number
}

const SITE = { op: 'AdminServerClient' }

/**
 * A typed client of ZooKeeper's AdminServer (`admin.serverPort`, 8080 by default), which answers the
 * same commands as the four-letter words with JSON at `/commands/<name>`. Give it the server's base
 * URL ("http://host:8080", whose commands are under /commands) or the command URL itself when
 * `admin.commandURL` moved it ("http://host:8080/zk/commands").
 *
 * @example
 * ```ts
 * const admin = new AdminServerClient('http://127.0.0.1:8080')
 * const { mode, zxid } = await admin.srvr({ timeout: 1000 })
 * ```
 */
export class AdminServerClient implements AdminCommands {
  /** The command URL, "http://host:port/commands". */
  readonly server: string
  private readonly base: URL
  private readonly timeout: number
  private readonly headers: Record<string, string>
  private readonly agent: http.Agent | undefined
  private readonly maxAnswerBytes: number

  /** @param url the AdminServer's URL, http: or https:. */
  constructor(url: string | URL, opts: AdminServerClientOptions = {}) {
    let base: URL
    try {
      base = new URL(url)
    } catch {
      throw new BadArgumentsError(`url must be an http(s) URL such as "http://127.0.0.1:8080", not ${describeValue(url)}`, SITE)
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:')
      throw new BadArgumentsError(`url must be http: or https:, not ${base.protocol}`, SITE)
    checkDefaultTimeout(opts.timeout, SITE)
    if (opts.maxAnswerBytes !== undefined && (!Number.isInteger(opts.maxAnswerBytes) || opts.maxAnswerBytes < 1)) {
      throw new BadArgumentsError(`maxAnswerBytes must be a whole number of bytes above 0, not ${describeValue(opts.maxAnswerBytes)}`, SITE)
    }
    if (base.pathname === '/' || base.pathname === '') base.pathname = '/commands'
    base.pathname = base.pathname.replace(/\/+$/, '')
    base.search = ''
    base.hash = ''
    this.base = base
    this.server = base.toString()
    this.timeout = opts.timeout ?? DEFAULT_ADMIN_TIMEOUT
    this.headers = { ...opts.headers }
    this.agent = opts.agent
    this.maxAnswerBytes = opts.maxAnswerBytes ?? 64 << 20
  }

  /**
   * Run any AdminServer command by name (primary name or alias: "srvr", "server_stats", "leader", …)
   * and resolve with its JSON, large integers as bigints. An answer whose `error` is set rejects:
   * AdminNotServingError for a server that is not serving, else AdminCommandError.
   */
  async command(name: string, opts?: AdminCallOptions): Promise<JsonAnswer> {
    if (typeof name !== 'string' || !/^[A-Za-z0-9_]+$/.test(name))
      throw new BadArgumentsError(`command must be a command name such as "srvr", not ${describeValue(name)}`, { op: 'command' })
    const ctx = { command: name, server: this.server }
    const raw = await bounded(ctx, opts, this.timeout, (stop) => this.get(name, ctx, stop))
    let json: JsonObject
    try {
      const parsed = parseJson(raw)
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new SyntaxError('the body is JSON but not an object')
      json = parsed
    } catch (err) {
      throw new AdminBadResponseError(`the body is not a JSON object: ${(err as Error).message}`, raw, { ...ctx, cause: err })
    }
    const error = json.error
    if (typeof error === 'string') throw error.trim() === NOT_SERVING ? new AdminNotServingError(ctx) : new AdminCommandError(error, ctx)
    if (error !== null && error !== undefined) throw new AdminBadResponseError(`"error" is neither null nor text`, raw, ctx)
    return { json, raw }
  }

  /** One GET: the body of a 200 answer, else the matching AdminError. */
  private get(name: string, ctx: AdminErrorContext, stop: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      const url = new URL(`${this.base.pathname}/${name}`, this.base)
      const lib = url.protocol === 'https:' ? https : http
      let answered = false
      const req = lib.get(url, { headers: { accept: 'application/json', ...this.headers }, agent: this.agent ?? false })
      const onStop = () => req.destroy(stop.reason instanceof AdminError ? stop.reason : undefined)
      stop.addEventListener('abort', onStop, { once: true })
      const done = () => stop.removeEventListener('abort', onStop)
      req.once('error', (err) => {
        done()
        if (err instanceof AdminError) reject(err)
        // No answer yet: the server could not be reached. Mid-answer: the answer was cut short.
        else if (!answered) reject(new AdminUnreachableError({ ...ctx, cause: err }))
        else reject(new AdminBadResponseError('the connection failed during the answer', undefined, { ...ctx, cause: err }))
      })
      req.once('response', (res) => {
        answered = true
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (c: Buffer) => {
          size += c.length
          if (size > this.maxAnswerBytes) {
            done()
            reject(new AdminBadResponseError(`the body is longer than ${this.maxAnswerBytes} bytes`, undefined, ctx))
            req.destroy()
            return
          }
          chunks.push(c)
        })
        res.once('error', (err) => {
          done()
          reject(
            err instanceof AdminError
              ? err
              : new AdminBadResponseError('the connection failed during the answer', undefined, { ...ctx, cause: err }),
          )
        })
        res.once('end', () => {
          done()
          const body = Buffer.concat(chunks).toString('utf8')
          // ZooKeeper answers every command with 200, errors inside the JSON; anything else came from
          // elsewhere (a proxy, a servlet error page, an authorising 3.9 server).
          if (res.statusCode !== 200) reject(new AdminHttpError(res.statusCode ?? 0, body, ctx))
          else resolve(body)
        })
      })
    })
  }

  /** Run a command and map its JSON; a field missing or mistyped is an AdminBadResponseError. */
  private async run<T>(name: string, map: (answer: JsonAnswer) => T, opts: AdminCallOptions | undefined): Promise<T> {
    const answer = await this.command(name, opts)
    return shaped({ command: name, server: this.server }, answer.raw, () => map(answer))
  }

  /**
   * `ruok`: is the server serving? Unlike the four-letter word, which any running server answers,
   * ZooKeeper's AdminServer answers it only while serving (else AdminNotServingError).
   */
  ruok(opts?: AdminCallOptions): Promise<RuokResult> {
    return this.run('ruok', ruokFromJson, opts)
  }
  /** `srvr` (server_stats): version, mode, latency and packet counters, zxid, node count. */
  srvr(opts?: AdminCallOptions): Promise<SrvrResult> {
    return this.run('srvr', srvrFromJson, opts)
  }
  /** `stat` (stats): `srvr` plus the client connections. */
  stat(opts?: AdminCallOptions): Promise<StatResult> {
    return this.run('stat', statFromJson, opts)
  }
  /** `mntr` (monitor): the monitoring values. */
  mntr(opts?: AdminCallOptions): Promise<MntrResult> {
    return this.run('mntr', mntrFromJson, opts)
  }
  /** `cons` (connections): client connections with their sessions. */
  cons(opts?: AdminCallOptions): Promise<ConsResult> {
    return this.run('cons', consFromJson, opts)
  }
  /** `conf` (configuration): the server's configuration. */
  conf(opts?: AdminCallOptions): Promise<ConfResult> {
    return this.run('conf', confFromJson, opts)
  }
  /** `envi` (environment): the server's environment. */
  envi(opts?: AdminCallOptions): Promise<EnviResult> {
    return this.run('envi', enviFromJson, opts)
  }
  /** `wchs` (watch_summary): how many watches, on how many paths, by how many connections. */
  wchs(opts?: AdminCallOptions): Promise<WchsResult> {
    return this.run('wchs', wchsFromJson, opts)
  }
  /** `dump`: sessions with their deadlines and ephemeral znodes. */
  dump(opts?: AdminCallOptions): Promise<DumpResult> {
    return this.run('dump', dumpFromJson, opts)
  }
  /** `isro` (is_read_only): is the server read-only? */
  isro(opts?: AdminCallOptions): Promise<IsroResult> {
    return this.run('isro', isroFromJson, opts)
  }
}
