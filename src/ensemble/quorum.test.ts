// The bundled ensemble as a quorum: writes through any server, global sessions, sync on a follower,
// partitions (the minority stops serving, the majority goes on), failover, recovery from data dirs.
import t from 'tap'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startEnsemble, type Ensemble } from './index.js'
import { ZooKeeper, CreateMode, NoNodeError, withRetry } from '../index.js'
import { fourLetterWord } from '../testing/real-zookeeper.js'
import { peerProcessesOf, procAvailable, processGone } from '../testing/processes.js'

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'zookit-quorum-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function client(t: { teardown(fn: () => unknown): void }, cs: string, sessionTimeout = 6000): Promise<ZooKeeper> {
  const zk = await ZooKeeper.connect(cs, { sessionTimeout })
  t.teardown(() => zk.close())
  return zk
}

function followers(ens: Ensemble): number[] {
  return ens.servers.map((_, i) => i).filter((i) => i !== ens.leader())
}

function waitState(zk: ZooKeeper, state: string): Promise<void> {
  return new Promise((resolve) => (zk.state === state ? resolve() : zk.on('state', (s: string) => s === state && resolve())))
}

t.test('three servers: one leader, writes through followers, the same state everywhere', async (t) => {
  const ens = await startEnsemble({ size: 3 })
  t.teardown(() => ens.stop())
  const l = ens.leader()!
  t.equal(ens.servers.filter((s) => s.mode === 'leader').length, 1, 'exactly one leader')
  const [f1, f2] = followers(ens)
  const a = await client(t, ens.connectStringOf(f1!))
  const b = await client(t, ens.connectStringOf(f2!))
  const c = await client(t, ens.connectStringOf(l))
  // Sequential creates from three servers at once: the leader numbers them, no name twice.
  const made = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      [a, b, c][i % 3]!.create('/seq-', Buffer.from(String(i)), { mode: CreateMode.PERSISTENT_SEQUENTIAL }),
    ),
  )
  t.equal(new Set(made.map((m) => m.path)).size, 30, 'thirty distinct sequential names')
  await a.setData('/seq-0000000000', Buffer.from('changed'))
  await b.sync('/')
  t.equal(
    (await b.getData('/seq-0000000000')).data.toString(),
    'changed',
    'after sync a follower reads a write made through the other follower',
  )
  await c.sync('/')
  const zxids = ens.servers.map((s) => s.tree.lastZxid)
  const views = ens.servers.map((s) => [...s.tree.nodes.keys()].sort().join(','))
  t.equal(new Set(views).size, 1, 'every server holds the same nodes')
  t.equal(new Set(zxids).size, 1, 'and the same last zxid')
  const srvr = await fourLetterWord('127.0.0.1', Number(ens.connectStringOf(l).split(':')[1]), 'srvr')
  t.match(srvr, /Mode: leader/)
  const fsrvr = await fourLetterWord('127.0.0.1', Number(ens.connectStringOf(f1!).split(':')[1]), 'srvr')
  t.match(fsrvr, /Mode: follower/)
})

t.test('sessions are global: resume on another server, expire once, ephemerals gone everywhere', async (t) => {
  const ens = await startEnsemble({ size: 3, tickTime: 200 })
  t.teardown(() => ens.stop())
  const [f1, f2] = followers(ens)
  const zk = await client(t, ens.connectStringOf(f1!), 4000)
  await zk.create('/owned', null, { mode: CreateMode.EPHEMERAL })
  const id = zk.sessionId
  t.equal(id >> 56n, BigInt(f1! + 1), 'as in ZooKeeper, the id names the server the session was created through')
  // Another client takes the session over through a different server (Curator's KillSession
  // trick): the session is the same everywhere, so the password is accepted there.
  const twin = new ZooKeeper(ens.connectStringOf(f2!), { sessionId: id, sessionPassword: zk.sessionPassword, sessionTimeout: 4000 })
  await twin.waitForConnected({ timeout: 10_000 })
  t.equal(twin.sessionId, id, 'resumed on the other follower')
  t.ok((await twin.exists('/owned')) !== null, 'its ephemeral is there')
  const watcher = await client(t, ens.connectStringOf(ens.leader()!))
  const gone = new Promise<void>((resolve) => void watcher.exists('/owned', { watch: () => resolve() }))
  const expired = waitState(twin, 'expired')
  t.ok(ens.expireSession(id), 'the leader expires it')
  t.notOk(ens.expireSession(id), 'only once')
  await expired
  await gone
  await watcher.sync('/')
  for (const s of ens.servers) t.notOk(s.tree.get('/owned'), 'the ephemeral is gone on every server')
  for (const s of ens.servers) t.notOk(s.tracker.sessions.has(id), 'no server knows the session')
  await twin.close()
})

t.test('a session kept alive only through a follower does not expire', async (t) => {
  const ens = await startEnsemble({ size: 3, tickTime: 100, minSessionTimeout: 400 })
  t.teardown(() => ens.stop())
  const zk = await client(t, ens.connectStringOf(followers(ens)[0]!), 400)
  await zk.create('/alive', null, { mode: CreateMode.EPHEMERAL })
  // Pings go to the follower only; the leader hears of the session through the follower's touches.
  // Wait out several timeouts by watching pings go by (events, not sleeps).
  let pings = 0
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      pings++
      if (pings >= 15) {
        clearInterval(tick)
        resolve()
      }
    }, 100)
  })
  t.equal(zk.state, 'connected')
  t.ok(await zk.exists('/alive'), 'still there after 1.5 s (timeout 400 ms)')
})

t.test('partition: the minority stops serving, the majority goes on, healing catches it up', async (t) => {
  const ens = await startEnsemble({ size: 3 })
  t.teardown(() => ens.stop())
  const l = ens.leader()!
  const [f1, f2] = followers(ens)
  // Cut the leader off alone: it must step down; the two followers elect a new leader.
  const writer = await client(t, `${ens.connectStringOf(f1!)},${ens.connectStringOf(f2!)}`)
  await writer.create('/p', Buffer.from('before'))
  ens.partition([[l], [f1!, f2!]])
  // The old leader no longer serves (it cannot reach a quorum); once it says so, the only leader
  // there can be is one of the majority side.
  await ens.waitForMode(l, 'looking')
  t.ok([f1, f2].includes(await ens.waitForLeader()), 'a new leader on the majority side')
  await withRetry(() => writer.setData('/p', Buffer.from('during')), { retries: 20 })
  t.equal(ens.modes()[l], 'looking', 'the isolated old leader is looking, serving no client')
  ens.heal()
  await ens.waitForMode(l, 'follower')
  const back = await client(t, ens.connectStringOf(l))
  await back.sync('/')
  t.equal((await back.getData('/p')).data.toString(), 'during', 'the old leader caught up after healing')
})

t.test('the leader dies: a new one within moments, no acknowledged write lost', async (t) => {
  const ens = await startEnsemble({ size: 5 })
  t.teardown(() => ens.stop())
  const zk = await client(t, ens.connectString)
  const acked: string[] = []
  for (let i = 0; i < 20; i++) acked.push((await zk.create(`/n-${i}`, Buffer.from('x'))).path)
  const l = ens.leader()!
  await ens.kill(l)
  const nl = await ens.waitForLeader(20_000)
  t.not(nl, l)
  await withRetry(() => zk.create('/after', null), { retries: 30 })
  for (const p of acked) t.ok(await withRetry(() => zk.exists(p), { retries: 10 }), `${p} survived`)
  await ens.restart(l)
  await ens.waitForMode(l, 'follower')
  const z2 = await client(t, ens.connectStringOf(l))
  await z2.sync('/')
  t.ok(await z2.exists('/after'), 'the restarted server caught up')
})

t.test('data dirs: the whole ensemble crashes and comes back with every acknowledged write', async (t) => {
  const dataDir = tempDir(t)
  const ens = await startEnsemble({ size: 3, dataDir, fsync: false })
  t.teardown(() => ens.stop())
  const zk = await ZooKeeper.connect(ens.connectString, { sessionTimeout: 6000 })
  await zk.create('/durable', Buffer.from('v0'))
  for (let i = 1; i <= 30; i++) await zk.setData('/durable', Buffer.from(`v${i}`))
  await zk.close()
  for (let i = 0; i < 3; i++) await ens.kill(i)
  for (let i = 0; i < 3; i++) await ens.restart(i)
  await ens.waitForLeader(20_000)
  const again = await client(t, ens.connectString)
  t.equal((await again.getData('/durable')).data.toString(), 'v30', "state recovered from the peers' logs")
  t.equal((await again.getData('/durable')).stat.version, 30)
  await t.rejects(again.getData('/nothing'), NoNodeError)
})

t.test('bad arguments', async (t) => {
  await t.rejects(startEnsemble({ size: 0 }), RangeError)
  const ens = await startEnsemble({ size: 3 })
  t.teardown(() => ens.stop())
  t.throws(() => ens.partition([[7]]), RangeError)
  t.throws(
    () =>
      ens.partition([
        [0, 1],
        [1, 2],
      ]),
    /named in two groups/,
  )
  await t.rejects(ens.kill(3), RangeError)
  t.throws(() => ens.connectStringOf(-1), RangeError)
})

/** Server `i`'s learner (quorum) port, as its `conf` names it: server.N=host:quorumPort:electionPort. */
async function learnerPortOf(ens: Ensemble, i: number): Promise<number> {
  const conf = await fourLetterWord('127.0.0.1', Number(ens.connectStringOf(i).split(':')[1]), 'conf')
  const line = new RegExp(`^server\\.${i + 1}=127\\.0\\.0\\.1:(\\d+):(\\d+):participant$`, 'm').exec(conf)
  if (!line || line[1] === line[2]) throw new Error(`server ${i}'s conf names no learner port of its own:\n${conf}`)
  return Number(line[1])
}

/** Whether binding `port` on 127.0.0.1 fails because something holds it. */
async function held(port: number): Promise<boolean> {
  const net = await import('node:net')
  return new Promise((resolve) => {
    const srv = net.createServer()
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'))
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(false)))
  })
}

t.test('servers as processes: kill -9 of the leader is a real SIGKILL; its log survives on disk', async (t) => {
  const ens = await startEnsemble({ size: 3, processes: true })
  t.teardown(() => ens.stop())
  t.same(ens.servers, [], 'no in-process servers')
  t.equal(ens.modes().filter((m) => m === 'leader').length, 1)
  const zk = await client(t, ens.connectString)
  for (let i = 0; i < 10; i++) await zk.create(`/proc-${i}`, Buffer.from(String(i)))
  const l = ens.leader()!
  const learnerPorts = await Promise.all([0, 1, 2].map((i) => learnerPortOf(ens, i)))
  for (const i of [0, 1, 2]) t.ok(await held(learnerPorts[i]!), `server ${i} (${ens.modes()[i]}) holds its learner port`)
  await ens.kill(l)
  t.equal(ens.modes()[l], 'down')
  const nl = await ens.waitForLeader(20_000)
  t.not(nl, l, 'another process leads')
  await withRetry(() => zk.setData('/proc-0', Buffer.from('after')), { retries: 30 })
  await ens.restart(l)
  // The restarted process recovers its log from disk and follows.
  t.equal(await ens.waitForMode(l, 'follower', 20_000), 'follower', 'its role changes reach the parent')
  t.equal(await learnerPortOf(ens, l), learnerPorts[l], 'it comes back on the same learner port')
  t.ok(await held(learnerPorts[l]!), 'and holds it while it follows')
  const back = await ZooKeeper.connect(ens.connectStringOf(l), { sessionTimeout: 6000, initialConnectTimeout: 20_000 })
  t.teardown(() => back.close())
  await back.sync('/')
  t.equal((await back.getData('/proc-0')).data.toString(), 'after')
  t.equal((await back.getData('/proc-9')).data.toString(), '9')
  ens.pause(nl)
  const third = await ens.waitForLeader(20_000)
  t.not(third, nl, 'a frozen (SIGSTOP) leader is replaced')
  ens.resume(nl)
})

t.test('four-letter words on a server without a leader', async (t) => {
  const ens = await startEnsemble({ size: 3 })
  t.teardown(() => ens.stop())
  const [f1, f2] = followers(ens)
  await ens.kill(ens.leader()!)
  await ens.kill(f2!)
  await ens.waitForMode(f1!, 'looking')
  const port = Number(ens.connectStringOf(f1!).split(':')[1])
  t.equal(await fourLetterWord('127.0.0.1', port, 'ruok'), 'imok')
  t.equal(await fourLetterWord('127.0.0.1', port, 'srvr'), 'This ZooKeeper instance is not currently serving requests\n')
  // As a real 3.8 peer in the same state answers (checked with a 3-node ensemble, two killed).
  t.equal(await fourLetterWord('127.0.0.1', port, 'conf'), 'This ZooKeeper instance is not currently serving requests\n')
  t.match(await fourLetterWord('127.0.0.1', port, 'envi'), /^Environment:\n/)
  // And a client is turned away rather than served stale data.
  await t.rejects(ZooKeeper.connect(ens.connectStringOf(f1!), { sessionTimeout: 2000, initialConnectTimeout: 1500 }))
})

t.test("snapshots bound the peers' logs; a follower too far behind gets the snapshot (SNAP)", async (t) => {
  const ens = await startEnsemble({ size: 3, snapshotEvery: 20 })
  t.teardown(() => ens.stop())
  const zk = await client(t, ens.connectString)
  await zk.create('/s', Buffer.from('0'))
  for (let i = 1; i <= 40; i++) await zk.setData('/s', Buffer.from(String(i)))
  const f = followers(ens)[0]!
  await ens.kill(f)
  for (let i = 41; i <= 100; i++) await withRetry(() => zk.setData('/s', Buffer.from(String(i))), { retries: 10 })
  const l = ens.leader()!
  const lp = ens.servers[l]!.quorum!.peer
  t.ok(lp.base && lp.committed.length < 25, `the leader keeps a snapshot and a short log (${lp.committed.length} entries)`)
  await ens.restart(f)
  await ens.waitForMode(f, 'follower')
  t.ok(ens.servers[f]!.quorum!.peer.snapshotsInstalled >= 1, "the returning follower was sent the leader's snapshot")
  const z2 = await client(t, ens.connectStringOf(f))
  await z2.sync('/')
  const got = await z2.getData('/s')
  t.equal(got.data.toString(), '100')
  t.equal(got.stat.version, 100)
  t.equal(ens.servers[f]!.tree.nodes.size, ens.servers[l]!.tree.nodes.size)
})

t.test("mntr's snapshottime counts each server's snapshots, as ZooKeeper's does", async (t) => {
  const ens = await startEnsemble({ size: 3, snapshotEvery: 10 })
  t.teardown(() => ens.stop())
  const zk = await client(t, ens.connectString)
  const snapshots = async (i: number) => {
    const port = Number(ens.connectStringOf(i).split(':').pop())
    return Number(/^zk_cnt_snapshottime\t(\d+)$/m.exec(await fourLetterWord('127.0.0.1', port, 'mntr'))?.[1])
  }
  t.equal(await snapshots(ens.leader()!), 0, 'none before any write')
  await zk.create('/s', Buffer.from('0'))
  for (let i = 1; i <= 25; i++) await zk.setData('/s', Buffer.from(String(i)))
  await zk.sync('/')
  t.ok((await snapshots(ens.leader()!)) >= 2, 'the leader counted its snapshots (26 txns, one every 10)')
})

t.test('data dirs with snapshots: a crash of all recovers from snapshot plus log', async (t) => {
  const dataDir = tempDir(t)
  const ens = await startEnsemble({ size: 3, dataDir, fsync: false, snapshotEvery: 15 })
  t.teardown(() => ens.stop())
  const zk = await ZooKeeper.connect(ens.connectString, { sessionTimeout: 6000 })
  await zk.create('/d', Buffer.from('0'))
  for (let i = 1; i <= 50; i++) await zk.setData('/d', Buffer.from(String(i)))
  const eph = await zk.create('/eph', null, { mode: CreateMode.EPHEMERAL })
  void eph
  const { existsSync } = await import('node:fs')
  // The leader applies each commit before any follower can answer for it.
  t.ok(existsSync(path.join(dataDir, `server${ens.leader()! + 1}`, 'snapshot')), 'the leader wrote a snapshot')
  for (let i = 0; i < 3; i++) await ens.kill(i)
  for (let i = 0; i < 3; i++) await ens.restart(i)
  await ens.waitForLeader(20_000)
  // The session survived the crash too (its ephemeral is there and it can resume).
  await zk.sync('/').catch(() => undefined)
  const again = await client(t, ens.connectString)
  t.equal((await again.getData('/d')).data.toString(), '50')
  t.ok(await again.exists('/eph'), 'the ephemeral of the live session is still there')
  await zk.close()
  await again.sync('/')
  t.notOk(await again.exists('/eph'), 'and goes when its session closes')
})

t.test('the leader refuses writes of a session that is gone or closing (no orphan ephemerals)', async (t) => {
  const ens = await startEnsemble({ size: 3 })
  t.teardown(() => ens.stop())
  const leader = ens.servers[ens.leader()!]!
  const { ErrorCode, OpCode } = await import('../protocol.js')
  const body = Buffer.alloc(0)
  const unknown = leader.pipeline.prepare(
    { sessionId: 0x1234n, cxid: 1, type: OpCode.create, body, ids: [], address: '127.0.0.1' },
    leader.tree,
  )
  t.same(unknown.txn, { type: 'error', err: ErrorCode.SESSIONEXPIRED })
  const zk = await client(t, ens.connectStringOf(followers(ens)[0]!))
  const s = leader.tracker.sessions.get(zk.sessionId)!
  t.ok(s, 'the leader knows a session created through a follower')
  s.closing = true
  await t.rejects(zk.create('/orphan', null, { mode: CreateMode.EPHEMERAL }), { code: ErrorCode.SESSIONEXPIRED })
  s.closing = false
  t.notOk(leader.tree.get('/orphan'))
})

/** A port on 127.0.0.1 that this test holds until it ends. */
async function portInUse(t: { teardown(fn: () => unknown): void }): Promise<number> {
  const net = await import('node:net')
  const blocker = net.createServer()
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()))
  t.teardown(() => new Promise<void>((r) => blocker.close(() => r())))
  return (blocker.address() as import('node:net').AddressInfo).port
}

t.test('a client port in use fails the start cleanly, leaving nothing listening', async (t) => {
  const port = await portInUse(t)
  // Servers take port, port+1, port+2: the first collides.
  await t.rejects(startEnsemble({ size: 3, port }), /could not listen: .*EADDRINUSE/)
  // Had the other servers been left listening, this test's process would not exit (tap would time out).
})

t.test(
  'as processes, a port in use fails the start and leaves no process and no temporary directory',
  { skip: !procAvailable && 'needs /proc' },
  async (t) => {
    const port = await portInUse(t)
    const tmp = tempDir(t)
    // os.tmpdir() reads TMPDIR at each call: the ensemble's directory goes where this test can see it.
    const saved = process.env.TMPDIR
    process.env.TMPDIR = tmp
    try {
      await t.rejects(startEnsemble({ size: 3, processes: true, port }), /server 0: .*EADDRINUSE/)
    } finally {
      if (saved === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = saved
    }
    t.same(
      peerProcessesOf(process.pid).filter((pid) => !processGone(pid)),
      [],
      'the servers that started were stopped',
    )
    t.same(
      readdirSync(tmp).filter((f) => f.startsWith('zookit-ensemble-')),
      [],
      'and their directory removed',
    )
  },
)

t.test('requests sent right after the ConnectRequest wait for the new session on a follower (as ZooKeeper holds them)', async (t) => {
  const ens = await startEnsemble({ size: 3 })
  t.teardown(() => ens.stop())
  const { default: net } = await import('node:net')
  const { Writer } = await import('../jute/writer.js')
  const P = await import('../jute/generated/proto.generated.js')
  const { FrameDecoder } = await import('../transport/frame-decoder.js')
  const frame = (fill: (w: InstanceType<typeof Writer>) => void) => {
    const w = new Writer(128)
    const at = w.beginFrame()
    fill(w)
    w.endFrame(at)
    return Buffer.from(w.toBuffer())
  }
  const connect = frame((w) =>
    P.encodeConnectRequest(w, {
      protocolVersion: 0,
      lastZxidSeen: 0n,
      timeOut: 4000,
      sessionId: 0n,
      passwd: Buffer.alloc(16),
      readOnly: false,
    }),
  )
  const exists = (xid: number) =>
    frame((w) => {
      P.encodeRequestHeader(w, { xid, type: 3 })
      P.encodeExistsRequest(w, { path: '/', watch: false })
    })
  const port = Number(ens.connectStringOf(followers(ens)[0]!).split(':')[1])
  const socket = net.connect(port, '127.0.0.1')
  t.teardown(() => socket.destroy())
  const decoder = new FrameDecoder(1 << 20)
  const frames: Buffer[] = []
  const got = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk) => {
      frames.push(...decoder.push(chunk))
      if (frames.length >= 3) resolve()
    })
    socket.on('close', () => reject(new Error(`closed after ${frames.length} frames`)))
  })
  // All in one write: the follower creates the session through the leader before it answers.
  socket.write(Buffer.concat([connect, exists(1), exists(2)]))
  await got
  t.ok(frames[0]!.readInt32BE(4) > 0, 'the session was created (a positive timeout)')
  t.same(
    frames.slice(1).map((f) => [f.readInt32BE(0), f.readInt32BE(12)]),
    [
      [1, 0],
      [2, 0],
    ],
    'both requests were answered, in order, without an error',
  )
})
