// ZooKeeper 3.8's watch rules, quirks included (each seen on a real 3.8 server by the wire differential).
import t from 'tap'
import { WatchManager, type WatchTarget } from './watch-manager.js'
import { EventType, Perms } from '../protocol.js'
import { digestOf, type AuthId } from './acl.js'

const OPEN = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }]
const BOBS = [{ perms: Perms.ALL, id: { scheme: 'digest', id: digestOf('bob:pw') } }]

function target(ids: AuthId[] = []): WatchTarget & { got: string[] } {
  const got: string[] = []
  return { got, ids, address: '127.0.0.1', deliver: (type, path) => got.push(`${type} ${path}`) }
}

t.test('one registration per connection and path: the mode set last wins', async (t) => {
  const wm = new WatchManager()
  const a = target()
  wm.addChild('/r', a)
  wm.addPersistent('/r', a, true)
  wm.trigger(EventType.NodeChildrenChanged, '/r', OPEN)
  t.same(a.got, [], 'a recursive watch set after a one-shot child watch swallows its NodeChildrenChanged')
  wm.trigger(EventType.NodeCreated, '/r/x', OPEN)
  t.same(a.got, [`${EventType.NodeCreated} /r/x`])

  const b = target()
  wm.addPersistent('/p', b, false)
  wm.addData('/p', b)
  wm.trigger(EventType.NodeDataChanged, '/p', OPEN)
  wm.trigger(EventType.NodeDataChanged, '/p', OPEN)
  t.same(b.got, [`${EventType.NodeDataChanged} /p`], 'a one-shot data watch set after a persistent one makes it one-shot again')
  wm.trigger(EventType.NodeChildrenChanged, '/p', OPEN)
  wm.trigger(EventType.NodeChildrenChanged, '/p', OPEN)
  t.equal(b.got.length, 3, 'its child side stays persistent')
})

t.test('a deleted node tells each connection once', async (t) => {
  const wm = new WatchManager()
  const a = target()
  wm.addData('/n', a)
  wm.addChild('/n', a)
  wm.trigger(EventType.NodeDeleted, '/n', OPEN)
  t.same(a.got, [`${EventType.NodeDeleted} /n`])
  const b = target()
  wm.addChild('/m', b)
  wm.trigger(EventType.NodeDeleted, '/m', OPEN)
  t.same(b.got, [`${EventType.NodeDeleted} /m`], 'a child watcher alone hears NodeDeleted too')
})

t.test('checkWatches and removeWatches', async (t) => {
  const wm = new WatchManager()
  const a = target()
  const b = target()
  wm.addData('/n', a)
  t.ok(wm.remove('/n', b, 2, true), 'checkWatches finds a watch of another connection on the path, as 3.8 does')
  t.notOk(wm.remove('/n', b, 2), 'but removeWatches removes only its own')
  t.notOk(wm.remove('/n', a, 1), 'no child watch')
  t.ok(wm.remove('/n', a, 3))
  t.notOk(wm.remove('/n', a, 3, true), 'gone')
  wm.addPersistent('/q', a, true)
  wm.removeTarget(a)
  wm.trigger(EventType.NodeCreated, '/q/x', OPEN)
  t.same(a.got, [], 'a closed connection hears nothing')
})

t.test('an event goes only to watchers that may read the ACL it carries (CVE-2024-23944)', async (t) => {
  const wm = new WatchManager()
  const anon = target()
  const bob = target([{ scheme: 'digest', id: digestOf('bob:pw') }])
  const root = target([{ scheme: 'super', id: '' }])
  for (const w of [anon, bob, root]) {
    wm.addPersistent('/', w, true)
    wm.addData('/hr', w)
  }
  wm.trigger(EventType.NodeCreated, '/hr/secret-child', BOBS)
  wm.trigger(EventType.NodeDataChanged, '/hr', BOBS)
  t.same(anon.got, [], 'the anonymous watcher hears neither')
  t.same(bob.got, [`${EventType.NodeCreated} /hr/secret-child`, `${EventType.NodeDataChanged} /hr`])
  t.same(root.got, bob.got, 'super reads everything')
  wm.trigger(EventType.NodeDataChanged, '/hr', OPEN)
  t.same(
    anon.got,
    [`${EventType.NodeDataChanged} /hr`],
    'the one-shot watch was spent on the event it could not read; the recursive one hears this',
  )
  wm.trigger(EventType.NodeDataChanged, '/hr', [])
  t.equal(anon.got.length, 2, 'an empty ACL lets everyone read, as in ZooKeeper')
})

t.test('a closing connection drops only its own watches, and all of them', async (t) => {
  const wm = new WatchManager()
  const a = target()
  const b = target()
  for (let i = 0; i < 100; i++) {
    wm.addData(`/n${i}`, a)
    wm.addChild(`/n${i}`, a)
  }
  wm.addPersistent('/n7', a, true)
  wm.addData('/n1', b)
  wm.removeTarget(a)
  t.same(wm.summary().watches, 1, "b's watch is all that is left")
  t.same([...wm.dataWatchers().keys()], ['/n1'])
  wm.trigger(EventType.NodeCreated, '/n7/x', OPEN)
  wm.trigger(EventType.NodeDataChanged, '/n1', OPEN)
  t.same(a.got, [])
  t.same(b.got, [`${EventType.NodeDataChanged} /n1`])
  wm.addData('/n1', a)
  wm.trigger(EventType.NodeDeleted, '/n1', OPEN)
  t.same(a.got, [`${EventType.NodeDeleted} /n1`], 'a connection can watch again after its removal')
})
