// A seeded fuzzer of the client port of a bundled 3-server quorum: strangers send handshakes,
// well-formed requests of every opcode with random fields, mutated frames, random bytes and lying
// length prefixes, on many connections at once. Afterwards every server must still serve, the
// replicas must hold the same tree, and memory must not have run away.
import t from 'tap'
import net from 'node:net'
import { startEnsemble } from '../../src/ensemble/index.js'
import { ZooKeeper } from '../../src/index.js'
import { OpCode } from '../../src/protocol.js'
import { recordSchemas as proto } from '../../src/jute/generated/proto.generated.js'
import type { RecordSchema } from '../../src/jute/schema.js'
import { Writer } from '../../src/jute/writer.js'
import { FrameDecoder } from '../../src/transport/frame-decoder.js'
import { prng, randomRecord } from '../../src/testing/random-records.js'
import { replicaDigests } from '../../src/testing/tree-digest.js'

const SEED = Number(process.env.ZOOKIT_FUZZ_SEED ?? 20261202)
const CONNECTIONS = 240
const FRAMES_PER_CONNECTION = 80

/** The request record each opcode carries (undefined: no body, or one the fuzzer makes up). */
const BODIES: Partial<Record<number, RecordSchema>> = {
  [OpCode.create]: proto.CreateRequest,
  [OpCode.create2]: proto.CreateRequest,
  [OpCode.createContainer]: proto.CreateRequest,
  [OpCode.createTTL]: proto.CreateTTLRequest,
  [OpCode.delete]: proto.DeleteRequest,
  [OpCode.exists]: proto.ExistsRequest,
  [OpCode.getData]: proto.GetDataRequest,
  [OpCode.setData]: proto.SetDataRequest,
  [OpCode.getACL]: proto.GetACLRequest,
  [OpCode.setACL]: proto.SetACLRequest,
  [OpCode.getChildren]: proto.GetChildrenRequest,
  [OpCode.getChildren2]: proto.GetChildrenRequest,
  [OpCode.sync]: proto.SyncRequest,
  [OpCode.check]: proto.CheckVersionRequest,
  [OpCode.auth]: proto.AuthPacket,
  [OpCode.setWatches]: proto.SetWatches,
  [OpCode.setWatches2]: proto.SetWatches2,
  [OpCode.addWatch]: proto.AddWatchRequest,
  [OpCode.removeWatches]: proto.RemoveWatchesRequest,
  [OpCode.checkWatches]: proto.CheckWatchesRequest,
  [OpCode.getEphemerals]: proto.GetEphemeralsRequest,
  [OpCode.getAllChildrenNumber]: proto.GetAllChildrenNumberRequest,
}
// Everything but closing the session, which would end the connection's fuzzing at once (it comes last).
const OPCODES = [...Object.values(OpCode).filter((op) => op !== OpCode.closeSession), 999, -3]

const rnd = prng(SEED)
const int = (n: number) => Math.floor(rnd() * n)

function frame(fill: (w: Writer) => void): Buffer {
  const w = new Writer(256)
  const at = w.beginFrame()
  fill(w)
  w.endFrame(at)
  return Buffer.from(w.toBuffer())
}

/** A ConnectRequest: mostly a new session, sometimes someone else's id with a made-up password. */
function handshake(): Buffer {
  return frame((w) =>
    proto.ConnectRequest!.encode(w, {
      protocolVersion: 0,
      lastZxidSeen: rnd() < 0.9 ? 0n : BigInt(int(1000)),
      timeOut: rnd() < 0.9 ? 4000 : int(0x7fffffff) - 1000,
      sessionId: rnd() < 0.85 ? 0n : BigInt(int(0x7fffffff)),
      passwd: Buffer.alloc(16, int(256)),
    }),
  )
}

/** A request of a random opcode with random fields; `hostile`: mangled, or bytes that are not a frame. */
function requestBytes(hostile: boolean): Buffer {
  const type = OPCODES[int(OPCODES.length)]!
  const schema = BODIES[type]
  const request = frame((w) => {
    w.int(int(1000) - 10).int(type)
    if (schema) schema.encode(w, randomRecord(schema, rnd))
    else if (rnd() < 0.5) w.buffer(Buffer.alloc(int(64), int(256)))
  })
  switch (hostile ? int(4) : -1) {
    case 0: {
      // A bit flipped somewhere after the length prefix.
      const b = Buffer.from(request)
      const at = 4 + int(Math.max(1, b.length - 4))
      if (at < b.length) b[at] = b[at]! ^ (1 << int(8))
      return b
    }
    case 1:
      // Cut short: the server waits for the rest (and meets the next frame's bytes).
      return request.subarray(0, int(request.length))
    case 2:
      // A length prefix that lies: huge, negative, or just over jute.maxbuffer.
      return Buffer.concat([Buffer.from([0x7f, 0xff, 0xff, 0xff].map((x) => (rnd() < 0.5 ? x : int(256)))), request.subarray(4)])
    case 3:
      return Buffer.from(Array.from({ length: 1 + int(40) }, () => int(256)))
    default:
      return request
  }
}

/** The xid of the last request of a connection's fuzz: its answer says the server got through them all. */
const MARKER_XID = 0x7eadbeef
const marker = frame((w) => {
  w.int(MARKER_XID).int(OpCode.exists)
  proto.ExistsRequest!.encode(w, { path: '/', watch: false })
})

/**
 * One stranger: the handshake; once it is answered (as clients wait), the requests and a marker;
 * once the marker is answered, the tail (mangled bytes or a closeSession) and the end of the
 * connection. A server that closes the connection first ends it too. Resolves once it is closed.
 */
function stranger(port: number, handshakeBytes: Buffer, requests: Buffer[], tail: Buffer | undefined, polite: boolean): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    const frames = new FrameDecoder(64 * 2 ** 20)
    let stage: 'handshake' | 'requests' | 'tail' = 'handshake'
    const sendRequests = () => {
      stage = 'requests'
      for (const r of requests) socket.write(r)
      socket.write(marker)
    }
    const finish = () => {
      stage = 'tail'
      if (tail) socket.write(tail)
      socket.end()
    }
    socket.on('data', (chunk) => {
      if (stage === 'handshake') return sendRequests()
      if (stage !== 'requests') return
      let got: Buffer[]
      try {
        got = frames.push(chunk)
      } catch {
        return socket.destroy()
      }
      if (got.some((f) => f.length >= 4 && f.readInt32BE(0) === MARKER_XID)) finish()
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve())
    socket.on('connect', () => {
      socket.write(handshakeBytes)
      if (!polite) finish()
    })
  })
}

t.test(`the client port survives ${CONNECTIONS} hostile connections (seed ${SEED})`, async (t) => {
  const ens = await startEnsemble({ size: 3 })
  t.teardown(() => ens.stop())
  const admin = await ZooKeeper.connect(ens.connectString)
  t.teardown(() => admin.close())
  await admin.create('/fuzz-before', 'kept')
  const rssBefore = process.memoryUsage().rss

  const ports = [0, 1, 2].map((i) => Number(ens.connectStringOf(i).split(':')[1]))
  const runs: Promise<void>[] = []
  for (let c = 0; c < CONNECTIONS; c++) {
    const polite = rnd() < 0.85
    // Well-formed requests, so that a connection reaches many opcodes; then, often, what ends it:
    // mangled bytes, or a closeSession.
    const requests = Array.from({ length: FRAMES_PER_CONNECTION }, () => requestBytes(false))
    const tail = rnd() < 0.5 ? requestBytes(true) : rnd() < 0.5 ? frame((w) => w.int(int(1000)).int(OpCode.closeSession)) : undefined
    runs.push(stranger(ports[c % 3]!, polite ? handshake() : requestBytes(true), requests, tail, polite))
  }
  await Promise.all(runs)
  const answered = ens.servers.reduce((sum, s) => sum + s.packetsSent, 0)
  t.ok(answered > CONNECTIONS * 3, `the servers answered ${answered} frames of the fuzz (not just closed the connections)`)

  // Every server still serves: a write through each, read back through each.
  for (const [i] of ports.entries()) {
    const zk = await ZooKeeper.connect(ens.connectStringOf(i))
    t.teardown(() => zk.close())
    await zk.create(`/fuzz-after-${i}`, `from ${i}`)
    t.equal((await zk.getData('/fuzz-before')).data.toString(), 'kept', `server ${i} serves reads`)
  }
  t.same(ens.modes().filter((m) => m === 'leader').length, 1, 'one leader still')

  // The replicas agree: once every server has caught up to the same zxid, their trees are equal.
  const clients = await Promise.all(ports.map((_, i) => ZooKeeper.connect(ens.connectStringOf(i))))
  t.teardown(() => Promise.all(clients.map((c) => c.close())))
  const agreed = await replicaDigests(ens.servers, clients)
  t.ok(agreed, 'the servers reached the same zxid')
  if (agreed)
    t.same(
      agreed.digests,
      [agreed.digests[0], agreed.digests[0], agreed.digests[0]],
      `the three trees are equal at zxid 0x${agreed.zxid.toString(16)}`,
    )

  const grown = (process.memoryUsage().rss - rssBefore) / 2 ** 20
  t.ok(grown < 256, `memory stayed bounded (RSS grew ${grown.toFixed(0)} MB)`)
})
