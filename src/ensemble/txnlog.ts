// Durability: an append-only transaction log plus periodic snapshots in a data directory. Recovery
// loads the newest snapshot and replays the log after it; a torn tail (a record cut short or with a
// bad checksum, as a crash mid-write leaves) is cut off. Records are acknowledged only after append
// (and fsync, when enabled).
import { closeSync, existsSync, fsyncSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeSync } from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { Writer } from '../jute/writer.js'
import { Reader } from '../jute/reader.js'
import { encodeACL, decodeACL, encodeStatPersisted, decodeStatPersisted, type ACL } from '../jute/generated/proto.generated.js'
import { logger } from '../debug.js'
import { decodeTxn, encodeTxn } from './txn-codec.js'
import { DataTree, type TreeView } from './datatree.js'
import type { Txn, TxnHeader } from './txn.js'
import { crc32, openForAppend, writeFileAtomic } from './durable-file.js'

const log = logger('txnlog')
const SNAP_MAGIC = 0x5a4b534e // "ZKSN"

/** What recovery hands back to the server. */
export interface Recovered {
  tree: DataTree
  /** Live sessions and their timeouts. */
  sessions: Map<bigint, number>
  /** Secret used to derive session passwords, stable across restarts. */
  secret: Buffer
}

/** The log and snapshots of one server. */
export class TxnLog {
  private fd: number | undefined
  private readonly w = new Writer(4096)
  private sinceSnapshot = 0

  constructor(
    readonly dir: string,
    private readonly opts: { fsync?: boolean; snapshotEvery?: number } = {},
  ) {
    mkdirSync(dir, { recursive: true })
  }

  /** Rebuild the tree and sessions from disk (an empty dir gives a fresh tree). */
  recover(): Recovered {
    const secretFile = path.join(this.dir, 'secret')
    if (!existsSync(secretFile)) writeFileAtomic(secretFile, randomBytes(32), this.opts.fsync ?? false)
    const secret = readFileSync(secretFile)
    const tree = new DataTree()
    const sessions = new Map<bigint, number>()
    const snap = this.latest('snapshot.')
    if (snap) loadSnapshot(readFileSync(path.join(this.dir, snap.name)), tree, sessions)
    let replayed = 0
    for (const f of this.files('log.')) {
      const file = path.join(this.dir, f.name)
      const buf = readFileSync(file)
      let off = 0
      while (off + 8 <= buf.length) {
        const len = buf.readUInt32BE(off)
        const crc = buf.readUInt32BE(off + 4)
        const body = buf.subarray(off + 8, off + 8 + len)
        if (body.length < len || crc32(body) !== crc) break
        const { hdr, txn } = decodeTxn(new Reader(body))
        if (hdr.zxid > tree.lastZxid) {
          applyWithSessions(tree, sessions, hdr, txn)
          replayed++
        }
        off += 8 + len
      }
      if (off < buf.length) {
        log('cutting a torn tail of %d byte(s) from %s', buf.length - off, f.name)
        truncateSync(file, off)
      }
    }
    log('recovered zxid 0x%s (%s snapshot, %d txn(s) replayed)', tree.lastZxid.toString(16), snap ? 'from' : 'no', replayed)
    return { tree, sessions, secret }
  }

  /** Append a committed txn; durable on return when fsync is on. */
  append(hdr: TxnHeader, txn: Txn): void {
    if (this.fd === undefined)
      this.fd = openForAppend(path.join(this.dir, `log.${hdr.zxid.toString(16).padStart(16, '0')}`), this.opts.fsync ?? false)
    const w = this.w.reset()
    w.int(0).int(0)
    encodeTxn(w, hdr, txn)
    const rec = w.view()
    rec.writeUInt32BE(rec.length - 8, 0)
    rec.writeUInt32BE(crc32(rec.subarray(8)), 4)
    writeSync(this.fd, rec)
    if (this.opts.fsync) fsyncSync(this.fd)
    this.sinceSnapshot++
  }

  /** Whether enough txns have been logged since the last snapshot. */
  get wantsSnapshot(): boolean {
    return this.sinceSnapshot >= (this.opts.snapshotEvery ?? 10_000)
  }

  /** Write a snapshot of `tree` and `sessions`, start a new log, and drop files the snapshot covers. */
  snapshot(tree: DataTree, sessions: Map<bigint, number>): void {
    const name = `snapshot.${tree.lastZxid.toString(16).padStart(16, '0')}`
    writeFileAtomic(path.join(this.dir, name), encodeSnapshot(tree, sessions), this.opts.fsync ?? false)
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
    this.sinceSnapshot = 0
    // Everything up to the snapshot is in it: older logs and snapshots can go.
    for (const f of [...this.files('log.'), ...this.files('snapshot.')])
      if (f.name !== name && f.zxid <= tree.lastZxid) rmSync(path.join(this.dir, f.name), { force: true })
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
  }

  private files(prefix: string): { name: string; zxid: bigint }[] {
    return readdirSync(this.dir)
      .filter((n) => n.startsWith(prefix) && !n.endsWith('.tmp'))
      .map((name) => ({ name, zxid: BigInt(`0x${name.slice(prefix.length)}`) }))
      .sort((a, b) => (a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : 0))
  }

  private latest(prefix: string): { name: string; zxid: bigint } | undefined {
    return this.files(prefix).pop()
  }
}

/** Apply a txn and keep the session table in step (createSession/closeSession). */
export function applyWithSessions(tree: DataTree, sessions: Map<bigint, number>, hdr: TxnHeader, txn: Txn): void {
  tree.applyTxn(hdr, txn)
  if (txn.type === 'createSession') sessions.set(hdr.clientId, txn.timeout)
  else if (txn.type === 'closeSession') sessions.delete(hdr.clientId)
}

export function encodeSnapshot(tree: DataTree, sessions: Map<bigint, number>): Buffer {
  const steps = encodeSnapshotInSteps(tree, sessions, Infinity)
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
  }
}

/**
 * encodeSnapshot a slice at a time: it yields after every `nodesPerStep` nodes, so a server can
 * encode a large tree across event-loop turns. What it reads must not change until it returns: a
 * server encodes its tree's freeze() view this way, while the tree itself goes on.
 */
export function* encodeSnapshotInSteps(
  tree: TreeView | DataTree,
  sessions: Map<bigint, number>,
  nodesPerStep: number,
): Generator<void, Buffer> {
  const w = new Writer(1 << 16)
  w.int(SNAP_MAGIC).long(tree.lastZxid)
  w.int(sessions.size)
  for (const [id, timeout] of sessions) w.long(id).int(timeout)
  // Parents before children, each node's children in their iteration order, as ZooKeeper walks its
  // tree into a snapshot: loading adds them back in that order, so the order survives a restart.
  const countAt = w.length
  w.int(0)
  let count = 0
  // Each distinct ACL list is one shared instance (AclCache), mostly one for a whole tree: encoded once.
  const aclBytes = new Map<readonly ACL[], Buffer>()
  for (const [p, n] of tree.preorder('/')) {
    w.ustring(p)
    n.writeData(w)
    let acl = aclBytes.get(n.acl)
    if (acl === undefined) aclBytes.set(n.acl, (acl = new Writer(64).vector(n.acl, encodeACL).toBuffer()))
    w.raw(acl)
    // ZooKeeper's own snapshot layout for a node's metadata.
    encodeStatPersisted(w, n)
    if (++count % nodesPerStep === 0) yield
  }
  w.view().writeInt32BE(count, countAt)
  // The CRC goes on the end of the same writer: the body is copied out once, with it.
  w.int(crc32(w.view()))
  return w.toBuffer()
}

export function loadSnapshot(buf: Buffer, tree: DataTree, sessions: Map<bigint, number>): void {
  const body = buf.subarray(0, buf.length - 4)
  if (buf.length < 4 || crc32(body) !== buf.readUInt32BE(buf.length - 4)) throw new Error('snapshot checksum mismatch')
  const r = new Reader(body)
  if (r.int() !== SNAP_MAGIC) throw new Error('not a zookit snapshot')
  tree.lastZxid = r.long()
  for (let i = r.int(); i > 0; i--) sessions.set(r.long(), r.int())
  tree.clear()
  for (let i = r.int(); i > 0; i--) {
    const p = r.ustring()
    // The tree copies the data, so it keeps no view into the snapshot.
    const data = r.bufferOrNull()
    const acl = r.vector(8, decodeACL)
    tree.restore(p, { ...decodeStatPersisted(r), data, acl })
  }
  tree.setupQuotas()
}
