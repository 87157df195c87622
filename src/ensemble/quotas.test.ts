// Quotas on the data tree and in prep, as ZooKeeper 3.8's StatsTrack, PathTrie, DataTree and
// checkQuota do them: the stats text, which writes update the stats node, QUOTAEXCEEDED on hard
// limits only, and stats rebuilt from a snapshot.
import t from 'tap'
import { DataTree } from './datatree.js'
import { prepWrite, type RequestContext } from './prep.js'
import { DEFAULT_PROVIDERS } from './acl.js'
import { QuotaStats, QuotaTrie } from './quotas.js'
import { Writer } from '../jute/writer.js'
import { Reader } from '../jute/reader.js'
import * as P from '../jute/generated/proto.generated.js'
import { ErrorCode, OpCode } from '../protocol.js'
import { encodeSnapshot, loadSnapshot } from './txnlog.js'

const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]
const ctx: RequestContext = {
  sessionId: 0x55n,
  ids: [],
  address: '127.0.0.1',
  ttlEnabled: true,
  maxBuffer: 0xfffff,
  enforceQuota: true,
  providers: DEFAULT_PROVIDERS,
}

class Harness {
  tree = new DataTree()
  zxid = 0n
  run(type: number, fill: (w: Writer) => void, c = ctx): number {
    const w = new Writer()
    fill(w)
    const txn = prepWrite(this.tree, type, new Reader(w.toBuffer()), c)
    return this.tree.applyTxn({ clientId: c.sessionId, cxid: 1, zxid: ++this.zxid, time: 1000n }, txn).err
  }
  create(path: string, data: string | null = null, c = ctx, flags = 0): number {
    const d = data === null ? null : Buffer.from(data)
    return this.run(OpCode.create, (w) => P.encodeCreateRequest(w, { path, data: d, acl: OPEN, flags }), c)
  }
  setData(path: string, data: string): number {
    return this.run(OpCode.setData, (w) => P.encodeSetDataRequest(w, { path, data: Buffer.from(data), version: -1 }))
  }
  delete(path: string): number {
    return this.run(OpCode.delete, (w) => P.encodeDeleteRequest(w, { path, version: -1 }))
  }
  /** What zkCli.sh's setquota creates for a quota on `path`. */
  setQuota(path: string, limits: string): void {
    this.create(`/zookeeper/quota${path}`)
    this.create(`/zookeeper/quota${path}/zookeeper_limits`, limits)
    this.create(`/zookeeper/quota${path}/zookeeper_stats`, 'count=0,bytes=0')
  }
  stats(path: string): string | undefined {
    return this.tree.get(`/zookeeper/quota${path}/zookeeper_stats`)?.data?.toString()
  }
}

t.test('the stats text reads and writes as StatsTrack', async (t) => {
  const s = QuotaStats.parse(Buffer.from('count=4,bytes=5=;countHardLimit=10;byteHardLimit=-1'))!
  t.equal(s.get('count'), 4n)
  t.equal(s.get('bytes'), 5n)
  t.equal(s.get('countHardLimit'), 10n)
  t.equal(s.get('byteHardLimit'), -1n)
  t.equal(s.toBuffer().toString(), 'count=4,bytes=5=;byteHardLimit=-1;countHardLimit=10', 'extra keys sorted after "="')
  t.equal(QuotaStats.parse(Buffer.from('bytes=7'))!.toBuffer().toString(), 'count=-1,bytes=7', 'absent keys read -1')
  t.equal(QuotaStats.parse(null)!.toBuffer().toString(), 'count=-1,bytes=-1')
  t.equal(QuotaStats.parse(Buffer.from('count')), undefined, 'no value')
  t.equal(QuotaStats.parse(Buffer.from('count=x')), undefined, 'not a long')
  t.equal(QuotaStats.parse(Buffer.from('count=9223372036854775808')), undefined, 'over a long')
})

t.test('the trie finds the deepest quota root and drops whole branches, as PathTrie', async (t) => {
  const trie = new QuotaTrie()
  trie.add('/a')
  trie.add('/a/b/c')
  t.equal(trie.quotaRootOf('/a/x'), '/a')
  t.equal(trie.quotaRootOf('/a/b/c/d'), '/a/b/c')
  t.equal(trie.quotaRootOf('/a/b'), '/a')
  t.equal(trie.quotaRootOf('/ab'), undefined)
  t.equal(trie.quotaRootOf('//a//b/c'), '/a/b/c', 'empty components do not count')
  trie.remove('/a/b')
  t.equal(trie.quotaRootOf('/a/b/c/d'), '/a', 'removing /a/b took /a/b/c with it')
  trie.add('/')
  t.equal(trie.quotaRootOf('/x'), undefined, 'a quota on / is never kept')
})

t.test('creates, setData, deletes and session close update the stats of their quota', async (t) => {
  const h = new Harness()
  h.create('/q', 'abc')
  h.create('/q/a', '12345')
  h.setQuota('/q', 'count=10,bytes=-1')
  t.equal(h.stats('/q'), 'count=2,bytes=8', 'the stats node starts from a count of the subtree')
  h.create('/q/b', 'xy')
  t.equal(h.stats('/q'), 'count=3,bytes=10')
  h.setData('/q/b', 'wxyz')
  t.equal(h.stats('/q'), 'count=3,bytes=12')
  h.delete('/q/a')
  t.equal(h.stats('/q'), 'count=2,bytes=7')
  t.equal(h.create('/q/e', 'e', { ...ctx, sessionId: 0x77n }, 1), 0)
  t.equal(h.stats('/q'), 'count=3,bytes=8')
  h.tree.applyTxn({ clientId: 0x77n, cxid: 0, zxid: ++h.zxid, time: 0n }, { type: 'closeSession' })
  t.equal(h.stats('/q'), 'count=2,bytes=7', 'an ephemeral deleted with its session is counted out')
  const statsNode = h.tree.get('/zookeeper/quota/q/zookeeper_stats')!
  t.equal(statsNode.version, 0, 'stats change without a version')
  h.create('/other', 'zz')
  t.equal(h.stats('/q'), 'count=2,bytes=7', 'writes outside the quota do not count')
  h.delete('/zookeeper/quota/q/zookeeper_limits')
  h.create('/q/c')
  t.equal(h.stats('/q'), 'count=2,bytes=7', 'without a limits node the stats stay as they are')
})

t.test('hard limits refuse with QUOTAEXCEEDED after ZooKeeper’s other checks; soft limits do not', async (t) => {
  const h = new Harness()
  h.create('/h')
  h.setQuota('/h', 'count=-1,bytes=-1=;byteHardLimit=5;countHardLimit=2')
  t.equal(h.create('/h/a', 'abc'), 0)
  t.equal(h.create('/h/b'), ErrorCode.QUOTAEXCEEDED, 'a third node')
  t.equal(h.create('/h/a'), ErrorCode.NODEEXISTS, 'NODEEXISTS comes first')
  t.equal(h.create('/h/x/y'), ErrorCode.NONODE, 'NONODE comes first')
  t.equal(h.setData('/h/a', 'abcdef'), ErrorCode.QUOTAEXCEEDED, '3 bytes becoming 6, over 5')
  t.equal(h.setData('/h/a', 'abcde'), 0, 'up to the limit is fine')
  t.equal(h.setData('/h/a', 'ab'), 0, 'shrinking is fine')
  t.equal(h.stats('/h'), 'count=2,bytes=2', 'refused writes changed nothing')
  t.equal(h.create('/h/b', null, { ...ctx, enforceQuota: false }), 0, 'not enforced: allowed')

  const s = new Harness()
  s.create('/s')
  s.setQuota('/s', 'count=1,bytes=1')
  t.equal(s.create('/s/a', 'long data'), 0, 'a soft limit only logs')
  t.equal(s.stats('/s'), 'count=2,bytes=9')
})

t.test('a multi checks each op against the committed stats, as ZooKeeper does', async (t) => {
  const h = new Harness()
  h.create('/m')
  h.setQuota('/m', 'count=-1,bytes=-1=;countHardLimit=2')
  const op = (path: string) => (w: Writer) => {
    P.encodeMultiHeader(w, { type: OpCode.create, done: false, err: -1 })
    P.encodeCreateRequest(w, { path, data: null, acl: OPEN, flags: 0 })
  }
  const multi = (...paths: string[]) =>
    h.run(OpCode.multi, (w) => {
      for (const p of paths) op(p)(w)
      P.encodeMultiHeader(w, { type: -1, done: true, err: -1 })
    })
  t.equal(multi('/m/a', '/m/b'), 0, 'both pass: the first is not committed yet')
  t.equal(h.stats('/m'), 'count=3,bytes=0')
  const w = new Writer()
  op('/m/c')(w)
  P.encodeMultiHeader(w, { type: -1, done: true, err: -1 })
  const txn = prepWrite(h.tree, OpCode.multi, new Reader(w.toBuffer()), ctx)
  t.same(txn, { type: 'multi', txns: [{ type: 'error', err: ErrorCode.QUOTAEXCEEDED }] })
})

t.test('limits ZooKeeper cannot parse fail the write as MARSHALLINGERROR', async (t) => {
  const h = new Harness()
  h.create('/p')
  h.setQuota('/p', 'count=lots')
  t.equal(h.create('/p/a'), ErrorCode.MARSHALLINGERROR)
})

t.test('a snapshot brings the quotas back and recounts their stats', async (t) => {
  const h = new Harness()
  h.create('/r', 'abcd')
  h.setQuota('/r', 'count=-1,bytes=-1=;countHardLimit=2')
  h.create('/r/a')
  // Stats drift (a client wrote them); ZooKeeper recounts them on load.
  h.tree.get('/zookeeper/quota/r/zookeeper_stats')!.data = Buffer.from('count=0,bytes=0')
  const back = new DataTree()
  loadSnapshot(encodeSnapshot(h.tree, new Map()), back, new Map())
  t.equal(back.get('/zookeeper/quota/r/zookeeper_stats')?.data?.toString(), 'count=2,bytes=4')
  const w = new Writer()
  P.encodeCreateRequest(w, { path: '/r/b', data: null, acl: OPEN, flags: 0 })
  t.same(prepWrite(back, OpCode.create, new Reader(w.toBuffer()), ctx), { type: 'error', err: ErrorCode.QUOTAEXCEEDED })
})
