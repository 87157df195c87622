// Peer links over loopback: messages arrive in order, a peer that goes away is reported down, and
// the fault hooks cut, drop and delay traffic as documented.
import t from 'tap'
import { once, EventEmitter } from 'node:events'
import { PeerLinks, type PeerAddress } from './peer-links.js'
import type { WireMsg } from './peer-wire.js'

class Node extends EventEmitter {
  links: PeerLinks
  got: { from: number; m: WireMsg }[] = []
  downs: number[] = []
  constructor(id: number, addrs: Map<number, PeerAddress>) {
    super()
    this.links = new PeerLinks(id, addrs, {
      message: (from, m) => {
        this.got.push({ from, m })
        this.emit('message', from, m)
      },
      down: (p) => {
        this.downs.push(p)
        this.emit('down', p)
      },
    })
  }
  /** Resolve once `n` messages have arrived in total. */
  async until(n: number): Promise<void> {
    while (this.got.length < n) await once(this, 'message')
  }
}

async function pair(t: { teardown(f: () => unknown): void }) {
  const addrs = new Map<number, PeerAddress>()
  const a = new Node(1, addrs)
  const b = new Node(2, addrs)
  addrs.set(1, { host: '127.0.0.1', port: await a.links.listen() })
  addrs.set(2, { host: '127.0.0.1', port: await b.links.listen() })
  t.teardown(async () => {
    await a.links.close()
    await b.links.close()
  })
  return { a, b, addrs }
}

t.test('messages arrive in order, each direction on its own connection', async (t) => {
  const { a, b } = await pair(t)
  for (let i = 1; i <= 500; i++) a.links.send(2, { t: 'ack', zxid: BigInt(i) })
  b.links.send(1, { t: 'ping' })
  await b.until(500)
  await a.until(1)
  t.same(
    b.got.map((g) => (g.m.t === 'ack' ? Number(g.m.zxid) : -1)),
    Array.from({ length: 500 }, (_, i) => i + 1),
  )
  t.ok(b.got.every((g) => g.from === 1))
  t.same(a.got, [{ from: 2, m: { t: 'ping' } }])
})

t.test('a peer that closes is reported down; an unreachable peer too', async (t) => {
  const { a, b } = await pair(t)
  a.links.send(2, { t: 'ping' })
  await b.until(1)
  const down = once(b, 'down')
  await a.links.close()
  t.same(await down, [1], 'the receiver hears that peer 1 went away')
  // b now dials a dead port: reported down, nothing thrown.
  const again = once(b, 'down')
  b.links.send(1, { t: 'ping' })
  t.same(await again, [1])
})

t.test('block cuts both ways; heal lets traffic through again', async (t) => {
  const { a, b } = await pair(t)
  a.links.send(2, { t: 'ping' })
  await b.until(1)
  const down = once(b, 'down')
  a.links.block([2])
  b.links.block([1])
  await down
  a.links.send(2, { t: 'commit', zxid: 1n })
  b.links.send(1, { t: 'commit', zxid: 1n })
  a.links.heal()
  b.links.heal()
  a.links.send(2, { t: 'commit', zxid: 2n })
  await b.until(2)
  t.same(b.got[1]!.m, { t: 'commit', zxid: 2n }, 'what was sent while blocked is lost; later traffic arrives')
})

t.test('drop loses one direction only; delay keeps order', async (t) => {
  const { a, b } = await pair(t)
  a.links.drop(2)
  a.links.send(2, { t: 'ack', zxid: 1n })
  b.links.send(1, { t: 'ack', zxid: 1n })
  await a.until(1)
  a.links.drop(2, false)
  a.links.delay(2, 30)
  const t0 = Date.now()
  for (let i = 2; i <= 20; i++) a.links.send(2, { t: 'ack', zxid: BigInt(i) })
  a.links.delay(2, 0)
  await b.until(19)
  t.ok(Date.now() - t0 >= 25, 'delayed')
  t.same(
    b.got.map((g) => (g.m.t === 'ack' ? Number(g.m.zxid) : -1)),
    Array.from({ length: 19 }, (_, i) => i + 2),
    'the dropped message never arrives; delayed ones arrive in order',
  )
})

t.test('ending a delay does not let new messages overtake delayed ones', async (t) => {
  const { a, b } = await pair(t)
  a.links.delay(2, 40)
  for (let i = 1; i <= 5; i++) a.links.send(2, { t: 'ack', zxid: BigInt(i) })
  a.links.delay(2, 0)
  for (let i = 6; i <= 10; i++) a.links.send(2, { t: 'ack', zxid: BigInt(i) })
  a.links.heal()
  for (let i = 11; i <= 12; i++) a.links.send(2, { t: 'ack', zxid: BigInt(i) })
  await b.until(12)
  t.same(
    b.got.map((g) => (g.m.t === 'ack' ? Number(g.m.zxid) : -1)),
    Array.from({ length: 12 }, (_, i) => i + 1),
  )
})

t.test('a stranger or garbage on the quorum port is disconnected', async (t) => {
  const { b, addrs } = await pair(t)
  const net = await import('node:net')
  const s = net.connect(addrs.get(2)!.port, '127.0.0.1')
  await once(s, 'connect')
  s.write(Buffer.from([0, 0, 0, 8, 1, 2, 3, 4, 0, 0, 0, 1]))
  await once(s, 'close')
  t.same(b.got, [], 'nothing delivered')
})
