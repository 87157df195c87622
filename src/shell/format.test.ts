// zkCli's output formats, checked against what ZooKeeper 3.8's zkCli.sh on Java 17 printed for the
// same values (the Stat block, event lines, ACL entries and dates in several zones).
import t from 'tap'
import { EventType, KeeperState, Perms, Stat } from '../index.js'
import { aclLines, eventLine, javaHex, javaList, permString, statLines } from './format.js'
import { javaDate } from '../java-date.js'

t.test('javaDate writes Date.toString() as Java 17 does in each zone', async (t) => {
  const winter = Date.UTC(2026, 0, 5, 3, 4, 5)
  const summer = Date.UTC(2026, 6, 5, 23, 59, 59)
  const java: [string, string, string][] = [
    ['UTC', 'Mon Jan 05 03:04:05 UTC 2026', 'Sun Jul 05 23:59:59 UTC 2026'],
    ['Etc/UTC', 'Mon Jan 05 03:04:05 UTC 2026', 'Sun Jul 05 23:59:59 UTC 2026'],
    ['America/Los_Angeles', 'Sun Jan 04 19:04:05 PST 2026', 'Sun Jul 05 16:59:59 PDT 2026'],
    ['America/New_York', 'Sun Jan 04 22:04:05 EST 2026', 'Sun Jul 05 19:59:59 EDT 2026'],
    ['Europe/Berlin', 'Mon Jan 05 04:04:05 CET 2026', 'Mon Jul 06 01:59:59 CEST 2026'],
    ['Europe/London', 'Mon Jan 05 03:04:05 GMT 2026', 'Mon Jul 06 00:59:59 BST 2026'],
    ['Asia/Kolkata', 'Mon Jan 05 08:34:05 IST 2026', 'Mon Jul 06 05:29:59 IST 2026'],
    ['Asia/Tokyo', 'Mon Jan 05 12:04:05 JST 2026', 'Mon Jul 06 08:59:59 JST 2026'],
    ['Australia/Sydney', 'Mon Jan 05 14:04:05 AEDT 2026', 'Mon Jul 06 09:59:59 AEST 2026'],
    ['America/Sao_Paulo', 'Mon Jan 05 00:04:05 BRT 2026', 'Sun Jul 05 20:59:59 BRT 2026'],
    ['Asia/Kathmandu', 'Mon Jan 05 08:49:05 NPT 2026', 'Mon Jul 06 05:44:59 NPT 2026'],
  ]
  for (const [zone, w, s] of java) {
    t.equal(javaDate(winter, zone), w, `${zone} in January`)
    t.equal(javaDate(summer, zone), s, `${zone} in July`)
  }
  t.equal(javaDate(0, 'UTC'), 'Thu Jan 01 00:00:00 UTC 1970', 'the root and /zookeeper have time 0')
  t.equal(javaDate(Date.UTC(2026, 1, 3, 0, 0, 0), 'UTC'), 'Tue Feb 03 00:00:00 UTC 2026', 'midnight is 00, days are two digits')
  // Zones Java names only by their offset; unnamed zones fall back to that form too.
  t.equal(javaDate(winter, 'Etc/GMT-14'), 'Mon Jan 05 17:04:05 GMT+14:00 2026')
  t.equal(javaDate(winter, 'Etc/GMT+5'), 'Sun Jan 04 22:04:05 GMT-05:00 2026')
})

t.test('statLines is the StatPrinter block', async (t) => {
  const stat = new Stat({
    czxid: 0x2n,
    mzxid: 0x1cn,
    ctime: Date.UTC(2026, 11, 2, 3, 41, 5),
    mtime: Date.UTC(2026, 11, 2, 3, 41, 6),
    version: 2,
    cversion: 6,
    aversion: 1,
    ephemeralOwner: 0x100012a3b4c0000n,
    dataLength: 5,
    numChildren: 6,
    pzxid: 0x9n,
  })
  t.same(statLines(stat, 'UTC'), [
    'cZxid = 0x2',
    'ctime = Wed Dec 02 03:41:05 UTC 2026',
    'mZxid = 0x1c',
    'mtime = Wed Dec 02 03:41:06 UTC 2026',
    'pZxid = 0x9',
    'cversion = 6',
    'dataVersion = 2',
    'aclVersion = 1',
    'ephemeralOwner = 0x100012a3b4c0000',
    'dataLength = 5',
    'numChildren = 6',
  ])
})

t.test('javaHex is Long.toHexString: two’s complement for the negative markers', async (t) => {
  t.equal(javaHex(0n), '0')
  t.equal(javaHex(-0x8000000000000000n), '8000000000000000', "a container's ephemeralOwner")
  t.equal(javaHex(-0xffffffffffffc18n), 'f0000000000003e8', 'a negative value as 64 bits')
  t.equal(javaHex(-1n), 'ffffffffffffffff')
})

t.test('eventLine is WatchedEvent.toString()', async (t) => {
  t.equal(
    eventLine({ keeperState: KeeperState.SyncConnected, eventType: EventType.None, path: null }),
    'WatchedEvent state:SyncConnected type:None path:null',
  )
  t.equal(
    eventLine({ keeperState: KeeperState.Closed, eventType: EventType.None, path: '' }),
    'WatchedEvent state:Closed type:None path:null',
    'a session event has no path',
  )
  t.equal(
    eventLine({ keeperState: KeeperState.SyncConnected, eventType: EventType.NodeDataChanged, path: '/x' }),
    'WatchedEvent state:SyncConnected type:NodeDataChanged path:/x',
  )
  const names: [number, string][] = [
    [EventType.NodeCreated, 'NodeCreated'],
    [EventType.NodeDeleted, 'NodeDeleted'],
    [EventType.NodeChildrenChanged, 'NodeChildrenChanged'],
    [EventType.DataWatchRemoved, 'DataWatchRemoved'],
    [EventType.ChildWatchRemoved, 'ChildWatchRemoved'],
    [EventType.PersistentWatchRemoved, 'PersistentWatchRemoved'],
  ]
  for (const [type, name] of names)
    t.equal(
      eventLine({ keeperState: KeeperState.SyncConnected, eventType: type, path: '/p' }),
      `WatchedEvent state:SyncConnected type:${name} path:/p`,
    )
  for (const [state, name] of [
    [KeeperState.Disconnected, 'Disconnected'],
    [KeeperState.Expired, 'Expired'],
    [KeeperState.AuthFailed, 'AuthFailed'],
  ] as const) {
    t.equal(eventLine({ keeperState: state, eventType: EventType.None, path: null }), `WatchedEvent state:${name} type:None path:null`)
  }
})

t.test('ACL entries print as the Id record, then the rights in c d r w a order', async (t) => {
  t.equal(permString(Perms.ALL), 'cdrwa')
  t.equal(permString(Perms.READ | Perms.ADMIN), 'ra')
  t.equal(permString(0), '')
  t.same(aclLines({ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }), ["'world,'anyone", ': cdrwa'])
  t.same(aclLines({ perms: Perms.READ, id: { scheme: 'digest', id: 'bob:Oq4u2UVEVjXNzZyh3oRgQuBYeGw=' } }), [
    "'digest,'bob:Oq4u2UVEVjXNzZyh3oRgQuBYeGw=",
    ': r',
  ])
  t.same(
    aclLines({ perms: Perms.READ, id: { scheme: 'x509', id: 'CN=a,O=b%}' } }),
    ["'x509,'CN=a%2CO=b%25%7D", ': r'],
    'jute escapes , % and }',
  )
})

t.test('javaList is List.toString()', async (t) => {
  t.equal(javaList([]), '[]')
  t.equal(javaList(['a']), '[a]')
  t.equal(javaList(['/a/e', '/b']), '[/a/e, /b]')
})
