// A seeded fuzzer of the peer ports of a bundled 3-server quorum (issue #12). Strangers that know the
// server ids but not the secret send random bytes, HELLOs with random ids, well-formed and mangled
// peer messages of every type with random fields, half-done handshakes, proofs with wrong MACs, and
// replays of a real peer's handshake captured through a proxy, at every server's election and
// learner ports, while a client keeps writing. Afterwards every server still serves, the same leader
// leads, the followers' learner ports still answer nothing, the trees agree at one zxid, memory
// stayed bounded and every one of the client's writes succeeded.
import t, { type Test } from 'tap'
import net from 'node:net'
import { startEnsemble, type Ensemble } from '../../src/ensemble/index.js'
import { ZooKeeper } from '../../src/index.js'
import { Writer } from '../../src/jute/writer.js'
import { encodeWire, type WireMsg } from '../../src/ensemble/peer-wire.js'
import { NONCE_BYTES, helloFrame, proofFrame } from '../../src/ensemble/peer-auth.js'
import type { PeerState } from '../../src/ensemble/zab/election.js'
import { startProxy } from '../../src/testing/proxy.js'
import { prng } from '../../src/testing/random-records.js'
import { replicaDigests } from '../../src/testing/tree-digest.js'

const SEED = Number(process.env.ZOOKIT_FUZZ_SEED ?? 20261202)
const WAVES = 4
const STRANGERS_PER_WAVE = 60

const rnd = prng(SEED)
const int = (n: number) => Math.floor(rnd() * n)
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)))
const LONGS = [0n, -1n, 1n, 2n ** 63n - 1n, -(2n ** 63n), 0x100000000n, 0x100000001n]
const long = () => (rnd() < 0.4 ? pick(LONGS) : BigInt(int(2 ** 31)) << BigInt(int(33)))
/** Server ids: mostly the ensemble's own (1..3), sometimes ones it does not have. */
const serverId = () => (rnd() < 0.8 ? 1 + int(3) : pick([0, -1, 4, 0x7fffffff]))
const STATES: PeerState[] = ['LOOKING', 'FOLLOWING', 'LEADING']

function entries(): { zxid: bigint; value: Buffer }[] {
  return Array.from({ length: int(3) }, () => ({ zxid: long(), value: bytes(int(48)) }))
}

/** A peer message of a random type with random fields, as peer-wire.ts encodes it. */
function randomMessage(): WireMsg {
  switch (int(16)) {
    case 0:
      return {
        t: 'vote',
        n: { from: serverId(), state: pick(STATES), vote: { leader: serverId(), zxid: long(), peerEpoch: long() }, round: long() },
      }
    case 1:
      return { t: 'followerinfo', acceptedEpoch: long() }
    case 2:
      return { t: 'leaderinfo', epoch: long() }
    case 3:
      return { t: 'ackepoch', epoch: long(), currentEpoch: long(), lastZxid: long() }
    case 4:
      return {
        t: 'sync',
        epoch: long(),
        diff: entries(),
        outstanding: entries(),
        ...(rnd() < 0.3 ? { truncate: long() & (2n ** 62n) } : {}),
        ...(rnd() < 0.3 ? { snapshot: { zxid: long(), state: bytes(int(64)) } } : {}),
      }
    case 5:
      return { t: 'acknewleader' }
    case 6:
      return { t: 'uptodate' }
    case 7:
      return { t: 'proposal', entry: { zxid: long(), value: bytes(int(64)) } }
    case 8:
      return { t: 'ack', zxid: long() }
    case 9:
      return { t: 'commit', zxid: long() }
    case 10:
      return { t: 'ping' }
    case 11:
      return { t: 'pong' }
    case 12:
      return {
        t: 'request',
        req: {
          sessionId: long(),
          cxid: int(1000),
          type: int(120) - 10,
          body: bytes(int(64)),
          ids: rnd() < 0.5 ? [{ scheme: 'super', id: 'super' }] : [],
          address: '127.0.0.1',
        },
      }
    case 13:
      return { t: 'touch', sessions: Array.from({ length: int(4) }, long) }
    case 14:
      return { t: 'syncreq', sessionId: long(), cxid: int(1000) }
    default:
      return { t: 'syncdone', sessionId: long(), cxid: int(1000) }
  }
}

function framed(m: WireMsg): Buffer {
  const w = new Writer(256)
  const at = w.beginFrame()
  encodeWire(w, m)
  w.endFrame(at)
  return Buffer.from(w.toBuffer())
}

/** A peer message, sometimes mangled: a bit flipped, cut short, or a lying length prefix. */
function peerFrame(): Buffer {
  const f = framed(randomMessage())
  switch (int(5)) {
    case 0: {
      const b = Buffer.from(f)
      const at = int(b.length)
      b[at] = b[at]! ^ (1 << int(8))
      return b
    }
    case 1:
      return f.subarray(0, int(f.length))
    case 2:
      return Buffer.concat([Buffer.from([pick([0x7f, 0xff, 0x00]), int(256), int(256), int(256)]), f.subarray(4)])
    default:
      return f
  }
}

const hello = (acceptor: number) =>
  helloFrame({ dialer: serverId(), acceptor: rnd() < 0.8 ? acceptor : serverId(), nonce: bytes(NONCE_BYTES) })

/**
 * What a stranger does once connected: `first` goes at once; `afterAnswer`, if any, once the server
 * answers (its CHALLENGE); a stranger whose script is done leaves the socket open, so that the
 * server has to close it (at once, or at its handshake deadline).
 */
interface Script {
  kind: string
  first: Buffer[]
  afterAnswer?: Buffer[]
}

function script(acceptor: number, replays: Buffer[]): Script {
  const messages = () => Array.from({ length: 1 + int(6) }, peerFrame)
  switch (int(7)) {
    case 0:
      return { kind: 'random bytes', first: [bytes(1 + int(200))] }
    case 1:
      return { kind: 'peer messages without a HELLO', first: messages() }
    case 2:
      return { kind: 'a HELLO, then peer messages', first: [hello(acceptor), ...messages()] }
    case 3:
      // Waits for the CHALLENGE and never answers it: the server's deadline must end it.
      return {
        kind: 'a half-done handshake',
        first: [hello(acceptor)],
        afterAnswer: rnd() < 0.5 ? [] : [proofFrame(bytes(32)).subarray(0, 10)],
      }
    case 4:
      return { kind: 'a wrong MAC', first: [hello(acceptor)], afterAnswer: [proofFrame(bytes(32)), ...messages()] }
    case 5:
      return { kind: 'a replayed handshake', first: [pick(replays)] }
    default:
      // A frame header announcing far more than a handshake, and some of it.
      return { kind: 'an oversized frame', first: [Buffer.from([0x00, 0x10 + int(0x70), int(256), int(256)]), bytes(int(8192))] }
  }
}

/** Run one stranger against `port`; resolves once the server has closed the connection. */
function stranger(port: number, s: Script): Promise<{ answered: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    let answered = false
    socket.on('data', () => {
      if (answered) return
      answered = true
      for (const b of s.afterAnswer ?? []) socket.write(b)
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve({ answered }))
    socket.on('connect', () => {
      for (const b of s.first) socket.write(b)
    })
  })
}

function quorumPort(ens: Ensemble, i: number): number {
  return ens.servers[i]!.quorum!.cfg.peers.get(i + 1)!.port
}

function learnerPort(ens: Ensemble, i: number): number {
  return ens.servers[i]!.quorum!.cfg.peers.get(i + 1)!.learnerPort
}

/**
 * Route the other peers' links to server `target` through a proxy and make them redial, recording
 * what each dialer sent: a legitimate HELLO, PROOF and the Zab traffic after them.
 */
async function captureHandshakes(t: Test, ens: Ensemble, target: number): Promise<Buffer[]> {
  const id = target + 1
  const sent = new Map<number, Buffer[]>()
  let proved: () => void
  const bothProved = new Promise<void>((resolve) => (proved = resolve))
  const proxy = await startProxy(
    { host: '127.0.0.1', port: quorumPort(ens, target) },
    {
      data(link, dir, chunk) {
        if (dir !== 'up') return
        const got = sent.get(link) ?? []
        got.push(chunk)
        sent.set(link, got)
        // HELLO (48 bytes) and PROOF (40): once two dialers got that far, there is something to replay.
        if ([...sent.values()].filter((c) => Buffer.concat(c).length > 88).length >= 2) proved()
      },
    },
  )
  t.teardown(() => proxy.close())
  // Every server of this process dials through the shared address book.
  ens.servers[target]!.quorum!.cfg.peers.set(id, { ...ens.servers[target]!.quorum!.cfg.peers.get(id)!, port: proxy.port })
  for (const [i, s] of ens.servers.entries()) {
    if (i === target) continue
    s.quorum!.links.block([id])
    s.quorum!.links.heal()
  }
  await bothProved
  await ens.waitForMode(target, ['leader', 'follower'])
  return [...sent.values()].map((c) => Buffer.concat(c))
}

t.test(`the peer ports survive ${WAVES * STRANGERS_PER_WAVE} hostile connections while a client writes (seed ${SEED})`, async (t) => {
  const ens = await startEnsemble({ size: 3 })
  t.teardown(() => ens.stop())
  const leader = ens.leader()!
  const follower = [0, 1, 2].find((i) => i !== leader)!
  // Every server's election port and learner port (where only the leader takes anyone).
  const targets = [0, 1, 2].flatMap((server) => [
    { server, port: quorumPort(ens, server) },
    { server, port: learnerPort(ens, server) },
  ])
  const replays = await captureHandshakes(t, ens, follower)
  await ens.waitForLeader()
  t.equal(ens.leader(), leader, 'the capture itself changed no leader')

  const writer = await ZooKeeper.connect(ens.connectStringOf(follower), { sessionTimeout: 6000 })
  t.teardown(() => writer.close())
  const states: string[] = []
  writer.on('state', (s: string) => states.push(s))
  await writer.create('/fuzz', Buffer.from('kept'))
  let fuzzing = true
  let written = 0
  const writes = (async () => {
    while (fuzzing) await writer.create(`/fuzz/w-${written++}`, Buffer.from(String(written)))
  })()
  const rssBefore = process.memoryUsage().rss

  const kinds = new Map<string, { runs: number; answered: number }>()
  for (let wave = 0; wave < WAVES; wave++) {
    const runs = Array.from({ length: STRANGERS_PER_WAVE }, async (_, n) => {
      const target = targets[n % targets.length]!
      const s = script(target.server + 1, replays)
      const { answered } = await stranger(target.port, s)
      const k = kinds.get(s.kind) ?? { runs: 0, answered: 0 }
      k.runs++
      if (answered) k.answered++
      kinds.set(s.kind, k)
    })
    await Promise.all(runs)
  }
  fuzzing = false
  await writes
  const grown = (process.memoryUsage().rss - rssBefore) / 2 ** 20

  t.comment([...kinds].map(([kind, k]) => `${kind}: ${k.runs} (${k.answered} got a CHALLENGE)`).join('; '))
  t.equal(kinds.size, 7, 'every kind of stranger ran')
  t.ok(kinds.get('a wrong MAC')!.answered > 0, 'strangers with a wrong MAC got as far as the CHALLENGE')
  t.ok(written > WAVES, `the client wrote ${written} nodes during the fuzz, every one acknowledged`)
  t.same(states, [], "the client's connection never dropped")

  t.equal(ens.leader(), leader, 'the same server leads')
  for (const i of [0, 1, 2].filter((i) => i !== leader)) {
    const s = await stranger(learnerPort(ens, i), { kind: 'a HELLO', first: [hello(i + 1)] })
    t.notOk(s.answered, `follower ${i} still takes no learner: its learner port answers nothing`)
  }
  t.same(ens.modes().filter((m) => m === 'leader').length, 1, 'one leader')
  const clients = await Promise.all([0, 1, 2].map((i) => ZooKeeper.connect(ens.connectStringOf(i), { sessionTimeout: 6000 })))
  t.teardown(() => Promise.all(clients.map((c) => c.close())))
  for (const [i, zk] of clients.entries()) {
    await zk.create(`/after-${i}`, Buffer.from(`from ${i}`))
    t.equal((await zk.getData('/fuzz')).data.toString(), 'kept', `server ${i} serves reads and writes`)
  }
  // The replicas agree: once every server has applied the same zxid, their trees are equal.
  const agreed = await replicaDigests(ens.servers, clients)
  t.ok(agreed, 'the servers reached the same zxid')
  if (agreed)
    t.same(
      agreed.digests,
      [agreed.digests[0], agreed.digests[0], agreed.digests[0]],
      `the three trees are equal at zxid 0x${agreed.zxid.toString(16)}`,
    )
  t.equal((await clients[0]!.getChildren('/fuzz')).length, written, 'every acknowledged write is in the tree')
  t.ok(grown < 128, `memory stayed bounded (RSS grew ${grown.toFixed(0)} MB)`)
})
