// Hostile processes on the peer ports of a bundled 3-server ensemble (issue #12, bugs 1 and 3). A
// local process that knows the server ids but not the ensemble's secret connects to the election and
// learner ports of a follower and of the leader, claims to be the leader or a follower, and sends a
// forged proposal and commit and a forged `request` carrying the identity `super`. Nothing it sends may
// reach the tree or the ACLs, the real links stay up (clients on the follower see no disconnect and
// can still write), and a stranger streaming 300 MB before it authenticates is cut off without the
// server holding on to it. Only the leader takes learners: a follower's learner port stays bound but
// answers no one, not even a process holding the secret, and after a failover the new leader does.
import t from 'tap'
import net from 'node:net'
import { startEnsemble, type Ensemble } from '../../src/ensemble/index.js'
import { Perms, ZooKeeper, digestId, withRetry, type ACL } from '../../src/index.js'
import { OpCode } from '../../src/protocol.js'
import { Writer } from '../../src/jute/writer.js'
import { encodeSetACLRequest } from '../../src/jute/generated/proto.generated.js'
import { encodeTxn } from '../../src/ensemble/txn-codec.js'
import { encodeWire, type WireMsg } from '../../src/ensemble/peer-wire.js'
import { handshakeMac, helloFrame, newNonce, parseChallenge, proofFrame } from '../../src/ensemble/peer-auth.js'
import { FrameDecoder } from '../../src/transport/frame-decoder.js'
import { decodeWire } from '../../src/ensemble/peer-wire.js'

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

function learnerPort(ens: Ensemble, i: number): number {
  return ens.servers[i]!.quorum!.cfg.peers.get(i + 1)!.learnerPort
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
    attack(learnerPort(ens, f1), [hello(f2, f1), forgedRequest]),
    attack(learnerPort(ens, leader), [hello(f1, leader), forgedRequest]),
    attack(learnerPort(ens, leader), [legacyHello(f2 + 1), forgedRequest]),
  ])
  t.ok(
    attempts.every((a) => a.closed),
    'every forged connection is closed',
  )
  t.equal(attempts[0]!.answered, 0, 'a legacy HELLO gets no answer at all')
  t.equal(attempts[5]!.answered, 0, "a follower's learner port answers nothing")

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

/**
 * Open a link as peer `dialer` to `port` with the ensemble's secret, as a process that holds it
 * would, then send `messages`; resolves with what came back before the server closed the link or
 * `settleMs` passed, and whether it closed.
 */
function insider(
  secret: Buffer,
  port: number,
  ids: { dialer: number; acceptor: number },
  messages: WireMsg[],
  settleMs: number,
): Promise<{ challenged: boolean; heard: WireMsg[]; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    const framer = new FrameDecoder()
    const nonce = newNonce()
    const got = { challenged: false, heard: [] as WireMsg[], closed: false }
    let timer: NodeJS.Timeout | undefined
    const done = () => {
      clearTimeout(timer)
      s.destroy()
      resolve(got)
    }
    s.on('error', () => {})
    s.on('close', () => ((got.closed = true), done()))
    s.on('connect', () => s.write(helloFrame({ ...ids, nonce })))
    s.on('data', (chunk: Buffer) => {
      for (const f of framer.push(chunk)) {
        if (got.challenged) {
          got.heard.push(decodeWire(f))
          continue
        }
        const c = parseChallenge(f)
        if (typeof c === 'string') return done()
        got.challenged = true
        s.write(proofFrame(handshakeMac(secret, 'dialer', ids, { dialer: nonce, acceptor: c.nonce })))
        for (const m of messages) s.write(wire(m))
        timer = setTimeout(() => (s.end(), done()), settleMs)
      }
    })
  })
}

/** The error binding `port` on 127.0.0.1 fails with, if it does. */
function bindError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const srv = net.createServer()
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code))
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(undefined)))
  })
}

t.test('only the leader takes learners, even ones holding the secret; every learner port stays bound', async (t) => {
  const ens = await startEnsemble({ size: 3 })
  t.teardown(() => ens.stop())
  const secret = ens.servers[0]!.quorum!.cfg.secret
  const leader = ens.leader()!
  const [f1, f2] = [0, 1, 2].filter((i) => i !== leader) as [number, number]
  const zk = await ZooKeeper.connect(ens.connectStringOf(f2), { sessionTimeout: 6000 })
  t.teardown(() => zk.close())
  await zk.create('/before', Buffer.from('1'))

  // A process with the secret claims to be follower f2 joining follower f1 as its leader, with a
  // write it wants made as `super`.
  const body = new Writer(256)
  encodeSetACLRequest(body, { path: '/before', acl: [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }], version: -1 })
  const forged: WireMsg = {
    t: 'request',
    req: {
      sessionId: zk.sessionId,
      cxid: 7,
      type: OpCode.setACL,
      body: body.toBuffer(),
      ids: [{ scheme: 'super', id: 'super' }],
      address: '',
    },
  }
  const atFollower = await insider(secret, learnerPort(ens, f1), { dialer: f2 + 1, acceptor: f1 + 1 }, [forged], 200)
  t.same(atFollower, { challenged: false, heard: [], closed: true }, "a follower's learner port closes on it before a word")
  t.equal(await bindError(learnerPort(ens, f1)), 'EADDRINUSE', "and no other process can bind the follower's learner port")
  t.equal(await bindError(learnerPort(ens, leader)), 'EADDRINUSE', "nor the leader's")

  await ens.kill(leader)
  const next = await ens.waitForLeader(20_000)
  const follower = next === f1 ? f2 : f1
  await withRetry(() => zk.create('/after', Buffer.from('2')), { retries: 30 })
  await zk.sync('/')
  t.equal(ens.servers[next]!.tree.get('/after')?.data?.toString(), '2', 'the follower that stayed dialled the new leader and writes commit')
  // The killed leader's id, with the secret, is a learner the new leader takes: it answers FOLLOWERINFO.
  const atLeader = await insider(
    secret,
    learnerPort(ens, next),
    { dialer: leader + 1, acceptor: next + 1 },
    [{ t: 'followerinfo', acceptedEpoch: 0n }],
    2000,
  )
  t.ok(atLeader.challenged, 'the new leader challenges a learner')
  t.match(atLeader.heard[0], { t: 'leaderinfo' }, 'and once it proves itself, answers it as a leader')
  const atOld = await insider(secret, learnerPort(ens, follower), { dialer: leader + 1, acceptor: follower + 1 }, [], 200)
  t.notOk(atOld.challenged, 'the remaining follower takes no learner')

  await ens.restart(leader)
  await ens.waitForMode(leader, 'follower', 20_000)
  t.equal(await bindError(learnerPort(ens, leader)), 'EADDRINUSE', 'the restarted server holds its learner port again')
  const atRestarted = await insider(secret, learnerPort(ens, leader), { dialer: next + 1, acceptor: leader + 1 }, [], 200)
  t.notOk(atRestarted.challenged, 'and, following, takes no learner on it')
  for (const i of [next, follower])
    t.same(
      ens.servers[i]!.tree.get('/before')?.acl,
      [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }],
      `server ${i}: the forged setACL never ran`,
    )
})
