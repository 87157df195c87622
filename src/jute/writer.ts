// Growable big-endian buffer writer for Jute primitives; optionally reserves a 4-byte frame length.

/** Writes Jute-encoded values into a growing Buffer. Reuse one writer with reset() on hot paths. */
export class Writer {
  private buf: Buffer
  private pos = 0

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialSize))
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos
  }

  /** Forget everything written; keeps the allocated memory. */
  reset(): this {
    this.pos = 0
    return this
  }

  /** Forget what was written after the first `length` bytes. */
  truncate(length: number): this {
    if (length < this.pos) this.pos = Math.max(0, length)
    return this
  }

  /** Bytes allocated (what the writer holds on to across reset()). */
  get capacity(): number {
    return this.buf.length
  }

  private ensure(n: number): void {
    const need = this.pos + n
    if (need <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < need) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  int(v: number): this {
    this.ensure(4)
    this.buf.writeInt32BE(v | 0, this.pos)
    this.pos += 4
    return this
  }

  long(v: bigint): this {
    this.ensure(8)
    this.buf.writeBigInt64BE(BigInt.asIntN(64, v), this.pos)
    this.pos += 8
    return this
  }

  bool(v: boolean): this {
    this.ensure(1)
    this.buf[this.pos++] = v ? 1 : 0
    return this
  }

  /** A signed 8-bit Jute `byte`. */
  byte(v: number): this {
    this.ensure(1)
    this.buf.writeInt8((v << 24) >> 24, this.pos)
    this.pos += 1
    return this
  }

  /** A 32-bit IEEE 754 Jute `float` (rounded to single precision). */
  float(v: number): this {
    this.ensure(4)
    this.buf.writeFloatBE(v, this.pos)
    this.pos += 4
    return this
  }

  /** A 64-bit IEEE 754 Jute `double`. */
  double(v: number): this {
    this.ensure(8)
    this.buf.writeDoubleBE(v, this.pos)
    this.pos += 8
    return this
  }

  /** A length-prefixed byte array; null is written as length -1. */
  buffer(v: Uint8Array | null | undefined): this {
    if (v == null) return this.int(-1)
    this.int(v.length)
    this.ensure(v.length)
    this.buf.set(v, this.pos)
    this.pos += v.length
    return this
  }

  /** A length-prefixed byte array held as a latin1 string (one char per byte, as Buffer's 'latin1'). */
  latin1Bytes(v: string): this {
    this.int(v.length)
    this.ensure(v.length)
    this.pos += this.buf.write(v, this.pos, v.length, 'latin1')
    return this
  }

  /**
   * A length-prefixed UTF-8 string; null is written as length -1. Astral characters are written as
   * standard 4-byte UTF-8 (Java's writer would send two 3-byte surrogates; Java's reader accepts both).
   */
  ustring(v: string | null | undefined): this {
    if (v == null) return this.int(-1)
    // Strings are mostly short ASCII paths: encode straight into the buffer.
    const max = v.length * 3
    this.ensure(4 + max)
    const start = this.pos + 4
    const written = this.buf.write(v, start, 'utf8')
    this.buf.writeInt32BE(written, this.pos)
    this.pos = start + written
    return this
  }

  /** A length-prefixed vector; null is written as length -1. */
  vector<T>(items: readonly T[] | null | undefined, write: (w: Writer, item: T) => void): this {
    if (items == null) return this.int(-1)
    this.int(items.length)
    for (const item of items) write(this, item)
    return this
  }

  /** Raw bytes with no length prefix. */
  raw(v: Uint8Array): this {
    this.ensure(v.length)
    this.buf.set(v, this.pos)
    this.pos += v.length
    return this
  }

  /** Reserve 4 bytes for a frame length; pass the result to endFrame() once the record is written. */
  beginFrame(): number {
    const at = this.pos
    this.int(0)
    return at
  }

  /** Fill in the frame length reserved by beginFrame(). */
  endFrame(at: number): this {
    this.buf.writeInt32BE(this.pos - at - 4, at)
    return this
  }

  /** A copy of the bytes written (safe to keep after reset()). */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos))
  }

  /** A view of the bytes written; invalid after the next write or reset(). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos)
  }
}

/** UTF-8 byte length of a string, as Jute will encode it. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8')
}
