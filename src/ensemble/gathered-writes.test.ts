// Gathered writes: what a socket is sent while one callback runs goes out in one socket write, in
// order, once the callback returns; a big frame does not wait; a frame that fails to encode leaves
// nothing behind; a socket that is gone gets nothing. A client connection answers that way: many
// replies produced in one turn are one write, and closing it still sends what was answered first.
import t from 'tap'
import type net from 'node:net'
import { GATHER_FLUSH_BYTES, GatheredWrites, type FrameSink } from './gathered-writes.js'
import { ClientConnection } from './client-connection.js'
import { ServerMetrics } from './server-metrics.js'
import { FrameDecoder } from '../transport/frame-decoder.js'
import { Reader } from '../jute/reader.js'
import * as P from '../jute/generated/proto.generated.js'

/** A socket that records each write, and whether it was ended. */
class FakeSocket implements FrameSink {
  writesMade: Buffer[] = []
  destroyed = false
  writableLength = 0
  ended = false
  remoteAddress = '127.0.0.1'
  write(chunk: Buffer): boolean {
    this.writesMade.push(Buffer.from(chunk))
    return true
  }
  end(): void {
    this.ended = true
  }
  /** Every frame written, in order. */
  frames(): Buffer[] {
    return new FrameDecoder(1 << 30).push(Buffer.concat(this.writesMade))
  }
}

const nextTick = () => new Promise<void>((r) => process.nextTick(r))

t.test('frames gathered in one callback go out in one write, in order, after it returns', async (t) => {
  const socket = new FakeSocket()
  const g = new GatheredWrites(socket)
  for (let i = 0; i < 100; i++) g.frame((w) => w.int(i))
  t.equal(socket.writesMade.length, 0, 'nothing is written while the callback runs')
  t.equal(g.pendingBytes, 100 * 8)
  await nextTick()
  t.equal(socket.writesMade.length, 1, 'one write for the hundred frames')
  t.same(
    socket.frames().map((f) => f.readInt32BE(0)),
    Array.from({ length: 100 }, (_, i) => i),
  )
  g.raw(Buffer.from([0, 0, 0, 1, 42]))
  await nextTick()
  t.equal(socket.writesMade.length, 2, 'the next callback gathers again')
  t.equal(g.writes, 2)
})

t.test('a frame past the gathering limit goes at once; a frame that throws leaves nothing', async (t) => {
  const socket = new FakeSocket()
  const g = new GatheredWrites(socket)
  g.frame((w) => w.int(1))
  g.frame((w) => w.raw(Buffer.alloc(GATHER_FLUSH_BYTES)))
  t.equal(socket.writesMade.length, 1, 'written without waiting for the callback to return')
  t.throws(() =>
    g.frame((w) => {
      w.int(7)
      throw new Error('cannot encode')
    }),
  )
  g.frame((w) => w.int(2))
  await nextTick()
  t.same(
    socket.frames().map((f) => f.length),
    [4, GATHER_FLUSH_BYTES, 4],
    'the failed frame is not on the wire',
  )
})

t.test('a socket that is gone gets nothing', async (t) => {
  const socket = new FakeSocket()
  const g = new GatheredWrites(socket)
  g.frame((w) => w.int(1))
  socket.destroyed = true
  await nextTick()
  t.equal(socket.writesMade.length, 0)
})

t.test('a client connection answers the replies of one turn in one socket write, and flushes them before closing', async (t) => {
  const socket = new FakeSocket()
  const counters = { maxBuffer: 1 << 20, metrics: new ServerMetrics(false), packetsSent: 0 }
  const conn = new ClientConnection(socket as unknown as net.Socket, counters)
  const n = 256
  for (let xid = 1; xid <= n; xid++) conn.reply(xid, BigInt(xid), 0)
  t.equal(conn.unwrittenBytes, n * 20, 'what waits for the write counts as unwritten (backpressure sees it)')
  await nextTick()
  t.equal(socket.writesMade.length, 1, `${n} replies, one socket write`)
  t.equal(conn.socketWrites, 1)
  t.same(
    socket.frames().map((f) => P.decodeReplyHeader(new Reader(f)).xid),
    Array.from({ length: n }, (_, i) => i + 1),
    'every reply, in order',
  )
  t.equal(conn.sent, n)
  t.equal(counters.packetsSent, n)

  conn.reply(n + 1, 0n, 0)
  conn.close()
  t.equal(socket.writesMade.length, 2, 'close writes what was answered before it')
  t.ok(socket.ended)
  t.equal(P.decodeReplyHeader(new Reader(socket.frames().at(-1)!)).xid, n + 1)
})
