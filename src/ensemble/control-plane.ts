// An HTTP control plane for a running ensemble, so tests in any language can drive its faults and
// fixtures: JSON over node:http on 127.0.0.1, optionally behind a bearer token. The routes live in
// control-routes.ts; this file serves them, reads bodies, checks the token, and turns every failure
// into a JSON { "error": … } with a 4xx or 5xx status.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHash, timingSafeEqual } from 'node:crypto'
import type { Ensemble } from './ensemble.js'
import { ControlError, findRoute } from './control-routes.js'
import { TreeDumpError } from './tree-dump.js'
import { LeaderUnavailableError } from './tree-admin.js'

/** Options of startControlPlane(). */
export interface ControlPlaneOptions {
  /** Port on 127.0.0.1 (default 0: the OS picks a free one; see `url`). */
  port?: number
  /** When set, every request needs `Authorization: Bearer <token>` (401 otherwise). */
  token?: string
  /** Called once POST /ensemble/stop has stopped the ensemble and answered (the CLI exits then). */
  onStop?: () => void
  /** Largest request body accepted, bytes (default 64 MiB, room for big tree fixtures). */
  maxBodyBytes?: number
}

/** A running control plane. */
export interface ControlPlane {
  /** "http://127.0.0.1:port", the base of every route (`${url}/ensemble`). */
  readonly url: string
  /** The port it listens on. */
  readonly port: number
  /** Stop listening and close open connections; the ensemble is left as it is. */
  close(): Promise<void>
  /** close(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void>
}

const digest = (s: string) => createHash('sha256').update(s).digest()

/** Whether the request carries the token (compared in constant time). */
function authorized(req: http.IncomingMessage, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')
  return m !== null && timingSafeEqual(digest(m[1]!), digest(token))
}

/** The request's JSON body, or undefined when it has none. */
function readBody(req: http.IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      // The rest is read and dropped, so that the 413 still reaches the caller.
      if (size > limit) return reject(new ControlError(413, `the body is larger than ${limit} bytes`))
      chunks.push(c)
    })
    req.on('error', (err) => reject(new ControlError(400, `could not read the body: ${err.message}`)))
    req.on('end', () => {
      if (size > limit) return
      const text = Buffer.concat(chunks).toString('utf8')
      if (text.trim() === '') return resolve(undefined)
      try {
        resolve(JSON.parse(text))
      } catch (err) {
        reject(new ControlError(400, `the body is not JSON: ${(err as Error).message}`))
      }
    })
  })
}

/** The status a failure is answered with. */
function statusOf(err: unknown): number {
  if (err instanceof ControlError) return err.status
  if (err instanceof TreeDumpError) return 400
  if (err instanceof LeaderUnavailableError) return 503
  // The ensemble's own argument checks (the routes check first, so this is a backstop).
  if (err instanceof RangeError) return 400
  return 500
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

/**
 * Serve `ensemble`'s control routes on 127.0.0.1 (see README, "From other languages"): its state,
 * faults per server and per link, session expiry, waiting for a leader, reset, tree dump and load,
 * and stop. Resolves once listening.
 */
export async function startControlPlane(ensemble: Ensemble, opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const limit = opts.maxBodyBytes ?? 64 * 1024 * 1024
  let stopped = false
  let closing: Promise<void> | undefined

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (opts.token !== undefined && !authorized(req, opts.token)) {
      return send(
        res,
        401,
        { error: 'this control plane needs an Authorization: Bearer <token> header with its --control-token' },
        { 'www-authenticate': 'Bearer' },
      )
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const method = req.method ?? 'GET'
    if (url.pathname.replace(/\/+$/, '') === '/ensemble/stop') {
      if (method !== 'POST') return send(res, 405, { error: `${method} is not allowed on /ensemble/stop (use POST)` }, { allow: 'POST' })
      if (!stopped) {
        stopped = true
        await ensemble.stop()
      }
      // The answer goes out before the listener closes: the caller learns the servers are down.
      res.once('finish', () => {
        void close()
        opts.onStop?.()
      })
      return send(res, 200, { stopped: true }, { connection: 'close' })
    }
    let found: ReturnType<typeof findRoute>
    try {
      found = findRoute(method, url.pathname)
    } catch {
      return send(res, 400, { error: `the path ${url.pathname} is not well-formed` })
    }
    if (!found.route) {
      if (!found.allowed.length)
        return send(res, 404, {
          error: `no route ${method} ${url.pathname} (routes are under /ensemble; see README, "From other languages")`,
        })
      return send(
        res,
        405,
        { error: `${method} is not allowed on ${url.pathname} (use ${found.allowed.join(' or ')})` },
        { allow: found.allowed.join(', ') },
      )
    }
    if (stopped) return send(res, 409, { error: 'the ensemble was stopped' })
    const result = await found.route.handle({ ensemble, params: found.params, query: url.searchParams, body: () => readBody(req, limit) })
    send(res, 200, result)
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Never a crash, never a request left without an answer.
      if (res.headersSent) return void res.destroy()
      send(res, statusOf(err), { error: err instanceof Error ? err.message : String(err) })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new Error(`control plane: could not listen on 127.0.0.1:${opts.port ?? 0}: ${err.message}`, { cause: err })),
    )
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }))
  return { url: `http://127.0.0.1:${port}`, port, close, [Symbol.asyncDispose]: close }
}
