// The zookit client's scenario for the wire fixtures: every operation it has, with the errors each
// can return, watches of every kind, a reconnect that restores them, and a session takeover.
import { ZooKeeper, CreateMode, AddWatchMode, digestId, type Watcher } from '../../../src/index.js'
import type { WireRecorder } from '../../../src/testing/wire-recorder.js'
import type { Scenario } from '../scenario.js'

const ROOT = '/wire-zookit'

/** Run an operation that is expected to fail: the failure is the point. */
async function fails(p: Promise<unknown>): Promise<void> {
  await p.then(
    () => undefined,
    () => undefined,
  )
}

async function zookitScenario(connectString: string, recorder: WireRecorder): Promise<void> {
  const events: string[] = []
  const watcher: Watcher = (e) => events.push(`${e.type} ${e.path}`)
  const zk = await ZooKeeper.connect(connectString, { sessionTimeout: 8000 })
  const other = await ZooKeeper.connect(connectString, { sessionTimeout: 8000 })

  // Creates in every mode, and their errors.
  await zk.create(ROOT, Buffer.from('root'))
  await zk.create(`${ROOT}/p`, Buffer.from('persistent'), { mode: CreateMode.PERSISTENT })
  await zk.create(`${ROOT}/e`, null, { mode: CreateMode.EPHEMERAL })
  await zk.create(`${ROOT}/s-`, Buffer.from('x'), { mode: CreateMode.PERSISTENT_SEQUENTIAL })
  await zk.create(`${ROOT}/es-`, Buffer.from('x'), { mode: CreateMode.EPHEMERAL_SEQUENTIAL })
  await zk.create(`${ROOT}/container`, null, { mode: CreateMode.CONTAINER })
  await zk.create(`${ROOT}/ttl`, null, { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 60_000 })
  await zk.create(`${ROOT}/ttl-s-`, null, { mode: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, ttl: 60_000 })
  await fails(zk.create(`${ROOT}/p`, null))
  await fails(zk.create(`${ROOT}/missing/child`, null))
  await fails(zk.create(`${ROOT}/e/child`, null))
  await fails(zk.create(`${ROOT}/bad-acl`, null, { acl: [{ perms: 31, id: { scheme: 'world', id: 'nobody' } }] }))

  // Reads, with watches of each one-shot kind.
  await zk.getData(`${ROOT}/p`, { watch: watcher })
  await zk.exists(`${ROOT}/p`, { watch: watcher })
  await zk.exists(`${ROOT}/later`, { watch: watcher })
  await zk.getChildren(ROOT, { watch: watcher })
  await zk.getChildrenWithStat(`${ROOT}/p`)
  await fails(zk.getData(`${ROOT}/nothing`))
  await fails(zk.getChildren(`${ROOT}/nothing`))
  await zk.getAllChildrenNumber(ROOT)
  await zk.getEphemerals(ROOT)
  await zk.getEphemerals('/')
  await zk.getACL(`${ROOT}/p`)
  await zk.sync(ROOT)
  await zk.getConfig()

  // Persistent and recursive watches, changed by the other session.
  await zk.addWatch(`${ROOT}/p`, AddWatchMode.PERSISTENT, watcher)
  await zk.addWatch(ROOT, AddWatchMode.PERSISTENT_RECURSIVE, watcher)
  await other.setData(`${ROOT}/p`, Buffer.from('changed'))
  await other.create(`${ROOT}/later`, Buffer.from('now'))
  await other.create(`${ROOT}/p/deep`, null)
  await other.delete(`${ROOT}/p/deep`)
  await zk.checkWatches(`${ROOT}/p`, 'any')
  await fails(zk.checkWatches(`${ROOT}/none`, 'data'))
  await zk.removeWatches(`${ROOT}/p`, 'any')
  await fails(zk.removeWatches(`${ROOT}/p`, 'data'))

  // Writes with versions, and their errors.
  const stat = await zk.setData(`${ROOT}/p`, Buffer.from('v2'), { version: 1 })
  await fails(zk.setData(`${ROOT}/p`, Buffer.from('v3'), { version: stat.version + 5 }))
  await fails(zk.setData(`${ROOT}/nothing`, null))
  await fails(zk.delete(ROOT))
  await fails(zk.delete(`${ROOT}/p`, { version: 9 }))
  await fails(zk.delete(`${ROOT}/nothing`))
  await zk.setACL(`${ROOT}/p`, [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], { version: 0 })
  await fails(zk.setACL(`${ROOT}/p`, [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], { version: 7 }))

  // Transactions: committed, aborted, and reads.
  await zk
    .transaction()
    .create(`${ROOT}/t1`, Buffer.from('a'))
    .create(`${ROOT}/t2`, null, { mode: CreateMode.EPHEMERAL })
    .setData(`${ROOT}/t1`, Buffer.from('b'))
    .check(`${ROOT}/t1`, 1)
    .delete(`${ROOT}/t2`)
    .commit()
  await fails(zk.transaction().create(`${ROOT}/t3`, null).setData(`${ROOT}/t1`, null, 42).create(`${ROOT}/t4`, null).commit())
  await fails(zk.transaction().create(`${ROOT}/t1`, null).commit())
  await zk
    .transaction()
    .create(`${ROOT}/tc`, null, { mode: CreateMode.CONTAINER })
    .create(`${ROOT}/tt`, null, { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 5000 })
    .commit()
  await zk.multiRead([
    { type: 'getData', path: `${ROOT}/t1` },
    { type: 'getChildren', path: ROOT },
    { type: 'getData', path: `${ROOT}/nothing` },
  ])

  // ACLs and auth: digest, auth scheme expansion, NOAUTH, whoAmI.
  await zk.addAuth('digest', 'alice:secret')
  await zk.whoAmI()
  await zk.create(`${ROOT}/mine`, Buffer.from('private'), { acl: [{ perms: 31, id: { scheme: 'auth', id: '' } }] })
  await zk.create(`${ROOT}/alice`, Buffer.from('private'), {
    acl: [{ perms: 31, id: { scheme: 'digest', id: digestId('alice', 'secret') } }],
  })
  await zk.getACL(`${ROOT}/mine`)
  await fails(other.getData(`${ROOT}/alice`))
  await fails(other.setData(`${ROOT}/alice`, null))
  await fails(other.create(`${ROOT}/alice/x`, null))
  await other.exists(`${ROOT}/alice`)
  await fails(other.getACL(`${ROOT}/alice`))

  // A lost connection: the client resumes its session and restores its watches (SetWatches2).
  await zk.exists(`${ROOT}/gone-while-away`, { watch: watcher })
  await zk.getData(`${ROOT}/later`, { watch: watcher })
  const back = new Promise<void>((resolve) => zk.once('connected', () => resolve()))
  recorder.proxy.cut()
  await back
  await other.waitForConnected()
  await other.create(`${ROOT}/gone-while-away`, null)
  await other.setData(`${ROOT}/later`, Buffer.from('again'))
  await zk.getData(`${ROOT}/later`)

  await other.close()
  await zk.delete(`${ROOT}/e`)
  await zk.close()
}

export const zookitScenarios: Scenario[] = [
  {
    name: 'zookit',
    client: 'the zookit client (this repository)',
    about: [
      'every operation and its errors, one-shot, persistent and recursive watches, multi and multiRead,',
      'digest auth and ACLs, a cut connection resumed with SetWatches2',
    ],
    run: zookitScenario,
  },
]
