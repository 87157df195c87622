// A znode's Stat as the client hands it out, built from the wire record (jute/zookeeper.jute,
// generated into src/jute/generated/, where every long is a bigint): zxids and the owning session stay
// exact bigints, times become millisecond numbers (they fit a double exactly), and toJSON() gives a
// form JSON.stringify can write (bigints as decimal strings).

/** A Stat as JSON (what `JSON.stringify(stat)` writes): zxids and ephemeralOwner as decimal strings, so they stay exact. */
export interface StatJSON {
  /** {@link Stat.czxid} in decimal. */
  czxid: string
  /** {@link Stat.mzxid} in decimal. */
  mzxid: string
  /** {@link Stat.ctime}, ms since the epoch. */
  ctime: number
  /** {@link Stat.mtime}, ms since the epoch. */
  mtime: number
  /** {@link Stat.version}. */
  version: number
  /** {@link Stat.cversion}. */
  cversion: number
  /** {@link Stat.aversion}. */
  aversion: number
  /** {@link Stat.ephemeralOwner} in decimal ("0" when not ephemeral). */
  ephemeralOwner: string
  /** {@link Stat.dataLength}. */
  dataLength: number
  /** {@link Stat.numChildren}. */
  numChildren: number
  /** {@link Stat.pzxid} in decimal. */
  pzxid: string
}

/** The fields of a Stat, as `new Stat(fields)` takes them (e.g. to build one for a fake server). */
export type StatFields = Omit<Stat, 'toJSON'>

/**
 * Metadata of a znode. Compare zxids as bigints (`a.mzxid > b.mzxid`); use times as numbers or
 * Dates (`new Date(stat.mtime)`); `JSON.stringify(stat)` writes a {@link StatJSON}.
 */
export class Stat {
  /** zxid of the transaction that created the node. */
  readonly czxid: bigint
  /** zxid of the last change of its data. */
  readonly mzxid: bigint
  /** When it was created: ms since the epoch, by the clock of the server that led then. */
  readonly ctime: number
  /** When its data last changed: ms since the epoch. */
  readonly mtime: number
  /** Number of changes to its data (what setData's and delete's `version` is compared with). */
  readonly version: number
  /** Number of changes to its children. */
  readonly cversion: number
  /** Number of changes to its ACL (what setACL's `version` is compared with). */
  readonly aversion: number
  /**
   * Session id of the owner when the node is ephemeral, 0n otherwise (compare with
   * `zk.sessionId`). Containers and TTL nodes keep markers here, not session ids.
   */
  readonly ephemeralOwner: bigint
  /** Length of its data in bytes. */
  readonly dataLength: number
  /** Number of children. */
  readonly numChildren: number
  /** zxid of the last change of its children (a child created or deleted). */
  readonly pzxid: bigint

  /** From its fields; times may be given as bigints, as the wire record has them. */
  constructor(fields: Omit<StatFields, 'ctime' | 'mtime'> & { ctime: number | bigint; mtime: number | bigint }) {
    this.czxid = fields.czxid
    this.mzxid = fields.mzxid
    this.ctime = Number(fields.ctime)
    this.mtime = Number(fields.mtime)
    this.version = fields.version
    this.cversion = fields.cversion
    this.aversion = fields.aversion
    this.ephemeralOwner = fields.ephemeralOwner
    this.dataLength = fields.dataLength
    this.numChildren = fields.numChildren
    this.pzxid = fields.pzxid
  }

  /** The JSON form: zxids and ephemeralOwner as decimal strings, so no precision is lost. */
  toJSON(): StatJSON {
    return {
      czxid: this.czxid.toString(),
      mzxid: this.mzxid.toString(),
      ctime: this.ctime,
      mtime: this.mtime,
      version: this.version,
      cversion: this.cversion,
      aversion: this.aversion,
      ephemeralOwner: this.ephemeralOwner.toString(),
      dataLength: this.dataLength,
      numChildren: this.numChildren,
      pzxid: this.pzxid.toString(),
    }
  }
}
