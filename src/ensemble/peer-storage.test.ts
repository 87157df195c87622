// The quorum store keeps the log and epochs across a restart, cuts a torn tail, compacts the log under
// a snapshot, and replaces the log whole on a sync.
import t from 'tap'
import { appendFileSync, mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { FileStore, MemoryStore } from './peer-storage.js'

const e = (zxid: bigint, s: string) => ({ zxid, value: Buffer.from(s) })

t.test('file store: appends, epochs, reset and recovery', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zookit-store-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const a = new FileStore(dir, { fsync: true })
  t.same(a.load(), { log: [], acceptedEpoch: 0n, currentEpoch: 0n }, 'empty at first')
  a.write([
    { op: 'append', entry: e(0x100000001n, 'one') },
    { op: 'append', entry: e(0x100000002n, 'two') },
  ])
  a.setEpochs(2n, 1n)
  a.close()
  const b = new FileStore(dir)
  t.same(b.load(), { log: [e(0x100000001n, 'one'), e(0x100000002n, 'two')], acceptedEpoch: 2n, currentEpoch: 1n })
  b.write([
    { op: 'reset', entries: [e(0x100000001n, 'one'), e(0x200000001n, 'new')] },
    { op: 'append', entry: e(0x200000002n, 'next') },
  ])
  b.close()
  const c = new FileStore(dir)
  t.same(
    c.load().log.map((x) => x.value.toString()),
    ['one', 'new', 'next'],
    'a reset replaces the log; later appends follow it',
  )
  c.close()
  // A crash mid-append leaves a torn record: it is cut off and the rest survives.
  const file = path.join(dir, 'zab.log')
  appendFileSync(file, Buffer.from([0, 0, 0, 50, 1, 2, 3]))
  const d = new FileStore(dir)
  t.same(
    d.load().log.map((x) => x.value.toString()),
    ['one', 'new', 'next'],
    'torn tail dropped',
  )
  d.write([{ op: 'append', entry: e(0x200000003n, 'after') }])
  d.close()
  t.same(
    new FileStore(dir).load().log.map((x) => x.value.toString()),
    ['one', 'new', 'next', 'after'],
    'appends after recovery land after the good records',
  )
  // A flipped byte in the last record fails its checksum.
  const size = statSync(file).size
  truncateSync(file, size - 1)
  t.same(
    new FileStore(dir).load().log.map((x) => x.value.toString()),
    ['one', 'new', 'next'],
  )
})

t.test('memory store: what was written survives a reload', async (t) => {
  const m = new MemoryStore()
  m.write([{ op: 'append', entry: e(1n, 'a') }])
  m.setEpochs(1n, 1n)
  const d = m.load()
  d.log.push(e(9n, 'caller-owned'))
  t.same(m.load(), { log: [e(1n, 'a')], acceptedEpoch: 1n, currentEpoch: 1n }, 'load hands out a copy')
  m.write([{ op: 'reset', entries: [] }])
  t.same(m.load().log, [])
})

t.test('file store: a snapshot replaces the log it covers, also after a crash between the two writes', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zookit-store-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const a = new FileStore(dir, { fsync: true })
  a.load()
  a.write([1, 2, 3, 4].map((i) => ({ op: 'append' as const, entry: e(BigInt(i), `v${i}`) })))
  a.write([{ op: 'compact', base: { zxid: 2n, state: Buffer.from('state@2') } }])
  a.write([{ op: 'append', entry: e(5n, 'v5') }])
  a.close()
  const b = new FileStore(dir)
  const d = b.load()
  t.same(d.base, { zxid: 2n, state: Buffer.from('state@2') })
  t.same(
    d.log.map((x) => x.value.toString()),
    ['v3', 'v4', 'v5'],
    'only what follows the snapshot',
  )
  // A reset carrying a leader's snapshot (SNAP) replaces both.
  b.write([{ op: 'reset', entries: [e(9n, 'v9')], base: { zxid: 8n, state: Buffer.from('state@8') } }])
  b.close()
  const c = new FileStore(dir).load()
  t.same([c.base?.zxid, c.log.map((x) => x.zxid)], [8n, [9n]])
  // Crash after the snapshot was written but before the log was trimmed: load() trims it.
  const m = new FileStore(dir)
  m.load()
  m.write([{ op: 'append', entry: e(10n, 'v10') }])
  m.close()
  const raw = new FileStore(dir)
  ;(raw as unknown as { writeBase(b: { zxid: bigint; state: Buffer }): void }).writeBase({ zxid: 9n, state: Buffer.from('state@9') })
  raw.close()
  const after = new FileStore(dir).load()
  t.same([after.base?.zxid, after.log.map((x) => x.zxid)], [9n, [10n]])
})

t.test('memory store: compact and reset keep the snapshot', async (t) => {
  const m = new MemoryStore()
  m.write([1, 2, 3].map((i) => ({ op: 'append' as const, entry: e(BigInt(i), `v${i}`) })))
  m.write([{ op: 'compact', base: { zxid: 2n, state: Buffer.from('s') } }])
  t.same(
    m.load().log.map((x) => x.zxid),
    [3n],
  )
  t.same(m.load().base?.zxid, 2n)
})

t.test('file store: appends wait for flush(), which writes them all at once (group commit)', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zookit-store-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const fsync of [true, false]) {
    const a = new FileStore(path.join(dir, String(fsync)), { fsync })
    a.load()
    for (let i = 1; i <= 100; i++) a.write([{ op: 'append', entry: e(BigInt(i), `v${i}`) }])
    t.equal(a.unflushed, true, `fsync ${fsync}: the host must hold its ACKs until flush()`)
    t.same(new FileStore(a.dir).load().log, [], 'nothing is in the file before flush()')
    a.flush()
    t.equal(a.unflushed, false)
    t.equal(a.fileWrites, 1, 'a hundred appends, one write to the file')
    t.same(
      new FileStore(a.dir).load().log.map((x) => x.zxid),
      Array.from({ length: 100 }, (_, i) => BigInt(i + 1)),
      'all of them, in order, once flushed',
    )
    a.write([{ op: 'append', entry: e(101n, 'v101') }])
    a.setEpochs(3n, 3n)
    t.same(new FileStore(a.dir).load().log.length, 101, 'new epochs go to disk after the appends that came before them')
    a.close()
  }
})
