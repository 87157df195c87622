// Connect string parsing and the host provider's rotation and cycle detection.
import t from 'tap'
import { DEFAULT_PORT, HostProvider, parseConnectString } from './hosts.js'
import { BadArgumentsError } from '../errors.js'

t.test('connect strings', async (t) => {
  t.same(parseConnectString('h1:2181,h2:2182/app/x'), {
    hosts: [
      { host: 'h1', port: 2181 },
      { host: 'h2', port: 2182 },
    ],
    chroot: '/app/x',
  })
  t.same(parseConnectString('zk'), { hosts: [{ host: 'zk', port: DEFAULT_PORT }], chroot: undefined })
  t.same(
    parseConnectString(' a:1 , b '),
    {
      hosts: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2181 },
      ],
      chroot: undefined,
    },
    'spaces around entries',
  )
  t.same(parseConnectString('[::1]:2182,[fe80::1%eth0],127.0.0.1/'), {
    hosts: [
      { host: '::1', port: 2182 },
      { host: 'fe80::1%eth0', port: 2181 },
      { host: '127.0.0.1', port: 2181 },
    ],
    chroot: undefined,
  })
  t.same(parseConnectString('zk.example.com:65535/a').hosts, [{ host: 'zk.example.com', port: 65535 }])
})

t.test('bad connect strings throw BadArgumentsError saying why', async (t) => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['   ', /empty/],
    ['a:x', /not a number/],
    ['a:', /not a number/],
    ['a:0', /out of range/],
    ['a:70000', /out of range/],
    ['a:123456', /not a number/],
    [',a', /empty host entry/],
    ['a,,b', /empty host entry/],
    ['/app', /empty host entry/],
    [':2181', /host missing/],
    ['::1:2181', /\[addr\]:port/],
    ['[::1', /bracketed IPv6/],
    ['[::1]x', /bracketed IPv6/],
    ['a b:1', /whitespace/],
    ['a:1/app/', /must not end with/],
    ['a:1/app//x', /empty segment/],
    ['a:1/app/../x', /relative segment/],
  ]
  for (const [s, why] of cases)
    t.throws(() => parseConnectString(s), { name: 'BadArgumentsError', message: why, op: 'connect' }, JSON.stringify(s))
  t.throws(() => parseConnectString(undefined as unknown as string), BadArgumentsError)
})

t.test('the provider rotates and reports each full failed cycle', async (t) => {
  const hp = new HostProvider(
    [
      { host: 'a', port: 1 },
      { host: 'b', port: 1 },
      { host: 'c', port: 1 },
    ],
    false,
  )
  const seen: string[] = []
  const cycled: boolean[] = []
  for (let i = 0; i < 7; i++) {
    seen.push(hp.next().host)
    cycled.push(hp.cycled)
  }
  t.same(seen, ['a', 'b', 'c', 'a', 'b', 'c', 'a'])
  t.same(cycled, [false, false, true, false, false, true, false], 'true once per cycle, not after every attempt')
  t.equal(hp.failedCycles, 2)
  hp.connected()
  t.notOk(hp.cycled)
  t.equal(hp.failedCycles, 0)
  t.equal(hp.next().host, 'b', 'after a connection is lost, the next host is tried first')
})

t.test('shuffling is a permutation, done once', async (t) => {
  const hosts = Array.from({ length: 6 }, (_, i) => ({ host: `h${i}`, port: 2181 }))
  let seed = 7
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647
  const hp = new HostProvider(hosts, true, random)
  const order = hp.order.map((h) => h.host)
  t.same(
    [...order].sort(),
    hosts.map((h) => h.host),
  )
  t.not(order.join(), hosts.map((h) => h.host).join(), 'this seed changes the order')
  const walk = Array.from({ length: 12 }, () => hp.next().host)
  t.same(walk, [...order, ...order], 'the same order every cycle')
  t.same(hosts[0], { host: 'h0', port: 2181 }, 'the caller’s array is untouched')
  t.throws(() => new HostProvider([]), BadArgumentsError)
})
