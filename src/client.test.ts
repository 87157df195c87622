// The client over a real Session and the scripted in-memory server: what goes on the wire for each
// op, chroot both ways, validation that sends nothing, watch registration at reply time, multi
// result mapping.
import t from 'tap'
import { ZooKeeper } from './client.js'
import { Session } from './session/session.js'
import { FakeServer, type Received } from './session/fake-server.test-helper.js'
import * as P from './jute/generated/proto.generated.js'
import { OpCode, ErrorCode, EventType, CreateMode } from './protocol.js'
import { BadArgumentsError, InvalidACLError, NoNodeError, NodeExistsError } from './errors.js'
import type { Writer } from './jute/writer.js'

const stat = {
  czxid: 1n,
  mzxid: 1n,
  ctime: 0n,
  mtime: 0n,
  version: 0,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 1,
  numChildren: 0,
  pzxid: 1n,
}

async function setup(connectString = 'h0:2181/app', handler?: (req: Received) => { err?: number; body?: (w: Writer) => void } | 'hold') {
  const fake = new FakeServer(1)
  if (handler) fake.respond = handler
  const zk = await ZooKeeper.connect(connectString, {
    sessionFactory: (o) => new Session({ ...o, transportFactory: fake.factory }),
  })
  t.teardown(() => zk.close())
  return { fake, zk }
}

t.test('create: create2 with chroot on the way out, stripped on the way in', async (t) => {
  const { fake, zk } = await setup('h0:2181/app', (req) => {
    if (req.type !== OpCode.create2) return {}
    const body = P.decodeCreateRequest(req.reader)
    return { body: (w) => P.encodeCreate2Response(w, { path: body.path + '0000000003', stat }) }
  })
  const r = await zk.create('/jobs/j-', 'x', { mode: 'PERSISTENT_SEQUENTIAL' })
  t.equal(r.path, '/jobs/j-0000000003')
  const sent = P.decodeCreateRequest(fake.seen(OpCode.create2)[0]!.reader)
  t.equal(sent.path, '/app/jobs/j-')
  t.equal(sent.flags, CreateMode.PERSISTENT_SEQUENTIAL)
  t.same(sent.data, Buffer.from('x'))
})

t.test('container and TTL modes use their own opcodes', async (t) => {
  const { fake, zk } = await setup('h0:2181', (req) => ({ body: (w) => P.encodeCreate2Response(w, { path: '/c', stat }) }))
  await zk.create('/c', null, { mode: CreateMode.CONTAINER })
  await zk.create('/t', null, { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 5000 })
  t.equal(fake.seen(OpCode.createContainer).length, 1)
  const ttl = P.decodeCreateTTLRequest(fake.seen(OpCode.createTTL)[0]!.reader)
  t.equal(ttl.ttl, 5000n)
})

t.test('invalid input is refused before anything is sent', async (t) => {
  const { fake, zk } = await setup()
  const before = fake.log.length
  await t.rejects(zk.create('relative'), BadArgumentsError)
  await t.rejects(zk.getData('/a/'), BadArgumentsError)
  await t.rejects(zk.setData('/a', Buffer.alloc(0x100000)), { name: 'BadArgumentsError', op: 'setData', path: '/a' })
  await t.rejects(zk.create('/a', null, { acl: [] }), InvalidACLError)
  await t.rejects(zk.create('/a', null, { acl: [{ perms: 99, id: { scheme: 'world', id: 'anyone' } }] }), InvalidACLError)
  await t.rejects(zk.create('/a', null, { mode: CreateMode.PERSISTENT_WITH_TTL }), BadArgumentsError)
  await t.rejects(zk.create('/a', null, { ttl: 10 }), BadArgumentsError)
  await t.rejects(zk.create('/a', null, { mode: 42 as CreateMode }), BadArgumentsError)
  await t.rejects(zk.delete('/a', { version: 1.5 }), BadArgumentsError)
  t.equal(fake.log.length, before, 'nothing was sent')
  t.equal(zk.state, 'connected')
})

t.test('watches are registered when the reply is processed, before the promise resolves', async (t) => {
  const { fake, zk } = await setup('h0:2181/app', (req) => {
    if (req.type === OpCode.getData) {
      // Reply, then immediately a notification for the same path: the watcher must already be there.
      queueMicrotask(() => req.conn.notify(EventType.NodeDataChanged, '/app/w'))
      return { body: (w) => P.encodeGetDataResponse(w, { data: Buffer.from('v'), stat }) }
    }
    if (req.type === OpCode.exists) return { err: ErrorCode.NONODE }
    return {}
  })
  const order: string[] = []
  const got = zk.getData('/w', { watch: (e) => order.push(`${e.type} ${e.path}`) }).then(() => order.push('reply'))
  await got
  await zk.sync('/w')
  // The notification came right behind the reply: it found the watcher already registered.
  t.same(order.sort(), ['dataChanged /w', 'reply'])
  // exists on a missing node leaves an exist watch, restored on reconnect
  t.equal(await zk.exists('/gone', { watch: () => {} }), null)
  fake.conns[0]!.peer.cut()
  await fake.until(() => fake.conns.length === 2 && fake.seen(OpCode.setWatches).length === 1)
  const sw = P.decodeSetWatches(fake.seen(OpCode.setWatches)[0]!.reader)
  t.same(sw.existWatches, ['/app/gone'])
  t.same(sw.dataWatches, [], 'the fired one-shot data watch is not restored')
})

t.test('multi maps per-op results; a failure rejects with the first failing code and every op result', async (t) => {
  let fail = false
  const { zk } = await setup('h0:2181/app', (req) => {
    if (req.type !== OpCode.multi) return {}
    return {
      body: (w) => {
        const head = (type: number, err: number) => P.encodeMultiHeader(w, { type, done: false, err })
        if (fail) {
          head(-1, -1)
          P.encodeErrorResponse(w, { err: 0 })
          head(-1, -1)
          P.encodeErrorResponse(w, { err: ErrorCode.NODEEXISTS })
          head(-1, -1)
          P.encodeErrorResponse(w, { err: ErrorCode.RUNTIMEINCONSISTENCY })
        } else {
          head(OpCode.create, 0)
          P.encodeCreateResponse(w, { path: '/app/a' })
          head(OpCode.setData, 0)
          P.encodeSetDataResponse(w, { stat })
          head(OpCode.delete, 0)
        }
        P.encodeMultiHeader(w, { type: -1, done: true, err: -1 })
      },
    }
  })
  const ok = await zk.transaction().create('/a').setData('/b', 'x').delete('/c').commit()
  t.same(ok, [{ type: 'create', path: '/a' }, { type: 'setData', stat }, { type: 'delete' }])
  fail = true
  const err = await zk
    .transaction()
    .create('/a')
    .create('/b')
    .delete('/c')
    .commit()
    .catch((e: unknown) => e)
  t.ok(err instanceof NodeExistsError)
  t.equal((err as NodeExistsError & { failedOp: number }).failedOp, 1)
  t.equal((err as NodeExistsError).path, '/b')
  t.same((err as { results: unknown[] }).results, [
    { type: 'error', err: 0 },
    { type: 'error', err: -110 },
    { type: 'error', err: -2 },
  ])
})

t.test('createAll creates missing parents; deleteAll tolerates races', async (t) => {
  const nodes = new Set<string>(['/'])
  const { zk } = await setup('h0:2181', (req) => {
    switch (req.type) {
      case OpCode.create2: {
        const { path } = P.decodeCreateRequest(req.reader)
        const parent = path.slice(0, path.lastIndexOf('/')) || '/'
        if (!nodes.has(parent)) return { err: ErrorCode.NONODE }
        if (nodes.has(path)) return { err: ErrorCode.NODEEXISTS }
        nodes.add(path)
        return { body: (w) => P.encodeCreate2Response(w, { path, stat }) }
      }
      case OpCode.getChildren2: {
        // The client asks for children as getChildren2 (ZooKeeper answers it faster).
        const { path } = P.decodeGetChildren2Request(req.reader)
        if (!nodes.has(path)) return { err: ErrorCode.NONODE }
        const kids = [...nodes].filter(
          (n) => n !== path && n.startsWith(path === '/' ? '/' : path + '/') && !n.slice(path.length + 1).includes('/'),
        )
        return { body: (w) => P.encodeGetChildren2Response(w, { children: kids.map((k) => k.slice(k.lastIndexOf('/') + 1)), stat }) }
      }
      case OpCode.delete: {
        const { path } = P.decodeDeleteRequest(req.reader)
        if (!nodes.delete(path)) return { err: ErrorCode.NONODE }
        return {}
      }
    }
    return {}
  })
  t.same(await zk.createAll('/a/b/c', 'leaf'), { path: '/a/b/c', created: true })
  t.ok(nodes.has('/a') && nodes.has('/a/b') && nodes.has('/a/b/c'))
  t.same(await zk.createAll('/a/b/c'), { path: '/a/b/c', created: false })
  await zk.deleteAll('/a')
  t.same([...nodes], ['/'])
  await zk.deleteAll('/a')
  await t.rejects(zk.getChildren('/a'), NoNodeError)
})
