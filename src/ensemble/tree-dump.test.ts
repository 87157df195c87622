// The tree as JSON: a dump reads as written (UTF-8 or base64, kinds, owners, ACLs), a fixture is
// checked with messages naming the node, and the planned txns, applied to a tree, give the tree the
// fixture describes (parents created, sequence counts consistent, /zookeeper as on a fresh tree).
import t from 'tap'
import { DataTree } from './datatree.js'
import { dumpTree, hexId, parseHexId, planLoad, planReset, readTreeFixture, TreeDumpError, type PlannedTxn } from './tree-dump.js'
import type { Txn } from './txn.js'

const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]
const OWNER = 0x100000a3b2c0000n

/** A tree after the given creates, each its own txn, as clients would have made them. */
function treeWith(creates: { path: string; data?: Buffer | null; owner?: bigint }[]): DataTree {
  const tree = new DataTree()
  for (const c of creates) {
    const parent = tree.get(c.path.slice(0, c.path.lastIndexOf('/')) || '/')!
    const txn: Txn = {
      type: 'create',
      path: c.path,
      data: c.data === undefined ? Buffer.from('') : c.data,
      acl: OPEN,
      owner: c.owner ?? 0n,
      parentCVersion: parent.cversion + 1,
    }
    tree.applyTxn({ clientId: c.owner ?? 0n, cxid: 1, zxid: tree.lastZxid + 1n, time: 1000n }, txn)
  }
  return tree
}

function apply(tree: DataTree, plan: PlannedTxn[]): void {
  for (const p of plan) {
    const r = tree.applyTxn({ clientId: p.clientId, cxid: -1, zxid: tree.lastZxid + 1n, time: 2000n }, p.txn)
    for (const sub of r.multi ?? [r]) if (sub.err !== 0) throw new Error(`txn failed with ${sub.err}`)
  }
}

t.test('dumpTree: parents first, children by name, UTF-8 or base64 as the bytes allow', async (t) => {
  const tree = treeWith([
    { path: '/b', data: Buffer.from('héllo') },
    { path: '/a', data: Buffer.from([0xff, 0]) },
    { path: '/a/x', data: null },
    { path: '/e', owner: OWNER },
  ])
  const dump = dumpTree(tree)
  t.same(
    dump.nodes.map((n) => [n.path, n.kind, n.encoding, n.data]),
    [
      ['/', 'persistent', 'utf8', ''],
      ['/a', 'persistent', 'base64', '/wA='],
      ['/a/x', 'persistent', 'utf8', null],
      ['/b', 'persistent', 'utf8', 'héllo'],
      ['/e', 'ephemeral', 'utf8', ''],
    ],
  )
  t.notOk(
    dump.nodes.some((n) => n.path.startsWith('/zookeeper')),
    '/zookeeper is left out',
  )
  t.equal(dump.nodes.find((n) => n.path === '/e')!.ephemeralOwner, '0x100000a3b2c0000', 'the owner in hex, as ZooKeeper prints it')
  t.same(dump.nodes[1]!.acl, [{ perms: 31, scheme: 'world', id: 'anyone' }])
  t.equal(dump.nodes[3]!.stat.dataLength, 6)
  t.equal(dump.zxid, hexId(tree.lastZxid))
  t.same(
    dumpTree(tree, { encoding: 'base64' }).nodes.map((n) => n.encoding),
    ['base64', 'base64', 'base64', 'base64', 'base64'],
    'base64 on request',
  )
})

t.test('session ids in hex, with or without 0x, unsigned as ZooKeeper prints them', async (t) => {
  t.equal(parseHexId('0x100000a3b2c0000'), OWNER)
  t.equal(parseHexId('100000A3B2C0000'), OWNER, "Java's Long.toHexString, no prefix")
  t.equal(parseHexId('0xffffffffffffffff'), -1n)
  t.equal(hexId(-1n), '0xffffffffffffffff')
  for (const bad of ['', '0x', 'xyz', '0x1g', '0x12345678901234567', '-0x1']) t.equal(parseHexId(bad), undefined, bad)
})

t.test('readTreeFixture fills in defaults and names what is wrong', async (t) => {
  const [n] = readTreeFixture({ nodes: [{ path: '/a' }] })
  t.same(n, { path: '/a', data: Buffer.alloc(0), acl: OPEN, owner: 0n }, 'persistent, empty, open by default')
  t.same(readTreeFixture({ nodes: [{ path: '/t', kind: 'ttl', ttlMs: 5000 }] })[0]!.owner, BigInt.asIntN(64, 0xff00000000000000n | 5000n))
  t.same(readTreeFixture({ nodes: [{ path: '/e', ephemeralOwner: '0x1' }] })[0]!.owner, 1n, 'an owner alone makes an ephemeral')
  const refused: [unknown, RegExp][] = [
    [null, /an object \{ "nodes"/],
    [{ nodes: {} }, /an object \{ "nodes"/],
    [{ nodes: [7] }, /nodes\[0\] must be an object/],
    [{ nodes: [{ path: 'a' }] }, /nodes\[0\]\.path: path must start with \//],
    [{ nodes: [{ path: '/a//b' }] }, /empty node name/],
    [{ nodes: [{ path: '/zookeeper/quota/x' }] }, /ZooKeeper's own subtree/],
    [{ nodes: [{ path: '/a' }, { path: '/a' }] }, /\/a is in the fixture twice/],
    [{ nodes: [{ path: '/a', kind: 'weird' }] }, /kind must be one of persistent, ephemeral, container, ttl/],
    [{ nodes: [{ path: '/', kind: 'container' }] }, /the root can only be persistent/],
    [{ nodes: [{ path: '/a', encoding: 'hex' }] }, /encoding must be "utf8" or "base64"/],
    [{ nodes: [{ path: '/a', encoding: 'base64', data: 'not base64!' }] }, /data is not base64/],
    [{ nodes: [{ path: '/a', data: 5 }] }, /data must be a string or null/],
    [{ nodes: [{ path: '/a', acl: [] }] }, /not an ACL ZooKeeper accepts/],
    [{ nodes: [{ path: '/a', acl: [{ perms: 31, scheme: 'auth', id: '' }] }] }, /"auth" needs a creator/],
    [{ nodes: [{ path: '/a', acl: [{ perms: 64, scheme: 'world', id: 'anyone' }] }] }, /acl\[0\] must be \{ perms: 0..31/],
    [{ nodes: [{ path: '/a', kind: 'ephemeral' }] }, /ephemeralOwner must be a session id in hex/],
    [{ nodes: [{ path: '/a', kind: 'persistent', ephemeralOwner: '0x1' }] }, /only an ephemeral has an ephemeralOwner/],
    [{ nodes: [{ path: '/a', kind: 'ttl' }] }, /ttlMs must be a positive whole number/],
    [{ nodes: [{ path: '/a', ttlMs: 5 }] }, /only a ttl node has ttlMs/],
    [{ nodes: [{ path: '/e', ephemeralOwner: '0x1' }, { path: '/e/x/y' }] }, /\/e\/x\/y: \/e above it is ephemeral/],
  ]
  for (const [fixture, message] of refused)
    t.throws(() => readTreeFixture(fixture), { name: 'TreeDumpError', message }, JSON.stringify(fixture))
})

t.test('planReset leaves a fresh tree: quotas gone, the root reset', async (t) => {
  const tree = treeWith([
    { path: '/a' },
    { path: '/a/b' },
    { path: '/a/b/c' },
    { path: '/e', owner: OWNER },
    { path: '/zookeeper/quota/a' },
    { path: '/zookeeper/quota/a/zookeeper_limits', data: Buffer.from('count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=2') },
    { path: '/zookeeper/quota/a/zookeeper_stats', data: Buffer.from('count=0,bytes=0') },
  ])
  t.equal(tree.quotaRootOf('/a/b'), '/a', 'a quota on /a')
  for (const [path, data] of [
    ['/', 'root'],
    ['/zookeeper/quota', 'scribbled'],
  ])
    tree.applyTxn(
      { clientId: 0n, cxid: 1, zxid: tree.lastZxid + 1n, time: 0n },
      { type: 'setData', path, data: Buffer.from(data), version: 1 },
    )
  apply(tree, planReset(tree))
  t.same([...tree.nodes.keys()].sort(), ['/', '/zookeeper', '/zookeeper/config', '/zookeeper/quota'])
  t.equal(tree.quotaRootOf('/a/b'), undefined, 'the quota on /a is gone')
  t.same(tree.get('/')!.data, Buffer.alloc(0), 'the root has no data again')
  t.same(tree.get('/zookeeper/quota')!.data, Buffer.alloc(0), 'nor has /zookeeper/quota')
  t.equal(tree.ephemerals.get(OWNER)?.size ?? 0, 0, "the owner's ephemeral index is updated")
  t.same(planReset(tree), [], 'an empty tree needs no txn')
})

t.test('planLoad: a dump loads back as it was, across owners, with missing parents', async (t) => {
  const other = OWNER + 1n
  const source = treeWith([
    { path: '/app' },
    { path: '/app/x', data: Buffer.from([1, 2]) },
    { path: '/app/e1', owner: OWNER },
    { path: '/app/e2', owner: other },
    { path: '/z', data: null },
  ])
  const dump = dumpTree(source)
  const target = treeWith([{ path: '/old' }, { path: '/app' }])
  const plan = planLoad(target, readTreeFixture(JSON.parse(JSON.stringify(dump))), () => true)
  t.same(
    plan.map((p) => p.clientId),
    [0n, OWNER, other],
    'one multi for the persistent nodes, then one per owner',
  )
  apply(target, plan)
  const strip = (d: ReturnType<typeof dumpTree>) => d.nodes.map(({ stat: _s, ...n }) => n)
  t.same(strip(dumpTree(target)), strip(dump), 'the same nodes, data, kinds, owners and ACLs')
  t.same([...target.ephemerals.get(other)!], ['/app/e2'])
  // Three creations under /app in proposal order: the counter went 1, 2, 3 and never back.
  t.equal(target.get('/app')!.cversion, 3, "the parent's creation count matches its creations")

  const deep = treeWith([])
  apply(
    deep,
    planLoad(
      deep,
      readTreeFixture({
        nodes: [
          { path: '/a/b/c', data: 'leaf' },
          { path: '/a/b/e', ephemeralOwner: '0x5' },
        ],
      }),
      () => true,
    ),
  )
  t.same(
    [...deep.nodes.keys()].filter((p) => !p.startsWith('/zookeeper')).sort(),
    ['/', '/a', '/a/b', '/a/b/c', '/a/b/e'],
    'parents made as needed',
  )
  t.equal(deep.get('/a/b/c')!.data!.toString(), 'leaf')
})

t.test('planLoad refuses an ephemeral whose owner is not a live session', async (t) => {
  const nodes = readTreeFixture({ nodes: [{ path: '/e', ephemeralOwner: '0xabc' }] })
  t.throws(
    () => planLoad(new DataTree(), nodes, () => false),
    new TreeDumpError('/e: its ephemeralOwner 0xabc is not a live session (an ephemeral cannot outlive its session)'),
  )
})
