// Mutex and LeaderLatch against the bundled ensemble: mutual exclusion under contention, re-entrancy,
// timeouts and aborts that leave no node behind, one leader at a time through close and expiry.
import t from 'tap'
import { ensembleWithClients } from '../src/testing/ensemble-clients.js'
import { AbortedError } from '../src/index.js'
import { Mutex } from './lock.js'
import { LeaderLatch } from './leader-latch.js'

const setup = ensembleWithClients

t.test('no lost updates: read-modify-write under the lock from 5 clients', async (t) => {
  const { zks } = await setup(t, 5)
  await zks[0]!.create('/counter', '0')
  await Promise.all(
    zks.map(async (zk) => {
      const m = new Mutex(zk, '/locks/counter')
      for (let i = 0; i < 10; i++) {
        await m.acquire()
        const n = Number((await zk.getData('/counter')).data)
        await zk.setData('/counter', String(n + 1)) // unversioned on purpose: only the lock protects it
        await m.release()
      }
    }),
  )
  t.equal((await zks[0]!.getData('/counter')).data.toString(), '50')
  t.same(await zks[0]!.getChildren('/locks/counter'), [], 'no lock node left')
})

t.test('re-entrant; Curator node names; fencing tokens grow', async (t) => {
  const { zks } = await setup(t, 2)
  const a = new Mutex(zks[0]!, '/locks/r')
  t.ok(await a.acquire())
  t.ok(await a.acquire(), 'again, re-entrant')
  t.match(a.nodePath!, /^\/locks\/r\/_c_[0-9a-f-]{36}-lock-\d{10}$/)
  const t1 = await a.fencingToken()
  await a.release()
  t.ok(a.isHeld(), 'still held after one of two releases')
  const b = new Mutex(zks[1]!, '/locks/r')
  t.equal(await b.acquire({ timeout: 100 }), false, 'the other participant times out')
  t.same(await b.participants(), [a.nodePath!.split('/').pop()], 'and leaves no node')
  await a.release()
  t.ok(await b.acquire({ timeout: 2000 }))
  t.ok((await b.fencingToken()) > t1)
  await b.release()
})

t.test('abort while waiting rejects and leaves no node', async (t) => {
  const { zks } = await setup(t, 2)
  const a = new Mutex(zks[0]!, '/locks/ab')
  await a.acquire()
  const ac = new AbortController()
  // Abort once the waiter's node is in place (its create fires this child watch).
  const joined = new Promise<unknown>((r) => void zks[0]!.getChildren('/locks/ab', { watch: r }))
  const waiting = new Mutex(zks[1]!, '/locks/ab').acquire({ signal: ac.signal })
  await joined
  const reason = new Error('stop waiting')
  ac.abort(reason)
  const err = await waiting.then(
    () => undefined,
    (e: unknown) => e,
  )
  t.ok(err instanceof AbortedError, 'a typed AbortedError')
  t.match(
    (err as Error).message,
    /^ABORTED \((acquire|create) \/locks\/ab[^)]*\): aborted by its signal: stop waiting/,
    'naming the call, its path and the reason',
  )
  t.equal((err as Error).cause, reason, 'the reason is its cause')
  t.equal((await zks[0]!.getChildren('/locks/ab')).length, 1, 'only the holder remains')
  await a.release()
})

t.test('leader latch: exactly one leader, through close and session expiry', async (t) => {
  const { ens, zks } = await setup(t, 3)
  const latches = zks.map((zk, i) => new LeaderLatch(zk, '/election', `p${i}`))
  let violations = 0
  for (const l of latches) l.on('isLeader', () => (violations += latches.filter((x) => x !== l && x.hasLeadership()).length))
  await Promise.all(latches.map((l) => l.start()))
  await Promise.race(latches.map((l) => l.await()))
  t.equal(latches.filter((l) => l.hasLeadership()).length, 1)
  const first = latches.find((l) => l.hasLeadership())!
  t.same(
    (await first.participants()).map((p) => p.isLeader),
    [true, false, false],
  )
  await first.close()
  const rest = latches.filter((l) => l !== first)
  await Promise.race(rest.map((l) => l.await()))
  const second = rest.find((l) => l.hasLeadership())!
  const third = rest.find((l) => l !== second)!
  ens.expireSession(zks[latches.indexOf(second)]!.sessionId)
  t.ok(await third.await({ timeout: 5000 }), 'the last participant leads after the leader session expired')
  t.notOk(second.hasLeadership())
  t.equal(violations, 0, 'never two leaders at once')
  await third.close()
})

t.test('a holder is told suspended, reconnected and lost', async (t) => {
  const { ens, zks } = await setup(t, 1, 4000)
  const m = new Mutex(zks[0]!, '/locks/told')
  await m.acquire()
  const seen: string[] = []
  for (const e of ['suspended', 'reconnected', 'lost'] as const) m.on(e, () => seen.push(e))
  const back = new Promise<void>((r) => m.once('reconnected', () => r()))
  ens.servers[0]!.connections.forEach((c) => c.socket.destroy())
  await back
  t.ok(m.isHeld(), 'still held after a reconnect within the session')
  const lost = new Promise<void>((r) => m.once('lost', () => r()))
  ens.expireSession(zks[0]!.sessionId)
  await lost
  t.notOk(m.isHeld())
  t.same(seen, ['suspended', 'reconnected', 'suspended', 'lost'])
})

t.test('a holder is told lost when its client closes (LOST), and no longer holds', async (t) => {
  const { zks } = await setup(t, 1)
  const m = new Mutex(zks[0]!, '/locks/closing')
  await m.acquire()
  const lost = new Promise<boolean>((r) => m.once('lost', () => r(m.isHeld())))
  await zks[0]!.close()
  t.equal(await lost, false)
  t.equal(m.nodePath, undefined)
})
