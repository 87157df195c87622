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

/** Set an exists watch on an existing node (awaited, so it is surely in place) and return the event type it gets. */
async function watchOnce(zk: ZooKeeper, path: string): Promise<{ event: Promise<string> }> {
  let fired!: (type: string) => void
  const event = new Promise<string>((resolve) => (fired = resolve))
  if ((await zk.exists(path, { watch: (e) => fired(e.type) })) === null) throw new Error(`${path} should exist`)
  return { event } // wrapped: an async function returning a bare promise would wait for it
}

eachTarget(t, { tickTime: 500 }, async (t, cluster) => {
  t.test('ephemerals vanish when their session closes, as a second client sees', async (t) => {
    const h = await harness(t, cluster)
    const owner = await h.connect()
    const observer = await h.connect()
    await owner.create('/eph', Buffer.alloc(0), { mode: CreateMode.EPHEMERAL })
    const gone = await watchOnce(observer, '/eph')
    await owner.close()
    t.equal(owner.state, 'closed')
    t.equal(await gone.event, 'deleted')
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
    const gone = await watchOnce(observer, '/mine')

    const states: SessionState[] = []
    zk.on('state', (s: SessionState) => states.push(s))
    proxy.pause()
    await reach(zk, 'expired')
    t.equal(await gone.event, 'deleted', 'the server expired the session and removed its ephemeral')
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
