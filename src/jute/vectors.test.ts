// Byte vectors captured from Debian's ZooKeeper 3.8.0 (standalone, loopback). A raw-socket script sent
// hand-assembled frames and printed every reply; a logging proxy captured what the Java client
// (zkCli.sh) sends. Our encoders must reproduce the request bytes, our decoders must read the replies
// to the values the server meant, and the multi helpers must reproduce the server's reply bytes.
// Requests are whole frames (4-byte length first); replies are frame bodies (length stripped).
import t from 'tap'
import { MarshallingError } from '../errors.js'
import { ErrorCode, OpCode } from '../protocol.js'
import * as P from './generated/proto.generated.js'
import {
  abortedMultiResults,
  decodeConnectRequestLenient,
  decodeConnectResponseLenient,
  decodeMultiRequest,
  decodeMultiResponse,
  encodeMultiRequest,
  encodeMultiResponse,
  type MultiResult,
} from './quirks.js'
import { Reader } from './reader.js'
import { Writer } from './writer.js'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const reader = (s: string) => new Reader(hex(s))
/** A whole frame (length prefix first) as hex, written by `fn`. */
function frame(fn: (w: Writer) => void): string {
  const w = new Writer()
  const at = w.beginFrame()
  fn(w)
  w.endFrame(at)
  return w.toBuffer().toString('hex')
}
const bytes = (fn: (w: Writer) => void) => {
  const w = new Writer()
  fn(w)
  return w.toBuffer().toString('hex')
}
const OPEN_ACL: P.ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]
function stat(s: Partial<P.Stat>): P.Stat {
  return {
    czxid: 0n,
    mzxid: 0n,
    ctime: 0n,
    mtime: 0n,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    dataLength: 0,
    numChildren: 0,
    pzxid: 0n,
    ...s,
  }
}
const T0 = 0x1a20ff56581n // ctime of /zk-vec (ms since the epoch, as the server's clock had it)
const T1 = 0x1a20ff56592n // mtime after the setData
const T2 = 0x1a20ff5659bn // time of the multi

// --- Handshake -----------------------------------------------------------------------------------
// ConnectRequest{protocolVersion 0, lastZxidSeen 0, timeOut 10000, sessionId 0, passwd 16 zero bytes, readOnly false}
const CONNECT_REQUEST = '0000002d 00000000 0000000000000000 00002710 0000000000000000 00000010 00000000000000000000000000000000 00'
// ConnectResponse: protocol 0, 10 s granted, session 0x100005b31d70000, 16-byte password, readOnly false.
const CONNECT_RESPONSE = '00000000 00002710 0100005b31d70000 00000010 3b063342acda4bbc116f53b9d5d89d95 00'
// The same request as a pre-3.4 client sends it: no readOnly byte (frame length 44). The server
// accepts it and answers WITHOUT the readOnly byte (36 bytes).
const OLD_CONNECT_REQUEST = '0000002c 00000000 0000000000000000 00002710 0000000000000000 00000010 00000000000000000000000000000000'
const OLD_CONNECT_RESPONSE = '00000000 00002710 0100005b31d70003 00000010 28e538420c8f6c771c2cec8d025089c8'

t.test('handshake: ConnectRequest / ConnectResponse, and an old client without readOnly', async (t) => {
  const req: P.ConnectRequest = {
    protocolVersion: 0,
    lastZxidSeen: 0n,
    timeOut: 10000,
    sessionId: 0n,
    passwd: Buffer.alloc(16),
    readOnly: false,
  }
  t.equal(
    frame((w) => P.encodeConnectRequest(w, req)),
    hex(CONNECT_REQUEST).toString('hex'),
  )
  const r = new Reader(hex(CONNECT_REQUEST), 4)
  t.same(P.decodeConnectRequest(r), req)
  t.equal(r.remaining, 0)

  const res = reader(CONNECT_RESPONSE)
  t.same(P.decodeConnectResponse(res), {
    protocolVersion: 0,
    timeOut: 10000,
    sessionId: 0x100005b31d70000n,
    passwd: hex('3b063342acda4bbc116f53b9d5d89d95'),
    readOnly: false,
  })
  t.equal(res.remaining, 0)

  // Strict decoders need the trailer; the lenient ones default it to false.
  t.throws(() => P.decodeConnectRequest(new Reader(hex(OLD_CONNECT_REQUEST), 4)), MarshallingError)
  t.same(decodeConnectRequestLenient(new Reader(hex(OLD_CONNECT_REQUEST), 4)), req)
  t.same(decodeConnectRequestLenient(new Reader(hex(CONNECT_REQUEST), 4)), req)
  t.throws(() => P.decodeConnectResponse(reader(OLD_CONNECT_RESPONSE)), MarshallingError)
  const old = decodeConnectResponseLenient(reader(OLD_CONNECT_RESPONSE))
  t.equal(old.sessionId, 0x100005b31d70003n)
  t.equal(old.readOnly, false)
  t.same(decodeConnectResponseLenient(reader(CONNECT_RESPONSE)), P.decodeConnectResponse(reader(CONNECT_RESPONSE)))
})

// --- Single ops on one session ---------------------------------------------------------------------
// xid 1, create2 (15): CreateRequest{'/zk-vec', 'hi', OPEN_ACL_UNSAFE, PERSISTENT}
const CREATE2_REQUEST =
  '00000038 00000001 0000000f 00000007 2f7a6b2d766563 00000002 6869 00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65 00000000'
// ReplyHeader{1, zxid 2, OK} + Create2Response{'/zk-vec', Stat}
const CREATE2_REPLY =
  '00000001 0000000000000002 00000000 00000007 2f7a6b2d766563 0000000000000002 0000000000000002 000001a20ff56581 000001a20ff56581 ' +
  '00000000 00000000 00000000 0000000000000000 00000002 00000000 0000000000000002'
// xid 2, getData (4) with watch=true
const GETDATA_REQUEST = '00000014 00000002 00000004 00000007 2f7a6b2d766563 01'
// ReplyHeader{2, 2, OK} + GetDataResponse{'hi', Stat}
const GETDATA_REPLY =
  '00000002 0000000000000002 00000000 00000002 6869 0000000000000002 0000000000000002 000001a20ff56581 000001a20ff56581 ' +
  '00000000 00000000 00000000 0000000000000000 00000002 00000000 0000000000000002'
// xid 3, setData (5): '/zk-vec' ← 'yo', any version (-1)
const SETDATA_REQUEST = '0000001d 00000003 00000005 00000007 2f7a6b2d766563 00000002 796f ffffffff'
// Before the setData reply the watch set by getData fires: ReplyHeader{xid -1, zxid -1, OK} +
// WatcherEvent{NodeDataChanged (3), SyncConnected (3), '/zk-vec'}.
const WATCH_EVENT = 'ffffffff ffffffffffffffff 00000000 00000003 00000003 00000007 2f7a6b2d766563'
// ReplyHeader{3, 3, OK} + SetDataResponse{Stat version 1}
const SETDATA_REPLY =
  '00000003 0000000000000003 00000000 0000000000000002 0000000000000003 000001a20ff56581 000001a20ff56592 ' +
  '00000001 00000000 00000000 0000000000000000 00000002 00000000 0000000000000002'
// xid 4, getData '/missing' → ReplyHeader{4, 3, NONODE (-101)} and no body.
const GETDATA_MISSING_REQUEST = '00000015 00000004 00000004 00000008 2f6d697373696e67 00'
const NONODE_REPLY = '00000004 0000000000000003 ffffff9b'
// xid 5, create (1) '/zk-🦓': ZooKeeper refuses surrogate characters in paths → BADARGUMENTS (-8).
// (Our writer sends the astral character as 4-byte UTF-8, as the hand-built frame did.)
const CREATE_ASTRAL_REQUEST =
  '00000037 00000005 00000001 00000008 2f7a6b2df09fa693 00000000 00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65 00000000'
const BADARGUMENTS_REPLY = '00000005 0000000000000004 fffffff8'
// xid 6, getChildren2 (12) '/zk-vec' → GetChildren2Response{[], Stat}
const GETCHILDREN2_REQUEST = '00000014 00000006 0000000c 00000007 2f7a6b2d766563 00'
const GETCHILDREN2_REPLY =
  '00000006 0000000000000004 00000000 00000000 0000000000000002 0000000000000003 000001a20ff56581 000001a20ff56592 ' +
  '00000001 00000000 00000000 0000000000000000 00000002 00000000 0000000000000002'
// xid 10, getChildren (8) '/' → ['zk-vec', 'zookeeper', 'm2', 'c1'] (unordered, as the server keeps them)
const GETCHILDREN_REQUEST = '0000000e 0000000a 00000008 00000001 2f 00'
const GETCHILDREN_REPLY =
  '0000000a 0000000000000006 00000000 00000004 00000006 7a6b2d766563 00000009 7a6f6f6b6565706572 00000002 6d32 00000002 6331'
// xid 11, closeSession (-11): header only; the reply is a bare ReplyHeader{11, 7, OK}.
const CLOSE_REQUEST = '00000008 0000000b fffffff5'
const CLOSE_REPLY = '0000000b 0000000000000007 00000000'

t.test('create2, getData, setData and the watch event it fires', async (t) => {
  t.equal(
    frame((w) => {
      P.encodeRequestHeader(w, { xid: 1, type: OpCode.create2 })
      P.encodeCreateRequest(w, { path: '/zk-vec', data: Buffer.from('hi'), acl: OPEN_ACL, flags: 0 })
    }),
    hex(CREATE2_REQUEST).toString('hex'),
  )
  let r = reader(CREATE2_REPLY)
  t.same(P.decodeReplyHeader(r), { xid: 1, zxid: 2n, err: 0 })
  t.same(P.decodeCreate2Response(r), {
    path: '/zk-vec',
    stat: stat({ czxid: 2n, mzxid: 2n, ctime: T0, mtime: T0, dataLength: 2, pzxid: 2n }),
  })
  t.equal(r.remaining, 0)

  t.equal(
    frame((w) => {
      P.encodeRequestHeader(w, { xid: 2, type: OpCode.getData })
      P.encodeGetDataRequest(w, { path: '/zk-vec', watch: true })
    }),
    hex(GETDATA_REQUEST).toString('hex'),
  )
  r = reader(GETDATA_REPLY)
  t.same(P.decodeReplyHeader(r), { xid: 2, zxid: 2n, err: 0 })
  t.same(P.decodeGetDataResponse(r), {
    data: Buffer.from('hi'),
    stat: stat({ czxid: 2n, mzxid: 2n, ctime: T0, mtime: T0, dataLength: 2, pzxid: 2n }),
  })
  t.equal(r.remaining, 0)

  t.equal(
    frame((w) => {
      P.encodeRequestHeader(w, { xid: 3, type: OpCode.setData })
      P.encodeSetDataRequest(w, { path: '/zk-vec', data: Buffer.from('yo'), version: -1 })
    }),
    hex(SETDATA_REQUEST).toString('hex'),
  )
  r = reader(WATCH_EVENT)
  t.same(P.decodeReplyHeader(r), { xid: -1, zxid: -1n, err: 0 })
  t.same(P.decodeWatcherEvent(r), { type: 3, state: 3, path: '/zk-vec' })
  t.equal(r.remaining, 0)
  r = reader(SETDATA_REPLY)
  t.same(P.decodeReplyHeader(r), { xid: 3, zxid: 3n, err: 0 })
  t.same(P.decodeSetDataResponse(r), { stat: stat({ czxid: 2n, mzxid: 3n, ctime: T0, mtime: T1, version: 1, dataLength: 2, pzxid: 2n }) })
  t.equal(r.remaining, 0)

  t.equal(
    frame((w) => {
      P.encodeRequestHeader(w, { xid: 6, type: OpCode.getChildren2 })
      P.encodeGetChildren2Request(w, { path: '/zk-vec', watch: false })
    }),
    hex(GETCHILDREN2_REQUEST).toString('hex'),
  )
  r = reader(GETCHILDREN2_REPLY)
  t.same(P.decodeReplyHeader(r), { xid: 6, zxid: 4n, err: 0 })
  t.same(P.decodeGetChildren2Response(r), {
    children: [],
    stat: stat({ czxid: 2n, mzxid: 3n, ctime: T0, mtime: T1, version: 1, dataLength: 2, pzxid: 2n }),
  })
  t.equal(r.remaining, 0)

  t.equal(
    frame((w) => {
      P.encodeRequestHeader(w, { xid: 10, type: OpCode.getChildren })
      P.encodeGetChildrenRequest(w, { path: '/', watch: false })
    }),
    hex(GETCHILDREN_REQUEST).toString('hex'),
  )
  r = reader(GETCHILDREN_REPLY)
  t.same(P.decodeReplyHeader(r), { xid: 10, zxid: 6n, err: 0 })
  t.same(P.decodeGetChildrenResponse(r), { children: ['zk-vec', 'zookeeper', 'm2', 'c1'] })
  t.equal(r.remaining, 0)

  t.equal(
    frame((w) => P.encodeRequestHeader(w, { xid: 11, type: OpCode.closeSession })),
    hex(CLOSE_REQUEST).toString('hex'),
  )
  r = reader(CLOSE_REPLY)
  t.same(P.decodeReplyHeader(r), { xid: 11, zxid: 7n, err: 0 })
  t.equal(r.remaining, 0)
})

t.test('error replies carry no body', async (t) => {
  t.equal(
    frame((w) => {
      P.encodeRequestHeader(w, { xid: 4, type: OpCode.getData })
      P.encodeGetDataRequest(w, { path: '/missing', watch: false })
    }),
    hex(GETDATA_MISSING_REQUEST).toString('hex'),
  )
  let r = reader(NONODE_REPLY)
  t.same(P.decodeReplyHeader(r), { xid: 4, zxid: 3n, err: ErrorCode.NONODE })
  t.equal(r.remaining, 0)

  t.equal(
    frame((w) => {
      P.encodeRequestHeader(w, { xid: 5, type: OpCode.create })
      P.encodeCreateRequest(w, { path: '/zk-🦓', data: Buffer.alloc(0), acl: OPEN_ACL, flags: 0 })
    }),
    hex(CREATE_ASTRAL_REQUEST).toString('hex'),
  )
  r = reader(BADARGUMENTS_REPLY)
  t.same(P.decodeReplyHeader(r), { xid: 5, zxid: 4n, err: ErrorCode.BADARGUMENTS })
  t.equal(r.remaining, 0)
})

// --- Astral characters come back as Java writes them ------------------------------------------------
// create (1) '/acl-node' with ACL [world:anyone ALL, digest:'z🦓:x' READ]; our 4-byte UTF-8 is accepted.
const CREATE_DIGEST_REQUEST =
  '00000051 00000001 00000001 00000009 2f61636c2d6e6f6465 ffffffff 00000002 0000001f 00000005 776f726c64 00000006 616e796f6e65 ' +
  '00000001 00000006 646967657374 00000007 7af09fa6933a78 00000000'
// getACL (6) reply: the server re-encodes 🦓 (U+1F993) as two 3-byte surrogates: ED A0 BE, ED B6 93.
const GETACL_REPLY =
  '00000002 0000000000000009 00000000 00000002 0000001f 00000005 776f726c64 00000006 616e796f6e65 00000001 00000006 646967657374 ' +
  '00000009 7aeda0beedb6933a78 0000000000000009 0000000000000009 000001a20ff5b682 000001a20ff5b682 00000000 00000000 00000000 ' +
  '0000000000000000 00000000 00000000 0000000000000009'

t.test('strings: 4-byte UTF-8 out, Java surrogate pairs in', async (t) => {
  const acl: P.ACL[] = [...OPEN_ACL, { perms: 1, id: { scheme: 'digest', id: 'z🦓:x' } }]
  t.equal(
    frame((w) => {
      P.encodeRequestHeader(w, { xid: 1, type: OpCode.create })
      P.encodeCreateRequest(w, { path: '/acl-node', data: null, acl, flags: 0 })
    }),
    hex(CREATE_DIGEST_REQUEST).toString('hex'),
  )
  const r = reader(GETACL_REPLY)
  t.same(P.decodeReplyHeader(r), { xid: 2, zxid: 9n, err: 0 })
  const res = P.decodeGetACLResponse(r)
  t.same(res.acl, acl)
  t.equal(res.acl[1]!.id.id, 'z🦓:x', 'surrogate pair decoded to the astral character, not U+FFFD')
  t.equal(res.stat.czxid, 9n)
  t.equal(res.stat.ctime, 0x1a20ff5b682n)
  t.equal(r.remaining, 0)
})

// --- multi ---------------------------------------------------------------------------------------
// xid 7, multi (14): create '/m1' (null data), create2 '/m2' 'x', createContainer '/c1' (flags 4),
// setData '/zk-vec' 'zz' version 1, check '/zk-vec' version 2, delete '/m1' any version.
const MULTI_REQUEST =
  '000000f5 00000007 0000000e ' +
  '00000001 00 ffffffff 00000003 2f6d31 ffffffff 00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65 00000000 ' +
  '0000000f 00 ffffffff 00000003 2f6d32 00000001 78 00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65 00000000 ' +
  '00000013 00 ffffffff 00000003 2f6331 ffffffff 00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65 00000004 ' +
  '00000005 00 ffffffff 00000007 2f7a6b2d766563 00000002 7a7a 00000001 ' +
  '0000000d 00 ffffffff 00000007 2f7a6b2d766563 00000002 ' +
  '00000002 00 ffffffff 00000003 2f6d31 ffffffff ' +
  'ffffffff 01 ffffffff'
// Reply (zxid 5, OK). Note the create2 op came back as type create (1) with no Stat: 3.8.0 decays
// create2 inside a multi to create (fixed in 3.8.2, ZOOKEEPER-4026). createContainer comes back as
// create2 (15) with a Stat; delete and check have no body.
const MULTI_REPLY =
  '00000007 0000000000000005 00000000 ' +
  '00000001 00 00000000 00000003 2f6d31 ' +
  '00000001 00 00000000 00000003 2f6d32 ' +
  '0000000f 00 00000000 00000003 2f6331 0000000000000005 0000000000000005 000001a20ff5659b 000001a20ff5659b 00000000 00000000 00000000 ' +
  '0000000000000000 00000000 00000000 0000000000000005 ' +
  '00000005 00 00000000 0000000000000002 0000000000000005 000001a20ff56581 000001a20ff5659b 00000002 00000000 00000000 0000000000000000 ' +
  '00000002 00000000 0000000000000002 ' +
  '0000000d 00 00000000 ' +
  '00000002 00 00000000 ' +
  'ffffffff 01 ffffffff'
// xid 8, multi: create '/m3', check '/zk-vec' version 99 (wrong: it is 2), create '/m4'.
const MULTI_ABORTED_REQUEST =
  '0000008f 00000008 0000000e ' +
  '00000001 00 ffffffff 00000003 2f6d33 ffffffff 00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65 00000000 ' +
  '0000000d 00 ffffffff 00000007 2f7a6b2d766563 00000063 ' +
  '00000001 00 ffffffff 00000003 2f6d34 ffffffff 00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65 00000000 ' +
  'ffffffff 01 ffffffff'
// Reply: ReplyHeader err is OK (0) and the multi used up zxid 6; every op is an error result: OK before
// the failing check, BADVERSION (-103) for it, RUNTIMEINCONSISTENCY (-2) after it. The MultiHeader's
// err repeats the ErrorResponse's code.
const MULTI_ABORTED_REPLY =
  '00000008 0000000000000006 00000000 ' +
  'ffffffff 00 00000000 00000000 ' +
  'ffffffff 00 ffffff99 ffffff99 ' +
  'ffffffff 00 fffffffe fffffffe ' +
  'ffffffff 01 ffffffff'
// xid 9, multiRead (22): getData '/zk-vec', getChildren '/missing', getChildren '/m2'.
const MULTI_READ_REQUEST =
  '0000004d 00000009 00000016 ' +
  '00000004 00 ffffffff 00000007 2f7a6b2d766563 00 ' +
  '00000008 00 ffffffff 00000008 2f6d697373696e67 00 ' +
  '00000008 00 ffffffff 00000003 2f6d32 00 ' +
  'ffffffff 01 ffffffff'
// Reply: each read on its own; the missing node is an error result (NONODE), the others succeed.
const MULTI_READ_REPLY =
  '00000009 0000000000000006 00000000 ' +
  '00000004 00 00000000 00000002 7a7a 0000000000000002 0000000000000005 000001a20ff56581 000001a20ff5659b 00000002 00000000 00000000 ' +
  '0000000000000000 00000002 00000000 0000000000000002 ' +
  'ffffffff 00 ffffff9b ffffff9b ' +
  '00000008 00 00000000 00000000 ' +
  'ffffffff 01 ffffffff'
// Malformed multis fail as a whole: ReplyHeader err MARSHALLINGERROR (-5), no body. First an op type a
// multi cannot carry (exists, 3), then a write op (check) mixed with a read op (getData).
const MULTI_BAD_TYPE_REQUEST = '00000026 00000001 0000000e 00000003 00 ffffffff 00000007 2f7a6b2d766563 00 ffffffff 01 ffffffff'
const MULTI_MIXED_REQUEST =
  '0000003e 00000002 0000000e 0000000d 00 ffffffff 00000007 2f7a6b2d766563 ffffffff 00000004 00 ffffffff 00000007 2f7a6b2d766563 00 ffffffff 01 ffffffff'
const MULTI_BAD_TYPE_REPLY = '00000001 0000000000000011 fffffffb'
// An empty multi is fine: OK and just the end header.
const MULTI_EMPTY_REQUEST = '00000011 00000003 0000000e ffffffff 01 ffffffff'
const MULTI_EMPTY_REPLY = '00000003 0000000000000013 00000000 ffffffff 01 ffffffff'

const aclOp = (path: string, data: Buffer | null, flags: number) => (w: Writer) =>
  P.encodeCreateRequest(w, { path, data, acl: OPEN_ACL, flags })
/** Reply header + multi results, the way a server writes them. */
const multiReply = (xid: number, zxid: bigint, results: MultiResult[]) =>
  bytes((w) => {
    P.encodeReplyHeader(w, { xid, zxid, err: 0 })
    encodeMultiResponse(w, results)
  })

t.test('multi: request framing, results by type, and the server side reproduces the reply', async (t) => {
  const ops = [
    { type: OpCode.create, encode: aclOp('/m1', null, 0) },
    { type: OpCode.create2, encode: aclOp('/m2', Buffer.from('x'), 0) },
    { type: OpCode.createContainer, encode: aclOp('/c1', null, 4) },
    { type: OpCode.setData, encode: (w: Writer) => P.encodeSetDataRequest(w, { path: '/zk-vec', data: Buffer.from('zz'), version: 1 }) },
    { type: OpCode.check, encode: (w: Writer) => P.encodeCheckVersionRequest(w, { path: '/zk-vec', version: 2 }) },
    { type: OpCode.delete, encode: (w: Writer) => P.encodeDeleteRequest(w, { path: '/m1', version: -1 }) },
  ]
  t.equal(
    frame((w) => {
      P.encodeRequestHeader(w, { xid: 7, type: OpCode.multi })
      encodeMultiRequest(w, ops)
    }),
    hex(MULTI_REQUEST).toString('hex'),
  )

  // Server side: the request decodes to the ops.
  const req = new Reader(hex(MULTI_REQUEST), 4)
  t.same(P.decodeRequestHeader(req), { xid: 7, type: OpCode.multi })
  const decoded = decodeMultiRequest(req, OpCode.multi)
  t.equal(req.remaining, 0)
  t.same(
    decoded.map((o) => [o.type, o.request]),
    [
      [OpCode.create, { path: '/m1', data: null, acl: OPEN_ACL, flags: 0 }],
      [OpCode.create2, { path: '/m2', data: Buffer.from('x'), acl: OPEN_ACL, flags: 0 }],
      [OpCode.createContainer, { path: '/c1', data: null, acl: OPEN_ACL, flags: 4 }],
      [OpCode.setData, { path: '/zk-vec', data: Buffer.from('zz'), version: 1 }],
      [OpCode.check, { path: '/zk-vec', version: 2 }],
      [OpCode.delete, { path: '/m1', version: -1 }],
    ],
  )

  const r = reader(MULTI_REPLY)
  t.same(P.decodeReplyHeader(r), { xid: 7, zxid: 5n, err: 0 })
  const results = decodeMultiResponse(r)
  t.equal(r.remaining, 0)
  const expected: MultiResult[] = [
    { type: OpCode.create, err: 0, body: { path: '/m1' } },
    { type: OpCode.create, err: 0, body: { path: '/m2' } },
    { type: OpCode.create2, err: 0, body: { path: '/c1', stat: stat({ czxid: 5n, mzxid: 5n, ctime: T2, mtime: T2, pzxid: 5n }) } },
    {
      type: OpCode.setData,
      err: 0,
      body: { stat: stat({ czxid: 2n, mzxid: 5n, ctime: T0, mtime: T2, version: 2, dataLength: 2, pzxid: 2n }) },
    },
    { type: OpCode.check, err: 0 },
    { type: OpCode.delete, err: 0 },
  ]
  t.same(results, expected)
  t.equal(multiReply(7, 5n, expected), hex(MULTI_REPLY).toString('hex'), 'encodeMultiResponse reproduces the server bytes')
})

t.test('aborted multi: OK before the failing op, its code, RUNTIMEINCONSISTENCY after', async (t) => {
  t.equal(
    frame((w) => {
      P.encodeRequestHeader(w, { xid: 8, type: OpCode.multi })
      encodeMultiRequest(w, [
        { type: OpCode.create, encode: aclOp('/m3', null, 0) },
        { type: OpCode.check, encode: (w) => P.encodeCheckVersionRequest(w, { path: '/zk-vec', version: 99 }) },
        { type: OpCode.create, encode: aclOp('/m4', null, 0) },
      ])
    }),
    hex(MULTI_ABORTED_REQUEST).toString('hex'),
  )
  const r = reader(MULTI_ABORTED_REPLY)
  t.same(P.decodeReplyHeader(r), { xid: 8, zxid: 6n, err: ErrorCode.OK })
  const results = decodeMultiResponse(r)
  t.equal(r.remaining, 0)
  const expected = abortedMultiResults(3, 1, ErrorCode.BADVERSION)
  t.same(results, [
    { type: OpCode.error, err: ErrorCode.OK, body: { err: ErrorCode.OK } },
    { type: OpCode.error, err: ErrorCode.BADVERSION, body: { err: ErrorCode.BADVERSION } },
    { type: OpCode.error, err: ErrorCode.RUNTIMEINCONSISTENCY, body: { err: ErrorCode.RUNTIMEINCONSISTENCY } },
  ])
  t.same(results, expected)
  t.equal(multiReply(8, 6n, expected), hex(MULTI_ABORTED_REPLY).toString('hex'), 'encodeMultiResponse reproduces the server bytes')
})

t.test('multiRead: each read succeeds or fails on its own', async (t) => {
  const ops = [
    { type: OpCode.getData, encode: (w: Writer) => P.encodeGetDataRequest(w, { path: '/zk-vec', watch: false }) },
    { type: OpCode.getChildren, encode: (w: Writer) => P.encodeGetChildrenRequest(w, { path: '/missing', watch: false }) },
    { type: OpCode.getChildren, encode: (w: Writer) => P.encodeGetChildrenRequest(w, { path: '/m2', watch: false }) },
  ]
  t.equal(
    frame((w) => {
      P.encodeRequestHeader(w, { xid: 9, type: OpCode.multiRead })
      encodeMultiRequest(w, ops)
    }),
    hex(MULTI_READ_REQUEST).toString('hex'),
  )
  const req = new Reader(hex(MULTI_READ_REQUEST), 12)
  t.same(
    decodeMultiRequest(req, OpCode.multiRead).map((o) => [o.type, o.request]),
    [
      [OpCode.getData, { path: '/zk-vec', watch: false }],
      [OpCode.getChildren, { path: '/missing', watch: false }],
      [OpCode.getChildren, { path: '/m2', watch: false }],
    ],
  )
  const r = reader(MULTI_READ_REPLY)
  t.same(P.decodeReplyHeader(r), { xid: 9, zxid: 6n, err: 0 })
  const expected: MultiResult[] = [
    {
      type: OpCode.getData,
      err: 0,
      body: { data: Buffer.from('zz'), stat: stat({ czxid: 2n, mzxid: 5n, ctime: T0, mtime: T2, version: 2, dataLength: 2, pzxid: 2n }) },
    },
    { type: OpCode.error, err: ErrorCode.NONODE, body: { err: ErrorCode.NONODE } },
    { type: OpCode.getChildren, err: 0, body: { children: [] } },
  ]
  t.same(decodeMultiResponse(r), expected)
  t.equal(r.remaining, 0)
  t.equal(multiReply(9, 6n, expected), hex(MULTI_READ_REPLY).toString('hex'), 'encodeMultiResponse reproduces the server bytes')
})

t.test('malformed and empty multis', async (t) => {
  // What the server refused with MARSHALLINGERROR, our server-side decoder refuses too.
  for (const bad of [MULTI_BAD_TYPE_REQUEST, MULTI_MIXED_REQUEST]) {
    t.throws(() => decodeMultiRequest(new Reader(hex(bad), 12)), MarshallingError)
  }
  // Write ops in a multiRead (or reads in a multi) are refused when the request's opcode is given.
  t.throws(() => decodeMultiRequest(new Reader(hex(MULTI_REQUEST), 12), OpCode.multiRead), MarshallingError)
  t.throws(() => decodeMultiRequest(new Reader(hex(MULTI_READ_REQUEST), 12), OpCode.multi), MarshallingError)
  const r = reader(MULTI_BAD_TYPE_REPLY)
  t.same(P.decodeReplyHeader(r), { xid: 1, zxid: 0x11n, err: ErrorCode.MARSHALLINGERROR })
  t.equal(r.remaining, 0)

  t.equal(
    frame((w) => {
      P.encodeRequestHeader(w, { xid: 3, type: OpCode.multi })
      encodeMultiRequest(w, [])
    }),
    hex(MULTI_EMPTY_REQUEST).toString('hex'),
  )
  t.same(decodeMultiRequest(new Reader(hex(MULTI_EMPTY_REQUEST), 12)), [])
  const e = reader(MULTI_EMPTY_REPLY)
  t.same(P.decodeReplyHeader(e), { xid: 3, zxid: 0x13n, err: 0 })
  t.same(decodeMultiResponse(e), [])
  t.equal(multiReply(3, 0x13n, []), hex(MULTI_EMPTY_REPLY).toString('hex'))
})

// --- The Java client, through a logging proxy (zkCli.sh -server … create /java-made hello) ------------
// The proxy logged frame bodies, so these two requests are bodies too (no length prefix).
// Its ConnectRequest asks for 30 s and does send the readOnly byte.
const JAVA_CONNECT_REQUEST = '00000000 0000000000000000 00007530 0000000000000000 00000010 00000000000000000000000000000000 00'
// zkCli's create is the 4-argument ZooKeeper.create, i.e. opcode create (1), xid 1.
const JAVA_CREATE_REQUEST =
  '00000001 00000001 0000000a 2f6a6176612d6d616465 00000005 68656c6c6f 00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65 00000000'
// ReplyHeader{1, zxid 12, OK} + CreateResponse{'/java-made'}
const JAVA_CREATE_REPLY = '00000001 000000000000000c 00000000 0000000a 2f6a6176612d6d616465'

t.test("the Java client's own frames", async (t) => {
  t.equal(
    bytes((w) =>
      P.encodeConnectRequest(w, {
        protocolVersion: 0,
        lastZxidSeen: 0n,
        timeOut: 30000,
        sessionId: 0n,
        passwd: Buffer.alloc(16),
        readOnly: false,
      }),
    ),
    hex(JAVA_CONNECT_REQUEST).toString('hex'),
  )
  t.equal(
    bytes((w) => {
      P.encodeRequestHeader(w, { xid: 1, type: OpCode.create })
      P.encodeCreateRequest(w, { path: '/java-made', data: Buffer.from('hello'), acl: OPEN_ACL, flags: 0 })
    }),
    hex(JAVA_CREATE_REQUEST).toString('hex'),
  )
  const r = reader(JAVA_CREATE_REPLY)
  t.same(P.decodeReplyHeader(r), { xid: 1, zxid: 12n, err: 0 })
  t.same(P.decodeCreateResponse(r), { path: '/java-made' })
  t.equal(r.remaining, 0)
})
