// The client's own write calls and a transaction's ops go through one validator: each bad input is
// refused by both with the same error class, code and path, and the same message but for the op
// ("create" or "multi"), before anything is sent.
import t, { type Test } from 'tap'
import { ZooKeeper } from './client.js'
import { Session } from './session/session.js'
import { FakeServer } from './session/fake-server.test-helper.js'
import { CreateMode, OpCode } from './protocol.js'
import { BadArgumentsError, InvalidACLError, ZooKeeperError } from './errors.js'
import { MAX_TTL } from './write-ops.js'
import type { CreateOptions, Data } from './client.js'

const MAX_BUFFER = 1024

type ErrorClass = new (message?: string) => ZooKeeperError

async function setup() {
  const fake = new FakeServer(1)
  const zk = await ZooKeeper.connect('h0:2181/app', {
    maxBufferSize: MAX_BUFFER,
    sessionFactory: (o) => new Session({ ...o, transportFactory: fake.factory }),
  })
  t.teardown(() => zk.close())
  return { fake, zk }
}

// JavaScript callers (and `as any`) can pass anything; these casts stand for them.
const anything = (v: unknown) => v as never

/** What a call threw or rejected with (undefined when it did neither). */
async function failure(run: () => unknown): Promise<unknown> {
  try {
    await run()
    return undefined
  } catch (err) {
    return err
  }
}

const TTL = CreateMode.PERSISTENT_WITH_TTL
const createCases: { name: string; path?: string; data?: Data; opts: CreateOptions; cls: ErrorClass; why: RegExp }[] = [
  {
    name: 'ttl 1.5',
    opts: { mode: TTL, ttl: 1.5 },
    cls: BadArgumentsError,
    why: /TTL modes need an integer ttl in 1\.\.\d+ ms \(got the number 1\.5\)$/,
  },
  {
    name: 'ttl with PERSISTENT',
    opts: { mode: CreateMode.PERSISTENT, ttl: 1000 },
    cls: BadArgumentsError,
    why: /ttl is only valid with PERSISTENT_WITH_TTL/,
  },
  { name: 'ttl with the default mode', opts: { ttl: 1000 }, cls: BadArgumentsError, why: /ttl is only valid with/ },
  { name: 'ttl with EPHEMERAL by name', opts: { mode: 'EPHEMERAL', ttl: 1000 }, cls: BadArgumentsError, why: /ttl is only valid with/ },
  { name: 'TTL mode without ttl', opts: { mode: TTL }, cls: BadArgumentsError, why: /TTL modes need an integer ttl .*\(got undefined\)$/ },
  {
    name: 'ttl over MAX_TTL',
    opts: { mode: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, ttl: MAX_TTL + 1 },
    cls: BadArgumentsError,
    why: /TTL modes need an integer ttl/,
  },
  { name: 'ttl 0', opts: { mode: TTL, ttl: 0 }, cls: BadArgumentsError, why: /\(got the number 0\)$/ },
  { name: 'ttl as a string', opts: { mode: TTL, ttl: anything('1000') }, cls: BadArgumentsError, why: /\(got the string "1000"\)$/ },
  { name: 'path without /', path: 'a', opts: {}, cls: BadArgumentsError, why: /path must start with \/$/ },
  { name: 'path ending in /', path: '/a/', opts: {}, cls: BadArgumentsError, why: /path must not end with \/$/ },
  { name: 'path with //', path: '/a//b', opts: {}, cls: BadArgumentsError, why: /empty node name/ },
  {
    name: 'sequential /',
    path: '/',
    opts: { mode: CreateMode.PERSISTENT_SEQUENTIAL },
    cls: BadArgumentsError,
    why: /a sequential node needs a name prefix/,
  },
  { name: 'path not a string', path: anything(7), opts: {}, cls: BadArgumentsError, why: /path must be a string$/ },
  {
    name: 'data a number',
    data: anything(42),
    opts: {},
    cls: BadArgumentsError,
    why: /data must be a Buffer, Uint8Array or string, not number$/,
  },
  { name: 'data an object', data: anything({}), opts: {}, cls: BadArgumentsError, why: /data must be .* not object$/ },
  {
    name: 'data over maxBufferSize',
    data: Buffer.alloc(MAX_BUFFER + 1),
    opts: {},
    cls: BadArgumentsError,
    why: /data of 1025 bytes exceeds jute\.maxbuffer \(1024 bytes\)$/,
  },
  { name: 'unknown mode name', opts: { mode: anything('FOLDER') }, cls: BadArgumentsError, why: /unknown create mode FOLDER$/ },
  { name: 'unknown mode number', opts: { mode: anything(99) }, cls: BadArgumentsError, why: /unknown create mode 99$/ },
  { name: 'empty ACL', opts: { acl: [] }, cls: InvalidACLError, why: /ACL/ },
  {
    name: 'options not an object',
    opts: anything('PERSISTENT'),
    cls: BadArgumentsError,
    why: /options must be an object, not the string "PERSISTENT"$/,
  },
]

/** Require `direct` and `inTxn` to be the same refusal, for op `op` and `multi` respectively. */
function sameRefusal(t: Test, direct: unknown, inTxn: unknown, op: string, path: unknown, cls: ErrorClass, why: RegExp) {
  t.type(direct, cls, `${op}: ${String(direct)}`)
  t.type(inTxn, cls, `transaction: ${String(inTxn)}`)
  const a = direct as ZooKeeperError
  const b = inTxn as ZooKeeperError
  t.equal(a.constructor, b.constructor, 'same class')
  t.equal(a.code, b.code, 'same code')
  t.match(a, { op, path }, `${op} names op and path`)
  t.match(b, { op: 'multi', path }, 'the transaction op names multi and the path')
  t.match(a.message, why)
  t.equal(b.message, a.message.replace(`(${op} `, '(multi '), 'same message but for the op')
}

t.test('create() and transaction().create() refuse the same inputs the same way', async (t) => {
  const { fake, zk } = await setup()
  const before = fake.log.length
  for (const c of createCases) {
    await t.test(c.name, async (t) => {
      const path = c.path ?? '/a'
      const direct = await failure(() => zk.create(path, c.data, c.opts))
      const inTxn = await failure(() => zk.transaction().create(path, c.data, c.opts))
      sameRefusal(t, direct, inTxn, 'create', path, c.cls, c.why)
    })
  }
  t.equal(fake.log.length, before, 'nothing was sent')
})

t.test('setData, delete and check share their rules with the transaction ops', async (t) => {
  const { fake, zk } = await setup()
  const before = fake.log.length
  const versionWhy = (v: string) => new RegExp(`version must be an integer >= -1 \\(got ${v}\\)$`)
  const cases: { name: string; direct: () => unknown; inTxn: () => unknown; op: string; path: string; why: RegExp }[] = [
    {
      name: 'setData data a number',
      direct: () => zk.setData('/a', anything(1)),
      inTxn: () => zk.transaction().setData('/a', anything(1)),
      op: 'setData',
      path: '/a',
      why: /data must be/,
    },
    {
      name: 'setData data over maxBufferSize',
      direct: () => zk.setData('/a', 'x'.repeat(MAX_BUFFER + 1)),
      inTxn: () => zk.transaction().setData('/a', 'x'.repeat(MAX_BUFFER + 1)),
      op: 'setData',
      path: '/a',
      why: /exceeds jute\.maxbuffer/,
    },
    {
      name: 'setData version 1.5',
      direct: () => zk.setData('/a', 'v', { version: 1.5 }),
      inTxn: () => zk.transaction().setData('/a', 'v', 1.5),
      op: 'setData',
      path: '/a',
      why: versionWhy('1.5'),
    },
    {
      name: 'setData bad path',
      direct: () => zk.setData('a', 'v'),
      inTxn: () => zk.transaction().setData('a', 'v'),
      op: 'setData',
      path: 'a',
      why: /must start with/,
    },
    {
      name: 'delete version -2',
      direct: () => zk.delete('/a', { version: -2 }),
      inTxn: () => zk.transaction().delete('/a', -2),
      op: 'delete',
      path: '/a',
      why: versionWhy('-2'),
    },
    {
      name: 'delete version 2^31',
      direct: () => zk.delete('/a', { version: 2 ** 31 }),
      inTxn: () => zk.transaction().delete('/a', 2 ** 31),
      op: 'delete',
      path: '/a',
      why: versionWhy('2147483648'),
    },
    {
      name: 'delete bad path',
      direct: () => zk.delete('/a/'),
      inTxn: () => zk.transaction().delete('/a/'),
      op: 'delete',
      path: '/a/',
      why: /must not end with/,
    },
    // ZooKeeper has no check() outside transactions; its version rule is delete's.
    {
      name: 'check version as delete',
      direct: () => zk.delete('/a', { version: anything('x') }),
      inTxn: () => zk.transaction().check('/a', anything('x')),
      op: 'delete',
      path: '/a',
      why: versionWhy('x'),
    },
  ]
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      sameRefusal(t, await failure(c.direct), await failure(c.inTxn), c.op, c.path, BadArgumentsError, c.why)
    })
  }
  t.equal(fake.log.length, before, 'nothing was sent')
})

t.test('valid ops build the same request either way', async (t) => {
  const { fake, zk } = await setup()
  // Unanswered: only the requests matter here.
  fake.respond = () => 'hold'
  const mode = CreateMode.PERSISTENT_WITH_TTL
  void zk.create('/ttl', 'v', { mode, ttl: 5000 }).catch(() => {})
  void zk
    .transaction()
    .create('/ttl', 'v', { mode, ttl: 5000 })
    .commit()
    .catch(() => {})
  await fake.until(() => fake.seen(OpCode.createTTL).length === 1 && fake.seen(OpCode.multi).length === 1)
  const alone = fake.seen(OpCode.createTTL)[0]!.body
  const multi = fake.seen(OpCode.multi)[0]!.body
  t.ok(alone.includes(Buffer.from('/app/ttl')), 'the chroot is applied')
  // The multi carries the same CreateTTLRequest body inside its op header.
  t.ok(multi.includes(alone), 'the transaction op holds the create request byte for byte')
})
