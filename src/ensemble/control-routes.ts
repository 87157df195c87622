// The control plane's routes: each maps a method and a path under /ensemble to one Ensemble call,
// after checking what the request names (a server, a session, a body) so that a mistake is a 4xx
// saying what is wrong rather than a thrown RangeError. control-plane.ts serves them over HTTP.
import type { Ensemble } from './ensemble.js'
import { hexId, parseHexId } from './tree-dump.js'

/** A request the control plane refuses, with the HTTP status to answer. @internal */
export class ControlError extends Error {
  override readonly name = 'ControlError'
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** What a handler gets. @internal */
export interface RouteContext {
  ensemble: Ensemble
  /** The `:name` parts of the path. */
  params: Record<string, string>
  query: URLSearchParams
  /** The JSON body; undefined when there is none. */
  body(): Promise<unknown>
}

/** One route. @internal */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** Path segments after /ensemble; ":name" matches any one segment. */
  path: string
  handle(ctx: RouteContext): Promise<unknown> | unknown
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The ensemble's state: GET /ensemble, and the answer to every fault. */
export function ensembleState(e: Ensemble) {
  return {
    connectString: e.connectString,
    leader: e.leader() ?? null,
    servers: e.modes().map((mode, index) => {
      const connectString = e.connectStringOf(index)
      return { index, clientPort: Number(connectString.slice(connectString.lastIndexOf(':') + 1)), connectString, mode }
    }),
  }
}

const size = (e: Ensemble) => e.modes().length

/** A server index from the path; an unknown one is 404. */
function server(e: Ensemble, raw: string | undefined): number {
  const n = size(e)
  const i = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : NaN
  if (!(i < n))
    throw new ControlError(
      404,
      `no server ${raw}: the ensemble has ${n === 1 ? 'one server, 0' : `servers 0 to ${n - 1}`} (indexes are 0-based)`,
    )
  return i
}

/** Peer faults need peers. */
function needQuorum(e: Ensemble, what: string): void {
  if (size(e) === 1) throw new ControlError(409, `${what}: a standalone server has no peers (start the ensemble with --size 3 or 5)`)
}

async function objectBody(ctx: RouteContext, shape: string, optional = false): Promise<Record<string, unknown>> {
  const body = await ctx.body()
  if (body === undefined && optional) return {}
  if (!isObject(body)) throw new ControlError(400, `the body must be a JSON object: ${shape}`)
  return body
}

function booleanField(body: Record<string, unknown>, name: string): boolean | undefined {
  const v = body[name]
  if (v !== undefined && typeof v !== 'boolean') throw new ControlError(400, `"${name}" must be true or false, got ${JSON.stringify(v)}`)
  return v
}

/** A whole number of ms from 0 to setTimeout's ceiling. */
function msValue(name: string, v: unknown): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1)
    throw new ControlError(400, `${name} must be a whole number of ms from 0 to ${2 ** 31 - 1}, got ${JSON.stringify(v)}`)
  return n
}

function session(raw: string | undefined): bigint {
  const id = raw === undefined ? undefined : parseHexId(raw)
  if (id === undefined) throw new ControlError(400, `a session id is hex as ZooKeeper prints it (0x…), got '${raw}'`)
  return id
}

const serverFault = (action: string, run: (e: Ensemble, i: number) => unknown): Route => ({
  method: 'POST',
  path: `servers/:i/${action}`,
  async handle({ ensemble, params }) {
    await run(ensemble, server(ensemble, params.i))
    return ensembleState(ensemble)
  },
})

const link = (ctx: RouteContext, what: string) => {
  needQuorum(ctx.ensemble, what)
  const from = server(ctx.ensemble, ctx.params.from)
  const to = server(ctx.ensemble, ctx.params.to)
  if (from === to) throw new ControlError(400, `${what}: server ${from} has no link to itself`)
  return { from, to }
}

/** Every route, in the order the README lists them. @internal */
export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '', handle: ({ ensemble }) => ensembleState(ensemble) },
  {
    method: 'GET',
    path: 'leader',
    async handle({ ensemble, query }) {
      const wait = query.get('waitMs')
      if (wait === null) return { leader: ensemble.leader() ?? null }
      const ms = msValue('waitMs', wait)
      const leader = await ensemble.waitForLeader(ms).catch((err: Error) => {
        throw new ControlError(503, err.message)
      })
      return { leader, connectString: ensemble.connectStringOf(leader) }
    },
  },
  serverFault('kill', (e, i) => e.kill(i)),
  serverFault('restart', (e, i) => e.restart(i)),
  serverFault('pause', (e, i) => e.pause(i)),
  serverFault('resume', (e, i) => e.resume(i)),
  serverFault('drop-connections', (e, i) => e.dropConnections(i)),
  {
    method: 'POST',
    path: 'partition',
    async handle(ctx) {
      const e = ctx.ensemble
      needQuorum(e, 'partition')
      const shape = '{ "groups": [[0], [1, 2]] }'
      const { groups } = await objectBody(ctx, shape)
      if (!Array.isArray(groups) || !groups.every((g) => Array.isArray(g) && g.every((i) => Number.isInteger(i))))
        throw new ControlError(400, `"groups" must be lists of server indexes: ${shape}`)
      const seen = new Set<number>()
      for (const i of (groups as number[][]).flat()) {
        if (i < 0 || i >= size(e))
          throw new ControlError(400, `partition names server ${i}, but the ensemble has servers 0 to ${size(e) - 1}`)
        if (seen.has(i)) throw new ControlError(400, `partition names server ${i} in two groups`)
        seen.add(i)
      }
      e.partition(groups as number[][])
      return ensembleState(e)
    },
  },
  {
    method: 'POST',
    path: 'heal',
    handle: ({ ensemble }) => (ensemble.heal(), ensembleState(ensemble)),
  },
  {
    method: 'POST',
    path: 'links/:from/:to',
    async handle(ctx) {
      const { from, to } = link(ctx, 'a link fault')
      const body = await objectBody(ctx, '{ "drop": true } or { "delayMs": 50 }')
      const drop = booleanField(body, 'drop')
      const delayMs = body.delayMs === undefined ? undefined : msValue('"delayMs"', body.delayMs)
      if (drop === undefined && delayMs === undefined)
        throw new ControlError(400, 'say what to do to the link: { "drop": true|false } and/or { "delayMs": N } (DELETE restores it)')
      if (drop !== undefined) ctx.ensemble.dropLink(from, to, drop)
      if (delayMs !== undefined) ctx.ensemble.delayLink(from, to, delayMs)
      return ensembleState(ctx.ensemble)
    },
  },
  {
    method: 'DELETE',
    path: 'links/:from/:to',
    handle(ctx) {
      const { from, to } = link(ctx, 'restoring a link')
      ctx.ensemble.dropLink(from, to, false)
      ctx.ensemble.delayLink(from, to, 0)
      return ensembleState(ctx.ensemble)
    },
  },
  {
    method: 'GET',
    path: 'sessions',
    async handle({ ensemble }) {
      const sessions = await ensemble.sessions()
      return { sessions: sessions.map((s) => ({ id: hexId(s.id), timeoutMs: s.timeoutMs, ephemerals: s.ephemerals })) }
    },
  },
  {
    method: 'POST',
    path: 'sessions/:id/expire',
    async handle({ ensemble, params }) {
      const id = session(params.id)
      if (!(await ensemble.sessions()).some((s) => s.id === id))
        throw new ControlError(404, `no session ${hexId(id)} (it expired, was closed, or never existed)`)
      if (!ensemble.expireSession(id))
        throw new ControlError(503, `session ${hexId(id)} could not be expired now (no leader, or it is already closing)`)
      return { expired: hexId(id) }
    },
  },
  {
    method: 'POST',
    path: 'reset',
    async handle(ctx) {
      const body = await objectBody(ctx, '{ "expireSessions": false }', true)
      await ctx.ensemble.reset({ expireSessions: booleanField(body, 'expireSessions') })
      return ensembleState(ctx.ensemble)
    },
  },
  {
    method: 'GET',
    path: 'tree',
    handle({ ensemble, query }) {
      const encoding = query.get('encoding') ?? 'auto'
      if (encoding !== 'auto' && encoding !== 'base64') throw new ControlError(400, `encoding must be auto or base64, got '${encoding}'`)
      return ensemble.dumpTree({ encoding })
    },
  },
  {
    method: 'PUT',
    path: 'tree',
    async handle(ctx) {
      // readTreeFixture inside loadTree says what is wrong with a bad one (a TreeDumpError: 400).
      await ctx.ensemble.loadTree((await ctx.body()) as never)
      return ensembleState(ctx.ensemble)
    },
  },
]

/** The route `method path` names: a route, or the methods the path allows (empty: no such path). @internal */
export function findRoute(method: string, pathname: string): { route?: Route; params: Record<string, string>; allowed: string[] } {
  const parts = pathname.replace(/\/+$/, '').split('/').slice(1)
  if (parts[0] !== 'ensemble') return { params: {}, allowed: [] }
  const rest = parts.slice(1).map((p) => decodeURIComponent(p))
  const allowed: string[] = []
  for (const r of ROUTES) {
    const pattern = r.path === '' ? [] : r.path.split('/')
    if (pattern.length !== rest.length) continue
    const params: Record<string, string> = {}
    if (!pattern.every((p, k) => (p.startsWith(':') ? ((params[p.slice(1)] = rest[k]!), true) : p === rest[k]))) continue
    if (r.method === method) return { route: r, params, allowed: [r.method] }
    allowed.push(r.method)
  }
  return { params: {}, allowed }
}
