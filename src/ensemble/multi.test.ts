// multi and multiRead on the bundled server: the results of applied multis and of multiReads, and
// raw frames (standalone and through a quorum follower) answered as Debian's ZooKeeper 3.8.0
// answered them on loopback: reply header err, which zxid the reply carries, and the body, byte
// for byte; the connection stays open throughout.
import t, { type Test } from 'tap'
import net from 'node:net'
import { DataTree } from './datatree.js'
import { multiReadReply, multiResults } from './multi.js'
import { startEnsemble } from './index.js'
import { Writer } from '../jute/writer.js'
import { Reader } from '../jute/reader.js'
import { FrameDecoder } from '../transport/frame-decoder.js'
import * as P from '../jute/generated/proto.generated.js'
import { ErrorCode, OpCode, Xid } from '../protocol.js'
import { digestOf } from './acl.js'

const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]
const NOBODY = [{ perms: 31, id: { scheme: 'digest', id: digestOf('someone:else') } }]

type Part = (w: Writer) => void
const op =
  (type: number, rec: Part): Part =>
  (w) => {
    P.encodeMultiHeader(w, { type, done: false, err: -1 })
    rec(w)
  }
const end: Part = (w) => P.encodeMultiHeader(w, { type: -1, done: true, err: -1 })
const create = (path: string) => op(OpCode.create, (w) => P.encodeCreateRequest(w, { path, data: Buffer.from('d'), acl: OPEN, flags: 0 }))
const getData = (path: string, watch = false) => op(OpCode.getData, (w) => P.encodeGetDataRequest(w, { path, watch }))
const getChildren = (path: string, watch = false) => op(OpCode.getChildren, (w) => P.encodeGetChildrenRequest(w, { path, watch }))
const unknown = op(99, (w) => w.ustring('/raw'))
const bytes = (...parts: Part[]) => {
  const w = new Writer()
  for (const p of parts) p(w)
  return w.toBuffer()
}

t.test('multiReadReply: reads on their own; writes, mixes and short bodies fail', async (t) => {
  const tree = new DataTree()
  const at = (zxid: bigint) => ({ clientId: 1n, cxid: 1, zxid, time: 1000n })
  tree.applyTxn(at(1n), { type: 'create', path: '/a', data: Buffer.from('x'), acl: OPEN, owner: 0n, parentCVersion: 1 })
  tree.applyTxn(at(2n), { type: 'create', path: '/a/b', data: null, acl: OPEN, owner: 0n, parentCVersion: 1 })
  tree.applyTxn(at(3n), { type: 'create', path: '/secret', data: null, acl: NOBODY, owner: 0n, parentCVersion: 2 })
  const who = { ids: [], address: '127.0.0.1' }
  const run = (...parts: Part[]) => multiReadReply(tree, who, new Reader(bytes(...parts)))
  const error = (err: number) => ({ type: OpCode.error, err, body: { err } })

  t.same(run(getData('/a'), getChildren('/a'), getData('/missing'), getChildren('/secret'), end), {
    err: 0,
    results: [
      { type: OpCode.getData, err: 0, body: { data: Buffer.from('x'), stat: tree.stat(tree.get('/a')!) } },
      { type: OpCode.getChildren, err: 0, body: { children: ['b'] } },
      error(ErrorCode.NONODE),
      error(ErrorCode.NOAUTH),
    ],
  })
  t.same(
    run(getData('bad'), getChildren('/a/'), end),
    { err: 0, results: [error(ErrorCode.NONODE), error(ErrorCode.NONODE)] },
    'an invalid path is a missing node',
  )
  t.same(run(end), { err: 0, results: [] })
  t.same(
    run(create('/c'), create('/d'), end),
    { err: ErrorCode.MARSHALLINGERROR, results: [] },
    'writes only: an error with the results begun',
  )
  const refused = { err: ErrorCode.MARSHALLINGERROR }
  t.same(run(getData('/a'), create('/c'), end), refused, 'mixed')
  t.same(run(create('/c'), getData('/a'), end), refused, 'mixed')
  t.same(run(getData('/a'), unknown, end), refused, 'unknown type')
  t.same(run(op(OpCode.multiRead, end), end), refused, 'nested multiRead')
  t.same(run(op(OpCode.getData, (w) => w.int(4))), refused, 'cut op record')
  t.same(run(getData('/a')), refused, 'no end header')
  t.same(run(), refused, 'no bytes')
})

t.test('multiResults: create and create2 as create, container and TTL as create2', async (t) => {
  const tree = new DataTree()
  const txn = {
    type: 'multi' as const,
    txns: [
      { type: 'create' as const, path: '/p', data: null, acl: OPEN, owner: 0n, parentCVersion: 1 },
      { type: 'create' as const, path: '/c', data: null, acl: OPEN, owner: -0x8000000000000000n, parentCVersion: 2 },
      { type: 'setData' as const, path: '/p', data: Buffer.from('v'), version: 1 },
      { type: 'check' as const, path: '/p' },
      { type: 'delete' as const, path: '/p' },
    ],
  }
  const applied = tree.applyTxn({ clientId: 1n, cxid: 1, zxid: 1n, time: 5n }, txn)
  const stat = (path: string) => applied.multi![txn.txns.findIndex((x) => x.path === path && x.type === 'create')]!.stat
  t.same(multiResults(txn, applied), [
    { type: OpCode.create, err: 0, body: { path: '/p' } },
    { type: OpCode.create2, err: 0, body: { path: '/c', stat: stat('/c') } },
    { type: OpCode.setData, err: 0, body: { stat: applied.multi![2]!.stat } },
    { type: OpCode.check, err: 0 },
    { type: OpCode.delete, err: 0 },
  ])
  const aborted = {
    type: 'multi' as const,
    txns: [
      { type: 'error' as const, err: 0 },
      { type: 'error' as const, err: ErrorCode.NONODE },
    ],
  }
  t.same(multiResults(aborted, tree.applyTxn({ clientId: 1n, cxid: 2, zxid: 2n, time: 6n }, aborted)), [
    { type: OpCode.error, err: 0, body: { err: 0 } },
    { type: OpCode.error, err: ErrorCode.NONODE, body: { err: ErrorCode.NONODE } },
  ])
})

/** A bare client connection: a handshake, then one frame out and one reply back at a time. */
class RawConnection {
  private readonly frames = new FrameDecoder(1 << 20)
  private readonly replies: Buffer[] = []
  private wake: (() => void) | undefined
  closed = false
  /** Watch notifications received (their WatcherEvent bodies, hex). */
  readonly events: string[] = []

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      for (const f of this.frames.push(chunk)) {
        if (f.readInt32BE(0) === Xid.notification) this.events.push(f.subarray(16).toString('hex'))
        else this.replies.push(f)
      }
      this.wake?.()
    })
    socket.on('close', () => {
      this.closed = true
      this.wake?.()
    })
  }

  static async open(connectString: string): Promise<RawConnection> {
    const [host, port] = connectString.split(':') as [string, string]
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(Number(port), host, () => resolve(s))
      s.once('error', reject)
    })
    const c = new RawConnection(socket)
    c.send((w) =>
      P.encodeConnectRequest(w, {
        protocolVersion: 0,
        lastZxidSeen: 0n,
        timeOut: 10_000,
        sessionId: 0n,
        passwd: Buffer.alloc(16),
        readOnly: false,
      }),
    )
    await c.next()
    return c
  }

  send(fill: Part): void {
    const w = new Writer()
    const at = w.beginFrame()
    fill(w)
    w.endFrame(at)
    this.socket.write(w.toBuffer())
  }

  /** The next reply, or undefined once the server closed the connection. */
  async next(): Promise<Buffer | undefined> {
    while (!this.replies.length && !this.closed) await new Promise<void>((resolve) => (this.wake = resolve))
    return this.replies.shift()
  }

  async request(xid: number, type: number, body: Part): Promise<Buffer | undefined> {
    this.send((w) => {
      P.encodeRequestHeader(w, { xid, type })
      body(w)
    })
    return this.next()
  }

  /** The server's last zxid, as the reply to an exists carries it. */
  async lastZxid(): Promise<bigint> {
    const reply = await this.request(999, OpCode.exists, (w) => P.encodeExistsRequest(w, { path: '/', watch: false }))
    if (!reply) throw new Error('the server closed the connection')
    return reply.readBigInt64BE(4)
  }

  close(): void {
    this.socket.destroy()
  }
}

// [name, opcode, body, reply err, whether the request used up a zxid, reply body hex], as real
// ZooKeeper 3.8.0 answered each (standalone and through a follower alike).
const END = 'ffffffff01ffffffff'
const NONODE_RESULT = 'ffffffff00ffffff9bffffff9b'
const MARSHALLING = ErrorCode.MARSHALLINGERROR
const RAW_CASES: [string, number, Part, number, boolean, string][] = [
  ['multi [getData, create]', OpCode.multi, (w) => [getData('/raw'), create('/raw/a'), end].forEach((p) => p(w)), MARSHALLING, true, ''],
  ['multi [create, getData]', OpCode.multi, (w) => [create('/raw/b'), getData('/raw'), end].forEach((p) => p(w)), MARSHALLING, true, ''],
  ['multi [getData]', OpCode.multi, (w) => [getData('/raw'), end].forEach((p) => p(w)), MARSHALLING, true, ''],
  ['multi [op 99]', OpCode.multi, (w) => [unknown, end].forEach((p) => p(w)), MARSHALLING, true, ''],
  ['multi [create, op 99]', OpCode.multi, (w) => [create('/raw/c'), unknown, end].forEach((p) => p(w)), MARSHALLING, true, ''],
  [
    'multi [deleteContainer]',
    OpCode.multi,
    op(OpCode.deleteContainer, (w) => P.encodeDeleteRequest(w, { path: '/raw', version: -1 })),
    MARSHALLING,
    true,
    '',
  ],
  ['multi, cut op record', OpCode.multi, op(OpCode.create, (w) => w.ustring('/raw/t')), MARSHALLING, true, ''],
  ['multi, no end header', OpCode.multi, create('/raw/f'), MARSHALLING, true, ''],
  ['multi, no body', OpCode.multi, () => {}, MARSHALLING, true, ''],
  ['multi []', OpCode.multi, end, 0, true, END],
  [
    'multiRead [getData, create]',
    OpCode.multiRead,
    (w) => [getData('/raw'), create('/raw/d'), end].forEach((p) => p(w)),
    MARSHALLING,
    false,
    '',
  ],
  [
    'multiRead [create, getData]',
    OpCode.multiRead,
    (w) => [create('/raw/d'), getData('/raw'), end].forEach((p) => p(w)),
    MARSHALLING,
    false,
    '',
  ],
  [
    'multiRead [create, create]',
    OpCode.multiRead,
    (w) => [create('/raw/d'), create('/raw/e'), end].forEach((p) => p(w)),
    MARSHALLING,
    false,
    END,
  ],
  ['multiRead [op 99]', OpCode.multiRead, (w) => [unknown, end].forEach((p) => p(w)), MARSHALLING, false, ''],
  ['multiRead [getData, op 99]', OpCode.multiRead, (w) => [getData('/raw'), unknown, end].forEach((p) => p(w)), MARSHALLING, false, ''],
  [
    'multiRead [getChildren /missing]',
    OpCode.multiRead,
    (w) => [getChildren('/missing'), end].forEach((p) => p(w)),
    0,
    false,
    NONODE_RESULT + END,
  ],
  ['multiRead [getData /missing]', OpCode.multiRead, (w) => [getData('/missing'), end].forEach((p) => p(w)), 0, false, NONODE_RESULT + END],
  [
    'multiRead [getChildren bad, getData /raw/]',
    OpCode.multiRead,
    (w) => [getChildren('bad'), getData('/raw/'), end].forEach((p) => p(w)),
    0,
    false,
    NONODE_RESULT + NONODE_RESULT + END,
  ],
  [
    'multiRead [getChildren /raw], bytes after the end',
    OpCode.multiRead,
    (w) => [getChildren('/raw'), end, (w: Writer) => w.int(7)].forEach((p) => p(w)),
    0,
    false,
    '00000008' + '00' + '00000000' + '00000000' + END,
  ],
  ['multiRead []', OpCode.multiRead, end, 0, false, END],
  ['multiRead, cut op record', OpCode.multiRead, op(OpCode.getData, (w) => w.int(4)), MARSHALLING, false, ''],
  ['multiRead, no end header', OpCode.multiRead, getData('/raw'), MARSHALLING, false, ''],
  ['multiRead, no body', OpCode.multiRead, () => {}, MARSHALLING, false, ''],
]

async function rawCases(t: Test, connectString: string): Promise<void> {
  const c = await RawConnection.open(connectString)
  t.teardown(() => c.close())
  await c.request(1, OpCode.create, (w) => P.encodeCreateRequest(w, { path: '/raw', data: Buffer.from('v'), acl: OPEN, flags: 0 }))
  let xid = 10
  for (const [name, type, body, err, usesZxid, replyBody] of RAW_CASES) {
    const last = await c.lastZxid()
    const reply = await c.request(++xid, type, body)
    const expected = bytes((w) => P.encodeReplyHeader(w, { xid, zxid: usesZxid ? last + 1n : last, err })).toString('hex') + replyBody
    t.equal(reply?.toString('hex'), expected, name)
    t.equal(await c.lastZxid(), usesZxid ? last + 1n : last, `${name}: the zxids used`)
  }
  // multiRead drops the watch flags: later changes notify nobody.
  const watched = await c.request(++xid, OpCode.multiRead, (w) =>
    [getData('/raw', true), getChildren('/raw', true), end].forEach((p) => p(w)),
  )
  t.equal(watched?.readInt32BE(12), 0)
  await c.request(++xid, OpCode.setData, (w) => P.encodeSetDataRequest(w, { path: '/raw', data: Buffer.from('w'), version: -1 }))
  await c.request(++xid, OpCode.create, (w) => P.encodeCreateRequest(w, { path: '/raw/child', data: null, acl: OPEN, flags: 0 }))
  await c.lastZxid()
  t.same(c.events, [], 'no watch was left')
  t.notOk(c.closed, 'the connection stayed open')
}

t.test('raw multi frames, standalone', async (t) => {
  const ens = await startEnsemble()
  t.teardown(() => ens.stop())
  await rawCases(t, ens.connectString)
})

t.test('raw multi frames through a quorum follower', async (t) => {
  const ens = await startEnsemble({ size: 3 })
  t.teardown(() => ens.stop())
  const follower = ens.leader() === 0 ? 1 : 0
  await rawCases(t, ens.connectStringOf(follower))
})

t.test('multiReadReply: a reply that would pass the limit is not built', async (t) => {
  const tree = new DataTree()
  const at = (zxid: bigint) => ({ clientId: 1n, cxid: 1, zxid, time: 1000n })
  tree.applyTxn(at(1n), { type: 'create', path: '/wide', data: Buffer.alloc(1000), acl: OPEN, owner: 0n, parentCVersion: 1 })
  for (let i = 0; i < 1000; i++)
    tree.applyTxn(at(BigInt(i + 2)), { type: 'create', path: `/wide/child-${i}`, data: null, acl: OPEN, owner: 0n, parentCVersion: i + 1 })
  const who = { ids: [], address: '127.0.0.1' }
  const run = (limit: number, ...parts: Part[]) => multiReadReply(tree, who, new Reader(bytes(...parts)), undefined, limit)
  // 1,000 names of 9 or 10 characters: a getChildren result of about 14 KB.
  const children = Array.from({ length: 100 }, () => getChildren('/wide'))
  t.equal(run(1 << 20, ...children, end), 'too large', '100 of them would be 1.4 MB')
  const fits = run(1 << 20, ...children.slice(0, 50), end)
  t.equal(fits === 'too large' ? 0 : fits.results!.length, 50, '50 of them fit')
  t.equal(run(10_000, ...Array.from({ length: 20 }, () => getData('/wide')), end), 'too large', 'getData counts its data')
})
