// Session behaviour against each target: ephemerals, close, expiry through a stalled link,
// and resuming an expired session.
import t from 'tap'
import { eachTarget, harness } from './harness.js'
import { startProxy } from '../src/testing/proxy.js'
import { CreateMode, SessionExpiredError, ZooKeeper, type SessionState } from '../src/index.js'

/** Resolve when `zk` reaches `state`. */
function reach(zk: ZooKeeper, state: SessionState): Promise<void> {
  if (zk.state === state) return Promise.resolve()
  return new Promise((resolve) => {
    const on = (s: SessionState) => {
      if (s === state) {
        zk.off('state', on)
        resolve()
      }
    }
    zk.on('state', on)
  })
}

eachTarget(t, { tickTime: 500 }, async (t, cluster) => {
  t.test('ephemerals vanish when their session closes, as a second client sees', async (t) => {
    const h = await harness(t, cluster)
    const owner = await h.connect()
    const observer = await h.connect()
    await owner.create('/eph', Buffer.alloc(0), { mode: CreateMode.EPHEMERAL })
    const gone = new Promise<string>((resolve) => void observer.exists('/eph', { watch: (e) => resolve(e.type) }))
    await owner.close()
    t.equal(owner.state, 'closed')
    t.equal(await gone, 'deleted')
    t.equal(await observer.exists('/eph'), null)
    await t.rejects(owner.getData('/'), { name: 'ClientClosedError' })
  })

  t.test('a stalled link expires the session: Expired, ephemerals gone, no silent new session', async (t) => {
    const h = await harness(t, cluster)
    const proxy = await startProxy({ host: '127.0.0.1', port: Number(cluster.hosts[0]!.split(':')[1]) })
    t.teardown(() => proxy.close())
    const zk = await h.connect({ connectString: proxy.address + h.root, sessionTimeout: 2000 })
    const observer = await h.connect()
    const sessionId = zk.sessionId
    await zk.create('/mine', Buffer.alloc(0), { mode: CreateMode.EPHEMERAL })
    const gone = new Promise<string>((resolve) => void observer.exists('/mine', { watch: (e) => resolve(e.type) }))

    const states: SessionState[] = []
    zk.on('state', (s: SessionState) => states.push(s))
    proxy.pause()
    await reach(zk, 'expired')
    t.equal(await gone, 'deleted', 'the server expired the session and removed its ephemeral')
    proxy.resume()
    t.ok(states.includes('disconnected'), 'went disconnected first')
    t.equal(zk.state, 'expired')
    t.equal(zk.sessionId, sessionId, 'still the old session id: nothing was silently re-created')
    await t.rejects(zk.getData('/'), SessionExpiredError)

    // Resuming that session explicitly is answered with expiry too.
    const again = new ZooKeeper(proxy.address + h.root, { sessionId, sessionPassword: zk.sessionPassword, sessionTimeout: 2000 })
    t.teardown(() => again.close())
    await reach(again, 'expired')
    t.pass('resume of an expired session reports expired')
  })
})
