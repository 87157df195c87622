// Failover in a 3-server cluster: kill -9 of the server a client is connected to. The client moves to
// another server with the same session; its pending calls fail with ConnectionLoss; its watches
// survive and a change made while it was away still fires.
import t from 'tap'
import { eachTarget, harness } from './harness.js'
import { ConnectionLossError, ZooKeeper, withRetry, type WatchedEvent } from '../src/index.js'

eachTarget(t, { size: 3, tickTime: 500 }, async (t, cluster) => {
  t.test('kill -9 of the connected server', async (t) => {
    const h = await harness(t, cluster)
    // Connect to server 0 first (no shuffle) so we know which one to kill.
    const zk = await h.connect({ connectString: cluster.hosts.join(',') + h.root, shuffleHosts: false })
    const others = cluster.hosts.slice(1).join(',') + h.root
    const writer = await h.connect({ connectString: others })
    const sessionId = zk.sessionId
    await zk.create('/w', Buffer.from('before'))

    const events: WatchedEvent[] = []
    let resolveFired!: (e: WatchedEvent) => void
    const fired = new Promise<WatchedEvent>((resolve) => (resolveFired = resolve))
    await zk.getData('/w', {
      watch: (e) => {
        events.push(e)
        resolveFired(e)
      },
    })

    // Freeze the server so these calls are surely in flight, then kill it: each fails with
    // ConnectionLoss and none hangs.
    await cluster.pause!(0)
    const inFlight = Array.from({ length: 20 }, () =>
      zk.getData('/w').then(
        () => 'ok',
        (e: unknown) => e,
      ),
    )
    await cluster.kill!(0)
    const outcomes = await Promise.all(inFlight)
    t.ok(
      outcomes.every((o) => o instanceof ConnectionLossError),
      'every in-flight call failed with ConnectionLoss',
    )

    // Change the node while the client is away; retry while the survivors elect a leader.
    await withRetry(() => writer.setData('/w', Buffer.from('after')), { retries: 30 })
    const ev = await fired
    t.equal(ev.type, 'dataChanged', 'the watch survived the move and fired for the change made meanwhile')
    t.equal(zk.sessionId, sessionId, 'same session')
    t.equal(zk.state, 'connected')
    t.equal((await zk.getData('/w')).data.toString(), 'after')
    t.equal(events.length, 1)

    await cluster.restart!(0)
    const back = await ZooKeeper.connect(cluster.hosts[0]! + h.root, { sessionTimeout: 10_000 })
    t.teardown(() => back.close())
    await back.sync('/w')
    t.equal((await back.getData('/w')).data.toString(), 'after', 'the restarted server caught up')
  })
})
