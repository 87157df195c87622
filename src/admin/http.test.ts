// AdminServerClient with nock standing in for the AdminServer: real ZooKeeper 3.8 answers mapped to
// typed results, and each failure: HTTP 500 and 403, bodies that are not JSON, the server's own
// errors, slow answers (timeouts), aborts and refused connections.
import t from 'tap'
import nock from 'nock'
import { BadArgumentsError } from '../errors.js'
import { freePort } from '../testing/real-zookeeper.js'
import { REAL } from './fixtures.test-helper.js'
import { AdminServerClient } from './http.js'
import {
  AdminAbortedError,
  AdminBadResponseError,
  AdminCommandError,
  AdminError,
  AdminHttpError,
  AdminNotServingError,
  AdminTimeoutError,
  AdminUnreachableError,
} from './errors.js'

const BASE = 'http://zk.test:8080'
const JSON_TYPE = { 'content-type': 'application/json' }

t.before(() => nock.disableNetConnect())
t.afterEach(() => {
  nock.abortPendingRequests()
  nock.cleanAll()
})
t.teardown(() => nock.enableNetConnect())

t.test('each command maps the AdminServer JSON to its typed result', async (t) => {
  const scope = nock(BASE)
  for (const cmd of ['ruok', 'srvr', 'stat', 'mntr', 'cons', 'conf', 'envi', 'wchs', 'dump', 'isro']) {
    scope.get(`/commands/${cmd}`).matchHeader('accept', 'application/json').reply(200, REAL[`follower.http.${cmd}`], JSON_TYPE)
  }
  const admin = new AdminServerClient(BASE)
  t.equal(admin.server, `${BASE}/commands`)
  t.match(await admin.ruok(), { ok: true })
  t.match(await admin.srvr(), { mode: 'follower', zxid: 0x100000002n, nodeCount: 6, proposalSizes: undefined })
  t.match(await admin.stat(), { clients: [{ address: '127.0.0.1:37826' }] })
  t.match(await admin.mntr(), { mode: 'follower', peerState: 'following - broadcast' })
  t.equal((await admin.cons()).connections[0]!.session!.sessionId, 0x100004ea50c0000n)
  t.match(await admin.conf(), { serverId: 1 })
  t.match((await admin.envi()).environment, { 'os.name': 'Linux' })
  t.match(await admin.wchs(), { connections: 1, paths: 1, watches: 1 })
  t.match(await admin.dump(), { clock: 'elapsed', ephemerals: [{ sessionId: 0x100004ea50c0000n, paths: ['/eph'] }] })
  const isro = await admin.isro()
  t.match(isro, { readOnly: false, raw: REAL['follower.http.isro'] })
  t.ok(scope.isDone(), 'one request per command')
})

t.test('command() runs any command and keeps large integers exact', async (t) => {
  nock(BASE)
    .get('/commands/leader')
    .reply(
      200,
      '{"is_leader": false, "leader_id": 3, "leader_ip": "127.0.0.1", "big": 72057931814404096, "command": "leader", "error": null}',
    )
  const { json, raw } = await new AdminServerClient(BASE).command('leader')
  t.match(json, { is_leader: false, leader_id: 3, big: 72057931814404096n })
  t.match(raw, /"is_leader"/)
  await t.rejects(new AdminServerClient(BASE).command('../etc'), BadArgumentsError)
})

t.test('the URL: base, moved command URL, https, headers', async (t) => {
  nock(BASE).get('/zk/commands/ruok').reply(200, REAL['leader.http.ruok'])
  t.match(await new AdminServerClient(`${BASE}/zk/commands/`).ruok(), { ok: true })
  nock('https://zk.test:8443').get('/commands/isro').matchHeader('authorization', 'Bearer token').reply(200, REAL['leader.http.isro'])
  t.match(await new AdminServerClient('https://zk.test:8443', { headers: { authorization: 'Bearer token' } }).isro(), { readOnly: false })
  t.throws(() => new AdminServerClient('zk.test:8080'), BadArgumentsError, 'no scheme')
  t.throws(() => new AdminServerClient('ftp://zk.test'), /http: or https:/)
  t.throws(() => new AdminServerClient(BASE, { timeout: 0 }), /timeout must be/)
})

t.test('HTTP 500 and 403 are AdminHttpError with the status', async (t) => {
  nock(BASE).get('/commands/srvr').reply(500, '<html><body>Server Error</body></html>')
  const err = await new AdminServerClient(BASE).srvr().catch((e: unknown) => e)
  t.type(err, AdminHttpError)
  t.type(err, AdminError)
  t.match(err, { code: 'HTTPSTATUS', status: 500, command: 'srvr', server: `${BASE}/commands`, body: /Server Error/, message: /HTTP 500/ })
  nock(BASE).get('/commands/mntr').reply(403, 'forbidden')
  await t.rejects(new AdminServerClient(BASE).mntr(), { code: 'HTTPSTATUS', status: 403, body: 'forbidden' })
})

t.test("a body that is not JSON, or not the command's JSON, is AdminBadResponseError", async (t) => {
  nock(BASE).get('/commands/srvr').reply(200, '<html>not json</html>')
  const err = await new AdminServerClient(BASE).srvr().catch((e: unknown) => e)
  t.type(err, AdminBadResponseError)
  t.match(err, { raw: '<html>not json</html>', message: /not a JSON object/ })
  t.type((err as Error).cause, SyntaxError)
  nock(BASE).get('/commands/srvr').reply(200, '[1, 2]')
  await t.rejects(new AdminServerClient(BASE).srvr(), { code: 'BADRESPONSE', message: /not an object/ })
  nock(BASE).get('/commands/srvr').reply(200, '{"command": "server_stats", "error": null}')
  await t.rejects(new AdminServerClient(BASE).srvr(), { code: 'BADRESPONSE', message: /not a srvr answer: no "server_stats" field/ })
  nock(BASE).get('/commands/cons').reply(200, '{"connections": [], "error": 7}')
  await t.rejects(new AdminServerClient(BASE).cons(), { code: 'BADRESPONSE' })
  nock(BASE).get('/commands/envi').reply(200, 'x'.repeat(2048))
  await t.rejects(new AdminServerClient(BASE, { maxAnswerBytes: 1024 }).envi(), { code: 'BADRESPONSE', message: /longer than 1024 bytes/ })
})

t.test("the server's own errors: unknown command, not serving", async (t) => {
  nock(BASE).get('/commands/nope').reply(200, REAL['follower.http.nope'])
  const err = await new AdminServerClient(BASE).command('nope').catch((e: unknown) => e)
  t.type(err, AdminCommandError)
  t.match(err, { code: 'COMMANDFAILED', serverError: 'Unknown command: nope', command: 'nope' })
  nock(BASE)
    .get('/commands/srvr')
    .reply(200, '{"command": "server_stats", "error": "This ZooKeeper instance is not currently serving requests"}')
  await t.rejects(new AdminServerClient(BASE).srvr(), AdminNotServingError)
})

t.test('a slow answer is AdminTimeoutError naming the timeout', async (t) => {
  nock(BASE).get('/commands/srvr').delay(2000).reply(200, REAL['leader.http.srvr'])
  const started = Date.now()
  const err = await new AdminServerClient(BASE).srvr({ timeout: 100 }).catch((e: unknown) => e)
  t.type(err, AdminTimeoutError)
  t.match(err, { code: 'TIMEOUT', timeout: 100, message: /no complete answer within 100 ms/ })
  t.ok(Date.now() - started < 1500, 'did not wait for the answer')
  // A body that starts in time but does not finish in time.
  nock(BASE).get('/commands/mntr').delayBody(2000).reply(200, REAL['leader.http.mntr'])
  await t.rejects(new AdminServerClient(BASE, { timeout: 100 }).mntr(), { code: 'TIMEOUT', message: /within 100 ms/ })
})

t.test('the signal aborts, before or during the call', async (t) => {
  await t.rejects(new AdminServerClient(BASE).srvr({ signal: AbortSignal.abort('no') }), { code: 'ABORTED', cause: 'no' })
  nock(BASE).get('/commands/dump').delay(2000).reply(200, REAL['leader.http.dump'])
  const ac = new AbortController()
  const call = new AdminServerClient(BASE).dump({ signal: ac.signal })
  setTimeout(() => ac.abort(new Error('shutting down')), 30)
  const err = await call.catch((e: unknown) => e)
  t.type(err, AdminAbortedError)
  t.match(err, { command: 'dump', cause: { message: 'shutting down' } })
})

t.test('connection refused is AdminUnreachableError with ECONNREFUSED as cause', async (t) => {
  // (nock 14 needs an Error here: given a plain object it never fails the request.)
  nock(BASE)
    .get('/commands/ruok')
    .replyWithError(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:8080'), { code: 'ECONNREFUSED' }))
  const err = await new AdminServerClient(BASE).ruok().catch((e: unknown) => e)
  t.type(err, AdminUnreachableError)
  t.match(err, { code: 'UNREACHABLE', message: /could not connect \(ECONNREFUSED\)/, cause: { code: 'ECONNREFUSED' } })
  // And a real closed port on loopback, past nock.
  const port = await freePort()
  nock.enableNetConnect(`127.0.0.1:${port}`)
  await t.rejects(new AdminServerClient(`http://127.0.0.1:${port}`).ruok(), { code: 'UNREACHABLE', cause: { code: 'ECONNREFUSED' } })
  nock.disableNetConnect()
})
