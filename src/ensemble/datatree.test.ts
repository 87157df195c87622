// Data tree and prep pipeline, without sockets: Stat semantics per op, sequential names, ephemerals
// by owner, ZooKeeper's error codes in its check order, and multi atomicity with per-op results.
import t from 'tap'
import { DataTree, CONTAINER_OWNER, ownerKind, ttlOwner } from './datatree.js'
import { prepWrite, type RequestContext } from './prep.js'
import { Writer } from '../jute/writer.js'
import { Reader } from '../jute/reader.js'
import * as P from '../jute/generated/proto.generated.js'
import { ErrorCode, OpCode, CreateMode } from '../protocol.js'
import { fixupACL, permitted, digestOf, authenticate, DEFAULT_PROVIDERS } from './acl.js'
import { WatchManager } from './watch-manager.js'
import { SessionTracker } from './session-tracker.js'
import { decodeTxn, encodeTxn } from './txn-codec.js'
import type { Txn } from './txn.js'
import { dumpTree } from './tree-dump.js'
import { encodeSnapshot, encodeSnapshotInSteps, loadSnapshot } from './txnlog.js'

const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]
const ctx: RequestContext = {
  sessionId: 0x55n,
  ids: [],
  address: '127.0.0.1',
  ttlEnabled: true,
  maxBuffer: 0xfffff,
  enforceQuota: true,
  providers: DEFAULT_PROVIDERS,
}

function body(fn: (w: Writer) => void): Reader {
  const w = new Writer()
  fn(w)
  return new Reader(w.toBuffer())
}

class Harness {
  tree = new DataTree()
  zxid = 0n
  run(type: number, fill: (w: Writer) => void, c: RequestContext = ctx): { txn: Txn; result: ReturnType<DataTree['applyTxn']> } {
    const txn = prepWrite(this.tree, type, body(fill), c)
    const result = this.tree.applyTxn({ clientId: c.sessionId, cxid: 1, zxid: ++this.zxid, time: 1000n + this.zxid }, txn)
    return { txn, result }
  }
  create(path: string, flags = 0, data: Buffer | null = null, c: RequestContext = ctx) {
    return this.run(OpCode.create2, (w) => P.encodeCreateRequest(w, { path, data, acl: OPEN, flags }), c)
  }
}

t.test('create / setData / setACL / delete keep Stat as ZooKeeper does', async (t) => {
  const h = new Harness()
  const a = h.create('/a', 0, Buffer.from('x'))
  t.equal(a.result.err, 0)
  t.same(
    { ...a.result.stat },
    {
      czxid: 1n,
      mzxid: 1n,
      ctime: 1001n,
      mtime: 1001n,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 0n,
      dataLength: 1,
      numChildren: 0,
      pzxid: 1n,
    },
  )
  h.create('/a/b')
  const parent = h.tree.stat(h.tree.get('/a')!)
  t.equal(parent.cversion, 1)
  t.equal(parent.pzxid, 2n)
  t.equal(parent.mzxid, 1n, 'a child does not change the parent mzxid')
  const s = h.run(OpCode.setData, (w) => P.encodeSetDataRequest(w, { path: '/a', data: Buffer.from('yy'), version: 0 }))
  t.equal(s.result.stat!.version, 1)
  t.equal(s.result.stat!.mzxid, 3n)
  t.equal(s.result.stat!.dataLength, 2)
  t.equal(h.run(OpCode.setData, (w) => P.encodeSetDataRequest(w, { path: '/a', data: null, version: 0 })).result.err, ErrorCode.BADVERSION)
  const acl = h.run(OpCode.setACL, (w) => P.encodeSetACLRequest(w, { path: '/a', acl: OPEN, version: -1 }))
  t.equal(acl.result.stat!.aversion, 1)
  t.equal(h.run(OpCode.delete, (w) => P.encodeDeleteRequest(w, { path: '/a', version: -1 })).result.err, ErrorCode.NOTEMPTY)
  t.equal(h.run(OpCode.delete, (w) => P.encodeDeleteRequest(w, { path: '/a/b', version: -1 })).result.err, 0)
  t.equal(h.tree.stat(h.tree.get('/a')!).cversion, 2, 'delete bumps the parent cversion too')
})

t.test('sequential names come from the parent cversion, 10 digits', async (t) => {
  const h = new Harness()
  h.create('/q')
  h.create('/q/other')
  t.equal(h.create('/q/job-', CreateMode.PERSISTENT_SEQUENTIAL).result.path, '/q/job-0000000001')
  t.equal(h.create('/q/', CreateMode.PERSISTENT_SEQUENTIAL).result.path, '/q/0000000002', 'a path ending in / gets just the number')
})

t.test('error codes in ZooKeeper order', async (t) => {
  const h = new Harness()
  t.equal(h.create('/x/y').result.err, ErrorCode.NONODE)
  h.create('/x')
  t.equal(h.create('/x').result.err, ErrorCode.NODEEXISTS)
  t.equal(h.create('bad').result.err, ErrorCode.BADARGUMENTS)
  h.create('/x/e', CreateMode.EPHEMERAL)
  t.equal(h.create('/x/e/c').result.err, ErrorCode.NOCHILDRENFOREPHEMERALS)
  t.equal(
    h.run(OpCode.create2, (w) => P.encodeCreateRequest(w, { path: '/x/z', data: null, acl: [], flags: 0 })).result.err,
    ErrorCode.INVALIDACL,
  )
  t.equal(
    h.run(OpCode.create2, (w) =>
      P.encodeCreateRequest(w, { path: '/x/z', data: null, acl: [{ perms: 31, id: { scheme: 'auth', id: '' } }], flags: 0 }),
    ).result.err,
    ErrorCode.INVALIDACL,
    'auth scheme without identities',
  )
  const locked = [{ perms: 1, id: { scheme: 'digest', id: digestOf('u:p') } }]
  h.run(OpCode.create2, (w) => P.encodeCreateRequest(w, { path: '/locked', data: null, acl: locked, flags: 0 }))
  t.equal(h.create('/locked/c').result.err, ErrorCode.NOAUTH)
  t.equal(h.create('/locked/c', 0, null, { ...ctx, ids: [{ scheme: 'super', id: '' }] }).result.err, 0, 'super passes any ACL')
  t.equal(
    h.run(OpCode.createTTL, (w) =>
      P.encodeCreateTTLRequest(w, { path: '/t', data: null, acl: OPEN, flags: CreateMode.PERSISTENT, ttl: 5n }),
    ).result.err,
    ErrorCode.BADARGUMENTS,
  )
  t.equal(
    h.run(
      OpCode.createTTL,
      (w) => P.encodeCreateTTLRequest(w, { path: '/t', data: null, acl: OPEN, flags: CreateMode.PERSISTENT_WITH_TTL, ttl: 5n }),
      { ...ctx, ttlEnabled: false },
    ).result.err,
    ErrorCode.UNIMPLEMENTED,
    'TTL nodes switched off: UNIMPLEMENTED, as PrepRequestProcessor.validateCreateRequest says',
  )
  t.equal(h.tree.lastZxid, h.zxid, 'failed writes consume a zxid, as ZooKeeper error txns do')
})

t.test('ephemerals by owner; closeSession deletes them', async (t) => {
  const h = new Harness()
  h.create('/e1', CreateMode.EPHEMERAL)
  h.create('/e2', CreateMode.EPHEMERAL_SEQUENTIAL)
  t.equal(h.tree.ephemerals.get(0x55n)?.size, 2)
  const r = h.tree.applyTxn({ clientId: 0x55n, cxid: 0, zxid: ++h.zxid, time: 0n }, { type: 'closeSession' })
  t.equal(r.events.filter((e) => e.type === 2).length, 2)
  t.equal(h.tree.get('/e1'), undefined)
  t.equal(ownerKind(CONTAINER_OWNER), 'container')
  t.equal(ownerKind(ttlOwner(1000n)), 'ttl')
  t.equal(ownerKind(0x55n), 'ephemeral')
})

t.test('multi: atomic; ops see earlier ops; per-op error codes', async (t) => {
  const h = new Harness()
  const multi = (ops: [number, (w: Writer) => void][]) =>
    h.run(OpCode.multi, (w) => {
      for (const [type, fill] of ops) {
        P.encodeMultiHeader(w, { type, done: false, err: -1 })
        fill(w)
      }
      P.encodeMultiHeader(w, { type: -1, done: true, err: -1 })
    })
  const ok = multi([
    [OpCode.create, (w) => P.encodeCreateRequest(w, { path: '/m', data: null, acl: OPEN, flags: 0 })],
    [OpCode.create, (w) => P.encodeCreateRequest(w, { path: '/m/a', data: null, acl: OPEN, flags: 0 })],
    [OpCode.check, (w) => P.encodeCheckVersionRequest(w, { path: '/m/a', version: 0 })],
  ])
  t.same(
    ok.result.multi!.map((r) => r.err),
    [0, 0, 0],
  )
  const bad = multi([
    [OpCode.create, (w) => P.encodeCreateRequest(w, { path: '/n', data: null, acl: OPEN, flags: 0 })],
    [OpCode.delete, (w) => P.encodeDeleteRequest(w, { path: '/m', version: -1 })],
    [OpCode.setData, (w) => P.encodeSetDataRequest(w, { path: '/m', data: null, version: -1 })],
  ])
  t.same(bad.txn.type === 'multi' && bad.txn.txns.map((x) => (x.type === 'error' ? x.err : 'ok')), [
    0,
    ErrorCode.NOTEMPTY,
    ErrorCode.RUNTIMEINCONSISTENCY,
  ])
  t.equal(h.tree.get('/n'), undefined, 'nothing applied')
})

t.test('txn codec round-trips every kind of txn', async (t) => {
  const txns: Txn[] = [
    { type: 'create', path: '/a', data: Buffer.from('x'), acl: OPEN, owner: 0n, parentCVersion: 3 },
    { type: 'create', path: '/e', data: null, acl: OPEN, owner: 7n, parentCVersion: 1 },
    { type: 'create', path: '/c', data: null, acl: OPEN, owner: CONTAINER_OWNER, parentCVersion: 1 },
    { type: 'create', path: '/t', data: null, acl: OPEN, owner: ttlOwner(5000n), parentCVersion: 1 },
    { type: 'delete', path: '/a' },
    { type: 'setData', path: '/a', data: Buffer.from('y'), version: 4 },
    { type: 'setACL', path: '/a', acl: OPEN, version: 2 },
    { type: 'createSession', timeout: 4000 },
    { type: 'closeSession' },
    { type: 'error', err: -101 },
    {
      type: 'multi',
      txns: [
        { type: 'delete', path: '/x' },
        { type: 'check', path: '/y' },
      ],
    },
  ]
  for (const txn of txns) {
    const w = new Writer()
    const hdr = { clientId: 7n, cxid: 3, zxid: 99n, time: 12345n }
    encodeTxn(w, hdr, txn)
    t.same(decodeTxn(new Reader(w.toBuffer())), { hdr, txn }, txn.type)
  }
})

t.test('ACL helpers and auth', async (t) => {
  t.equal(digestOf('super:test'), 'super:D/InIHSb7yEEbrWz8b9l71RjZJU=')
  t.same(authenticate('digest', Buffer.from('u:p'), undefined), [{ scheme: 'digest', id: digestOf('u:p') }])
  t.equal(authenticate('nope', Buffer.from('u:p'), undefined), undefined)
  t.same(
    authenticate('digest', Buffer.from('nocolon'), undefined),
    [{ scheme: 'digest', id: digestOf('nocolon') }],
    'no colon: the whole text is the user',
  )
  t.match(digestOf('nocolon'), /^nocolon:/)
  t.ok(permitted([{ perms: 1, id: { scheme: 'ip', id: '10.0.0.0/8' } }], 1, [], '10.1.2.3'))
  t.notOk(permitted([{ perms: 1, id: { scheme: 'ip', id: '10.0.0.0/8' } }], 1, [], '11.1.2.3'))
  t.notOk(permitted([{ perms: 2, id: { scheme: 'world', id: 'anyone' } }], 1, [], '1.1.1.1'))
  t.equal(fixupACL([{ perms: 31, id: { scheme: 'world', id: 'someone' } }], [], '127.0.0.1'), ErrorCode.INVALIDACL)
  t.same(fixupACL([{ perms: 31, id: { scheme: 'auth', id: '' } }], [{ scheme: 'digest', id: 'u:h' }], '127.0.0.1'), [
    { perms: 31, id: { scheme: 'digest', id: 'u:h' } },
  ])
})

t.test('watch manager: one-shot, persistent, recursive; removal', async (t) => {
  const wm = new WatchManager()
  const got: string[] = []
  const conn = { ids: [], address: '127.0.0.1', deliver: (type: number, path: string) => got.push(`${type} ${path}`) }
  wm.addData('/a', conn)
  wm.addChild('/a', conn)
  wm.trigger(3, '/a', OPEN)
  wm.trigger(3, '/a', OPEN)
  t.same(got, ['3 /a'], 'one-shot')
  wm.addPersistent('/r', conn, true)
  wm.trigger(1, '/r/x/y', OPEN)
  wm.trigger(4, '/r', OPEN)
  t.same(got.slice(1), ['1 /r/x/y'], 'recursive: subtree node events, no childrenChanged')
  t.ok(wm.remove('/r', conn, 3))
  t.notOk(wm.remove('/r', conn, 3), 'NOWATCHER the second time')
  wm.trigger(1, '/r/z', OPEN)
  t.equal(got.length, 2)
  t.ok(wm.remove('/a', conn, 1, true), 'checkWatches finds the child watch')
})

t.test('session tracker: ids, passwords, negotiation, tick buckets', async (t) => {
  const st = new SessionTracker(100, 3, 1_000_000, 200, 2000, Buffer.alloc(32, 1))
  const id = st.newId()
  t.equal(id >> 56n, 3n, 'server id in the top byte')
  t.equal(id, (3n << 56n) | (1_000_000n << 16n), 'then the monotonic milliseconds, as ZooKeeper mints them')
  st.add(id + 1n, 300, 0)
  t.equal(st.newId(), id + 2n, 'an id a recovered session holds is skipped')
  st.remove(id + 1n)
  t.equal(st.negotiate(50), 200)
  t.equal(st.negotiate(99999), 2000)
  t.same(st.password(id), st.password(id))
  t.notSame(st.password(id), st.password(id + 1n))
  st.add(id, 300, 0)
  t.same(st.expired(399), [])
  t.equal(st.expired(400).length, 1, 'expires at the tick boundary after now + timeout')
})

t.test('a chain 20,000 deep is counted, dumped and snapshotted without recursion', async (t) => {
  const tree = new DataTree()
  let path = ''
  for (let i = 1; i <= 20_000; i++) {
    path += '/d'
    tree.applyTxn(
      { clientId: 0n, cxid: i, zxid: BigInt(i), time: 1n },
      { type: 'create', path, data: null, acl: OPEN, owner: 0n, parentCVersion: 1 },
    )
  }
  t.equal(tree.countDescendants('/d'), 19_999, 'as ZooKeeper answers getAllChildrenNumber')
  t.equal(tree.countDescendants(path), 0)
  t.equal(tree.countDescendants('/none'), 0)
  const dump = dumpTree(tree)
  t.equal(dump.nodes.length, 20_001, 'the root and the chain, /zookeeper left out')
  t.equal(dump.nodes.at(-1)!.path, path, 'parents first')
  const copy = new DataTree()
  loadSnapshot(encodeSnapshot(tree, new Map()), copy, new Map())
  t.equal(copy.countDescendants('/'), tree.countDescendants('/'))
  t.ok(copy.get(path), 'the deepest node survives a snapshot')
})

t.test('preorder: parents first, children in set order or sorted, skipped subtrees pruned', async (t) => {
  const tree = new DataTree()
  let zxid = 0n
  for (const p of ['/b', '/a', '/a/y', '/a/x', '/c'])
    tree.applyTxn(
      { clientId: 0n, cxid: 1, zxid: ++zxid, time: 1n },
      { type: 'create', path: p, data: null, acl: OPEN, owner: 0n, parentCVersion: 1 },
    )
  const sorted = [...tree.preorder('/', { order: (names) => names.sort(), skip: (p) => p === '/zookeeper' || p === '/a/x' })].map(
    ([p]) => p,
  )
  t.same(sorted, ['/', '/a', '/a/y', '/b', '/c'])
  const natural = [...tree.preorder('/a')].map(([p]) => p)
  t.same(natural, ['/a', ...[...tree.get('/a')!.children].map((c) => `/a/${c}`)], "children in their set's order")
})

t.test(
  'memory: one stored instance per distinct ACL list, freed with its last node; leaves share one empty child set; data is copied',
  async (t) => {
    const tree = new DataTree()
    let zxid = 0n
    const apply = (txn: Txn) => tree.applyTxn({ clientId: 0n, cxid: 1, zxid: ++zxid, time: 1n }, txn)
    // Each list a fresh copy, as each decoded txn brings its own.
    const open = () => [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]
    const guarded = () => [{ perms: 1, id: { scheme: 'digest', id: 'u:h' } }]
    const create = (path: string, acl: P.ACL[], data: Buffer | null = null) =>
      apply({ type: 'create', path, data, acl, owner: 0n, parentCVersion: 1 })
    const openUsers = tree.acls.users(open())
    const lists = tree.acls.size
    create('/a', open())
    create('/b', open())
    create('/c', guarded())
    t.equal(tree.get('/a')!.acl, tree.get('/b')!.acl, 'equal lists are one instance')
    t.equal(tree.acls.users(open()), openUsers + 2)
    t.equal(tree.acls.size, lists + 1, 'one more distinct list')
    t.throws(() => tree.get('/a')!.acl.push(guarded()[0]!), 'a shared list cannot be changed in place')
    apply({ type: 'setACL', path: '/b', acl: guarded(), version: 1 })
    t.equal(tree.get('/b')!.acl, tree.get('/c')!.acl, 'setACL takes the stored instance too')
    t.equal(tree.acls.users(open()), openUsers + 1, 'and lets go of the old one')
    t.same(tree.get('/b')!.acl, guarded())
    apply({ type: 'delete', path: '/b' })
    t.equal(tree.acls.users(guarded()), 1)
    apply({ type: 'delete', path: '/c' })
    t.equal(tree.acls.users(guarded()), 0, 'the last node gone, the list is forgotten')
    t.equal(tree.acls.size, lists)

    create('/p', open())
    create('/q', open())
    t.equal(tree.get('/p')!.children, tree.get('/q')!.children, 'leaves share one empty set')
    create('/p/x', open())
    t.not(tree.get('/p')!.children, tree.get('/q')!.children, 'a parent gets a set of its own')
    t.same([...tree.get('/p')!.children], ['x'])
    t.same([...tree.get('/q')!.children], [], 'the shared set stays empty')
    apply({ type: 'delete', path: '/p/x' })
    t.equal(tree.stat(tree.get('/p')!).numChildren, 0)

    const frame = Buffer.from('0123456789')
    const big = Buffer.alloc(10_000, 7)
    create('/small', open(), frame.subarray(2, 7))
    create('/big', open(), big)
    create('/empty', open(), Buffer.alloc(0))
    frame.fill(0)
    big.fill(0)
    t.equal(tree.get('/small')!.data!.toString(), '23456', 'no view into the frame it came in')
    t.same(tree.get('/big')!.data, Buffer.alloc(10_000, 7), 'large data too')
    t.equal(tree.stat(tree.get('/small')!).dataLength, 5)

    const copy = new DataTree()
    loadSnapshot(encodeSnapshot(tree, new Map()), copy, new Map())
    t.equal(copy.get('/p')!.acl, copy.get('/q')!.acl, 'a loaded snapshot shares lists as well')
    t.equal(copy.acls.size, tree.acls.size)
    t.equal(copy.acls.users(open()), tree.acls.users(open()))
    t.equal(copy.get('/q')!.children, copy.get('/empty')!.children, 'and loads leaves with the shared set')
    t.equal(copy.get('/small')!.data!.toString(), '23456')
    t.same(copy.get('/big')!.data, Buffer.alloc(10_000, 7))
    t.same(copy.get('/empty')!.data, Buffer.alloc(0), 'empty data stays empty')
    t.equal(copy.get('/p')!.data, null, 'and null stays null')
  },
)

t.test('clone: the same tree, snapshot for snapshot, that then changes on its own', async (t) => {
  const h = new Harness()
  h.create('/a', 0, Buffer.from('one'))
  for (let i = 0; i < 40; i++) h.create(`/a/c${i}`, 0, Buffer.alloc(i * 200, i))
  h.create('/a/e', CreateMode.EPHEMERAL)
  h.run(OpCode.setData, (w) => P.encodeSetDataRequest(w, { path: '/a', data: Buffer.from('two'), version: -1 }))
  // A deleted child leaves the set's bucket count, and so its order, as only its history made it.
  h.run(OpCode.delete, (w) => P.encodeDeleteRequest(w, { path: '/a/c7', version: -1 }))
  const copy = h.tree.clone()
  t.same(encodeSnapshot(copy, new Map()), encodeSnapshot(h.tree, new Map()), 'same snapshot bytes')
  t.same([...copy.get('/a')!.children], [...h.tree.get('/a')!.children], 'same child order')
  t.same([...copy.ephemerals.get(0x55n)!], ['/a/e'])
  t.equal(copy.acls.users(OPEN), h.tree.acls.users(OPEN), 'the same ACL counts')

  const before = encodeSnapshot(h.tree, new Map())
  const original = h.tree
  const cversion = original.get('/a')!.cversion
  h.tree = copy
  h.create('/a/new', CreateMode.EPHEMERAL)
  h.run(OpCode.setData, (w) => P.encodeSetDataRequest(w, { path: '/a/c1', data: Buffer.from('changed'), version: -1 }))
  h.run(OpCode.delete, (w) => P.encodeDeleteRequest(w, { path: '/a/c2', version: -1 }))
  h.run(OpCode.setACL, (w) =>
    P.encodeSetACLRequest(w, { path: '/a/c3', acl: [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }], version: -1 }),
  )
  t.same(encodeSnapshot(original, new Map()), before, 'the original did not move')
  t.equal(original.get('/a/new'), undefined)
  t.equal(original.ephemerals.get(0x55n)!.size, 1)
  t.equal(original.get('/a')!.cversion, cversion, "the original's cversion is its own")
  t.ok(copy.get('/a')!.cversion > cversion, "and the copy's moved")
  t.equal(original.get('/a/c1')!.data!.length, 200)
  t.same(original.get('/a/c3')!.acl, OPEN)
})

t.test('a snapshot encoded a slice at a time is the same snapshot', async (t) => {
  const h = new Harness()
  h.create('/many')
  for (let i = 0; i < 2500; i++) h.create(`/many/n${i}`, 0, Buffer.from(String(i)))
  const sessions = new Map([[0x55n, 4000]])
  const steps = encodeSnapshotInSteps(h.tree, sessions, 1000)
  let yields = 0
  let step = steps.next()
  for (; !step.done; step = steps.next()) yields++
  t.equal(yields, 2, 'it stopped after every 1,000 of the 2,505 nodes')
  t.same(step.value, encodeSnapshot(h.tree, sessions))
})

t.test('a frozen view is the tree as it was at freeze(), however the tree changes while it is encoded', async (t) => {
  const h = new Harness()
  h.create('/many')
  for (let i = 0; i < 2500; i++) h.create(`/many/n${i}`, 0, Buffer.from(String(i)))
  h.create('/many/n7/deep', 0, Buffer.from('below'))
  const sessions = new Map([[0x55n, 4000]])
  const expected = encodeSnapshot(h.tree.clone(), sessions)
  const view = h.tree.freeze()
  t.throws(() => h.tree.freeze(), /already frozen/, 'one view at a time')
  const steps = encodeSnapshotInSteps(view, sessions, 500)
  // Before the first step, between steps and after the walk has passed a node: each kind of change.
  const changes = [
    () => h.create('/many/added', 0, Buffer.from('new')),
    () => h.run(OpCode.setData, (w) => P.encodeSetDataRequest(w, { path: '/many/n2400', data: Buffer.from('late'), version: -1 })),
    () => h.run(OpCode.delete, (w) => P.encodeDeleteRequest(w, { path: '/many/n7/deep', version: -1 })),
    () => h.run(OpCode.delete, (w) => P.encodeDeleteRequest(w, { path: '/many/n2000', version: -1 })),
    // Deleted and made again: the view keeps the first one.
    () => h.create('/many/n2000', 0, Buffer.from('again')),
    () =>
      h.run(OpCode.setACL, (w) =>
        P.encodeSetACLRequest(w, { path: '/many/n10', acl: [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }], version: -1 }),
      ),
    () => h.create('/other'),
  ]
  let step = steps.next()
  for (const change of changes) {
    change()
    if (!step.done) step = steps.next()
  }
  while (!step.done) step = steps.next()
  t.same(step.value, expected, 'the bytes of a snapshot taken at freeze()')
  const saved = view.saved()
  t.ok(saved > 0 && saved < 10, `only the changed nodes were copied (${saved})`)
  h.tree.thaw()
  h.create('/after')
  t.equal(view.saved(), saved, 'a thawed tree copies nothing')
  t.equal(h.tree.get('/many/n2000')!.data!.toString(), 'again', 'the tree itself moved on')
  t.equal(h.tree.get('/many/n7/deep'), undefined)
  t.doesNotThrow(() => h.tree.thaw(), 'thawing twice is harmless')
  h.tree.freeze()
  h.tree.clear()
  t.doesNotThrow(() => h.tree.freeze(), 'clearing the tree drops its view')
})
