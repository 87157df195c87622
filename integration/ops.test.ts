// Every client operation and the error codes users branch on, against each target.
import t from 'tap'
import { eachTarget, harness } from './harness.js'
import {
  BadVersionError,
  CreateMode,
  NoChildrenForEphemeralsError,
  NoNodeError,
  NodeExistsError,
  NotEmptyError,
  NoAuthError,
  InvalidACLError,
  BadArgumentsError,
  Perms,
  OPEN_ACL_UNSAFE,
  digestId,
  ZooKeeperError,
  DEFAULT_MAX_BUFFER,
} from '../src/index.js'

eachTarget(t, {}, async (t, cluster) => {
  t.test('create / getData / setData / delete with Stat semantics', async (t) => {
    const h = await harness(t, cluster)
    const zk = await h.connect()
    const created = await zk.create('/a', Buffer.from('one'))
    t.equal(created.path, '/a')
    t.equal(created.stat.version, 0)
    t.equal(created.stat.dataLength, 3)
    t.equal(created.stat.ephemeralOwner, 0n)
    t.equal(created.stat.czxid, created.stat.mzxid)
    t.ok(created.stat.ctime > 0n)

    const got = await zk.getData('/a')
    t.equal(got.data.toString(), 'one')
    t.same(got.stat, created.stat)

    const st = await zk.setData('/a', Buffer.from('two'), { version: 0 })
    t.equal(st.version, 1)
    t.ok(st.mzxid > created.stat.mzxid)
    t.equal(st.czxid, created.stat.czxid)
    await t.rejects(zk.setData('/a', Buffer.from('x'), { version: 0 }), BadVersionError)
    const e = await zk.setData('/a', Buffer.from('x'), { version: 7 }).catch((err: unknown) => err)
    t.ok(e instanceof ZooKeeperError && e.op === 'setData' && e.path === '/a', 'error names op and path')

    await t.rejects(zk.delete('/a', { version: 5 }), BadVersionError)
    await zk.delete('/a', { version: 1 })
    t.equal(await zk.exists('/a'), null)
    await t.rejects(zk.getData('/a'), NoNodeError)
    await t.rejects(zk.delete('/a'), NoNodeError)
    await t.rejects(zk.setData('/a', Buffer.alloc(0)), NoNodeError)
  })

  t.test('create modes: exists, sequential, ephemeral, container, TTL', async (t) => {
    const h = await harness(t, cluster)
    const zk = await h.connect()
    await zk.create('/p')
    await t.rejects(zk.create('/p'), NodeExistsError)
    await t.rejects(zk.create('/missing/child'), NoNodeError)

    const s1 = await zk.create('/p/q-', Buffer.alloc(0), { mode: CreateMode.PERSISTENT_SEQUENTIAL })
    const s2 = await zk.create('/p/q-', Buffer.alloc(0), { mode: CreateMode.PERSISTENT_SEQUENTIAL })
    t.match(s1.path, /^\/p\/q-\d{10}$/)
    t.ok(Number(s2.path.slice(-10)) > Number(s1.path.slice(-10)))

    const eph = await zk.create('/p/e', Buffer.from('x'), { mode: CreateMode.EPHEMERAL })
    t.equal(eph.stat.ephemeralOwner, zk.sessionId)
    await t.rejects(zk.create('/p/e/child'), NoChildrenForEphemeralsError)
    const es = await zk.create('/p/es-', Buffer.alloc(0), { mode: CreateMode.EPHEMERAL_SEQUENTIAL })
    t.match(es.path, /^\/p\/es-\d{10}$/)

    const cont = await zk.create('/p/c', Buffer.alloc(0), { mode: CreateMode.CONTAINER })
    t.equal(cont.path, '/p/c')
    const ttl = await zk.create('/p/ttl', Buffer.alloc(0), { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 60_000 })
    t.equal(ttl.path, '/p/ttl')
    t.ok((await zk.exists('/p/ttl')) !== null)

    await t.rejects(zk.delete('/p'), NotEmptyError)
    const kids = await zk.getChildren('/p')
    t.equal(kids.length, 6)
    t.equal(await zk.getAllChildrenNumber('/p'), 6)
    const ephs = await zk.getEphemerals('/p')
    t.same(ephs.sort(), ['/p/e', es.path].sort())
  })

  t.test('getChildren with Stat, cversion and pzxid', async (t) => {
    const h = await harness(t, cluster)
    const zk = await h.connect()
    const parent = await zk.create('/kids')
    await zk.create('/kids/a')
    const b = await zk.create('/kids/b')
    const { children, stat } = await zk.getChildrenWithStat('/kids')
    t.same(children.sort(), ['a', 'b'])
    t.equal(stat.numChildren, 2)
    t.equal(stat.cversion, 2)
    t.equal(stat.pzxid, b.stat.czxid)
    t.equal(stat.version, parent.stat.version)
  })

  t.test('ACLs: getACL, setACL, digest auth, NoAuth, InvalidACL', async (t) => {
    const h = await harness(t, cluster)
    const zk = await h.connect()
    const other = await h.connect()
    await zk.create('/open')
    const { acl, stat } = await zk.getACL('/open')
    t.same(acl, OPEN_ACL_UNSAFE)
    t.equal(stat.aversion, 0)

    await zk.addAuth('digest', Buffer.from('alice:secret'))
    const mine = [{ perms: Perms.ALL, id: { scheme: 'digest', id: digestId('alice', 'secret') } }]
    const st = await zk.setACL('/open', mine, { version: 0 })
    t.equal(st.aversion, 1)
    await t.rejects(other.getData('/open'), NoAuthError)
    await t.rejects(other.setData('/open', Buffer.from('x')), NoAuthError)
    t.equal((await zk.getData('/open')).stat.aversion, 1)

    await zk.create('/auth-acl', Buffer.alloc(0), { acl: [{ perms: Perms.ALL, id: { scheme: 'auth', id: '' } }] })
    const got = await zk.getACL('/auth-acl')
    t.same(got.acl, mine, 'the auth scheme expands to the authenticated identity')
    await t.rejects(
      other.create('/auth-acl2', Buffer.alloc(0), { acl: [{ perms: Perms.ALL, id: { scheme: 'auth', id: '' } }] }),
      InvalidACLError,
    )
    const who = await zk.whoAmI()
    t.ok(who.some((w) => w.authScheme === 'digest' && w.user === 'alice'))
  })

  t.test('multi: atomic with per-op results; multiRead', async (t) => {
    const h = await harness(t, cluster)
    const zk = await h.connect()
    const results = await zk
      .transaction()
      .create('/m')
      .create('/m/a', Buffer.from('a'))
      .setData('/m/a', Buffer.from('b'))
      .check('/m', 0)
      .commit()
    t.equal(results.length, 4)
    t.same(results[0], { type: 'create', path: '/m' })
    t.equal((results[2] as { stat: { version: number } }).stat.version, 1)

    const err = await zk
      .transaction()
      .create('/m/b')
      .delete('/nope')
      .create('/m/c')
      .commit()
      .catch((e: unknown) => e)
    t.ok(err instanceof NoNodeError, 'rejects with the first failing op')
    t.same(
      (err as { results: { err: number }[] }).results.map((r) => r.err),
      [0, -101, -2],
    )
    t.equal(await zk.exists('/m/b'), null, 'nothing applied')

    const reads = await zk.multiRead([
      { type: 'getData', path: '/m/a' },
      { type: 'getChildren', path: '/m' },
      { type: 'getData', path: '/nope' },
    ])
    t.equal((reads[0] as { data: Buffer }).data.toString(), 'b')
    t.same((reads[1] as { children: string[] }).children, ['a'])
    t.ok(reads[2] instanceof NoNodeError)
  })

  t.test('createAll, deleteAll, sync, getConfig', async (t) => {
    const h = await harness(t, cluster)
    const zk = await h.connect()
    await zk.createAll('/x/y/z', Buffer.from('leaf'))
    t.equal((await zk.getData('/x/y/z')).data.toString(), 'leaf')
    await zk.createAll('/x/y/z') // existing: no error
    await zk.sync('/x')
    await zk.deleteAll('/x')
    t.equal(await zk.exists('/x'), null)
    await zk.deleteAll('/x') // already gone: no error
    const cfg = await h.connect({ connectString: cluster.connectString })
    const { data } = await cfg.getConfig()
    t.type(data, Buffer)
  })

  t.test('client-side validation: nothing sent, connection unaffected', async (t) => {
    const h = await harness(t, cluster)
    const zk = await h.connect()
    for (const bad of ['', 'a', '/a/', '/a//b', '/a/./b', '/a/../b', '/a\u0000b']) {
      const e = await zk.create(bad).catch((err: unknown) => err)
      t.ok(e instanceof BadArgumentsError, `bad path ${JSON.stringify(bad)} rejected`)
      t.match((e as Error).message, /create/)
    }
    const big = Buffer.alloc(0x100000)
    await t.rejects(
      zk.create('/big', big),
      new BadArgumentsError('data of 1048576 bytes exceeds jute.maxbuffer (1048575 bytes)', { op: 'create', path: '/big' }),
    )
    await t.rejects(zk.create('/t', Buffer.alloc(0), { mode: CreateMode.PERSISTENT_WITH_TTL }), BadArgumentsError)
    await t.rejects(zk.create('/t', Buffer.alloc(0), { acl: [] }), InvalidACLError)
    t.ok((await zk.create('/after')).path === '/after', 'still usable')
  })

  t.test('the largest request the client sends is the largest frame the server reads (jute.maxbuffer)', async (t) => {
    const h = await harness(t, cluster)
    const zk = await h.connect()
    // create2 under the chroot: header 8 + path 4+len + data 4+n + OPEN_ACL_UNSAFE 27 + flags 4.
    const most = DEFAULT_MAX_BUFFER - (47 + Buffer.byteLength(`${h.root}/big`))
    await t.rejects(zk.create('/big', Buffer.alloc(most + 1)), {
      name: 'BadArgumentsError',
      op: 'create',
      path: '/big',
      message: new RegExp(`its data may be at most ${most} bytes`),
    })
    t.equal((await zk.create('/big', Buffer.alloc(most, 1))).path, '/big', 'a frame of exactly jute.maxbuffer bytes is accepted')
    t.equal((await zk.getData('/big')).data.length, most)
    t.equal(zk.state, 'connected')
  })
})
