// The Stat every call hands out: times usable as numbers and Dates, zxids and the owner session exact
// (bigint), and JSON.stringify writing it (bigints as decimal strings).
import t from 'tap'
import { ZooKeeper } from './client.js'
import { Session } from './session/session.js'
import { FakeServer } from './session/fake-server.test-helper.js'
import * as P from './jute/generated/proto.generated.js'
import { encodeMultiResponse } from './jute/quirks.js'
import { OpCode } from './protocol.js'
import { Stat } from './stat.js'

// zxids above 2^53 (epoch 0x12345678, counter 0x9abcdef1) and a session id near 2^63:
// a double would round both.
const wire: P.Stat = {
  czxid: 0x1234_5678_0000_0001n,
  mzxid: 0x1234_5678_9abc_def1n,
  ctime: 1_700_000_000_123n,
  mtime: 1_700_000_004_567n,
  version: 3,
  cversion: 1,
  aversion: 0,
  ephemeralOwner: 0x7f00_0000_0000_0001n,
  dataLength: 2,
  numChildren: 0,
  pzxid: 0x1234_5678_9abc_def3n,
}

async function setup() {
  const fake = new FakeServer(1)
  fake.respond = (req) => {
    switch (req.type) {
      case OpCode.getData:
        return { body: (w) => P.encodeGetDataResponse(w, { data: Buffer.from('hi'), stat: wire }) }
      case OpCode.exists:
        return { body: (w) => P.encodeExistsResponse(w, { stat: wire }) }
      case OpCode.create2:
        return { body: (w) => P.encodeCreate2Response(w, { path: '/n', stat: wire }) }
      case OpCode.setData:
        return { body: (w) => P.encodeSetDataResponse(w, { stat: wire }) }
      case OpCode.getACL:
        return { body: (w) => P.encodeGetACLResponse(w, { acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], stat: wire }) }
      case OpCode.setACL:
        return { body: (w) => P.encodeSetACLResponse(w, { stat: wire }) }
      case OpCode.getChildren2:
        return { body: (w) => P.encodeGetChildren2Response(w, { children: ['a'], stat: wire }) }
      case OpCode.multi:
        return {
          body: (w) =>
            encodeMultiResponse(w, [
              { type: OpCode.create2, err: 0, body: { path: '/n', stat: wire } },
              { type: OpCode.setData, err: 0, body: { stat: wire } },
            ]),
        }
      case OpCode.multiRead:
        return { body: (w) => encodeMultiResponse(w, [{ type: OpCode.getData, err: 0, body: { data: Buffer.from('hi'), stat: wire } }]) }
    }
    return {}
  }
  const zk = await ZooKeeper.connect('h0:2181', { sessionFactory: (o) => new Session({ ...o, transportFactory: fake.factory }) })
  t.teardown(() => zk.close())
  return zk
}

t.test('times are millisecond numbers, zxids and the owner exact bigints', async (t) => {
  const zk = await setup()
  const { stat } = await zk.getData('/n')
  t.type(stat, Stat)
  t.equal(stat.ctime, 1_700_000_000_123)
  t.equal(stat.mtime, 1_700_000_004_567)
  t.equal(new Date(stat.mtime).toISOString(), '2023-11-14T22:13:24.567Z')
  t.equal(stat.mzxid, 0x1234_5678_9abc_def1n, 'a zxid above 2^53 is exact')
  t.equal(stat.ephemeralOwner, 0x7f00_0000_0000_0001n)
  t.ok(stat.pzxid > stat.mzxid, 'zxids compare as bigints')
})

t.test('JSON.stringify writes a Stat, bigints as decimal strings', async (t) => {
  const zk = await setup()
  const { stat } = await zk.getData('/n')
  const json = JSON.parse(JSON.stringify({ stat })) as { stat: Record<string, unknown> }
  t.strictSame(json.stat, {
    czxid: '1311768464867721217',
    mzxid: '1311768467463790321',
    ctime: 1_700_000_000_123,
    mtime: 1_700_000_004_567,
    version: 3,
    cversion: 1,
    aversion: 0,
    ephemeralOwner: '9151314442816847873',
    dataLength: 2,
    numChildren: 0,
    pzxid: '1311768467463790323',
  })
  t.equal(BigInt(json.stat.mzxid as string), stat.mzxid, 'the decimal string gives the zxid back')
})

t.test('every call that returns a Stat returns this one', async (t) => {
  const zk = await setup()
  const stats = [
    (await zk.create('/n')).stat,
    await zk.exists('/n'),
    await zk.setData('/n', 'x'),
    (await zk.getACL('/n')).stat,
    await zk.setACL('/n', [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]),
    (await zk.getChildrenWithStat('/n')).stat,
    (await zk.getConfig()).stat,
  ]
  const tx = await zk.transaction().create('/n').setData('/n', 'x').commit()
  for (const r of tx) if ('stat' in r) stats.push(r.stat!)
  const [read] = await zk.multiRead([{ type: 'getData', path: '/n' }])
  if (read && 'stat' in read) stats.push(read.stat)
  t.equal(stats.length, 10)
  for (const s of stats) {
    t.type(s, Stat)
    t.equal(s!.mtime, 1_700_000_004_567)
    t.doesNotThrow(() => JSON.stringify(s))
  }
})

t.test('a Stat can be built by hand (e.g. for a fake), with number or bigint times', async (t) => {
  const fields = {
    czxid: 1n,
    mzxid: 2n,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    dataLength: 0,
    numChildren: 0,
    pzxid: 1n,
  }
  t.equal(new Stat({ ...fields, ctime: 5, mtime: 6 }).mtime, 6)
  t.equal(new Stat({ ...fields, ctime: 5n, mtime: 6n }).mtime, 6)
  t.same({ ...new Stat({ ...fields, ctime: 5, mtime: 6 }) }, { ...fields, ctime: 5, mtime: 6 }, 'spreads to its plain fields')
})
