// Server-only behaviour of the bundled ensemble: recovery from its data dir (including a torn log
// tail), session expiry, container and TTL reaping, hostile connections, four-letter words.
import t from 'tap'
import net from 'node:net'
import { mkdtempSync, readdirSync, appendFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startEnsemble } from './index.js'
import { ZooKeeper, CreateMode, NoNodeError, withRetry, type WatchedEvent } from '../index.js'
import { fourLetterWord } from '../testing/real-zookeeper.js'

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'zookit-ens-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function waitState(zk: ZooKeeper, state: string): Promise<void> {
  return new Promise((resolve) => (zk.state === state ? resolve() : zk.on('state', (s: string) => s === state && resolve())))
}

t.test('restart recovers every acknowledged write, sessions and a torn log tail', async (t) => {
  const dataDir = tempDir(t)
  const ens = await startEnsemble({ dataDir, tickTime: 200, snapshotEvery: 50 })
  t.teardown(() => ens.stop())
  const zk = await ZooKeeper.connect(ens.connectString, { sessionTimeout: 4000 })
  t.teardown(() => zk.close())
  await zk.create('/keep', 'v0')
  for (let i = 0; i < 120; i++) await zk.setData('/keep', `v${i + 1}`) // crosses two snapshots
  const seq0 = await zk.create('/seq-', null, { mode: CreateMode.PERSISTENT_SEQUENTIAL })
  await zk.create('/eph', null, { mode: CreateMode.EPHEMERAL })
  const before = await zk.getData('/keep')
  t.ok(
    readdirSync(dataDir).some((f) => f.startsWith('snapshot.')),
    'a snapshot was taken',
  )

  await ens.restart()
  // Simulate a crash mid-append on top: garbage at the end of the newest log.
  const logs = readdirSync(dataDir)
    .filter((f) => f.startsWith('log.'))
    .sort()
  if (logs.length) appendFileSync(path.join(dataDir, logs[logs.length - 1]!), Buffer.from([0, 0, 0, 40, 1, 2, 3]))
  await ens.restart()

  // The client notices the restart, reconnects with its session, and the read goes through.
  const after = await withRetry(() => zk.getData('/keep'), { retries: 20 })
  t.equal(after.data.toString(), 'v120')
  t.same(after.stat, before.stat, 'same Stat after two restarts')
  t.ok(await zk.exists('/eph'), 'the session survived the restart, and so did its ephemeral')
  const seq = await zk.create('/seq-', null, { mode: CreateMode.PERSISTENT_SEQUENTIAL })
  t.equal(seq0.path, '/seq-0000000001')
  t.equal(seq.path, '/seq-0000000003', 'sequence numbers continue from the recovered parent cversion')
  t.ok(zk.lastZxid > before.stat.mzxid, 'zxids continue')
})

t.test('expiry deletes ephemerals and tells watchers; expireSession does it at once', async (t) => {
  const ens = await startEnsemble({ tickTime: 100 })
  t.teardown(() => ens.stop())
  const owner = await ZooKeeper.connect(ens.connectString, { sessionTimeout: 400 })
  const observer = await ZooKeeper.connect(ens.connectString)
  t.teardown(() => observer.close())
  await owner.create('/e', null, { mode: CreateMode.EPHEMERAL })
  let fired!: (e: WatchedEvent) => void
  const gone = new Promise<WatchedEvent>((r) => (fired = r))
  t.ok(await observer.exists('/e', { watch: (e) => fired(e) }))
  t.ok(ens.expireSession(owner.sessionId))
  t.equal((await gone).type, 'deleted')
  await waitState(owner, 'expired')
  t.equal(await observer.exists('/e'), null)
  await owner.close()
})

t.test('containers and TTL nodes are reaped', async (t) => {
  const ens = await startEnsemble({ tickTime: 50, containerCheckInterval: 50 })
  t.teardown(() => ens.stop())
  const zk = await ZooKeeper.connect(ens.connectString)
  t.teardown(() => zk.close())
  await zk.create('/box', null, { mode: CreateMode.CONTAINER })
  await zk.create('/box/item')
  await zk.create('/ttl', null, { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 100 })
  const boxGone = new Promise<WatchedEvent>((r) => void zk.exists('/box', { watch: r }))
  const ttlGone = new Promise<WatchedEvent>((r) => void zk.exists('/ttl', { watch: r }))
  await zk.sync('/')
  t.ok(await zk.exists('/box'), 'a container with a child stays')
  await zk.delete('/box/item')
  t.equal((await boxGone).type, 'deleted', 'the emptied container went')
  t.equal((await ttlGone).type, 'deleted', 'the TTL node went after its time')
  await t.rejects(zk.getData('/ttl'), NoNodeError)
})

t.test('a bad frame closes only its own connection; 4lw answer', async (t) => {
  const ens = await startEnsemble()
  t.teardown(() => ens.stop())
  const zk = await ZooKeeper.connect(ens.connectString)
  t.teardown(() => zk.close())
  const port = Number(ens.connectString.split(':')[1])
  const closed = await new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(Buffer.from([0x7f, 0xff, 0xff, 0x00, 1, 2, 3])))
    s.on('close', () => resolve(true))
    s.on('error', () => {})
  })
  t.ok(closed, 'the hostile connection was closed')
  await zk.create('/still-fine')
  t.equal(zk.state, 'connected')
  t.equal(await fourLetterWord('127.0.0.1', port, 'ruok'), 'imok')
  const srvr = await fourLetterWord('127.0.0.1', port, 'srvr')
  t.match(srvr, /Zookeeper version: 3\.8/)
  t.match(srvr, /Mode: standalone/)
  t.match(await fourLetterWord('127.0.0.1', port, 'mntr'), /zk_znode_count\t\d+/)
})

t.test('a client that omits the readOnly byte gets a ConnectResponse without one', async (t) => {
  const ens = await startEnsemble()
  t.teardown(() => ens.stop())
  const port = Number(ens.connectString.split(':')[1])
  const reply = await new Promise<Buffer>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      // ConnectRequest of a 3.3 client: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd; no readOnly.
      const body = Buffer.alloc(28 + 16)
      body.writeInt32BE(0, 0)
      body.writeBigInt64BE(0n, 4)
      body.writeInt32BE(10_000, 12)
      body.writeBigInt64BE(0n, 16)
      body.writeInt32BE(16, 24)
      const len = Buffer.alloc(4)
      len.writeInt32BE(body.length)
      s.write(Buffer.concat([len, body]))
    })
    s.once('data', (d: Buffer) => {
      s.destroy()
      resolve(d)
    })
    s.on('error', reject)
  })
  t.equal(reply.readInt32BE(0), 4 + 4 + 8 + 4 + 16, 'protocolVersion, timeOut, sessionId, passwd: no trailing byte')
})

t.test('fault hooks: pause/resume, dropConnections, kill/restart', async (t) => {
  const ens = await startEnsemble({ tickTime: 100 })
  t.teardown(() => ens.stop())
  const zk = await ZooKeeper.connect(ens.connectString, { sessionTimeout: 4000 })
  t.teardown(() => zk.close())
  await zk.create('/f', 'x')

  ens.pause()
  t.ok(ens.servers[0]!.paused)
  const read = zk.getData('/f') // held while the server is frozen
  ens.resume()
  t.equal((await read).data.toString(), 'x', 'the reply comes after resume')

  const session = zk.sessionId
  const back = new Promise<void>((r) => zk.once('disconnected', () => zk.once('connected', () => r())))
  ens.dropConnections()
  await back
  t.equal(zk.sessionId, session, 'reconnected with the same session')

  // An in-memory server that crashes comes back empty: the session is unknown, hence expired.
  const expired = new Promise<void>((r) => zk.once('expired', () => r()))
  await ens.kill()
  await ens.restart()
  await expired
  t.pass('session expired after an in-memory crash')
  t.equal(ens.leader(), 0, 'the only server leads')
})
