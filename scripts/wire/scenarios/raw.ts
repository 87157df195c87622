// A fixture built by hand, frame by frame: what no well-behaved client sends, and the corners the
// recorded clients do not reach (handshakes with and without the readOnly byte, expiry, bad
// passwords, failed auth, unknown opcodes, malformed bodies, mixed multis, SetWatches on unreadable
// paths, watch types out of range, four-letter words).
import { Writer } from '../../../src/jute/writer.js'
import * as P from '../../../src/jute/generated/proto.generated.js'
import { CreateMode, OpCode, Xid } from '../../../src/protocol.js'
import { digestId } from '../../../src/acl.js'
import { summarizeRequest, type WireStep } from '../../../src/testing/wire-fixture.js'
import type { Scenario } from '../scenario.js'

const ROOT = '/wire-raw'
const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]

function record(fill: (w: Writer) => void): Buffer {
  const w = new Writer(256)
  fill(w)
  return Buffer.from(w.toBuffer())
}

function handshake(opts: { timeOut?: number; readOnly?: boolean | null; sessionId?: bigint; passwd?: Buffer }): Buffer {
  return record((w) => {
    w.int(0)
      .long(0n)
      .int(opts.timeOut ?? 8000)
      .long(opts.sessionId ?? 0n)
      .buffer(opts.passwd ?? Buffer.alloc(16))
    // null: a pre-3.4 client, which ends the record after the password.
    if (opts.readOnly !== null) w.bool(opts.readOnly ?? false)
  })
}

/** A fixture being written: one connection at a time, xids counted per connection. */
class Script {
  readonly steps: WireStep[] = []
  private readonly xids = new Map<string, number>()

  connect(conn: string, bytes: Buffer, note = ''): this {
    this.steps.push({ conn, verb: 'connect', bytes, note })
    return this
  }

  resume(conn: string, of: string, bytes: Buffer, keepPassword = false): this {
    this.steps.push({ conn, verb: 'connect', bytes, resume: of, note: `resume=${of}${keepPassword ? ' keep-passwd' : ''}` })
    return this
  }

  /** A request with the connection's next xid (or a given special one). */
  send(conn: string, type: number, body: (w: Writer) => void = () => undefined, xid?: number): this {
    const next = xid ?? (this.xids.get(conn) ?? 0) + 1
    if (xid === undefined) this.xids.set(conn, next)
    const bytes = record((w) => {
      P.encodeRequestHeader(w, { xid: next, type })
      body(w)
    })
    this.steps.push({ conn, verb: 'send', bytes, note: summarizeRequest(bytes) })
    return this
  }

  raw(conn: string, note: string, bytes: Buffer): this {
    this.steps.push({ conn, verb: 'raw', bytes, note })
    return this
  }

  create(conn: string, path: string, flags = 0, acl = OPEN): this {
    return this.send(conn, OpCode.create2, (w) => P.encodeCreateRequest(w, { path, data: Buffer.from('x'), acl, flags }))
  }

  step(conn: string, verb: 'close' | 'await-close'): this {
    this.steps.push({ conn, verb, note: '' })
    return this
  }

  fourLetter(conn: string, word: string): this {
    this.steps.push({ conn, verb: '4lw', word, note: word })
    return this
  }
}

const multiOps = (ops: [number, (w: Writer) => void][]) => (w: Writer) => {
  for (const [type, body] of ops) {
    P.encodeMultiHeader(w, { type, done: false, err: -1 })
    body(w)
  }
  P.encodeMultiHeader(w, { type: -1, done: true, err: -1 })
}
const getData = (path: string) => (w: Writer) => P.encodeGetDataRequest(w, { path, watch: false })
const create = (path: string) => (w: Writer) => P.encodeCreateRequest(w, { path, data: null, acl: OPEN, flags: 0 })

function rawSteps(): WireStep[] {
  const s = new Script()
  const secret = [{ perms: 31, id: { scheme: 'digest', id: digestId('bob', 'pw') } }]
  // Handshakes: with the readOnly byte, without it (a pre-3.4 client), asking for read-only, and
  // timeouts outside the server's bounds.
  s.connect('c0', handshake({}))
  s.connect('c1', handshake({ readOnly: null }), 'no readOnly byte')
  s.connect('c2', handshake({ readOnly: true }), 'readOnly')
  s.connect('c3', handshake({ timeOut: 1_000_000 }), 'timeout above the maximum')

  s.create('c0', ROOT)
  s.create('c0', `${ROOT}/a`)
  s.create('c0', `${ROOT}/eph`, CreateMode.EPHEMERAL)
  s.create('c0', `${ROOT}/secret`, 0, secret)
  s.send('c1', OpCode.getData, getData(`${ROOT}/a`))
  s.send('c2', OpCode.exists, (w) => P.encodeExistsRequest(w, { path: `${ROOT}/a`, watch: true }))
  // Paths ZooKeeper refuses, and system nodes.
  for (const path of ['', 'no-slash', `${ROOT}/`, `${ROOT}//x`, `${ROOT}/./x`, `${ROOT}/\u0001`]) {
    s.send('c0', OpCode.getData, getData(path))
    s.send('c0', OpCode.create2, create(path))
  }
  s.send('c0', OpCode.delete, (w) => P.encodeDeleteRequest(w, { path: '/', version: -1 }))
  s.send('c0', OpCode.delete, (w) => P.encodeDeleteRequest(w, { path: '/zookeeper', version: -1 }))
  s.send('c0', OpCode.create2, (w) => P.encodeCreateRequest(w, { path: `${ROOT}/flags`, data: null, acl: OPEN, flags: 99 }))
  s.send('c0', OpCode.create2, (w) => P.encodeCreateRequest(w, { path: `${ROOT}/no-acl`, data: null, acl: [], flags: 0 }))
  s.send('c0', OpCode.createTTL, (w) =>
    P.encodeCreateTTLRequest(w, { path: `${ROOT}/ttl0`, data: null, acl: OPEN, flags: CreateMode.PERSISTENT_WITH_TTL, ttl: 0n }),
  )
  s.send('c0', OpCode.createTTL, (w) =>
    P.encodeCreateTTLRequest(w, { path: `${ROOT}/ttl-mode`, data: null, acl: OPEN, flags: 0, ttl: 1000n }),
  )
  s.send('c0', OpCode.createContainer, (w) => P.encodeCreateRequest(w, { path: `${ROOT}/not-container`, data: null, acl: OPEN, flags: 0 }))
  s.send('c0', OpCode.getAllChildrenNumber, (w) => P.encodeGetAllChildrenNumberRequest(w, { path: `${ROOT}/none` }))
  s.send('c0', OpCode.getEphemerals, (w) => P.encodeGetEphemeralsRequest(w, { prefixPath: `${ROOT}/e` }))
  s.send('c0', OpCode.getEphemerals, (w) => P.encodeGetEphemeralsRequest(w, { prefixPath: '' }))
  s.send('c0', OpCode.reconfig, (w) =>
    P.encodeReconfigRequest(w, { joiningServers: '', leavingServers: '', newMembers: '', curConfigId: -1n }),
  )
  for (const path of ['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config']) s.send('c0', OpCode.getData, getData(path))
  s.send('c0', OpCode.getChildren2, (w) => P.encodeGetChildren2Request(w, { path: '/zookeeper', watch: false }))
  s.send('c0', OpCode.getACL, (w) => P.encodeGetACLRequest(w, { path: '/zookeeper/config' }))
  // A node anyone may read but only bob administers: its ACL shows bob's entry without the hash.
  s.create('c0', `${ROOT}/shown`, 0, [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }, ...secret])
  s.send('c0', OpCode.getACL, (w) => P.encodeGetACLRequest(w, { path: `${ROOT}/shown` }))
  // check on its own, outside a multi; and a write whose body is cut short.
  s.send('c0', OpCode.check, (w) => P.encodeCheckVersionRequest(w, { path: `${ROOT}/a`, version: 0 }))
  s.send('c0', OpCode.check, (w) => P.encodeCheckVersionRequest(w, { path: `${ROOT}/a`, version: 5 }))
  s.send('c0', OpCode.check, (w) => P.encodeCheckVersionRequest(w, { path: `${ROOT}/none`, version: -1 }))
  s.send('c0', OpCode.create2, (w) => w.int(40).raw(Buffer.from(`${ROOT}/cut`)))
  s.send('c0', OpCode.setData, (w) => P.encodeSetDataRequest(w, { path: `${ROOT}/a`, data: Buffer.from('z'), version: 0 }))

  // Watch registrations of every type number, some out of range.
  s.send('c2', OpCode.getChildren, (w) => P.encodeGetChildrenRequest(w, { path: ROOT, watch: true }))
  for (const type of [1, 2, 3, 4, 5, 0]) s.send('c2', OpCode.checkWatches, (w) => P.encodeCheckWatchesRequest(w, { path: ROOT, type }))
  s.send('c2', OpCode.addWatch, (w) => P.encodeAddWatchRequest(w, { path: `${ROOT}/a`, mode: 0 }))
  s.send('c2', OpCode.addWatch, (w) => P.encodeAddWatchRequest(w, { path: `${ROOT}/a`, mode: 7 }))
  for (const type of [5, 4, 2, 3, 3])
    s.send('c2', OpCode.removeWatches, (w) => P.encodeRemoveWatchesRequest(w, { path: `${ROOT}/a`, type }))

  // SetWatches, the pre-3.6 record, naming a node the session cannot read, one that is gone and one
  // that exists; then the same with SetWatches2.
  s.send(
    'c2',
    OpCode.setWatches,
    (w) =>
      P.encodeSetWatches(w, {
        relativeZxid: 0n,
        dataWatches: [`${ROOT}/secret`, `${ROOT}/gone`],
        existWatches: [`${ROOT}/a`, `${ROOT}/later`],
        childWatches: [`${ROOT}/secret`],
      }),
    Xid.setWatches,
  )
  s.send(
    'c3',
    OpCode.setWatches2,
    (w) =>
      P.encodeSetWatches2(w, {
        relativeZxid: 0n,
        dataWatches: [`${ROOT}/a`],
        existWatches: [`${ROOT}/later`],
        childWatches: [ROOT],
        persistentWatches: [`${ROOT}/secret`],
        persistentRecursiveWatches: [ROOT],
      }),
    Xid.setWatches,
  )
  s.send('c0', OpCode.setData, (w) => P.encodeSetDataRequest(w, { path: `${ROOT}/a`, data: Buffer.from('y'), version: -1 }))
  s.create('c0', `${ROOT}/later`)
  s.send('c0', OpCode.delete, (w) => P.encodeDeleteRequest(w, { path: `${ROOT}/later`, version: -1 }))

  // Multis: empty, a read op among writes (either order), an unknown op type, and multiRead with a
  // write op; then a body cut short.
  s.send('c0', OpCode.multi, multiOps([]))
  s.send('c0', OpCode.multiRead, multiOps([]))
  s.send(
    'c0',
    OpCode.multi,
    multiOps([
      [OpCode.getData, getData(`${ROOT}/a`)],
      [OpCode.create, create(`${ROOT}/m1`)],
    ]),
  )
  s.send(
    'c0',
    OpCode.multi,
    multiOps([
      [OpCode.create, create(`${ROOT}/m2`)],
      [OpCode.getData, getData(`${ROOT}/a`)],
    ]),
  )
  s.send('c0', OpCode.multi, multiOps([[99, create(`${ROOT}/m3`)]]))
  s.send(
    'c0',
    OpCode.multiRead,
    multiOps([
      [OpCode.getData, getData(`${ROOT}/a`)],
      [OpCode.create, create(`${ROOT}/m4`)],
    ]),
  )
  s.send(
    'c0',
    OpCode.multiRead,
    multiOps([
      [OpCode.getChildren, (w) => P.encodeGetChildrenRequest(w, { path: `${ROOT}/none`, watch: false })],
      [OpCode.getData, getData(`${ROOT}/secret`)],
    ]),
  )
  s.send('c0', OpCode.multi, (w) => {
    P.encodeMultiHeader(w, { type: OpCode.create, done: false, err: -1 })
    w.int(40).raw(Buffer.from(`${ROOT}/m5`))
  })
  s.send('c0', OpCode.exists, (w) => P.encodeExistsRequest(w, { path: `${ROOT}/a`, watch: false }))

  aclSteps(s, secret)
  watchLeakSteps(s, secret)

  // An op this server does not know, and a body too short for its op: ZooKeeper's answers decide
  // what follows on the connection.
  // deleteContainer is the server's own op (its body is a bare path); sasl needs SASL configured.
  s.send('c0', OpCode.deleteContainer, (w) => w.raw(Buffer.from(`${ROOT}/not-container`)))
  s.connect('c30', handshake({}))
  s.send('c30', OpCode.sasl, (w) => w.buffer(Buffer.from('token')))
  s.connect('c5', handshake({}))
  s.send('c5', 99, (w) => w.int(1))
  s.connect('c6', handshake({}))
  s.send('c6', OpCode.getData, (w) => w.int(30).raw(Buffer.from('/wire')))
  s.connect('c7', handshake({}))
  s.send('c7', OpCode.auth, (w) => P.encodeAuthPacket(w, { type: 0, scheme: 'nosuch', auth: Buffer.from('x') }), Xid.auth)
  s.connect('c8', handshake({}))
  s.send('c8', OpCode.auth, (w) => P.encodeAuthPacket(w, { type: 0, scheme: 'digest', auth: Buffer.from('bob:pw') }), Xid.auth)
  s.send('c8', OpCode.getData, getData(`${ROOT}/secret`))
  s.send('c8', OpCode.whoAmI)
  s.send('c8', OpCode.closeSession)
  s.step('c8', 'await-close')
  s.connect('c9', handshake({}))
  s.raw('c9', 'a frame length of 2^31-1', Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1]))
  s.connect('c31', handshake({}))
  s.raw('c31', 'a frame one byte longer than jute.maxbuffer', Buffer.from([0x00, 0x10, 0x00, 0x00, 0, 0, 0, 1]))

  // Sessions: a bad password; expiry of a session that asked for less than the minimum timeout and
  // then sends nothing; resuming it once expired.
  s.resume('c10', 'c0', handshake({ passwd: Buffer.alloc(16, 7) }), true)
  s.connect('c11', handshake({ timeOut: 1 }), 'timeout below the minimum')
  s.create('c11', `${ROOT}/short-lived`, CreateMode.EPHEMERAL)
  s.send('c2', OpCode.exists, (w) => P.encodeExistsRequest(w, { path: `${ROOT}/short-lived`, watch: true }))
  s.step('c11', 'await-close')
  s.resume('c12', 'c11', handshake({}))
  s.send('c2', OpCode.exists, (w) => P.encodeExistsRequest(w, { path: `${ROOT}/short-lived`, watch: false }))
  s.send('c0', OpCode.closeSession)
  s.step('c0', 'await-close')

  // mntr's values and envi's (Java's properties against Node's) differ; their keys and order must not.
  const words = ['ruok', 'isro', 'srvr', 'stat', 'wchs', 'conf', 'cons', 'dump', 'xxxx', 'mntr', 'envi']
  words.forEach((word, i) => s.fourLetter(`c${13 + i}`, word))
  return s.steps
}

/**
 * ACL ids at the edges of ZooKeeper 3.8's rules (ip masks and addresses, digest ids, schemes no
 * provider serves), what the ip ones grant the replay's 127.0.0.1, and multi and multiRead bodies
 * with ops of the other kind or of no kind.
 */
function aclSteps(s: Script, secret: typeof OPEN): void {
  const ids: [string, string][] = [
    ['ip', '10.0.0.0/33'],
    ['ip', '10.0.0.0/40'],
    ['ip', '10.0.0.0/32'],
    ['ip', '10.0.0.0/-1'],
    ['ip', '10.0.0.0/'],
    ['ip', '10.0.0.0/+8'],
    ['ip', '10.0.0.0/8/8'],
    ['ip', '10.0.0'],
    ['ip', '10.0.0.256'],
    ['ip', '::1'],
    ['ip', '::1/128'],
    ['ip', 'fe80::/10'],
    ['ip', '::ffff:127.0.0.1'],
    ['super', ''],
    ['super', 'x'],
    ['x509', 'CN=alice'],
    ['sasl', 'alice'],
    ['world', 'someone'],
    ['digest', 'alice:'],
    ['digest', 'alice:x:'],
    ['digest', ':x'],
    ['digest', 'alice::'],
    ['digest', 'alice:x:y'],
    ['digest', 'alice'],
    ['digest', ':'],
  ]
  ids.forEach(([scheme, id], i) => s.create('c0', `${ROOT}/acl-id${i}`, 0, [{ perms: 31, id: { scheme, id } }]))
  // Read-only grants by address: which of them let 127.0.0.1 read.
  const grants = [
    '127.0.0.0/8',
    '127.0.0.1',
    '10.0.0.0/8',
    '128.0.0.0/1',
    '0.0.0.0/1',
    '127.0.0.2/31',
    '127.0.0.0/31',
    '127.000.0.01',
    '+127.0.0.1',
    '10.0.0.0/0',
  ]
  grants.forEach((id, i) => {
    s.create('c0', `${ROOT}/ip${i}`, 0, [{ perms: 1, id: { scheme: 'ip', id } }, ...secret])
    s.send('c0', OpCode.getData, getData(`${ROOT}/ip${i}`))
  })
  // One create carrying many duplicate entries: dropped, first occurrence kept.
  s.create('c0', `${ROOT}/dups`, 0, [...OPEN, ...secret, ...OPEN, { perms: 1, id: { scheme: 'world', id: 'anyone' } }, ...secret])
  s.send('c0', OpCode.getACL, (w) => P.encodeGetACLRequest(w, { path: `${ROOT}/dups` }))

  const setData = (path: string) => (w: Writer) => P.encodeSetDataRequest(w, { path, data: Buffer.from('m'), version: -1 })
  const check = (path: string) => (w: Writer) => P.encodeCheckVersionRequest(w, { path, version: -1 })
  s.send('c0', OpCode.multi, multiOps([[OpCode.setACL, (w) => P.encodeSetACLRequest(w, { path: `${ROOT}/a`, acl: OPEN, version: -1 })]]))
  s.send(
    'c0',
    OpCode.multi,
    multiOps([
      [OpCode.create, create(`${ROOT}/m6`)],
      [99, create(`${ROOT}/m7`)],
    ]),
  )
  s.send(
    'c0',
    OpCode.multi,
    multiOps([
      [OpCode.create, create(`${ROOT}/m8`)],
      [OpCode.sync, (w) => P.encodeSyncRequest(w, { path: ROOT })],
    ]),
  )
  s.send('c0', OpCode.multi, multiOps([[OpCode.error, (w) => P.encodeErrorResponse(w, { err: 0 })]]))
  s.send(
    'c0',
    OpCode.multi,
    multiOps([
      [OpCode.check, check(`${ROOT}/a`)],
      [OpCode.addWatch, (w) => P.encodeAddWatchRequest(w, { path: ROOT, mode: 1 })],
    ]),
  )
  s.send('c0', OpCode.multiRead, multiOps([[OpCode.create, create(`${ROOT}/r1`)]]))
  s.send('c0', OpCode.multiRead, multiOps([[OpCode.setData, setData(`${ROOT}/a`)]]))
  s.send('c0', OpCode.multiRead, multiOps([[OpCode.check, check(`${ROOT}/a`)]]))
  s.send('c0', OpCode.multiRead, multiOps([[OpCode.delete, (w) => P.encodeDeleteRequest(w, { path: `${ROOT}/a`, version: -1 })]]))
  s.send('c0', OpCode.multiRead, multiOps([[OpCode.addWatch, (w) => P.encodeAddWatchRequest(w, { path: ROOT, mode: 1 })]]))
  s.send(
    'c0',
    OpCode.multiRead,
    multiOps([
      [OpCode.getData, getData(`${ROOT}/a`)],
      [OpCode.addWatch, (w) => P.encodeAddWatchRequest(w, { path: ROOT, mode: 1 })],
    ]),
  )
  s.send(
    'c0',
    OpCode.multiRead,
    multiOps([
      [OpCode.getData, getData(`${ROOT}/a`)],
      [OpCode.check, check(`${ROOT}/a`)],
    ]),
  )
  s.send('c0', OpCode.exists, (w) => P.encodeExistsRequest(w, { path: `${ROOT}/r1`, watch: false }))
}

/**
 * Watches of anonymous sessions over bob's node (CVE-2024-23944): restored by SetWatches with and
 * without immediate events, added by addWatch, and one-shot; then bob's writes below it, before and
 * after he opens its ACL.
 */
function watchLeakSteps(s: Script, secret: typeof OPEN): void {
  const SECRET = `${ROOT}/secret`
  const setWatches2 = (v: Partial<P.SetWatches2>) => (w: Writer) =>
    P.encodeSetWatches2(w, {
      relativeZxid: 0n,
      dataWatches: [],
      existWatches: [],
      childWatches: [],
      persistentWatches: [],
      persistentRecursiveWatches: [],
      ...v,
    })
  // c40's first request, so its relativeZxid is 0 and the data and child watches fire at once.
  s.connect('c40', handshake({}))
  s.send(
    'c40',
    OpCode.setWatches2,
    setWatches2({ dataWatches: [SECRET], childWatches: [SECRET], persistentRecursiveWatches: [ROOT] }),
    Xid.setWatches,
  )
  s.connect('c41', handshake({}))
  s.send('c41', OpCode.auth, (w) => P.encodeAuthPacket(w, { type: 0, scheme: 'digest', auth: Buffer.from('bob:pw') }), Xid.auth)
  // ZooKeeper drops duplicates before it expands `auth`, so an expansion can repeat an entry.
  const auth = [{ perms: 31, id: { scheme: 'auth', id: '' } }]
  s.create('c41', `${ROOT}/auth-dups`, 0, [...auth, ...secret, ...auth])
  s.send('c41', OpCode.getACL, (w) => P.encodeGetACLRequest(w, { path: `${ROOT}/auth-dups` }))
  s.connect('c42', handshake({}))
  s.send('c42', OpCode.exists, (w) => P.encodeExistsRequest(w, { path: SECRET, watch: true }))
  s.send('c42', OpCode.exists, (w) => P.encodeExistsRequest(w, { path: `${SECRET}/kid`, watch: true }))
  s.send('c42', OpCode.getChildren, (w) => P.encodeGetChildrenRequest(w, { path: SECRET, watch: true }))
  s.send('c42', OpCode.setWatches2, setWatches2({ childWatches: [SECRET] }), Xid.setWatches)
  s.connect('c43', handshake({}))
  s.send('c43', OpCode.addWatch, (w) => P.encodeAddWatchRequest(w, { path: ROOT, mode: 1 }))
  s.send('c43', OpCode.addWatch, (w) => P.encodeAddWatchRequest(w, { path: SECRET, mode: 0 }))

  const data = (path: string) => (w: Writer) => P.encodeSetDataRequest(w, { path, data: Buffer.from('b'), version: -1 })
  const del = (path: string) => (w: Writer) => P.encodeDeleteRequest(w, { path, version: -1 })
  s.send('c41', OpCode.setData, data(SECRET))
  s.create('c41', `${SECRET}/kid`, 0, secret)
  s.create('c41', `${SECRET}/open`, 0, OPEN)
  s.send('c41', OpCode.setData, data(`${SECRET}/open`))
  s.send('c41', OpCode.delete, del(`${SECRET}/kid`))
  s.send('c41', OpCode.delete, del(`${SECRET}/open`))
  s.create('c41', `${SECRET}/eph`, CreateMode.EPHEMERAL, secret)
  s.send(
    'c41',
    OpCode.multi,
    multiOps([
      [OpCode.setData, data(SECRET)],
      [OpCode.create, (w) => P.encodeCreateRequest(w, { path: `${SECRET}/m`, data: null, acl: secret, flags: 0 })],
    ]),
  )
  // Bob opens the node: what fires now is readable, and the one-shot watches spent above stay spent.
  s.send('c41', OpCode.setACL, (w) => P.encodeSetACLRequest(w, { path: SECRET, acl: OPEN, version: -1 }))
  s.send('c41', OpCode.setData, data(SECRET))
  s.create('c41', `${SECRET}/kid2`, 0, OPEN)
  // Closing bob's session deletes his unreadable ephemeral.
  s.send('c41', OpCode.closeSession)
  s.step('c41', 'await-close')
  s.send('c42', OpCode.exists, (w) => P.encodeExistsRequest(w, { path: SECRET, watch: false }))
}

export const rawScenarios: Scenario[] = [
  {
    name: 'raw',
    client: 'built by hand in scripts/wire/scenarios/raw.ts (no client sends these)',
    about: [
      'handshakes with and without the readOnly byte, bad paths and flags, watch types out of range,',
      'SetWatches on unreadable nodes, mixed and malformed multis, unknown ops, failed auth, expiry, 4lw',
    ],
    build: rawSteps,
  },
]
