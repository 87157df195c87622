// The data directory's file operations: both CRC-32 paths agree with the standard's check values and
// with each other, and an atomic replacement leaves the new contents whole.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as zlib from 'node:zlib'
import { crc32, crc32ByTable, writeFileAtomic } from './durable-file.js'

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
