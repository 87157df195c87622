// Wrong callbacks and options given to the public API are BadArgumentsErrors naming the op, the path
// and what was wrong, thrown before anything is registered or sent: never a TypeError from inside.
import t, { type Test } from 'tap'
import { ZooKeeper } from './client.js'
import { Session } from './session/session.js'
import { FakeServer } from './session/fake-server.test-helper.js'
import { AddWatchMode, CreateMode } from './protocol.js'
import { BadArgumentsError } from './errors.js'
import { withRetry } from './retry.js'

async function setup() {
  const fake = new FakeServer(1)
  const zk = await ZooKeeper.connect('h0:2181', { sessionFactory: (o) => new Session({ ...o, transportFactory: fake.factory }) })
  t.teardown(() => zk.close())
  return { fake, zk }
}

// JavaScript callers (and `as any`) can pass anything; these casts stand for them.
const anything = (v: unknown) => v as never

/** Expect a BadArgumentsError for `op` and `path` whose message mentions `what`. */
async function refused(t: Test, p: Promise<unknown> | (() => unknown), op: string, path: string | undefined, what: RegExp) {
  const run = typeof p === 'function' ? Promise.resolve().then(p) : p
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  )
  t.type(err, BadArgumentsError, `${op}: ${String(err)}`)
  t.match(err, { op, path, message: what })
}

t.test('a watch that is not a function', async (t) => {
  const { fake, zk } = await setup()
  const before = fake.log.length
  await refused(t, zk.getData('/x', { watch: anything('yes') }), 'getData', '/x', /watch must be a function, not the string "yes"/)
  await refused(t, zk.exists('/x', { watch: anything({}) }), 'exists', '/x', /watch must be a function, not an object/)
  await refused(t, zk.getChildren('/x', { watch: anything(1) }), 'getChildren', '/x', /watch must be a function, not the number 1/)
  await refused(t, zk.getChildrenWithStat('/x', { watch: anything(true) }), 'getChildren', '/x', /watch/)
  await refused(t, zk.getConfig({ watch: anything('x') }), 'getConfig', '/zookeeper/config', /watch/)
  await refused(t, zk.addWatch('/x', AddWatchMode.PERSISTENT, anything('listener')), 'addWatch', '/x', /listener must be a function/)
  await refused(
    t,
    zk.addWatch('/x', AddWatchMode.PERSISTENT, anything(undefined)),
    'addWatch',
    '/x',
    /listener must be a function, not undefined/,
  )
  await refused(t, zk.removeWatches('/x', 'data', { watcher: anything(5) }), 'removeWatches', '/x', /watcher must be a function/)
  await refused(t, zk.removeWatches('/x', 'data', { local: anything('yes') }), 'removeWatches', '/x', /local must be true or false/)
  await refused(t, zk.checkWatches('/x', anything('everything')), 'checkWatches', '/x', /kind must be one of 'data', 'children', 'any'/)
  t.equal(fake.log.length, before, 'nothing was sent')
})

t.test('signal, timeout and the options object itself', async (t) => {
  const { fake, zk } = await setup()
  const before = fake.log.length
  await refused(t, zk.getData('/x', anything(null)), 'getData', '/x', /options must be an object, not null/)
  await refused(t, zk.getData('/x', anything('fast')), 'getData', '/x', /options must be an object, not the string/)
  await refused(t, zk.getData('/x', { signal: anything('stop') }), 'getData', '/x', /signal must be an AbortSignal/)
  await refused(
    t,
    zk.getData('/x', { signal: anything(new AbortController()) }),
    'getData',
    '/x',
    /signal must be an AbortSignal, not a AbortController/,
  )
  await refused(t, zk.setData('/x', 'v', { timeout: -1 }), 'setData', '/x', /timeout must be a number of ms/)
  await refused(t, zk.create('/x', 'v', { timeout: Infinity }), 'create', '/x', /timeout/)
  await refused(t, zk.delete('/x', { timeout: anything('soon') }), 'delete', '/x', /timeout/)
  await refused(t, zk.sync('/x', { timeout: 2 ** 31 }), 'sync', '/x', /timeout/)
  await refused(t, zk.getACL('/x', { signal: anything(1) }), 'getACL', '/x', /signal/)
  await refused(t, zk.getAllChildrenNumber('/x', { timeout: NaN }), 'getAllChildrenNumber', '/x', /timeout/)
  await refused(t, zk.getEphemerals('/', { timeout: -5 }), 'getEphemerals', '/', /timeout/)
  await refused(t, zk.whoAmI({ signal: anything({}) }), 'whoAmI', undefined, /signal/)
  await refused(t, zk.deleteAll('/x', { timeout: -1 }), 'deleteAll', '/x', /timeout/)
  await refused(t, zk.createAll('/x/y', null, { parentMode: anything('FOLDER') }), 'createAll', '/x/y', /unknown create mode FOLDER/)
  await refused(t, zk.waitForConnected({ timeout: -1 }), 'connect', undefined, /timeout/)
  await refused(
    t,
    zk.addAuth('digest', anything(42)),
    'addAuth',
    undefined,
    /auth must be a Buffer, Uint8Array or string, not the number 42/,
  )
  t.equal(fake.log.length, before, 'nothing was sent')
  // A good signal and timeout still work.
  await zk.sync('/x', { signal: new AbortController().signal, timeout: 1000 })
})

t.test('transactions, multi and multiRead', async (t) => {
  const { fake, zk } = await setup()
  const before = fake.log.length
  await refused(t, () => zk.transaction().create('/a', null, anything('PERSISTENT')), 'multi', '/a', /options must be an object/)
  await refused(t, () => zk.transaction().create('/a', null, { ttl: 1000 }), 'multi', '/a', /ttl is only valid with/)
  await refused(
    t,
    () => zk.transaction().create('/a', null, { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 1.5 }),
    'multi',
    '/a',
    /TTL modes need an integer ttl/,
  )
  await refused(t, zk.transaction().check('/a', 1).commit({ timeout: -1 }), 'multi', undefined, /timeout/)
  await refused(t, zk.multi(anything('ops')), 'multi', undefined, /ops must be an array of ops built by transaction\(\)/)
  await refused(t, zk.multi(anything([{ type: 1 }])), 'multi', undefined, /op 0 was not built by transaction\(\)/)
  await refused(t, zk.multiRead(anything({ type: 'getData', path: '/a' })), 'multiRead', undefined, /reads must be an array/)
  await refused(t, zk.multiRead(anything([null])), 'multiRead', undefined, /read 0 must be \{ type, path \}/)
  t.equal(fake.log.length, before, 'nothing was sent')
})

t.test('watch streams check their options when made, not when iterated', async (t) => {
  const { zk } = await setup()
  await refused(
    t,
    () => zk.watch('/x', { kind: anything('everything') }),
    'watch',
    '/x',
    /kind must be one of 'data', 'exists', 'children'/,
  )
  await refused(t, () => zk.watch('/x', { signal: anything('x') }), 'watch', '/x', /signal/)
  await refused(t, () => zk.watch('x'), 'watch', 'x', /path must start with \//)
})

t.test('withRetry', async (t) => {
  await refused(t, withRetry(anything('fn')), 'withRetry', undefined, /fn must be a function/)
  await refused(
    t,
    withRetry(async () => 1, { retries: -1 }),
    'withRetry',
    undefined,
    /retries must be a whole number >= 0/,
  )
  await refused(
    t,
    withRetry(async () => 1, { onRetry: anything(3) }),
    'withRetry',
    undefined,
    /onRetry must be a function/,
  )
  await refused(
    t,
    withRetry(async () => 1, { isRetryable: anything('yes') }),
    'withRetry',
    undefined,
    /isRetryable must be a function/,
  )
  await refused(
    t,
    withRetry(async () => 1, { minDelay: -5 }),
    'withRetry',
    undefined,
    /minDelay/,
  )
  await refused(
    t,
    withRetry(async () => 1, { signal: anything({}) }),
    'withRetry',
    undefined,
    /signal/,
  )
  t.equal(await withRetry(async () => 7, { retries: 0, signal: new AbortController().signal }), 7)
})
