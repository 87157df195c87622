// The bundled AdminServer against real ZooKeeper 3.8's, key for key. Both run the same scenario (a
// session with an ephemeral, a node, data, child and exists watches, on the standalone server or on a
// quorum follower), then every command is asked of each role on both sides — standalone, leader, the
// follower with the watches, the other follower — and the JSON's keys must agree recursively (arrays
// by the keys of their elements). Values may differ; only keys that must (session ids, expiry times,
// learner ids) are normalised. The four-letter words mntr and envi are held to the same keys, in order.
import t, { type Test } from 'tap'
import http from 'node:http'
import { ZooKeeper, CreateMode } from '../src/index.js'
import { startEnsemble } from '../src/ensemble/index.js'
import { fourLetterWord, realZooKeeperAvailable, startRealZooKeeper } from '../src/testing/real-zookeeper.js'

// Real servers take seconds to start; four of them start here.
t.setTimeout(300_000)
const skip = realZooKeeperAvailable() ? false : 'Debian zookeeper is not installed (apt-get install zookeeper)'

type Role = 'standalone' | 'leader' | 'follower' | 'other follower'
/** Where one server answers. */
interface Endpoint {
  admin: number
  client: number
}
type Roles = Partial<Record<Role, Endpoint>>

/** The commands compared: the issue's list, then the rest of ZooKeeper 3.8's (system_properties aside: a JVM's). */
const COMMANDS = [
  'ruok',
  'srvr',
  'stat',
  'mntr',
  'cons',
  'conf',
  'envi',
  'wchs',
  'wchc',
  'wchp',
  'dump',
  'isro',
  'leader',
  'voting_view',
  'zabstate',
  'last_snapshot',
  'initial_configuration',
  'dirs',
  'hash',
  'gtmk',
  'stmk',
  'obsr',
  'nosuch',
  'crst',
  'srst',
  'orst',
]
/** Primary names, whose answers must name the same command as the aliases above. */
const PRIMARY = [
  'server_stats',
  'stats',
  'monitor',
  'connections',
  'connection_stat_reset',
  'configuration',
  'environment',
  'watch_summary',
  'watches',
  'watches_by_path',
  'is_read_only',
  'lead',
  'lsnp',
  'icfg',
]

/** Maps keyed by what differs from run to run: their keys are compared as one placeholder. */
const ID_KEYED = new Set(['expiry_time_to_session_ids', 'session_id_to_ephemeral_paths', 'session_id_to_watched_paths'])
/** A leader's per-learner metrics name the learner: which ids they are depends on who leads. */
const LEARNER_KEY = /^(avg|min|max|cnt|sum|p50|p95|p99|p999)_\d+_(learner_handler_qp_size|learner_handler_qp_time_ms|ack_latency)$/
const normalKey = (k: string) => k.replace(LEARNER_KEY, '$1_<learner>_$2')

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/**
 * The structure of a JSON value: objects by their (sorted) keys, arrays by the distinct shapes of
 * their elements, scalars by type; "command" and "error" by value, since those must agree exactly.
 */
function shape(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) {
    const kinds = [...new Set(v.map((e) => JSON.stringify(shape(e))))].sort()
    return kinds.length ? { '[]': kinds.map((k) => JSON.parse(k) as unknown) } : '[]'
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) out[ID_KEYED.has(key) ? '<id>' : normalKey(k)] = shape((v as Record<string, unknown>)[k], k)
    return out
  }
  if (key === 'command' || key === 'error') return v
  return v === null ? 'null' : typeof v
}

/** Open a session on `connectString` and leave in the tree and its server what the commands report. */
async function scenario(t: Test, connectString: string): Promise<void> {
  const zk = await ZooKeeper.connect(connectString)
  t.teardown(() => zk.close())
  await zk.create('/e', 'x', { mode: CreateMode.EPHEMERAL })
  await zk.create('/p', 'x')
  await zk.getData('/p', { watch: () => {} })
  await zk.getChildren('/', { watch: () => {} })
  await zk.exists('/nope', { watch: () => {} })
}

/**
 * A quorum's scenario: the session on one follower; a session on each other server syncs, so that
 * every server has applied the writes before it is asked (the same idle sessions on both sides).
 */
async function quorumScenario(t: Test, roles: Roles): Promise<void> {
  const others = await Promise.all((['leader', 'other follower'] as const).map((r) => ZooKeeper.connect(`127.0.0.1:${roles[r]!.client}`)))
  t.teardown(() => Promise.all(others.map((zk) => zk.close())))
  await scenario(t, `127.0.0.1:${roles.follower!.client}`)
  await Promise.all(others.map((zk) => zk.sync('/')))
}

/** Every command's answer on every role: [role, command] → parsed JSON. */
async function askAll(roles: Roles): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>()
  for (const [role, e] of Object.entries(roles)) {
    for (const c of [...COMMANDS, ...PRIMARY]) {
      const r = await get(e.admin, `/commands/${c}`)
      if (r.status !== 200) throw new Error(`${role} ${c}: HTTP ${r.status}`)
      out.set(`${role} ${c}`, JSON.parse(r.body) as Record<string, unknown>)
    }
  }
  return out
}

/** mntr's keys (four-letter word) and envi's, in order, on every role. */
async function words(roles: Roles): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  for (const [role, e] of Object.entries(roles)) {
    const mntr = await fourLetterWord('127.0.0.1', e.client, 'mntr')
    out.set(
      `${role} mntr`,
      mntr
        .trim()
        .split('\n')
        .map((l) => normalKey(l.slice(0, l.indexOf('\t')).replace(/^zk_/, ''))),
    )
    const envi = await fourLetterWord('127.0.0.1', e.client, 'envi')
    out.set(
      `${role} envi`,
      envi
        .trim()
        .split('\n')
        .map((l) => l.split('=')[0]!),
    )
  }
  return out
}

/** Roles of a quorum from its servers' `leader` answers: the leader, then followers in server order. */
async function quorumRoles(servers: Endpoint[]): Promise<Roles> {
  const leads = await Promise.all(
    servers.map(async (s) => (JSON.parse((await get(s.admin, '/commands/leader')).body) as { is_leader: boolean }).is_leader),
  )
  const followers = servers.filter((_, i) => !leads[i])
  return { leader: servers[leads.indexOf(true)]!, follower: followers[0]!, 'other follower': followers[1]! }
}

interface Side {
  answers: Map<string, Record<string, unknown>>
  words: Map<string, string[]>
  /** Status and body of requests besides the commands, on the first role. */
  routes: Map<string, { status: number; body?: string }>
}

async function routes(e: Endpoint): Promise<Side['routes']> {
  const out: Side['routes'] = new Map()
  out.set('GET /commands', await get(e.admin, '/commands'))
  out.set('GET /commands/', await get(e.admin, '/commands/'))
  for (const [method, path] of [
    ['GET', '/'],
    ['GET', '/foo'],
    ['POST', '/commands/ruok'],
    ['TRACE', '/commands/ruok'],
    ['OPTIONS', '/commands/ruok'],
    ['GET', '/commands/ruok/x'],
  ] as const) {
    out.set(`${method} ${path}`, { status: (await get(e.admin, path, method)).status })
  }
  return out
}

async function realSide(t: Test, size: 1 | 3): Promise<Side> {
  const real = await startRealZooKeeper({ size, adminServer: true })
  t.teardown(() => real.stop())
  const servers = real.servers.map((s) => ({ admin: s.adminPort!, client: s.clientPort }))
  const roles: Roles = size === 1 ? { standalone: servers[0]! } : await quorumRoles(servers)
  if (size === 1) await scenario(t, real.connectString)
  else await quorumScenario(t, roles)
  return { answers: await askAll(roles), words: await words(roles), routes: await routes(servers[0]!) }
}

async function bundledSide(t: Test, size: 1 | 3): Promise<Side> {
  const ens = await startEnsemble({ size, adminPort: 0 })
  t.teardown(() => ens.stop())
  const servers = Array.from({ length: size }, (_, i) => ({
    admin: ens.adminPortOf(i)!,
    client: Number(ens.connectStringOf(i).split(':')[1]),
  }))
  const roles: Roles = size === 1 ? { standalone: servers[0]! } : await quorumRoles(servers)
  if (size === 1) await scenario(t, ens.connectString)
  else await quorumScenario(t, roles)
  return { answers: await askAll(roles), words: await words(roles), routes: await routes(servers[0]!) }
}

function compare(t: Test, real: Side, ours: Side): void {
  t.same([...ours.answers.keys()], [...real.answers.keys()], 'the same roles and commands were asked')
  for (const [what, answer] of real.answers) {
    t.same(shape(ours.answers.get(what)), shape(answer), `${what}: the same keys`)
    // mntr's order is ZooKeeper's hash-table order, which the bundled server reproduces.
    if (what.endsWith(' mntr'))
      t.same(Object.keys(ours.answers.get(what)!).map(normalKey), Object.keys(answer).map(normalKey), `${what}: in the same order`)
  }
  for (const [what, keys] of real.words) t.same(ours.words.get(what), keys, `four-letter ${what}: the same keys in the same order`)
  for (const [what, r] of real.routes) {
    const mine = ours.routes.get(what)!
    t.equal(mine.status, r.status, `${what}: HTTP ${r.status}`)
    if (what.startsWith('GET /commands')) t.equal(mine.body, r.body, `${what}: the same list of commands`)
  }
}

t.test('standalone: bundled and real ZooKeeper 3.8 answer with the same keys', { skip }, async (t) => {
  const real = await realSide(t, 1)
  const ours = await bundledSide(t, 1)
  compare(t, real, ours)
})

t.test('3-server quorum: leader for leader, follower for follower', { skip }, async (t) => {
  const real = await realSide(t, 3)
  const ours = await bundledSide(t, 3)
  compare(t, real, ours)
})
