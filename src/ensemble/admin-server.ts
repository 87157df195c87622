// ZooKeeper's AdminServer over node:http on 127.0.0.1: GET /commands lists the commands as links,
// GET /commands/<name>[?arg=value] answers one as JSON. Status codes follow ZooKeeper 3.8's Jetty:
// unknown commands are 200 with an error, other paths 404, TRACE 403, methods besides GET/HEAD 405.
import http from 'node:http'
import type net from 'node:net'
import { jacksonJson } from './jackson-json.js'
import { COMMAND_NAMES, runAdminCommand } from './admin-commands.js'
import type { ServerView } from './server-view.js'
import { logger } from '../debug.js'

const log = logger('admin')

/** Where ZooKeeper mounts its command servlet (admin.commandURL's default). */
const COMMAND_URL = '/commands'

/** An error page in the spirit of Jetty's: the status and what was asked for. */
function errorPage(status: number, message: string, uri: string): string {
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
  return `<html>\n<head><title>Error ${status} ${esc(message)}</title></head>\n<body><h2>HTTP ERROR ${status} ${esc(message)}</h2>\n<p>URI: ${esc(uri)}</p>\n</body>\n</html>\n`
}

/** The HTTP side of one server's AdminServer. */
export class AdminServer {
  private readonly http: http.Server
  /** Requests that arrived while the server was paused: answered on resume, dropped on close. */
  private held: [http.IncomingMessage, http.ServerResponse][] = []
  private paused = false

  constructor(private readonly zk: ServerView) {
    this.http = http.createServer((req, res) => {
      if (this.paused) this.held.push([req, res])
      else this.answer(req, res)
    })
    // A client that opens a connection and sends nothing must not keep the server from stopping.
    this.http.headersTimeout = 30_000
  }

  /** Listen on 127.0.0.1:`port` (0: any free port); resolves with the port. */
  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const failed = (err: Error) => reject(err)
      this.http.once('error', failed)
      this.http.listen(port, '127.0.0.1', () => {
        this.http.off('error', failed)
        // Later socket errors (a client resetting) concern that client only.
        this.http.on('error', (err) => log('admin server error: %s', err.message))
        resolve((this.http.address() as net.AddressInfo).port)
      })
    })
  }

  /** The port while listening. */
  get port(): number | undefined {
    return (this.http.address() as net.AddressInfo | null)?.port
  }

  /** Freeze with the server (as SIGSTOP would): requests wait, unanswered, until resume(). */
  pause(): void {
    this.paused = true
  }

  resume(): void {
    this.paused = false
    const held = this.held
    this.held = []
    for (const [req, res] of held) this.answer(req, res)
  }

  /** Stop listening and cut every connection, held requests included. */
  close(): Promise<void> {
    for (const [, res] of this.held) res.destroy()
    this.held = []
    return new Promise((resolve) => {
      if (!this.http.listening) return resolve()
      this.http.close(() => resolve())
      this.http.closeAllConnections()
    })
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    try {
      this.route(req, res)
    } catch (err) {
      // A command that throws fails its request only, as a servlet exception fails in Jetty.
      log('admin request %s failed: %s', req.url, (err as Error).message)
      if (!res.headersSent) this.send(res, 500, 'text/html;charset=utf-8', errorPage(500, (err as Error).message, req.url ?? ''))
      else res.destroy()
    }
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    // Split by hand: WHATWG URL parsing would read a target such as //x/commands as a host name.
    const target = req.url ?? '/'
    const q = target.indexOf('?')
    const raw = q < 0 ? target : target.slice(0, q)
    const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1))
    const method = req.method ?? 'GET'
    if (raw !== COMMAND_URL && !raw.startsWith(`${COMMAND_URL}/`))
      return this.send(res, 404, 'text/html;charset=utf-8', errorPage(404, 'Not Found', raw))
    // ZooKeeper guards TRACE with an authentication constraint nobody can meet.
    if (method === 'TRACE') return this.send(res, 403)
    if (method === 'OPTIONS') {
      res.setHeader('Allow', 'GET, HEAD, TRACE, OPTIONS')
      return this.send(res, 200)
    }
    if (method !== 'GET' && method !== 'HEAD')
      return this.send(res, 405, 'text/html;charset=utf-8', errorPage(405, `HTTP method ${method} is not supported by this URL`, raw))
    let name: string
    try {
      name = decodeURIComponent(raw.slice(COMMAND_URL.length + 1))
    } catch {
      return this.send(res, 400, 'text/html;charset=utf-8', errorPage(400, 'Bad Request', raw))
    }
    if (name === '') {
      const links = COMMAND_NAMES.map((c) => `<a href="${COMMAND_URL}/${c}">${c}</a>\n<br/>\n`).join('')
      return this.send(res, 200, 'text/html;charset=utf-8', links)
    }
    // The servlet passes each query parameter's first value to the command.
    const args: Record<string, string> = {}
    for (const [k, v] of query) if (!(k in args)) args[k] = v
    const out = runAdminCommand(name, this.zk, args)
    if (out.status === 500) return this.send(res, 500, 'text/html;charset=utf-8', errorPage(500, out.message, raw))
    this.send(res, 200, 'application/json', jacksonJson(out.json))
  }

  private send(res: http.ServerResponse, status: number, type?: string, body = ''): void {
    const bytes = Buffer.from(body, 'utf8')
    res.statusCode = status
    if (type) res.setHeader('Content-Type', type)
    res.setHeader('Content-Length', bytes.length)
    // Node leaves the body out of a HEAD response by itself.
    res.end(bytes)
  }
}
