// Watch events must not name nodes the watcher cannot read (the CVE-2024-23944 class), against
// real ZooKeeper 3.8 (Debian's build has the fix), the bundled standalone server and a quorum
// follower. SetWatches restores are pinned byte for byte by integration/wire/raw.wire.
import t from 'tap'
import { eachTarget, harness } from '../harness.js'
import { AddWatchMode, OPEN_ACL_UNSAFE, digestId, type WatchedEvent, type ZooKeeper } from '../../src/index.js'

const BOBS = [{ perms: 31, id: { scheme: 'digest', id: digestId('bob', 'pw') } }]

/** Every event a callback hears, and a wait for the first one on `path` of `type`. */
function listener() {
  const heard: string[] = []
  const waiters: { want: string; resolve: () => void }[] = []
  const cb = (e: WatchedEvent) => {
    const line = `${e.type} ${e.path}`
    heard.push(line)
    for (const w of waiters.filter((w) => w.want === line)) w.resolve()
  }
  const until = (type: string, path: string) =>
    heard.includes(`${type} ${path}`)
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push({ want: `${type} ${path}`, resolve }))
  return { cb, heard, until }
}

/**
 * A readable marker node, created after the writes under test: events reach one connection in
 * order, so once its creation is heard, anything the writes leaked would have been heard first.
 */
async function marker(writer: ZooKeeper, name: string): Promise<string> {
  await writer.create(`/${name}`, null, { acl: OPEN_ACL_UNSAFE })
  return `/${name}`
}

eachTarget(t, {}, async (t, cluster) => {
  t.test('persistent and recursive watches hear nothing of nodes they cannot read', async (t) => {
    const h = await harness(t, cluster)
    const bob = await h.connect()
    await bob.addAuth('digest', 'bob:pw')
    const anon = await h.connect()
    await bob.create('/hr', null, { acl: BOBS })

    const recursive = listener()
    await anon.addWatch('/', AddWatchMode.PERSISTENT_RECURSIVE, recursive.cb)
    const persistent = listener()
    await anon.addWatch('/hr', AddWatchMode.PERSISTENT, persistent.cb)
    const bobs = listener()
    await bob.addWatch('/', AddWatchMode.PERSISTENT_RECURSIVE, bobs.cb)

    await bob.create('/hr/secret-child', null, { acl: BOBS })
    await bob.setData('/hr', Buffer.from('pay rise'))
    await bob.delete('/hr/secret-child')
    const done = await marker(bob, 'marker-1')
    await recursive.until('created', done)
    await bobs.until('created', done)

    t.same(
      bobs.heard,
      ['created /hr/secret-child', 'dataChanged /hr', 'deleted /hr/secret-child', `created ${done}`],
      'bob hears his own nodes',
    )
    t.same(recursive.heard, [`created ${done}`], 'the anonymous recursive watch hears only the readable marker')
    t.same(persistent.heard, [], 'the persistent watch on /hr hears neither its data nor its children')

    // Once bob opens /hr, its events are readable.
    await bob.setACL('/hr', OPEN_ACL_UNSAFE)
    await bob.create('/hr/open-child', null, { acl: OPEN_ACL_UNSAFE })
    await recursive.until('created', '/hr/open-child')
    await persistent.until('childrenChanged', '/hr')
    t.same(persistent.heard, ['childrenChanged /hr'])
  })

  t.test('a one-shot watch is spent on an event it may not hear', async (t) => {
    const h = await harness(t, cluster)
    const bob = await h.connect()
    await bob.addAuth('digest', 'bob:pw')
    const anon = await h.connect()
    await bob.create('/hr', null, { acl: BOBS })

    // exists checks no ACL, so an anonymous client can watch bob's node. Its client must hear
    // nothing else about /hr, or the client would hand that event to this watch too.
    const oneShot = listener()
    t.ok(await anon.exists('/hr', { watch: oneShot.cb }))
    const markerWatch = listener()
    t.equal(await anon.exists('/marker-2', { watch: markerWatch.cb }), null)

    await bob.setData('/hr', Buffer.from('1'))
    await bob.setACL('/hr', OPEN_ACL_UNSAFE)
    await bob.setData('/hr', Buffer.from('2'))
    const done = await marker(bob, 'marker-2')
    await markerWatch.until('created', done)
    t.same(oneShot.heard, [], 'the unreadable change used the one-shot watch up, as on ZooKeeper')
  })
})
