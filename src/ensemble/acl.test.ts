// ACL rules as ZooKeeper 3.8's default providers apply them (each edge also pinned against a real
// server by integration/wire/raw.wire).
import t from 'tap'
import type { ACL } from '../jute/generated/proto.generated.js'
import { ErrorCode } from '../protocol.js'
import { authenticate, certificateIds, digestOf, fixupACL, permitted } from './acl.js'

const entry = (scheme: string, id: string, perms = 31): ACL => ({ perms, id: { scheme, id } })
const valid = (scheme: string, id: string) => fixupACL([entry(scheme, id)], [], '127.0.0.1') !== ErrorCode.INVALIDACL

t.test('ip ids: IPv4 only, masks 0..32, parts as Java parses an int', async (t) => {
  for (const id of [
    '10.0.0.0/33',
    '10.0.0.0/40',
    '10.0.0.0/-1',
    '10.0.0.0/',
    '10.0.0.0/8/8',
    '10.0.0',
    '10.0.0.256',
    '::1',
    '::1/128',
    'fe80::/10',
    '::ffff:127.0.0.1',
  ])
    t.notOk(valid('ip', id), `${id} is INVALIDACL`)
  for (const id of ['10.0.0.0/32', '10.0.0.0/0', '10.0.0.0/+8', '127.000.0.01', '+127.0.0.1']) t.ok(valid('ip', id), `${id} is taken`)
})

t.test('ip grants compare the masked bits, never with a shift count taken modulo 32', async (t) => {
  const reads = (id: string, address: string) => permitted([entry('ip', id, 1)], 1, [], address)
  t.notOk(reads('10.0.0.0/33', '127.0.0.1'), 'an invalid mask grants nothing')
  t.notOk(reads('10.0.0.0/40', '127.0.0.1'))
  t.ok(reads('0.0.0.0/1', '127.0.0.1'))
  t.notOk(reads('128.0.0.0/1', '127.0.0.1'))
  t.ok(reads('127.0.0.0/31', '127.0.0.1'))
  t.notOk(reads('127.0.0.2/31', '127.0.0.1'))
  t.ok(reads('10.0.0.0/0', '127.0.0.1'), '/0 is everyone')
  t.ok(reads('127.0.0.1', '::ffff:127.0.0.1'), 'an IPv4 client of a dual-stack socket')
  t.notOk(reads('127.0.0.1', '::1'), 'an IPv6 client matches no ip rule')
})

t.test('digest ids have two parts as Java splits them; super, and by default x509 and sasl, have no provider', async (t) => {
  for (const id of ['alice:', 'alice::', 'alice', ':', 'a:b:c']) t.notOk(valid('digest', id), `digest "${id}" is INVALIDACL`)
  for (const id of ['alice:x', 'alice:x:', ':x']) t.ok(valid('digest', id), `digest "${id}" is taken`)
  for (const scheme of ['super', 'x509', 'sasl']) t.notOk(valid(scheme, 'alice'), `${scheme} is INVALIDACL`)
})

t.test('with SASL configured, sasl ids are valid where KerberosName parses them, and "super" matches them all', async (t) => {
  const saslValid = (id: string) => fixupACL([entry('sasl', id)], [], '127.0.0.1', { sasl: true, x509: false }) !== ErrorCode.INVALIDACL
  // Each as real ZooKeeper 3.8 with the SASL provider answered a create.
  for (const id of ['bob', 'a/b', 'zk/host@REALM', 'a@b', 'a/b/c', '@', '', 'a/@']) t.ok(saslValid(id), `sasl "${id}" is taken`)
  for (const id of ['a@b@c', 'a/b/c@R']) t.notOk(saslValid(id), `sasl "${id}" is INVALIDACL`)
  const acl = [entry('sasl', 'bob', 1)]
  t.ok(permitted(acl, 1, [{ scheme: 'sasl', id: 'bob' }], '10.0.0.1'))
  t.notOk(permitted(acl, 1, [{ scheme: 'sasl', id: 'carol' }], '10.0.0.1'))
  t.ok(permitted(acl, 1, [{ scheme: 'sasl', id: 'super' }], '10.0.0.1'), 'the SASL user "super"')
  t.notOk(permitted(acl, 1, [{ scheme: 'digest', id: 'super' }], '10.0.0.1'))
})

t.test('with a secure client port, x509 ids are valid where X500Principal parses them, and match exactly', async (t) => {
  const x509 = { sasl: false, x509: true }
  const x509Valid = (id: string) => fixupACL([entry('x509', id)], [], '127.0.0.1', x509) !== ErrorCode.INVALIDACL
  // Each as real ZooKeeper 3.8 with a secureClientPort answered a create.
  for (const id of ['CN=alice', 'cn=a;o=b', '']) t.ok(x509Valid(id), `x509 "${id}" is taken`)
  for (const id of ['CN=a,,O=b', 'nonsense', 'CN=a\\x']) t.notOk(x509Valid(id), `x509 "${id}" is INVALIDACL`)
  const alice = certificateIds('CN=alice,O=Acme', undefined)
  t.same(alice, [{ scheme: 'x509', id: 'CN=alice,O=Acme' }])
  const acl = [entry('x509', 'CN=alice,O=Acme', 1)]
  t.ok(permitted(acl, 1, alice, '10.0.0.1'))
  t.notOk(permitted([entry('x509', 'cn=alice,o=Acme', 1)], 1, alice, '10.0.0.1'), 'compared as strings, not as names')
  t.notOk(permitted(acl, 1, certificateIds('CN=bob', undefined), '10.0.0.1'))
  t.same(fixupACL([entry('auth', '')], alice, '127.0.0.1', x509), [entry('x509', 'CN=alice,O=Acme')], 'auth expands to the x509 id')
  const admin = certificateIds('CN=admin', 'CN=admin')
  t.same(
    admin,
    [
      { scheme: 'super', id: 'CN=admin' },
      { scheme: 'x509', id: 'CN=admin' },
    ],
    'the super user is super too',
  )
  t.ok(permitted(acl, 1, admin, '10.0.0.1'))
  t.same(fixupACL([entry('auth', '')], admin, '127.0.0.1', x509), [entry('x509', 'CN=admin')], 'super has no provider to expand to')
})

t.test('an x509 auth packet checks the certificate shown at the handshake, whatever it carries', async (t) => {
  const alice = certificateIds('CN=alice', undefined)
  t.same(authenticate('x509', Buffer.from('CN=mallory'), undefined, alice), alice)
  t.equal(authenticate('x509', Buffer.from('CN=alice'), undefined, undefined), undefined, 'no certificate: AUTHFAILED')
  t.same(authenticate('digest', Buffer.from('u:p'), undefined, alice), [{ scheme: 'digest', id: digestOf('u:p') }])
})

t.test('duplicates go before auth expands, first occurrences kept, in one pass', async (t) => {
  const bob = [{ scheme: 'digest', id: digestOf('bob:pw') }]
  const bobs = entry('digest', digestOf('bob:pw'))
  t.same(
    fixupACL([entry('auth', ''), bobs, entry('auth', '')], bob, '127.0.0.1'),
    [bobs, bobs],
    'the expansion repeats an entry, as on ZooKeeper',
  )
  const open = entry('world', 'anyone')
  const read = entry('world', 'anyone', 1)
  t.same(fixupACL([open, read, open, bobs, read], [], '127.0.0.1'), [open, read, bobs])
  // Ids that would collide if scheme and id were simply concatenated.
  t.same(fixupACL([entry('ip', '1.2.3.4'), entry('ip', '1.2.3.4')], [], '127.0.0.1'), [entry('ip', '1.2.3.4')])
  const many = Array.from({ length: 36_001 }, (_, i) => entry('ip', `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`))
  const fixed = fixupACL([...many, ...many], [], '127.0.0.1') as ACL[]
  t.equal(fixed.length, 36_001, '72,002 entries, half of them repeats')
  t.same(fixed.at(-1), many.at(-1), 'in their first order')
})

t.test('a long ACL grants what some one entry grants: by id, ip rule or world, each entry with its own perms', async (t) => {
  const ips = Array.from({ length: 36_000 }, (_, i) => entry('ip', `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 1))
  const acl = [...ips, entry('digest', 'alice:x', 2), entry('digest', 'alice:x', 4), entry('sasl', 'bob', 8), entry('world', 'anyone', 16)]
  const alice = [{ scheme: 'digest', id: 'alice:x' }]
  t.ok(permitted(acl, 1, [], '10.0.140.159'), 'READ to an address some ip rule names (the last of them)')
  t.notOk(permitted(acl, 1, [], '10.1.0.0'), 'no READ to one none names')
  t.ok(permitted(acl, 2, alice, '127.0.0.1') && permitted(acl, 4, alice, '127.0.0.1'), "both of alice's entries count")
  t.notOk(permitted(acl, 8, alice, '127.0.0.1'), 'but not the sasl one')
  t.ok(permitted(acl, 8, [{ scheme: 'sasl', id: 'super' }], '127.0.0.1'), 'which the SASL user "super" matches')
  t.ok(permitted(acl, 16, [], '127.0.0.1'), 'ADMIN to anyone')
  t.notOk(permitted(acl, 2, [], '10.0.0.1'), 'WRITE to no one else')
  t.ok(permitted(acl, 2, [{ scheme: 'super', id: '' }], '10.0.0.1'), 'super always')
  t.ok(permitted([], 2, [], '10.0.0.1'), 'an empty ACL grants everything')
})
