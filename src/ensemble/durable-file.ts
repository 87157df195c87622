// The file operations the data directory relies on to survive a crash: the CRC-32 its records carry,
// the whole-file replacement (temporary file, fsync, rename, fsync of the directory) and the creation
// of a log file whose name must outlive a power loss as much as its contents.
import { closeSync, existsSync, fsyncSync, openSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import * as zlib from 'node:zlib'

const CRC32_POLYNOMIAL = 0xedb88320 // IEEE 802.3, bit-reversed: zlib's, PNG's and gzip's CRC-32

/** crc32ByTable's lookup: the CRC of each byte value, so a byte costs one step instead of eight. */
const CRC32_TABLE = (() => {
  const table = new Int32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (CRC32_POLYNOMIAL & -(c & 1))
    table[n] = c
  }
  return table
})()

/** CRC-32 in JavaScript, one table lookup per byte: crc32's fallback on a Node without zlib.crc32. */
export function crc32ByTable(buf: Uint8Array): number {
  let c = ~0
  for (let i = 0; i < buf.length; i++) c = CRC32_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}

/**
 * CRC-32 (IEEE) of a buffer, as our log and snapshot records carry it: zlib's native one (Node
 * 20.15 and 22.2 on, over ten times faster), else the same value from crc32ByTable. ZooKeeper's own
 * files use Adler-32; ours are zookit's format (the snapshot says "ZKSN") and have always used
 * CRC-32, so files written before this read the same.
 */
export const crc32: (buf: Uint8Array) => number =
  // A namespace import: on an older Node the missing export reads as undefined rather than failing to link.
  typeof zlib.crc32 === 'function' ? (buf) => zlib.crc32(buf) : crc32ByTable

/**
 * fsync a directory, which makes the names in it durable: a rename into it, or a file created in it.
 * Windows cannot open a directory for this and keeps its names durable itself (NTFS journals them).
 */
export function fsyncDirectory(dir: string): void {
  if (process.platform === 'win32') return
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/**
 * Replace `file` whole: write a temporary file next to it, then rename it over the old one, so a
 * crash leaves either the old content or the new, never a mix. With `fsync` the new content is on
 * disk before the rename and the rename itself after it, so a power loss cannot undo it either.
 */
export function writeFileAtomic(file: string, data: Buffer | string, fsync: boolean): void {
  const tmp = `${file}.tmp`
  const fd = openSync(tmp, 'w')
  try {
    writeFileSync(fd, data)
    // Before the rename: otherwise a power loss could leave the new name on an empty file.
    if (fsync) fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
  // The rename lives in the directory, which the file's fsync does not cover.
  if (fsync) fsyncDirectory(path.dirname(file))
}

/**
 * Open `file` to append to it, creating it if need be; with `fsync`, a file created here has its
 * name made durable before anything is written to it, so records later fsync'd in it cannot vanish
 * with a directory entry that never reached the disk.
 */
export function openForAppend(file: string, fsync: boolean): number {
  const created = !existsSync(file)
  const fd = openSync(file, 'a')
  if (created && fsync) fsyncDirectory(path.dirname(file))
  return fd
}
