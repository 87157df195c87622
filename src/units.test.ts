// Small pure parts: connect strings, paths, ACL helpers, the watch registry's dispatch rules, backoff.
import t from 'tap'
import { parseConnectString, HostProvider } from './session/hosts.js'
import { pathProblem, withChroot, withoutChroot, parseSequence } from './paths.js'
import { digestId, validateACL } from './acl.js'
import { WatchRegistry } from './watches.js'
import { EventType, Perms } from './protocol.js'
import { backoffDelay, isRetryable, withRetry } from './retry.js'
import { BadArgumentsError, ConnectionLossError, InvalidACLError, NoNodeError } from './errors.js'

t.test('connect strings', async (t) => {
  t.same(parseConnectString('a:1,b:2/app/x'), {
    hosts: [
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
    ],
    chroot: '/app/x',
  })
  t.same(parseConnectString('zk'), { hosts: [{ host: 'zk', port: 2181 }], chroot: undefined })
  t.same(parseConnectString('[::1]:2182,127.0.0.1/'), {
    hosts: [
      { host: '::1', port: 2182 },
      { host: '127.0.0.1', port: 2181 },
    ],
    chroot: undefined,
  })
  for (const bad of ['', 'a:x', 'a:0', 'a:70000', ',a', 'a:1/app/', '::1:2181'])
    t.throws(() => parseConnectString(bad), BadArgumentsError, bad)
  const hp = new HostProvider(
    [
      { host: 'a', port: 1 },
      { host: 'b', port: 1 },
    ],
    false,
  )
  t.equal(hp.next().host, 'a')
  t.notOk(hp.cycled)
  t.equal(hp.next().host, 'b')
  t.ok(hp.cycled)
  hp.connected()
  t.notOk(hp.cycled)
})

t.test('paths', async (t) => {
  for (const ok of ['/', '/a', '/a/b-c.d', '/zoo/ünïcode']) t.equal(pathProblem(ok), undefined, ok)
  for (const bad of ['', 'a', '/a/', '//', '/a//b', '/.', '/a/..', '/a\u0000', '/a\u0001', '/\ud800x'])
    t.ok(pathProblem(bad), JSON.stringify(bad))
  t.equal(pathProblem('/q/', true), undefined, 'a sequential create may end with /')
  t.equal(withChroot('/app', '/'), '/app')
  t.equal(withChroot('/app', '/x'), '/app/x')
  t.equal(withoutChroot('/app', '/app'), '/')
  t.equal(withoutChroot('/app', '/app/x'), '/x')
  t.equal(withoutChroot('/app', '/apple'), '/apple')
  t.equal(parseSequence('lock-0000000042'), 42)
  t.equal(parseSequence('lock'), undefined)
})

t.test('ACL helpers', async (t) => {
  t.equal(digestId('super', 'test'), 'super:D/InIHSb7yEEbrWz8b9l71RjZJU=')
  t.throws(() => validateACL([], 'create', '/a'), InvalidACLError)
  t.throws(() => validateACL([{ perms: Perms.READ, id: { scheme: '', id: 'x' } }], 'create', '/a'), InvalidACLError)
  validateACL([{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }], 'create', '/a')
})

t.test('watch registry dispatch follows ZooKeeper rules', async (t) => {
  const reg = new WatchRegistry()
  const got: string[] = []
  const w = (name: string) => () => got.push(name)
  reg.add('data', '/a', w('data'))
  reg.add('exist', '/a', w('exist'))
  reg.add('child', '/a', w('child'))
  reg.add('persistent', '/a', w('persistent'))
  reg.add('persistentRecursive', '/', w('recursive'))
  const fire = (type: number, path: string) => {
    got.length = 0
    for (const x of reg.materialize({ type, state: 3, path })) x({ type, state: 3, path })
    return [...got].sort()
  }
  t.same(fire(EventType.NodeChildrenChanged, '/a'), ['child', 'persistent'], 'recursive watches skip childrenChanged')
  t.same(fire(EventType.NodeDataChanged, '/a'), ['data', 'exist', 'persistent', 'recursive'])
  t.same(fire(EventType.NodeDataChanged, '/a'), ['persistent', 'recursive'], 'one-shot watches fired once')
  t.same(fire(EventType.NodeCreated, '/a/b/c'), ['recursive'])
  reg.add('child', '/a', w('child'))
  t.same(fire(EventType.NodeDeleted, '/a'), ['child', 'persistent', 'recursive'])
  t.same(reg.watchSet(), { data: [], exist: [], child: [], persistent: ['/a'], persistentRecursive: ['/'] })
})

t.test('retry policy', async (t) => {
  for (let i = 0; i < 50; i++) {
    const d = backoffDelay(i % 8, 10, 1000)
    t.ok(d >= 10 && d <= 1000, `delay ${d} within bounds`, { diagnostic: false })
  }
  t.ok(isRetryable(new ConnectionLossError()))
  t.notOk(isRetryable(new NoNodeError()))
  let calls = 0
  t.equal(await withRetry(async () => (++calls < 3 ? Promise.reject(new ConnectionLossError()) : 'ok'), { minDelay: 1, maxDelay: 2 }), 'ok')
  t.equal(calls, 3)
  calls = 0
  await t.rejects(
    withRetry(
      async () => {
        calls++
        throw new NoNodeError()
      },
      { minDelay: 1 },
    ),
    NoNodeError,
  )
  t.equal(calls, 1, 'non-retryable errors are not retried')
})
