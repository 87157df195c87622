// Watches against each target: one-shot semantics, ordering before replies, persistent and
// recursive watches, removal, and async iterators.
import t from 'tap'
import { eachTarget, harness } from './harness.js'
import { AddWatchMode, NoWatcherError, type WatchedEvent } from '../src/index.js'

/** A promise for the next event a callback receives, plus everything received. */
function recorder() {
  const events: WatchedEvent[] = []
  const waiters: ((e: WatchedEvent) => void)[] = []
  const cb = (e: WatchedEvent) => {
    events.push(e)
    waiters.shift()?.(e)
  }
  const next = () => new Promise<WatchedEvent>((resolve) => waiters.push(resolve))
  return { cb, events, next }
}

eachTarget(t, {}, async (t, cluster) => {
  t.test('data, exists and child watches fire once, before the reply that shows the change', async (t) => {
    const h = await harness(t, cluster)
    const zk = await h.connect()
    const writer = await h.connect()
    await zk.create('/w', Buffer.from('0'))

    const data = recorder()
    await zk.getData('/w', { watch: data.cb })
    const fired = data.next()
    await writer.setData('/w', Buffer.from('1'))
    const ev = await fired
    t.equal(ev.type, 'dataChanged')
    t.equal(ev.path, '/w')

    // Same client: the event is delivered before the reply of the request that caused it.
    const order: string[] = []
    await zk.getData('/w', { watch: () => order.push('event') })
    await zk.setData('/w', Buffer.from('2')).then(() => order.push('reply'))
    t.same(order, ['event', 'reply'])

    // One-shot: a second change does not fire the first watcher again.
    await writer.setData('/w', Buffer.from('3'))
    await zk.sync('/w')
    await zk.getData('/w') // round trip after the change: a stray event would have arrived by now
    t.equal(data.events.length, 1)

    const ex = recorder()
    t.equal(await zk.exists('/gone', { watch: ex.cb }), null)
    const created = ex.next()
    await writer.create('/gone')
    t.equal((await created).type, 'created')

    const kids = recorder()
    await zk.getChildren('/w', { watch: kids.cb })
    const changed = kids.next()
    await writer.create('/w/c')
    t.equal((await changed).type, 'childrenChanged')
    t.equal((await changed).path, '/w')

    const del = recorder()
    await zk.getData('/w/c', { watch: del.cb })
    const deleted = del.next()
    await writer.delete('/w/c')
    t.equal((await deleted).type, 'deleted')
  })

  t.test('persistent and persistent recursive watches', async (t) => {
    const h = await harness(t, cluster)
    // Separate sessions: ZooKeeper keeps one watch mode per (connection, path), so one session's
    // recursive watch would replace its plain persistent watch on the same path.
    const zk = await h.connect()
    const zk2 = await h.connect()
    const writer = await h.connect()
    await zk.create('/r')
    const flat = recorder()
    const deep = recorder()
    await zk.addWatch('/r', AddWatchMode.PERSISTENT, flat.cb)
    await zk2.addWatch('/r', AddWatchMode.PERSISTENT_RECURSIVE, deep.cb)
    await writer.create('/r/a')
    await writer.create('/r/a/b')
    await writer.setData('/r', Buffer.from('x'))
    await writer.setData('/r', Buffer.from('y'))
    await zk.sync('/r')
    await zk.getData('/r')
    await zk2.sync('/r')
    await zk2.getData('/r')
    t.same(
      flat.events.map((e) => `${e.type} ${e.path}`),
      ['childrenChanged /r', 'dataChanged /r', 'dataChanged /r'],
    )
    t.same(
      deep.events.map((e) => `${e.type} ${e.path}`),
      ['created /r/a', 'created /r/a/b', 'dataChanged /r', 'dataChanged /r'],
    )

    await zk.removeWatches('/r', 'any')
    await writer.setData('/r', Buffer.from('z'))
    await zk.getData('/r')
    t.equal(flat.events.filter((e) => e.type === 'dataChanged').length, 2, 'removed watches stay quiet')
    await t.rejects(zk.checkWatches('/r', 'data'), NoWatcherError)
  })

  t.test('async iterator re-arms one-shot watches and cleans up on break', async (t) => {
    const h = await harness(t, cluster)
    const zk = await h.connect()
    const writer = await h.connect()
    await zk.create('/it', Buffer.from('0'))
    const seen: string[] = []
    const it = zk.watch('/it', { kind: 'data' })[Symbol.asyncIterator]()
    // next() arms the watch with a request on zk; a sync on zk returns after it (FIFO).
    const first = it.next()
    await zk.sync('/it')
    await writer.setData('/it', Buffer.from('1'))
    seen.push((await first).value!.type)
    const second = it.next()
    // next() re-armed the watch with a request on zk; a sync on zk returns after it (FIFO).
    await zk.sync('/it')
    await writer.setData('/it', Buffer.from('2'))
    seen.push((await second).value!.type)
    await it.return?.()
    t.same(seen, ['dataChanged', 'dataChanged'])
  })
})
