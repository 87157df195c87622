// The HTTP control plane, with node's fetch as the client: each route reaches its Ensemble call
// (checked against a recording ensemble), every mistake is a JSON error with the right 4xx, the
// token is enforced, and against real ensembles a killed leader is replaced, trees load and reset,
// sessions expire, and stop stops.
import t from 'tap'
import { LeaderUnavailableError, startControlPlane, startEnsemble, type ControlPlane, type Ensemble, type ServerMode } from './index.js'
import { CreateMode, ZooKeeper } from '../index.js'

type Call = [string, ...unknown[]]

/** An ensemble that only records what it is asked (so routes can be checked one by one). */
function recordingEnsemble(size: number): { ensemble: Ensemble; calls: Call[] } {
  const calls: Call[] = []
  const record =
    (name: string, value?: unknown) =>
    (...args: unknown[]) => {
      calls.push([name, ...args])
      return value
    }
  // Only what the control plane calls; members added to Ensemble later need not be faked here.
  const ensemble = {
    connectString: Array.from({ length: size }, (_, i) => `127.0.0.1:${1000 + i}`).join(','),
    servers: [],
    modes: () => Array.from({ length: size }, (_, i): ServerMode => (size === 1 ? 'standalone' : i === 0 ? 'leader' : 'follower')),
    leader: () => 0,
    waitForLeader: async (ms) => {
      calls.push(['waitForLeader', ms])
      if (ms === 1) throw new Error('no a leader with a serving majority within 1 ms (modes: looking, looking, down)')
      return 0
    },
    connectStringOf: (i) => `127.0.0.1:${1000 + i}`,
    expireSession: record('expireSession', true) as Ensemble['expireSession'],
    kill: record('kill') as Ensemble['kill'],
    restart: record('restart') as Ensemble['restart'],
    pause: record('pause') as Ensemble['pause'],
    resume: record('resume') as Ensemble['resume'],
    dropConnections: record('dropConnections') as Ensemble['dropConnections'],
    partition: record('partition') as Ensemble['partition'],
    heal: record('heal') as Ensemble['heal'],
    dropLink: record('dropLink') as Ensemble['dropLink'],
    delayLink: record('delayLink') as Ensemble['delayLink'],
    dumpTree: async (opts) => (calls.push(['dumpTree', opts]), { zxid: '0x0', nodes: [] }),
    loadTree: async (f) => void calls.push(['loadTree', f]),
    reset: async (opts) => void calls.push(['reset', opts]),
    sessions: async () => [{ id: 0x100n, timeoutMs: 4000, ephemerals: ['/e'] }],
    stop: async () => void calls.push(['stop']),
    [Symbol.asyncDispose]: async () => {},
  } satisfies Partial<Ensemble>
  return { ensemble: ensemble as unknown as Ensemble, calls }
}

async function serve(
  t: { teardown(fn: () => unknown): void },
  ensemble: Ensemble,
  opts: Parameters<typeof startControlPlane>[1] = {},
): Promise<ControlPlane> {
  const cp = await startControlPlane(ensemble, opts)
  t.teardown(() => cp.close())
  return cp
}

/** One request; resolves with the status, the JSON answer and the headers. */
async function ask(cp: ControlPlane, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${cp.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  // Every answer is JSON, errors included.
  if (!/^application\/json/.test(res.headers.get('content-type') ?? ''))
    throw new Error(`${method} ${path} answered ${res.headers.get('content-type')}`)
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers }
}

t.test('it listens on 127.0.0.1 on a port it picked', async (t) => {
  const cp = await serve(t, recordingEnsemble(3).ensemble)
  t.match(cp.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.ok(cp.port > 0)
})

t.test('each route reaches its Ensemble call, indexes 0-based', async (t) => {
  const { ensemble, calls } = recordingEnsemble(3)
  const cp = await serve(t, ensemble)
  const state = await ask(cp, 'GET', '/ensemble')
  t.same(state.json, {
    connectString: '127.0.0.1:1000,127.0.0.1:1001,127.0.0.1:1002',
    leader: 0,
    servers: [
      { index: 0, clientPort: 1000, connectString: '127.0.0.1:1000', mode: 'leader' },
      { index: 1, clientPort: 1001, connectString: '127.0.0.1:1001', mode: 'follower' },
      { index: 2, clientPort: 1002, connectString: '127.0.0.1:1002', mode: 'follower' },
    ],
  })
  const steps: [string, string, unknown, Call][] = [
    ['POST', '/ensemble/servers/2/kill', undefined, ['kill', 2]],
    ['POST', '/ensemble/servers/2/restart', undefined, ['restart', 2]],
    ['POST', '/ensemble/servers/1/pause', undefined, ['pause', 1]],
    ['POST', '/ensemble/servers/1/resume', undefined, ['resume', 1]],
    ['POST', '/ensemble/servers/0/drop-connections', undefined, ['dropConnections', 0]],
    ['POST', '/ensemble/partition', { groups: [[0], [1, 2]] }, ['partition', [[0], [1, 2]]]],
    ['POST', '/ensemble/heal', undefined, ['heal']],
    ['POST', '/ensemble/links/0/1', { drop: true }, ['dropLink', 0, 1, true]],
    ['POST', '/ensemble/links/1/2', { delayMs: 50 }, ['delayLink', 1, 2, 50]],
    ['POST', '/ensemble/reset', undefined, ['reset', { expireSessions: undefined }]],
    ['POST', '/ensemble/reset', { expireSessions: true }, ['reset', { expireSessions: true }]],
    ['PUT', '/ensemble/tree', { nodes: [{ path: '/a' }] }, ['loadTree', { nodes: [{ path: '/a' }] }]],
    ['POST', '/ensemble/sessions/0x100/expire', undefined, ['expireSession', 0x100n]],
  ]
  for (const [method, path, body, call] of steps) {
    calls.length = 0
    const r = await ask(cp, method, path, body)
    t.equal(r.status, 200, `${method} ${path}`)
    t.same(calls, [call], `${method} ${path} → ${call[0]}`)
  }
  calls.length = 0
  t.same((await ask(cp, 'DELETE', '/ensemble/links/0/1')).json.leader, 0)
  t.same(
    calls,
    [
      ['dropLink', 0, 1, false],
      ['delayLink', 0, 1, 0],
    ],
    'DELETE restores a link: no drop, no delay',
  )
  t.same((await ask(cp, 'GET', '/ensemble/sessions')).json, { sessions: [{ id: '0x100', timeoutMs: 4000, ephemerals: ['/e'] }] })
  t.same((await ask(cp, 'GET', '/ensemble/leader')).json, { leader: 0 })
  t.same((await ask(cp, 'GET', '/ensemble/leader?waitMs=500')).json, { leader: 0, connectString: '127.0.0.1:1000' })
  calls.length = 0
  await ask(cp, 'GET', '/ensemble/tree?encoding=base64')
  t.same(calls, [['dumpTree', { encoding: 'base64' }]])
})

t.test('mistakes are JSON errors with a 4xx that says what is wrong', async (t) => {
  const { ensemble, calls } = recordingEnsemble(3)
  const cp = await serve(t, ensemble, { maxBodyBytes: 1000 })
  const wrong: [string, string, unknown, number, RegExp][] = [
    ['POST', '/ensemble/servers/3/kill', undefined, 404, /no server 3: the ensemble has servers 0 to 2 \(indexes are 0-based\)/],
    ['POST', '/ensemble/servers/one/kill', undefined, 404, /no server one/],
    ['POST', '/ensemble/servers/0/explode', undefined, 404, /no route POST \/ensemble\/servers\/0\/explode/],
    ['GET', '/elsewhere', undefined, 404, /routes are under \/ensemble/],
    ['GET', '/ensemble/servers/0/kill', undefined, 405, /GET is not allowed on \/ensemble\/servers\/0\/kill \(use POST\)/],
    ['DELETE', '/ensemble', undefined, 405, /use GET/],
    ['GET', '/ensemble/stop', undefined, 405, /use POST/],
    ['POST', '/ensemble/partition', '{"groups": [[0]', 400, /the body is not JSON/],
    ['POST', '/ensemble/partition', undefined, 400, /the body must be a JSON object: \{ "groups"/],
    ['POST', '/ensemble/partition', { groups: 'all' }, 400, /"groups" must be lists of server indexes/],
    ['POST', '/ensemble/partition', { groups: [[0], [7]] }, 400, /partition names server 7, but the ensemble has servers 0 to 2/],
    ['POST', '/ensemble/partition', { groups: [[0, 1], [1]] }, 400, /server 1 in two groups/],
    ['POST', '/ensemble/links/0/1', {}, 400, /say what to do to the link/],
    ['POST', '/ensemble/links/0/1', { drop: 'yes' }, 400, /"drop" must be true or false/],
    ['POST', '/ensemble/links/0/1', { delayMs: -5 }, 400, /"delayMs" must be a whole number of ms/],
    ['POST', '/ensemble/links/1/1', { drop: true }, 400, /server 1 has no link to itself/],
    ['POST', '/ensemble/links/0/5', { drop: true }, 404, /no server 5/],
    ['POST', '/ensemble/reset', { expireSessions: 'yes' }, 400, /"expireSessions" must be true or false/],
    ['POST', '/ensemble/sessions/banana/expire', undefined, 400, /a session id is hex as ZooKeeper prints it/],
    ['POST', '/ensemble/sessions/0x200/expire', undefined, 404, /no session 0x200/],
    ['GET', '/ensemble/leader?waitMs=soon', undefined, 400, /waitMs must be a whole number of ms/],
    ['GET', '/ensemble/leader?waitMs=1', undefined, 503, /no a leader with a serving majority within 1 ms/],
    ['GET', '/ensemble/tree?encoding=hex', undefined, 400, /encoding must be auto or base64/],
    ['PUT', '/ensemble/tree', { nodes: ['x'.repeat(2000)] }, 413, /larger than 1000 bytes/],
  ]
  calls.length = 0
  for (const [method, path, body, status, message] of wrong) {
    const r = await ask(cp, method, path, body)
    t.equal(r.status, status, `${method} ${path} ${body === undefined ? '' : JSON.stringify(body).slice(0, 40)} → ${status}`)
    t.match(r.json, { error: message })
  }
  t.same(
    calls.filter((c) => c[0] !== 'waitForLeader'),
    [],
    'nothing refused reached the ensemble',
  )
  t.equal((await ask(cp, 'GET', '/ensemble/servers/0/kill')).headers.get('allow'), 'POST', '405 names the allowed methods')
})

t.test('a standalone server refuses peer faults with 409', async (t) => {
  const cp = await serve(t, recordingEnsemble(1).ensemble)
  for (const [path, body] of [
    ['/ensemble/partition', { groups: [[0]] }],
    ['/ensemble/links/0/1', { drop: true }],
  ] as const) {
    const r = await ask(cp, 'POST', path, body)
    t.equal(r.status, 409, path)
    t.match(r.json.error, /a standalone server has no peers \(start the ensemble with --size 3 or 5\)/)
  }
  t.match((await ask(cp, 'POST', '/ensemble/servers/1/kill')).json.error, /the ensemble has one server, 0/)
  t.equal((await ask(cp, 'POST', '/ensemble/servers/0/kill')).status, 200)
})

t.test('with a token, requests without it are 401', async (t) => {
  const { ensemble, calls } = recordingEnsemble(3)
  const cp = await serve(t, ensemble, { token: 's3cret' })
  for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 's3cret' }] as Record<string, string>[]) {
    const r = await ask(cp, 'POST', '/ensemble/servers/0/kill', undefined, headers)
    t.equal(r.status, 401, JSON.stringify(headers))
    t.match(r.json.error, /Authorization: Bearer <token>/)
    t.equal(r.headers.get('www-authenticate'), 'Bearer')
  }
  t.same(calls, [], 'nothing reached the ensemble')
  t.equal((await ask(cp, 'POST', '/ensemble/servers/0/kill', undefined, { authorization: 'Bearer s3cret' })).status, 200)
})

t.test('an ensemble error is a JSON 500 (503 when no leader), and the plane keeps serving', async (t) => {
  const { ensemble } = recordingEnsemble(3)
  ensemble.kill = async () => {
    throw new Error('the disk is on fire')
  }
  ensemble.reset = async () => {
    throw new LeaderUnavailableError('no leader to ask: no a leader with a serving majority within 10000 ms')
  }
  const cp = await serve(t, ensemble)
  t.same(await ask(cp, 'POST', '/ensemble/reset').then((r) => [r.status, r.json]), [
    503,
    { error: 'no leader to ask: no a leader with a serving majority within 10000 ms' },
  ])
  const r = await ask(cp, 'POST', '/ensemble/servers/0/kill')
  t.equal(r.status, 500)
  t.same(r.json, { error: 'the disk is on fire' })
  t.equal((await ask(cp, 'GET', '/ensemble')).status, 200)
})

t.test('a real quorum: kill the leader, wait for the next, the session survives', async (t) => {
  const ens = await startEnsemble({ size: 3 })
  t.teardown(() => ens.stop())
  const cp = await serve(t, ens)
  const zk = await ZooKeeper.connect(ens.connectString, { sessionTimeout: 10_000 })
  t.teardown(() => zk.close())
  await zk.create('/eph', null, { mode: CreateMode.EPHEMERAL })
  const id = zk.sessionId

  const leader = (await ask(cp, 'GET', '/ensemble')).json.leader as number
  const killed = await ask(cp, 'POST', `/ensemble/servers/${leader}/kill`)
  t.equal((killed.json.servers as { mode: string }[])[leader]!.mode, 'down', 'the answer shows the server down')
  const next = await ask(cp, 'GET', '/ensemble/leader?waitMs=20000')
  t.equal(next.status, 200)
  t.not(next.json.leader, leader, 'another server leads')
  await zk.create('/after', 'x')
  t.equal(zk.sessionId, id, 'same session')
  t.ok(await zk.exists('/eph'), 'its ephemeral is still there')

  const sessions = (await ask(cp, 'GET', '/ensemble/sessions')).json.sessions as { id: string; ephemerals: string[] }[]
  t.same(
    sessions.map((s) => [s.id, s.ephemerals]),
    [[`0x${id.toString(16)}`, ['/eph']]],
  )
  const dump = await ask(cp, 'GET', '/ensemble/tree')
  t.same(
    (dump.json.nodes as { path: string }[]).map((n) => n.path),
    ['/', '/after', '/eph'],
  )
  t.equal((await ask(cp, 'POST', '/ensemble/reset')).status, 200)
  t.equal(await zk.exists('/after'), null, 'reset emptied the tree')
  t.equal((await ask(cp, 'PUT', '/ensemble/tree', dump.json)).status, 200)
  t.ok(await zk.exists('/eph'), 'and the dump loaded back, ephemeral included')
  const bad = await ask(cp, 'PUT', '/ensemble/tree', { nodes: [{ path: '/x', ephemeralOwner: '0x1' }] })
  t.equal(bad.status, 400)
  t.match(bad.json.error, /\/x: its ephemeralOwner 0x1 is not a live session/)

  const expired = new Promise<void>((resolve) => zk.on('expired', () => resolve()))
  t.same((await ask(cp, 'POST', `/ensemble/sessions/0x${id.toString(16)}/expire`)).json, { expired: `0x${id.toString(16)}` })
  await expired
  t.pass('the client saw its session expire')

  await ask(cp, 'POST', `/ensemble/servers/${leader}/restart`)
  await ask(cp, 'POST', `/ensemble/servers/${next.json.leader as number}/kill`)
  const others = [0, 1, 2].filter((i) => i !== leader && i !== next.json.leader)
  await ask(cp, 'POST', `/ensemble/servers/${others[0]}/kill`)
  const none = await ask(cp, 'GET', '/ensemble/leader?waitMs=300')
  t.equal(none.status, 503, 'one server of three cannot lead: waiting times out')
  t.match(none.json.error, /within 300 ms/)
})

t.test('POST /ensemble/stop stops the ensemble, answers, then closes', async (t) => {
  const ens = await startEnsemble()
  let told!: () => void
  const onStop = new Promise<void>((resolve) => (told = resolve))
  const cp = await serve(t, ens, { onStop: told })
  t.same((await ask(cp, 'POST', '/ensemble/stop')).json, { stopped: true })
  await onStop
  await t.rejects(ZooKeeper.connect(ens.connectString, { initialConnectTimeout: 300 }), 'nothing listens on the client port')
  await t.rejects(fetch(`${cp.url}/ensemble`), 'nor on the control port')
})
