// The data directory's file operations: both CRC-32 paths agree with the standard's check values and
// with each other, and an atomic replacement fsyncs the file before its rename and the directory after.
import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import * as fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as zlib from 'node:zlib'
import { crc32, crc32ByTable, openForAppend, writeFileAtomic } from './durable-file.js'

/** The definition itself, a bit at a time: the reference both paths are held to. */
function crc32BitByBit(buf: Uint8Array): number {
  let c = ~0
  for (const byte of buf) {
    c ^= byte
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1))
  }
  return ~c >>> 0
}

t.test('CRC-32: known check values, on both paths', async (t) => {
  const vectors: [string | Buffer, number][] = [
    ['', 0],
    ['a', 0xe8b7be43],
    ['abc', 0x352441c2],
    ['123456789', 0xcbf43926], // the catalogue's check value for CRC-32/ISO-HDLC
    ['The quick brown fox jumps over the lazy dog', 0x414fa339],
    [Buffer.alloc(32), 0x190a55ad],
    [Buffer.alloc(32, 0xff), 0xff6cab0b],
  ]
  for (const [input, want] of vectors) {
    const buf = Buffer.from(input)
    const name = typeof input === 'string' ? JSON.stringify(input) : `${input.length} × 0x${input[0]!.toString(16)}`
    t.equal(crc32ByTable(buf), want, `table: ${name}`)
    t.equal(crc32(buf), want, `crc32: ${name}`)
  }
})

t.test('CRC-32: both paths agree with the definition on random buffers and on views into them', async (t) => {
  t.equal(crc32 === crc32ByTable, typeof zlib.crc32 !== 'function', 'zlib.crc32 is used exactly when this Node has it')
  for (const size of [1, 3, 7, 8, 63, 255, 256, 1000, 4096, 65_537]) {
    const buf = randomBytes(size + 16)
    // A view that starts and ends inside its ArrayBuffer, as log records are checked.
    const view = buf.subarray(5, 5 + size)
    const want = crc32BitByBit(view)
    t.equal(crc32ByTable(view), want, `table, ${size} bytes`)
    t.equal(crc32(view), want, `crc32, ${size} bytes`)
  }
})

t.test('CRC-32 on a Node without zlib.crc32 is the table', async (t) => {
  const { crc32ByTable: table, crc32: chosen } = await t.mockImport<typeof import('./durable-file.js')>('./durable-file.js', {
    'node:zlib': {},
  })
  t.equal(chosen, table, 'the fallback is chosen')
  t.equal(chosen(Buffer.from('123456789')), 0xcbf43926)
})

t.test('writeFileAtomic replaces the file whole and leaves no temporary file', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zookit-durable-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'epochs')
  writeFileAtomic(file, 'old contents, longer than the new\n', true)
  writeFileAtomic(file, Buffer.from('new\n'), true)
  t.equal(readFileSync(file, 'utf8'), 'new\n')
  writeFileAtomic(file, 'unsynced\n', false)
  t.equal(readFileSync(file, 'utf8'), 'unsynced\n')
  t.same(readdirSync(dir), ['epochs'])
})

/** The durable-file module over a node:fs that records every open, fsync, rename and close, by path. */
async function withRecordedFs(t: Test): Promise<{ mod: typeof import('./durable-file.js'); calls: string[] }> {
  const calls: string[] = []
  const paths = new Map<number, string>()
  const recorded = {
    ...fs,
    openSync: (p: string, flags: string) => {
      const fd = fs.openSync(p, flags)
      paths.set(fd, p)
      calls.push(`open ${path.basename(p)}`)
      return fd
    },
    fsyncSync: (fd: number) => {
      calls.push(`fsync ${path.basename(paths.get(fd)!)}`)
      fs.fsyncSync(fd)
    },
    closeSync: (fd: number) => {
      calls.push(`close ${path.basename(paths.get(fd)!)}`)
      fs.closeSync(fd)
    },
    renameSync: (from: string, to: string) => {
      calls.push(`rename ${path.basename(from)} ${path.basename(to)}`)
      fs.renameSync(from, to)
    },
  }
  const mod = await t.mockImport<typeof import('./durable-file.js')>('./durable-file.js', { 'node:fs': recorded })
  return { mod, calls }
}

t.test('with fsync, the new contents are synced before the rename and the directory after it', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zookit-durable-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const { mod, calls } = await withRecordedFs(t)
  const dirName = path.basename(dir)
  mod.writeFileAtomic(path.join(dir, 'snapshot'), 'state', true)
  t.same(calls, [
    'open snapshot.tmp',
    'fsync snapshot.tmp',
    'close snapshot.tmp',
    'rename snapshot.tmp snapshot',
    `open ${dirName}`,
    `fsync ${dirName}`,
    `close ${dirName}`,
  ])
  calls.length = 0
  mod.writeFileAtomic(path.join(dir, 'snapshot'), 'state', false)
  t.same(calls, ['open snapshot.tmp', 'close snapshot.tmp', 'rename snapshot.tmp snapshot'], 'without fsync nothing is synced')
})

t.test('a log file created with fsync has its name synced before anything is written to it', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zookit-durable-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const { mod, calls } = await withRecordedFs(t)
  const dirName = path.basename(dir)
  const file = path.join(dir, 'zab.log')
  fs.closeSync(mod.openForAppend(file, true))
  t.same(calls, ['open zab.log', `open ${dirName}`, `fsync ${dirName}`, `close ${dirName}`], 'a new file: the directory is synced')
  calls.length = 0
  fs.closeSync(mod.openForAppend(file, true))
  t.same(calls, ['open zab.log'], 'an existing file: its name is durable already')
  fs.closeSync(openForAppend(path.join(dir, 'other.log'), false))
})
