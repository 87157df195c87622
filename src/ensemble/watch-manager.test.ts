// ZooKeeper 3.8's watch rules, quirks included (each seen on a real 3.8 server by the wire differential).
import t from 'tap'
import { WatchManager, type WatchTarget } from './watch-manager.js'
import { EventType } from '../protocol.js'

function target(): WatchTarget & { got: string[] } {
  const got: string[] = []
  return { got, deliver: (type, path) => got.push(`${type} ${path}`) }
}

t.test('one registration per connection and path: the mode set last wins', async (t) => {
  const wm = new WatchManager()
  const a = target()
  wm.addChild('/r', a)
  wm.addPersistent('/r', a, true)
  wm.trigger(EventType.NodeChildrenChanged, '/r')
  t.same(a.got, [], 'a recursive watch set after a one-shot child watch swallows its NodeChildrenChanged')
  wm.trigger(EventType.NodeCreated, '/r/x')
  t.same(a.got, [`${EventType.NodeCreated} /r/x`])

  const b = target()
  wm.addPersistent('/p', b, false)
  wm.addData('/p', b)
  wm.trigger(EventType.NodeDataChanged, '/p')
  wm.trigger(EventType.NodeDataChanged, '/p')
  t.same(b.got, [`${EventType.NodeDataChanged} /p`], 'a one-shot data watch set after a persistent one makes it one-shot again')
  wm.trigger(EventType.NodeChildrenChanged, '/p')
  wm.trigger(EventType.NodeChildrenChanged, '/p')
  t.equal(b.got.length, 3, 'its child side stays persistent')
})

t.test('a deleted node tells each connection once', async (t) => {
  const wm = new WatchManager()
  const a = target()
  wm.addData('/n', a)
  wm.addChild('/n', a)
  wm.trigger(EventType.NodeDeleted, '/n')
  t.same(a.got, [`${EventType.NodeDeleted} /n`])
  const b = target()
  wm.addChild('/m', b)
  wm.trigger(EventType.NodeDeleted, '/m')
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
  wm.trigger(EventType.NodeCreated, '/q/x')
  t.same(a.got, [], 'a closed connection hears nothing')
})
