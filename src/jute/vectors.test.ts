// Byte vectors captured from Debian's ZooKeeper 3.8.0 on loopback (raw socket, our encoders): our
// encoders reproduce the request bytes a 3.8 server accepted, and our decoders read its replies.
import t from 'tap'
import { Writer } from './writer.js'
import { Reader } from './reader.js'
import * as P from './generated/proto.generated.js'

const hex = (s: string) => Buffer.from(s, 'hex')
function frame(fn: (w: Writer) => void): string {
  const w = new Writer()
  const at = w.beginFrame()
  fn(w)
  w.endFrame(at)
  return w.toBuffer().toString('hex')
}

t.test('requests: byte-for-byte what the server accepted', async (t) => {
  t.equal(
    frame((w) => P.encodeConnectRequest(w, { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 10000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false })),
    '0000002d000000000000000000000000000027100000000000000000000000100000000000000000000000000000000000',
  )
  t.equal(
    frame((w) => {
      P.encodeRequestHeader(w, { xid: 1, type: 15 })
      P.encodeCreateRequest(w, { path: '/v', data: Buffer.from('hi'), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: 0 })
    }),
    '00000033000000010000000f000000022f76000000026869000000010000001f00000005776f726c6400000006616e796f6e6500000000',
  )
  t.equal(
    frame((w) => {
      P.encodeRequestHeader(w, { xid: 3, type: 5 })
      P.encodeSetDataRequest(w, { path: '/v', data: Buffer.from('yo'), version: -1 })
    }),
    '000000180000000300000005000000022f7600000002796fffffffff',
  )
})

t.test('replies: decoded to the values the server meant', async (t) => {
  // ConnectResponse: protocol 0, 10 s granted, session 0x1000051148b0000, 16-byte password, readOnly false.
  const cr = P.decodeConnectResponse(new Reader(hex('000000000000271001000051148b00000000001077c34ff23855dc05ad64013b419429cb00')))
  t.equal(cr.timeOut, 10000)
  t.equal(cr.sessionId, 0x1000051148b0000n)
  t.equal(cr.passwd!.length, 16)
  t.equal(cr.readOnly, false)

  // create2 reply: header (xid 1, zxid 2, ok) + Create2Response{'/v', Stat}.
  const r = new Reader(hex('00000001000000000000000200000000000000022f7600000000000000020000000000000002000001a20feb063a000001a20feb063a000000000000000000000000000000000000000000000002000000000000000000000002'))
  t.same(P.decodeReplyHeader(r), { xid: 1, zxid: 2n, err: 0 })
  const c = P.decodeCreate2Response(r)
  t.equal(c.path, '/v')
  t.same(c.stat, { czxid: 2n, mzxid: 2n, ctime: 0x1a20feb063an, mtime: 0x1a20feb063an, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 2, numChildren: 0, pzxid: 2n })
  t.equal(r.remaining, 0)

  // getData reply carries the data then the same Stat.
  const g = new Reader(hex('0000000200000000000000020000000000000002686900000000000000020000000000000002000001a20feb063a000001a20feb063a000000000000000000000000000000000000000000000002000000000000000000000002'))
  t.same(P.decodeReplyHeader(g), { xid: 2, zxid: 2n, err: 0 })
  t.equal(P.decodeGetDataResponse(g).data!.toString(), 'hi')

  // The watch notification arrived BEFORE the setData reply on the same connection; its header has
  // xid -1 and zxid -1 in 3.8.
  const e = new Reader(hex('ffffffffffffffffffffffff000000000000000300000003000000022f76'))
  t.same(P.decodeReplyHeader(e), { xid: -1, zxid: -1n, err: 0 })
  t.same(P.decodeWatcherEvent(e), { type: 3, state: 3, path: '/v' })

  const s = new Reader(hex('0000000300000000000000030000000000000000000000020000000000000003000001a20feb063a000001a20feb0644000000010000000000000000000000000000000000000002000000000000000000000002'))
  t.same(P.decodeReplyHeader(s), { xid: 3, zxid: 3n, err: 0 })
  t.equal(P.decodeSetDataResponse(s).stat.version, 1)

  // An error reply has no body: NONODE is -101 (0xffffff9b).
  t.same(P.decodeReplyHeader(new Reader(hex('000000040000000000000003ffffff9b'))), { xid: 4, zxid: 3n, err: -101 })
})
