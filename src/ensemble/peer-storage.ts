// What a quorum peer keeps across a crash: its log of proposals (committed or not) and its accepted
// and current epochs. Zab's promises (ACKEPOCH, ACK) are only safe once these are durable, so the peer
// writes them before it sends. Two stores: a directory (append-only file with CRCs, epochs replaced
// atomically) and memory (survives kill/restart of an in-process peer, like a disk, but not the
// process).
import { closeSync, existsSync, fsyncSync, mkdirSync, readFileSync, writeSync } from 'node:fs'
import path from 'node:path'
import { crc32, openForAppend, writeFileAtomic } from './durable-file.js'
import { Writer } from '../jute/writer.js'
import type { Base, Entry } from './zab/messages.js'
import type { LogChange } from './zab/ready.js'
import { applyLogChanges, type Durable as PeerDurable } from './zab/durable.js'

/** What a store gives back: the newest snapshot, the log that follows it, and the epochs. */
export type Durable = PeerDurable<Buffer>

export interface QuorumStore {
  load(): Durable
  /** Write log changes (in order); durable at once, or after flush() when `unflushed` says so. */
  write(ops: LogChange<Buffer>[]): void
  /** Whether written changes still wait for flush() to be durable (group commit). */
  readonly unflushed: boolean
  /** Make everything written durable (one fsync for many writes). */
  flush(): void
  /** Keep `base` as the snapshot and drop the log entries it stands for. */
  compact(base: Base<Buffer>): void
  setEpochs(acceptedEpoch: bigint, currentEpoch: bigint): void
  close(): void
}

/** A store in memory: what an in-process peer "wrote" survives its kill and restart. */
export class MemoryStore implements QuorumStore {
  private readonly d: Durable = { log: [], acceptedEpoch: 0n, currentEpoch: 0n }
  readonly unflushed = false

  flush(): void {}

  load(): Durable {
    return { ...this.d, log: [...this.d.log] }
  }

  write(ops: LogChange<Buffer>[]): void {
    applyLogChanges(this.d, ops)
  }

  compact(base: Base<Buffer>): void {
    applyLogChanges(this.d, [{ op: 'compact', base }])
  }

  setEpochs(acceptedEpoch: bigint, currentEpoch: bigint): void {
    this.d.acceptedEpoch = acceptedEpoch
    this.d.currentEpoch = currentEpoch
  }

  close(): void {}
}

const HEADER = 16 // int length, int crc, long zxid

/**
 * A store in a directory: `zab.log` (records: length, CRC-32, zxid, value) and `epochs`. Appends
 * are gathered in memory and written by flush(), all in one write (and one fsync with `fsync`): the
 * host holds what it promised about them until then (group commit).
 */
export class FileStore implements QuorumStore {
  private fd: number | undefined
  unflushed = false
  /** Records appended since the last flush(), not yet in the file. */
  private readonly pending = new Writer(64 * 1024)
  /** Appends the file got, one per flush(), for tests. */
  fileWrites = 0
  private readonly logFile: string
  private readonly epochFile: string
  private readonly snapFile: string
  /** The log as written, kept to rewrite it without what a snapshot covers. */
  private entries: Entry<Buffer>[] = []

  constructor(
    readonly dir: string,
    private readonly opts: { fsync?: boolean } = {},
  ) {
    mkdirSync(dir, { recursive: true })
    this.logFile = path.join(dir, 'zab.log')
    this.epochFile = path.join(dir, 'epochs')
    this.snapFile = path.join(dir, 'snapshot')
  }

  private replace(file: string, data: Buffer | string): void {
    writeFileAtomic(file, data, this.opts.fsync ?? false)
  }

  private writeBase(base: Base<Buffer>): void {
    const b = Buffer.alloc(12 + base.state.length)
    b.writeBigInt64BE(base.zxid, 0)
    base.state.copy(b, 12)
    b.writeUInt32BE((crc32(b.subarray(12)) ^ Number(base.zxid & 0xffffffffn)) >>> 0, 8)
    this.replace(this.snapFile, b)
  }

  private readBase(): Base<Buffer> | undefined {
    if (!existsSync(this.snapFile)) return undefined
    const b = readFileSync(this.snapFile)
    if (b.length < 12) throw new Error(`${this.snapFile}: truncated snapshot`)
    const zxid = b.readBigInt64BE(0)
    const state = Buffer.from(b.subarray(12))
    // Written whole and renamed into place, so a bad checksum is damage, not a torn write.
    if ((crc32(state) ^ Number(zxid & 0xffffffffn)) >>> 0 !== b.readUInt32BE(8))
      throw new Error(`${this.snapFile}: snapshot checksum mismatch`)
    return { zxid, state }
  }

  load(): Durable {
    const log: Entry<Buffer>[] = []
    let good = 0
    if (existsSync(this.logFile)) {
      const buf = readFileSync(this.logFile)
      let at = 0
      while (at + HEADER <= buf.length) {
        const len = buf.readInt32BE(at)
        if (len < 0 || at + HEADER + len > buf.length) break
        const body = buf.subarray(at + 8, at + HEADER + len)
        if (crc32(body) !== buf.readUInt32BE(at + 4)) break
        log.push({ zxid: buf.readBigInt64BE(at + 8), value: Buffer.from(buf.subarray(at + HEADER, at + HEADER + len)) })
        at += HEADER + len
      }
      good = at
      // A torn tail (a crash mid-append) is cut off.
      if (good < buf.length) this.rewrite(log)
    }
    let acceptedEpoch = 0n
    let currentEpoch = 0n
    if (existsSync(this.epochFile)) {
      const [a, c] = readFileSync(this.epochFile, 'utf8').trim().split(' ')
      acceptedEpoch = BigInt(a ?? '0')
      currentEpoch = BigInt(c ?? '0')
    }
    const base = this.readBase()
    // A crash between writing a snapshot and trimming the log leaves entries the snapshot covers.
    this.entries = base ? log.filter((e) => e.zxid > base.zxid) : log
    return { ...(base ? { base } : {}), log: [...this.entries], acceptedEpoch, currentEpoch }
  }

  /** Encode `e`'s record onto the end of `w`. */
  private record(w: Writer, e: Entry<Buffer>): void {
    const start = w.length
    w.int(e.value.length).int(0).long(e.zxid).raw(e.value)
    const b = w.view()
    b.writeUInt32BE(crc32(b.subarray(start + 8)), start + 4)
  }

  private rewrite(entries: Entry<Buffer>[]): void {
    this.closeFd()
    // The whole log is written anew: records still pending are among `entries`.
    this.pending.reset()
    const w = new Writer(entries.reduce((n, e) => n + HEADER + e.value.length, 0))
    for (const e of entries) this.record(w, e)
    this.replace(this.logFile, w.view())
    this.unflushed = false
  }

  write(ops: LogChange<Buffer>[]): void {
    if (!ops.length) return
    for (const op of ops) {
      if (op.op === 'compact') {
        this.compact(op.base)
        continue
      }
      if (op.op === 'reset') {
        // Snapshot first: a crash in between leaves a log the snapshot partly covers, which load() trims.
        if (op.base) this.writeBase(op.base)
        this.entries = [...op.entries]
        this.rewrite(this.entries)
        continue
      }
      this.record(this.pending, op.entry)
      this.entries.push(op.entry)
      this.unflushed = true
    }
  }

  compact(base: Base<Buffer>): void {
    this.flush()
    this.writeBase(base)
    this.entries = this.entries.filter((e) => e.zxid > base.zxid)
    this.rewrite(this.entries)
  }

  flush(): void {
    if (!this.unflushed) return
    if (this.pending.length) {
      this.fd ??= openForAppend(this.logFile, this.opts.fsync ?? false)
      const bytes = this.pending.view()
      for (let at = 0; at < bytes.length;) at += writeSync(this.fd, bytes, at)
      this.pending.reset()
      this.fileWrites++
    }
    if (this.opts.fsync && this.fd !== undefined) fsyncSync(this.fd)
    this.unflushed = false
  }

  setEpochs(acceptedEpoch: bigint, currentEpoch: bigint): void {
    // The log changes that came with these epochs first, as before they were gathered.
    this.flush()
    this.replace(this.epochFile, `${acceptedEpoch} ${currentEpoch}\n`)
  }

  private closeFd(): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
  }

  close(): void {
    this.flush()
    this.closeFd()
  }
}
