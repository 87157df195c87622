// Differential test: the same seeded random sequence of operations against real ZooKeeper 3.8 and the
// bundled ensemble; every reply (error code, path, Stat with times removed and zxids made relative)
// must agree. ZooKeeper is the oracle.
import t from 'tap'
import { startCluster, unavailable } from './harness.js'
import { ZooKeeper, CreateMode, type Stat } from '../src/index.js'
import { prng } from '../src/testing/random-records.js'

const skip = unavailable('real', 1) ?? unavailable('ensemble', 1)

/** Make a Stat comparable across servers: drop times, make zxids relative to the run's base. */
function norm(stat: Stat | null | undefined, base: bigint): unknown {
  if (!stat) return stat ?? null
  const rel = (z: bigint) => (z === 0n ? 0n : z - base)
  return {
    ...stat,
    ctime: 0n,
    mtime: 0n,
    czxid: rel(stat.czxid),
    mzxid: rel(stat.mzxid),
    pzxid: rel(stat.pzxid),
    ephemeralOwner: stat.ephemeralOwner === 0n ? 0n : 'session',
  }
}

async function outcome(p: Promise<unknown>, base: bigint, strip = (x: unknown) => x): Promise<unknown> {
  try {
    const v = await p
    return { ok: strip(v) }
  } catch (err) {
    return { err: (err as { code?: number }).code ?? String(err) }
  }
}

t.test('random operation sequences agree with ZooKeeper', { skip }, async (t) => {
  const real = await startCluster('real', 1)
  t.teardown(() => real.stop())
  const ens = await startCluster('ensemble', 1)
  t.teardown(() => ens.stop())
  const clients = await Promise.all([real, ens].map((c) => ZooKeeper.connect(c.connectString, { sessionTimeout: 10_000 })))
  t.teardown(() => Promise.all(clients.map((c) => c.close())))
  // zxid bases: the next zxid each server will assign after this probe write.
  const bases = await Promise.all(clients.map(async (zk) => (await zk.create('/base')).stat.czxid))

  const rnd = prng(20261124)
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!
  const paths = ['/a', '/a/b', '/a/b/c', '/d', '/d/e', '/a/s-', '/d/']
  const modes = [
    CreateMode.PERSISTENT,
    CreateMode.EPHEMERAL,
    CreateMode.PERSISTENT_SEQUENTIAL,
    CreateMode.EPHEMERAL_SEQUENTIAL,
    CreateMode.CONTAINER,
  ]
  const mismatches: string[] = []
  for (let i = 0; i < 400; i++) {
    const op = pick([
      'create',
      'create',
      'delete',
      'setData',
      'getData',
      'exists',
      'children',
      'multi',
      'setACL',
      'getACL',
      'ttl',
      'count',
      'ephemerals',
      'multiRead',
    ])
    const path = pick(paths)
    const version = pick([-1, -1, 0, 1, 2])
    const mode = pick(modes)
    const ttlMode = pick([CreateMode.PERSISTENT_WITH_TTL, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL])
    const data = rnd() < 0.2 ? null : Buffer.from(`v${i}`)
    const run = async (zk: ZooKeeper, base: bigint) => {
      switch (op) {
        case 'create':
          return outcome(zk.create(path, data, { mode }), base, (r) => ({
            path: (r as { path: string }).path,
            stat: norm((r as { stat: Stat }).stat, base),
          }))
        case 'delete':
          return outcome(zk.delete(path.replace(/[-/]$/, '') || '/', { version }), base)
        case 'setData':
          return outcome(zk.setData(path.replace(/[-/]$/, ''), data, { version }), base, (s) => norm(s as Stat, base))
        case 'getData':
          return outcome(zk.getData(path.replace(/[-/]$/, '')), base, (r) => ({
            data: String((r as { data: Buffer }).data),
            stat: norm((r as { stat: Stat }).stat, base),
          }))
        case 'exists':
          return outcome(zk.exists(path.replace(/[-/]$/, '')), base, (s) => norm(s as Stat, base))
        case 'children':
          return outcome(zk.getChildrenWithStat(path.replace(/[-/]$/, '')), base, (r) => ({
            children: (r as { children: string[] }).children.sort(),
            stat: norm((r as { stat: Stat }).stat, base),
          }))
        case 'setACL':
          return outcome(
            zk.setACL(path.replace(/[-/]$/, ''), [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], { version }),
            base,
            (s) => norm(s as Stat, base),
          )
        case 'getACL':
          return outcome(zk.getACL(path.replace(/[-/]$/, '')), base, (r) => ({
            acl: (r as { acl: unknown }).acl,
            stat: norm((r as { stat: Stat }).stat, base),
          }))
        case 'ttl':
          return outcome(zk.create(path, data, { mode: ttlMode, ttl: 600_000 }), base, (r) => ({
            path: (r as { path: string }).path,
            stat: norm((r as { stat: Stat }).stat, base),
          }))
        case 'count':
          return outcome(zk.getAllChildrenNumber(path.replace(/[-/]$/, '') || '/'), base)
        case 'ephemerals':
          return outcome(
            zk.getEphemerals(path.replace(/[-/]$/, '') || '/').then((l) => l.sort()),
            base,
          )
        case 'multiRead':
          return outcome(
            zk
              .multiRead([
                { type: 'getData', path: path.replace(/[-/]$/, '') },
                { type: 'getChildren', path: '/a' },
              ])
              .then((rs) =>
                rs.map((x) =>
                  x instanceof Error
                    ? (x as { code: number }).code
                    : x.type === 'getData'
                      ? { data: String(x.data), stat: norm(x.stat, base) }
                      : x.children.sort(),
                ),
              ),
            base,
          )
        default: {
          const tx = zk
            .transaction()
            .create(`${path.replace(/[-/]$/, '')}-m${i}`, data)
            .setData(path.replace(/[-/]$/, ''), data, version)
          return outcome(tx.commit(), base, (r) => (r as { type: string; stat?: Stat }[]).map((x) => ({ ...x, stat: norm(x.stat, base) })))
        }
      }
    }
    const [a, b] = await Promise.all(clients.map((zk, k) => run(zk, bases[k]!)))
    const ja = JSON.stringify(a, (_, v) => (typeof v === 'bigint' ? v.toString() : v))
    const jb = JSON.stringify(b, (_, v) => (typeof v === 'bigint' ? v.toString() : v))
    if (ja !== jb) mismatches.push(`#${i} ${op} ${path} v=${version} mode=${mode}\n  real:     ${ja}\n  ensemble: ${jb}`)
  }
  t.same(mismatches.slice(0, 10), [], `${mismatches.length} of 400 operations differed`)
})

t.test('session timeout negotiation agrees with ZooKeeper', { skip }, async (t) => {
  const got: number[][] = []
  for (const kind of ['real', 'ensemble'] as const) {
    const c = await startCluster(kind, 1)
    t.teardown(() => c.stop())
    const row: number[] = []
    for (const asked of [1, 3000, 4000, 25_000, 40_000, 1_000_000]) {
      const zk = await ZooKeeper.connect(c.connectString, { sessionTimeout: asked, initialConnectTimeout: 20_000 })
      row.push(zk.sessionTimeout)
      await zk.close()
    }
    got.push(row)
  }
  t.same(got[1], got[0], `negotiated timeouts: ${JSON.stringify(got[0])}`)
})

t.test('watch events, ACLs and auth agree with ZooKeeper', { skip }, async (t) => {
  const real = await startCluster('real', 1)
  t.teardown(() => real.stop())
  const ens = await startCluster('ensemble', 1)
  t.teardown(() => ens.stop())
  const sides = await Promise.all(
    [real, ens].map(async (c) => {
      const a = await ZooKeeper.connect(c.connectString, { sessionTimeout: 10_000 })
      const b = await ZooKeeper.connect(c.connectString, { sessionTimeout: 10_000 })
      t.teardown(() => Promise.all([a.close(), b.close()]))
      return { a, b, events: [] as string[] }
    }),
  )
  const script = async (s: (typeof sides)[0]) => {
    const { a, b, events } = s
    const log = (tag: string) => (e: { type: string; path: string }) => events.push(`${tag}:${e.type}:${e.path}`)
    const out: unknown[] = []
    const rec = async (p: Promise<unknown>) =>
      out.push(
        await p.then(
          (v) => (v === undefined ? 'ok' : typeof v === 'object' && v && 'path' in v ? (v as { path: string }).path : 'ok'),
          (e: { code?: number }) => e.code,
        ),
      )
    await rec(a.create('/w'))
    await a.exists('/w/x', { watch: log('exists') })
    await a.getChildren('/w', { watch: log('children') })
    await a.getData('/w', { watch: log('data') })
    await rec(b.create('/w/x', 'one'))
    await rec(b.setData('/w', 'two'))
    await a.getData('/w/x', { watch: log('data-x') })
    await a.getChildren('/w', { watch: log('children2') })
    await rec(b.delete('/w/x'))
    await a.sync('/')
    // ACLs and digest auth
    await rec(b.addAuth('digest', 'bob:pw'))
    await rec(b.create('/secret', 'x', { acl: [{ perms: 31, id: { scheme: 'auth', id: '' } }] }))
    await rec(a.getData('/secret'))
    await rec(a.setData('/secret', 'y'))
    await rec(a.getACL('/secret').then((r) => r.acl.map((x) => `${x.perms}/${x.id.scheme}/${x.id.id}`).join(',')))
    await rec(a.create('/secret/child'))
    await rec(b.create('/secret/child'))
    await rec(a.delete('/secret/child'))
    await rec(b.setACL('/secret', [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }]))
    await rec(a.getData('/secret'))
    await rec(a.setData('/secret', 'z'))
    await rec(a.create('/bad', null, { acl: [{ perms: 31, id: { scheme: 'nope', id: 'x' } }] }))
    await rec(a.create('/bad2', null, { acl: [{ perms: 31, id: { scheme: 'world', id: 'someone' } }] }))
    await rec(a.whoAmI().then((w) => w.map((x) => x.authScheme).join(',')))
    await rec(
      b
        .multiRead([
          { type: 'getData', path: '/secret' },
          { type: 'getChildren', path: '/nope' },
        ])
        .then((r) => r.map((x) => (x instanceof Error ? (x as { code: number }).code : x.type)).join(',')),
    )
    await rec(a.getAllChildrenNumber('/'))
    await rec(b.getEphemerals('/'))
    return { out, events }
  }
  const [r, e] = await Promise.all(sides.map(script))
  t.same(e!.out, r!.out, 'replies agree')
  t.same(e!.events, r!.events, 'events agree, in order')
})

t.test('persistent watches, watch removal and watch restore after a reconnect agree with ZooKeeper', { skip }, async (t) => {
  const { startProxy } = await import('../src/testing/proxy.js')
  const { AddWatchMode } = await import('../src/index.js')
  const run = async (kind: 'real' | 'ensemble') => {
    const cluster = await startCluster(kind, 1)
    t.teardown(() => cluster.stop())
    const port = Number(cluster.hosts[0]!.split(':')[1])
    const proxy = await startProxy({ host: '127.0.0.1', port })
    t.teardown(() => proxy.close())
    const watcher = await ZooKeeper.connect(proxy.address, { sessionTimeout: 10_000 })
    const writer = await ZooKeeper.connect(cluster.connectString, { sessionTimeout: 10_000 })
    t.teardown(() => Promise.all([watcher.close(), writer.close()]))
    const events: string[] = []
    const out: unknown[] = []
    const rec = async (p: Promise<unknown>) =>
      out.push(
        await p.then(
          () => 'ok',
          (e: { code?: number }) => e.code,
        ),
      )
    const log = (tag: string) => (e: { type: string; path: string }) => events.push(`${tag}:${e.type}:${e.path}`)
    await writer.createAll('/p/q')
    await watcher.addWatch('/p', AddWatchMode.PERSISTENT, log('persistent'))
    await watcher.addWatch('/p/q', AddWatchMode.PERSISTENT_RECURSIVE, log('recursive'))
    await writer.create('/p/q/r', 'x')
    await writer.setData('/p', 'y')
    await writer.create('/p/s')
    await watcher.sync('/')
    await rec(watcher.checkWatches('/p', 'persistent'))
    await rec(watcher.removeWatches('/p', 'persistent'))
    await rec(watcher.removeWatches('/p', 'persistent'))
    await rec(watcher.checkWatches('/p/q', 'persistentRecursive'))
    await writer.setData('/p', 'z')
    await watcher.sync('/')
    // One-shot watches, then changes while the watcher's connection is cut: restored by SetWatches.
    await watcher.getData('/p/s', { watch: log('data-s') })
    await watcher.exists('/p/new', { watch: log('exists-new') })
    await watcher.getChildren('/p', { watch: log('children-p') })
    const down = new Promise<void>((r) => watcher.once('disconnected', () => r()))
    proxy.refuse(true)
    proxy.cut()
    await down
    await writer.setData('/p/s', 'changed')
    await writer.create('/p/new')
    await writer.setData('/p/q/r', 'while away')
    proxy.refuse(false)
    await watcher.waitForConnected()
    await watcher.sync('/')
    await watcher.getData('/')
    return { out, events }
  }
  const real = await run('real')
  const ens = await run('ensemble')
  t.same(ens.out, real.out, 'replies agree')
  t.same([...ens.events].sort(), [...real.events].sort(), 'the same events')
  t.same(ens.events, real.events, 'in the same order')
})

t.test('system nodes and the root behave as in ZooKeeper', { skip }, async (t) => {
  const run = async (kind: 'real' | 'ensemble') => {
    const c = await startCluster(kind, 1)
    t.teardown(() => c.stop())
    const zk = await ZooKeeper.connect(c.connectString)
    t.teardown(() => zk.close())
    const out: unknown[] = []
    const rec = async (p: Promise<unknown>) =>
      out.push(
        await p.then(
          () => 'ok',
          (e: { code?: number }) => e.code,
        ),
      )
    for (const p of ['/zookeeper', '/zookeeper/config', '/zookeeper/quota', '/']) await rec(zk.delete(p))
    await rec(zk.create('/zookeeper/foo'))
    await rec(zk.delete('/zookeeper/foo'))
    await rec(zk.create('/zookeeper/quota/x'))
    await rec(zk.setData('/zookeeper/config', 'x'))
    await rec(zk.setData('/', 'x'))
    await rec(zk.create('/'))
    await rec(zk.setACL('/', [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]))
    await rec(zk.sync('/nope'))
    const base = (await zk.create('/mark')).stat.czxid
    const stats = await Promise.all(
      ['/', '/zookeeper', '/zookeeper/config', '/zookeeper/quota'].map(async (p) => norm(await zk.exists(p), base)),
    )
    return { out, stats }
  }
  const real = await run('real')
  const ens = await run('ensemble')
  t.same(ens.out, real.out, 'replies agree')
  t.same(ens.stats, real.stats, 'system node Stats agree')
})

t.test('auth failures and session resumption agree with ZooKeeper', { skip }, async (t) => {
  const run = async (kind: 'real' | 'ensemble') => {
    const c = await startCluster(kind, 1)
    t.teardown(() => c.stop())
    const cs = c.connectString
    const out: string[] = []
    const a = await ZooKeeper.connect(cs, { sessionTimeout: 6000 })
    out.push(
      `unknown scheme: ${await a.addAuth('foo', 'bar').then(
        () => 'ok',
        (e: { code: number }) => e.code,
      )} ${a.state}`,
    )
    await a.close()
    const b = await ZooKeeper.connect(cs, { sessionTimeout: 6000 })
    out.push(
      `digest without colon: ${await b.addAuth('digest', 'nocolon').then(
        () => 'ok',
        (e: { code: number }) => e.code,
      )} ${b.state}`,
    )
    await b.close()
    const closed = await ZooKeeper.connect(cs, { sessionTimeout: 6000 })
    const { sessionId, sessionPassword } = closed
    await closed.close()
    const d = new ZooKeeper(cs, { sessionId, sessionPassword, sessionTimeout: 6000 })
    out.push(
      `resume a closed session: ${await d.waitForConnected({ timeout: 8000 }).then(
        () => 'connected',
        (e: { code: number }) => e.code,
      )} ${d.state}`,
    )
    await d.close()
    const e = await ZooKeeper.connect(cs, { sessionTimeout: 6000 })
    const f = new ZooKeeper(cs, { sessionId: e.sessionId, sessionPassword: Buffer.alloc(16, 9), sessionTimeout: 6000 })
    out.push(
      `wrong password: ${await f.waitForConnected({ timeout: 8000 }).then(
        () => 'connected',
        (err: { code: number }) => err.code,
      )} ${f.state}`,
    )
    await f.close()
    await e.close()
    return out
  }
  t.same(await run('ensemble'), await run('real'))
})

t.test('events of a multi arrive as in ZooKeeper', { skip }, async (t) => {
  const run = async (kind: 'real' | 'ensemble') => {
    const c = await startCluster(kind, 1)
    t.teardown(() => c.stop())
    const w = await ZooKeeper.connect(c.connectString)
    const m = await ZooKeeper.connect(c.connectString)
    t.teardown(() => Promise.all([w.close(), m.close()]))
    const events: string[] = []
    const log = (tag: string) => (e: { type: string; path: string }) => events.push(`${tag}:${e.type}:${e.path}`)
    await m.createAll('/y/k')
    await m.create('/z')
    await w.exists('/x', { watch: log('exists-x') })
    await w.getData('/y', { watch: log('data-y') })
    await w.getChildren('/y', { watch: log('children-y') })
    await w.getData('/z', { watch: log('data-z') })
    await w.getChildren('/', { watch: log('children-root') })
    await m.transaction().create('/x', 'new').setData('/y', 'v').delete('/y/k').delete('/z').create('/y/k2').commit()
    await w.sync('/')
    await w.getData('/')
    return events
  }
  const real = await run('real')
  t.same(await run('ensemble'), real, `events in order: ${real.join(', ')}`)
})
