// ACLs are checked before anything is sent, as a ZooKeeper server's fixupACL checks them: create,
// setACL and the creates of a transaction refuse a bad list with InvalidACLError naming the op, the
// path and the offending entry.
import t from 'tap'
import { ZooKeeper } from './client.js'
import { Session } from './session/session.js'
import { FakeServer } from './session/fake-server.test-helper.js'
import * as P from './jute/generated/proto.generated.js'
import { OpCode } from './protocol.js'
import { InvalidACLError } from './errors.js'
import { OPEN_ACL_UNSAFE, CREATOR_ALL_ACL, READ_ACL_UNSAFE, digestId, registerACLScheme, validateACL } from './acl.js'

const entry = (scheme: string, id: string, perms = 31): P.ACL => ({ perms, id: { scheme, id } })
const problem = (acl: unknown): string | undefined => {
  try {
    validateACL(acl, 'create', '/a')
    return undefined
  } catch (err) {
    if (!(err instanceof InvalidACLError)) throw err
    return err.message
  }
}

t.test('what a server accepts passes', async (t) => {
  for (const acl of [
    OPEN_ACL_UNSAFE,
    CREATOR_ALL_ACL,
    READ_ACL_UNSAFE,
    [entry('digest', digestId('alice', 'secret'))],
    [entry('ip', '10.1.2.3'), entry('ip', '10.0.0.0/8'), entry('ip', '0.0.0.0/0'), entry('ip', '192.168.1.0/32')],
    [entry('ip', '::1'), entry('ip', 'fe80::/10'), entry('ip', '2001:db8::/128'), entry('ip', '::/0')],
    [entry('x509', 'CN=client'), entry('sasl', 'zk/host@REALM')],
    [entry('world', 'anyone', 0)],
  ]) {
    t.equal(problem(acl), undefined, JSON.stringify(acl))
  }
})

t.test('each kind of bad entry is refused with the entry named', async (t) => {
  const cases: [unknown, RegExp][] = [
    [[], /ACL list is empty/],
    ['world:anyone', /must be an array .* not the string "world:anyone"/],
    [
      [entry('wrold', 'anyone')],
      /entry 0 \{ perms: 31, id: \{ scheme: "wrold", id: "anyone" \} \}: unknown scheme "wrold" \(known: world, auth, digest, ip, x509, sasl/,
    ],
    [[entry('super', 'admin')], /unknown scheme "super"/],
    [[entry('world', 'everyone')], /world scheme has one id, 'anyone', not "everyone"/],
    [[OPEN_ACL_UNSAFE[0], entry('digest', 'alice')], /entry 1 .*"alice".*exactly one ':'.*digestId/],
    [[entry('digest', 'alice:x:y')], /exactly one ':'/],
    [[entry('digest', 'alice:')], /exactly one ':'/],
    [[entry('ip', '10.0.0.300')], /"10.0.0.300" is not an IP address/],
    [[entry('ip', 'localhost')], /"localhost" is not an IP address/],
    [[entry('ip', '10.0.0.0/33')], /prefix length "33" must be 0..32 for an IPv4 address/],
    [[entry('ip', '10.0.0.0/-1')], /prefix length "-1" must be 0..32/],
    [[entry('ip', '10.0.0.0/')], /prefix length "" must be 0..32/],
    [[entry('ip', 'fe80::/129')], /prefix length "129" must be 0..128 for an IPv6 address/],
    [[entry('world', 'anyone', 32)], /entry 0 \{ perms: 32, .*perms must be an integer .* \(0..31/],
    [[entry('world', 'anyone', -1)], /perms must be/],
    [[entry('world', 'anyone', 1.5)], /perms must be/],
    [[{ perms: 31 }], /entry 0 <an object>: id must be \{ scheme: string, id: string \}/],
    [[{ perms: 31, id: { scheme: 'world' } }], /id: <undefined>.*id must be/],
    [[null], /entry 0 <null>: an entry is \{ perms, id: \{ scheme, id \} \}/],
  ]
  for (const [acl, why] of cases) {
    const message = problem(acl)
    t.match(message, why, JSON.stringify(acl) ?? String(acl))
    t.match(message, /^INVALIDACL \(create \/a\): /, 'names op and path')
  }
})

t.test('a custom provider scheme can be registered', async (t) => {
  t.match(problem([entry('token', 'abc')]), /unknown scheme "token"/)
  registerACLScheme('token', (id) => (id.length === 3 ? undefined : 'a token id has 3 characters'))
  t.equal(problem([entry('token', 'abc')]), undefined)
  t.match(problem([entry('token', 'abcd')]), /entry 0 .*: a token id has 3 characters/)
  t.throws(() => registerACLScheme('', () => undefined), { name: 'BadArgumentsError', op: 'registerACLScheme' })
  t.throws(() => registerACLScheme('x', 'yes' as never), { name: 'BadArgumentsError', message: /check must be a function/ })
})

t.test('create, setACL and transaction creates all refuse before sending', async (t) => {
  const fake = new FakeServer(1)
  const zk = await ZooKeeper.connect('h0:2181/app', { sessionFactory: (o) => new Session({ ...o, transportFactory: fake.factory }) })
  t.teardown(() => zk.close())
  const before = fake.log.length
  const badIp = [entry('ip', '10.0.0.300')]
  await t.rejects(zk.create('/n', null, { acl: badIp }), {
    name: 'InvalidACLError',
    op: 'create',
    path: '/n',
    message: /entry 0 .*10\.0\.0\.300/,
  })
  await t.rejects(zk.setACL('/n', [entry('world', 'all')]), { name: 'InvalidACLError', op: 'setACL', path: '/n', message: /'anyone'/ })
  await t.rejects(zk.createAll('/n/m', null, { acl: [] }), { name: 'InvalidACLError', op: 'create', path: '/n/m' })
  t.throws(() => zk.transaction().create('/n', null, { acl: [entry('digest', 'nocolon')] }), {
    name: 'InvalidACLError',
    op: 'multi',
    path: '/n',
    message: /exactly one ':'/,
  })
  t.equal(fake.log.length, before, 'nothing was sent')
  // A client's defaultACL is checked like any other.
  const withDefault = await ZooKeeper.connect('h0:2181', {
    defaultACL: [entry('ipv4', '1.2.3.4')],
    sessionFactory: (o) => new Session({ ...o, transportFactory: fake.factory }),
  })
  t.teardown(() => withDefault.close())
  await t.rejects(withDefault.create('/n'), { name: 'InvalidACLError', message: /unknown scheme "ipv4"/ })
  t.equal(fake.seen(OpCode.create2).length, 0)
})
