// The four-letter words over a server's client port: connect, send the word, read until the server
// closes, then parse. One TCP connection per call, as ZooKeeper closes it after each answer.
import net from 'node:net'
import { BadArgumentsError } from '../errors.js'
import { describeValue } from '../arguments.js'
import { bounded, checkDefaultTimeout, DEFAULT_ADMIN_TIMEOUT } from './call.js'
import {
  AdminBadResponseError,
  AdminNotServingError,
  AdminNotWhitelistedError,
  AdminUnreachableError,
  type AdminErrorContext,
} from './errors.js'
import {
  parseConf,
  parseCons,
  parseDump,
  parseEnvi,
  parseIsro,
  parseMntr,
  parseRuok,
  parseSrvr,
  parseStat,
  parseWchs,
  refusal,
} from './parse.js'
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

/** Options of a FourLetterClient. */
export interface FourLetterClientOptions {
  /** Default timeout of each call, ms (default 5000). */
  timeout?: number
  /** Largest answer accepted, bytes (default 64 MiB); a longer one is an AdminBadResponseError. */
  maxAnswerBytes?: number
}

const SITE = { op: 'FourLetterClient' }

/** "host:port" or "[v6]:port" (port 2181 when left out) as host and port. */
function parseServer(server: unknown): { host: string; port: number } {
  const bad = (why: string) => new BadArgumentsError(why, SITE)
  if (typeof server !== 'string') throw bad(`server must be "host:port", not ${describeValue(server)}`)
  const m = /^(?:\[([^\]]+)\]|([^:[\]/]+))(?::(\d+))?$/.exec(server.trim())
  if (!m) throw bad(`server must be "host:port" (IPv6 in brackets), not ${JSON.stringify(server)}`)
  const port = m[3] === undefined ? 2181 : Number(m[3])
  if (port < 1 || port > 65535) throw bad(`port must be in 1..65535, not ${port}`)
  return { host: (m[1] ?? m[2])!, port }
}

/**
 * A typed client of the four-letter words a ZooKeeper server answers on its client port (`ruok`,
 * `srvr`, `mntr`, …). The server must allow each word in `4lw.commands.whitelist` (3.5+ allows only
 * `srvr` by default); one it refuses is an AdminNotWhitelistedError.
 *
 * @example
 * ```ts
 * const admin = new FourLetterClient('127.0.0.1:2181')
 * const { mode, zxid } = await admin.srvr({ timeout: 1000 })
 * ```
 */
export class FourLetterClient implements AdminCommands {
  /** The server, "host:port". */
  readonly server: string
  private readonly host: string
  private readonly port: number
  private readonly timeout: number
  private readonly maxAnswerBytes: number

  /** @param server the client port, "host:port" ("[::1]:2181" for IPv6; port 2181 when left out). */
  constructor(server: string, opts: FourLetterClientOptions = {}) {
    const { host, port } = parseServer(server)
    checkDefaultTimeout(opts.timeout, SITE)
    if (opts.maxAnswerBytes !== undefined && (!Number.isInteger(opts.maxAnswerBytes) || opts.maxAnswerBytes < 1)) {
      throw new BadArgumentsError(`maxAnswerBytes must be a whole number of bytes above 0, not ${describeValue(opts.maxAnswerBytes)}`, SITE)
    }
    this.host = host
    this.port = port
    this.server = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
    this.timeout = opts.timeout ?? DEFAULT_ADMIN_TIMEOUT
    this.maxAnswerBytes = opts.maxAnswerBytes ?? 64 << 20
  }

  /**
   * Send any four-letter word and resolve with the answer as text, unparsed. Refusals (not
   * whitelisted, not serving) still reject with their typed errors.
   */
  async send(word: string, opts?: AdminCallOptions): Promise<string> {
    if (typeof word !== 'string' || !/^[a-z]{4}$/.test(word))
      throw new BadArgumentsError(`word must be four lower-case letters, not ${describeValue(word)}`, { op: 'send' })
    const ctx = { command: word, server: this.server }
    const text = await bounded(ctx, opts, this.timeout, (stop) => this.exchange(word, ctx, stop))
    const refused = refusal(word, text)
    if (refused === 'NOTWHITELISTED') throw new AdminNotWhitelistedError(ctx)
    if (refused === 'NOTSERVING') throw new AdminNotServingError(ctx)
    return text
  }

  /** One connection: write the word, collect everything until the server closes. */
  private exchange(word: string, ctx: AdminErrorContext, stop: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      let size = 0
      let connected = false
      const sock = net.connect({ host: this.host, port: this.port })
      const onStop = () => sock.destroy()
      stop.addEventListener('abort', onStop, { once: true })
      const done = () => stop.removeEventListener('abort', onStop)
      sock.once('connect', () => {
        connected = true
        sock.write(word)
      })
      sock.on('data', (c: Buffer) => {
        size += c.length
        if (size > this.maxAnswerBytes) {
          sock.destroy()
          done()
          reject(new AdminBadResponseError(`the answer is longer than ${this.maxAnswerBytes} bytes`, undefined, ctx))
          return
        }
        chunks.push(c)
      })
      sock.once('error', (err) => {
        done()
        // Before the connection stands the server is unreachable; after, its answer was cut short.
        if (!connected) reject(new AdminUnreachableError({ ...ctx, cause: err }))
        else
          reject(
            new AdminBadResponseError(`the connection failed after ${size} bytes of answer`, Buffer.concat(chunks).toString('utf8'), {
              ...ctx,
              cause: err,
            }),
          )
      })
      sock.once('close', () => {
        done()
        const text = Buffer.concat(chunks).toString('utf8')
        if (text === '') reject(new AdminBadResponseError('the server closed the connection without answering', '', ctx))
        else resolve(text)
      })
    })
  }

  /** Send a word and parse its answer; an answer of the wrong shape is an AdminBadResponseError. */
  private async run<T>(word: string, parse: (raw: string) => T, opts: AdminCallOptions | undefined): Promise<T> {
    const raw = await this.send(word, opts)
    return shaped({ command: word, server: this.server }, raw, () => parse(raw))
  }

  /** `ruok`: is the server running ("imok")? */
  ruok(opts?: AdminCallOptions): Promise<RuokResult> {
    return this.run('ruok', parseRuok, opts)
  }
  /** `srvr`: version, mode, latency and packet counters, zxid, node count. */
  srvr(opts?: AdminCallOptions): Promise<SrvrResult> {
    return this.run('srvr', parseSrvr, opts)
  }
  /** `stat`: `srvr` plus the client connections. */
  stat(opts?: AdminCallOptions): Promise<StatResult> {
    return this.run('stat', parseStat, opts)
  }
  /** `mntr`: the monitoring values. */
  mntr(opts?: AdminCallOptions): Promise<MntrResult> {
    return this.run('mntr', parseMntr, opts)
  }
  /** `cons`: client connections with their sessions. */
  cons(opts?: AdminCallOptions): Promise<ConsResult> {
    return this.run('cons', parseCons, opts)
  }
  /** `conf`: the server's configuration. */
  conf(opts?: AdminCallOptions): Promise<ConfResult> {
    return this.run('conf', parseConf, opts)
  }
  /** `envi`: the server's environment. */
  envi(opts?: AdminCallOptions): Promise<EnviResult> {
    return this.run('envi', parseEnvi, opts)
  }
  /** `wchs`: how many watches, on how many paths, by how many connections. */
  wchs(opts?: AdminCallOptions): Promise<WchsResult> {
    return this.run('wchs', parseWchs, opts)
  }
  /** `dump`: sessions with their deadlines, ephemeral znodes, connections. */
  dump(opts?: AdminCallOptions): Promise<DumpResult> {
    return this.run('dump', parseDump, opts)
  }
  /** `isro`: is the server read-only? */
  isro(opts?: AdminCallOptions): Promise<IsroResult> {
    return this.run('isro', parseIsro, opts)
  }
}
