// The in-memory transport: frames both ways, ordering, cut after data, pause/resume, refused
// connections, and oversized frames closing the link with a ProtocolError.
import t from 'tap'
import { memoryLink, memoryNetwork } from './memory.js'
import { encodeFrame } from './frame-decoder.js'
import { ConnectionLossError, ProtocolError } from '../errors.js'

const host = { host: 'mem', port: 1 }

function link(maxFrame = 1000) {
  const l = memoryLink(host, { maxFrame })
  const toServer: string[] = []
  const toClient: string[] = []
  const closed: (Error | undefined)[] = []
  l.onServerFrame((f) => toServer.push(String(f)))
  l.transport.onFrame = (f) => toClient.push(String(f))
  l.transport.onClose = (err) => closed.push(err)
  return { ...l, toServer, toClient, closed }
}

const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve()
}

t.test('frames flow both ways, in order, never synchronously', async (t) => {
  const l = link()
  l.transport.write(encodeFrame(Buffer.from('a')))
  l.transport.write(Buffer.concat([encodeFrame(Buffer.from('b')), encodeFrame(Buffer.from('c'))]))
  l.peer.send(Buffer.from('x'))
  l.peer.sendRaw(encodeFrame(Buffer.from('y')).subarray(0, 3))
  l.peer.sendRaw(encodeFrame(Buffer.from('y')).subarray(3))
  t.same(l.toServer, [], 'not delivered re-entrantly')
  await flush()
  t.same(l.toServer, ['a', 'b', 'c'])
  t.same(l.peer.received.map(String), ['a', 'b', 'c'])
  t.same(l.toClient, ['x', 'y'])
  t.equal(l.transport.remote, 'mem:1')
})

t.test('cut() delivers what was sent, then closes with ConnectionLoss', async (t) => {
  const l = link()
  let peerClosed = false
  l.peer.onClose = () => (peerClosed = true)
  l.peer.send(Buffer.from('last words'))
  l.peer.cut()
  await flush()
  t.same(l.toClient, ['last words'])
  t.equal(l.closed.length, 1)
  t.type(l.closed[0], ConnectionLossError)
  t.ok(l.peer.closed && peerClosed)
  l.transport.write(encodeFrame(Buffer.from('dropped')))
  l.peer.send(Buffer.from('dropped'))
  await flush()
  t.same(l.toServer, [])
  t.same(l.toClient, ['last words'])
})

t.test('client close() reports once, without an error', async (t) => {
  const l = link()
  l.transport.close()
  l.transport.close()
  await flush()
  t.same(l.closed, [undefined])
})

t.test('pause() holds traffic both ways until resume()', async (t) => {
  const l = link()
  l.peer.pause()
  l.peer.send(Buffer.from('held'))
  l.transport.write(encodeFrame(Buffer.from('up')))
  await flush()
  t.same(l.toClient, [])
  t.same(l.toServer, [])
  l.peer.resume()
  await flush()
  t.same(l.toClient, ['held'])
  t.same(l.toServer, ['up'])
})

t.test('an oversized frame closes the link with a ProtocolError', async (t) => {
  const l = link(10)
  l.peer.send(Buffer.alloc(11))
  await flush()
  t.same(l.toClient, [])
  t.type(l.closed[0], ProtocolError)
})

t.test('memoryNetwork refuses hosts that are down and accepts the others', async (t) => {
  const accepted: string[] = []
  const net = memoryNetwork((peer) => accepted.push(peer.host.host), { refuse: (h) => h.host === 'down' })
  await t.rejects(net({ host: 'down', port: 1 }, { connectTimeout: 10, maxFrame: 10 }), ConnectionLossError)
  const tr = await net({ host: 'up', port: 2 }, { connectTimeout: 10, maxFrame: 10 })
  t.equal(tr.remote, 'up:2')
  t.same(accepted, ['up'])
})
