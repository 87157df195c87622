// Hostile processes on the quorum ports of a bundled 3-server ensemble (issue #12, bugs 1 and 3). A
// local process that knows the server ids but not the ensemble's secret connects to a follower and to
// the leader, claims to be the leader or a follower, and sends a forged proposal and commit and a
// forged `request` carrying the identity `super`. Nothing it sends may reach the tree or the ACLs, the
// real links stay up (clients on the follower see no disconnect and can still write), and a stranger
// streaming 300 MB before it authenticates is cut off without the server holding on to it.
import t from 'tap'
import net from 'node:net'
import { startEnsemble, type Ensemble } from '../../src/ensemble/index.js'
import { Perms, ZooKeeper, digestId, type ACL } from '../../src/index.js'
import { OpCode } from '../../src/protocol.js'
import { Writer } from '../../src/jute/writer.js'
import { encodeSetACLRequest } from '../../src/jute/generated/proto.generated.js'
import { encodeTxn } from '../../src/ensemble/txn-codec.js'
import { encodeWire, type WireMsg } from '../../src/ensemble/peer-wire.js'
import { helloFrame, newNonce, proofFrame } from '../../src/ensemble/peer-auth.js'

const GUARDED_ACL: ACL[] = [
  { perms: Perms.ALL, id: { scheme: 'digest', id: digestId('alice', 'secret') } },
  { perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } },
]

function frame(body: Buffer): Buffer {
  const out = Buffer.alloc(4 + body.length)
  out.writeInt32BE(body.length, 0)
  body.copy(out, 4)
  return out
}

function wire(m: WireMsg): Buffer {
  const w = new Writer(256)
  encodeWire(w, m)
  return frame(w.toBuffer())
}

function quorumPort(ens: Ensemble, i: number): number {
  return ens.servers[i]!.quorum!.cfg.peers.get(i + 1)!.port
}

/** Connect to a quorum port, send `bytes` (all at once, as an attacker would not wait), and resolve once the server closes. */
function attack(port: number, bytes: Buffer[]): Promise<{ closed: boolean; answered: number }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    let answered = 0
    s.on('data', (d: Buffer) => {
      answered += d.length
      // Whatever the challenge, answer it with a guess, then the forged traffic.
      s.write(proofFrame(Buffer.alloc(32, 0x5a)))
      for (const b of bytes) s.write(b)
    })
    s.on('error', () => {})
    s.on('close', () => resolve({ closed: true, answered }))
    s.on('connect', () => {
      for (const b of bytes) s.write(b)
    })
  })
}

t.test('forged HELLOs, proposals, commits and requests change nothing and cut no real link', async (t) => {
  const ens = await startEnsemble({ size: 3 })
  t.teardown(() => ens.stop())
  const leader = ens.leader()!
  const [f1, f2] = [0, 1, 2].filter((i) => i !== leader) as [number, number]
  const onLeader = await ZooKeeper.connect(ens.connectStringOf(leader), { sessionTimeout: 6000 })
  t.teardown(() => onLeader.close())
  await onLeader.create('/guarded', Buffer.from('v1'), { acl: GUARDED_ACL })
  const onFollower = await ZooKeeper.connect(ens.connectStringOf(f1), { sessionTimeout: 6000 })
  t.teardown(() => onFollower.close())
  await onFollower.sync('/')
  const states: string[] = []
  onFollower.on('state', (s: string) => states.push(s))
  const aclsBefore = ens.servers.map((s) => JSON.stringify(s.tree.nodes.get('/guarded')?.acl))

  const next = ens.servers[f1]!.tree.lastZxid + 1n
  const w = new Writer(256)
  encodeTxn(
    w,
    { clientId: 0n, cxid: 0, zxid: next, time: BigInt(Date.now()) },
    {
      type: 'create',
      path: '/forged',
      data: Buffer.from('evil'),
      acl: [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }],
      owner: 0n,
      parentCVersion: 1,
    },
  )
  const forgedWrite = [wire({ t: 'proposal', entry: { zxid: next, value: w.toBuffer() } }), wire({ t: 'commit', zxid: next })]
  const body = new Writer(256)
  encodeSetACLRequest(body, { path: '/guarded', acl: [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }], version: -1 })
  const forgedRequest = wire({
    t: 'request',
    req: {
      sessionId: onLeader.sessionId,
      cxid: 99,
      type: OpCode.setACL,
      body: body.toBuffer(),
      ids: [{ scheme: 'super', id: 'super' }],
      address: '127.0.0.1',
    },
  })
  // The old, unauthenticated HELLO: magic "ZKPR" and a server id.
  const legacyHello = (id: number) => frame(Buffer.from([0x5a, 0x4b, 0x50, 0x52, 0, 0, 0, id]))
  const hello = (dialer: number, acceptor: number) => helloFrame({ dialer: dialer + 1, acceptor: acceptor + 1, nonce: newNonce() })

  const attempts = await Promise.all([
    attack(quorumPort(ens, f1), [legacyHello(leader + 1), ...forgedWrite]),
    attack(quorumPort(ens, f1), [hello(leader, f1), ...forgedWrite]),
    attack(quorumPort(ens, leader), [legacyHello(f1 + 1), forgedRequest]),
    attack(quorumPort(ens, leader), [hello(f1, leader), forgedRequest]),
    attack(quorumPort(ens, f2), [hello(leader, f2), ...forgedWrite, forgedRequest]),
  ])
  t.ok(
    attempts.every((a) => a.closed),
    'every forged connection is closed',
  )
  t.equal(attempts[0]!.answered, 0, 'a legacy HELLO gets no answer at all')

  // A write through the attacked follower commits everywhere: its link to the leader is the real one.
  await onFollower.create('/after', Buffer.from('real'))
  await onLeader.sync('/')
  for (const i of [0, 1, 2]) {
    const zk = await ZooKeeper.connect(ens.connectStringOf(i), { sessionTimeout: 6000 })
    t.teardown(() => zk.close())
    await zk.sync('/')
    t.equal(await zk.exists('/forged'), null, `server ${i} never serves the forged node`)
    t.equal((await zk.getData('/after')).data.toString(), 'real', `server ${i} has the real write`)
  }
  t.same(
    ens.servers.map((s) => JSON.stringify(s.tree.nodes.get('/guarded')?.acl)),
    aclsBefore,
    'the ACL of /guarded is unchanged on all three servers',
  )
  t.same(states, [], "the follower's client never lost its connection")
  t.equal(ens.leader(), leader, 'the leader is still the leader')
})

t.test('a stranger streaming 300 MB before HELLO is cut off and memory stays bounded', async (t) => {
  const ens = await startEnsemble({ size: 3 })
  t.teardown(() => ens.stop())
  const rssBefore = process.memoryUsage().rss
  for (const target of [ens.leader()!, [0, 1, 2].find((i) => i !== ens.leader())!]) {
    const s = net.connect(quorumPort(ens, target), '127.0.0.1')
    s.on('error', () => {})
    let closed = false
    const gone = new Promise<void>((resolve) => s.once('close', () => ((closed = true), resolve())))
    await new Promise((resolve) => s.once('connect', resolve))
    // A frame header announcing 300 MB, then the bytes, written as fast as the socket takes them.
    const header = Buffer.alloc(4)
    header.writeInt32BE(300 * 1024 * 1024, 0)
    s.write(header)
    const chunk = Buffer.alloc(1024 * 1024, 0x41)
    let written = 0
    while (!closed && written < 300 * 1024 * 1024) {
      written += chunk.length
      if (!s.write(chunk)) await new Promise((resolve) => (s.once('drain', resolve), s.once('close', resolve)))
    }
    await gone
    t.ok(
      written < 64 * 1024 * 1024,
      `server ${target} closed the connection after ${written >> 20} MiB were written (the kernel buffers some)`,
    )
  }
  const grown = process.memoryUsage().rss - rssBefore
  t.ok(grown < 100 * 1024 * 1024, `RSS grew by ${grown >> 20} MiB, well short of the 300 MB sent`)
  t.ok(
    ens.servers.every((s) => s.mode !== 'looking'),
    'every server still serves',
  )
})
