// Bounds-checked big-endian cursor over a Buffer for Jute primitives. Byte arrays are views
// (no copy) into the frame; every overrun or bad length is a MarshallingError.
import { MarshallingError } from '../errors.js'
import { isAscii } from 'node:buffer'

/** Reads Jute-encoded values from a Buffer, from `offset` up to `end`. */
export class Reader {
  private pos: number
  private readonly end: number

  constructor(
    private readonly buf: Buffer,
    offset = 0,
    end = buf.length,
  ) {
    this.pos = offset
    this.end = end
  }

  /** Current position. */
  get offset(): number {
    return this.pos
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.pos
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new MarshallingError(`truncated record: ${what} needs ${n} byte(s) at offset ${this.pos}, ${this.end - this.pos} left`)
    }
  }

  int(): number {
    this.need(4, 'int')
    const v = this.buf.readInt32BE(this.pos)
    this.pos += 4
    return v
  }

  long(): bigint {
    this.need(8, 'long')
    const v = this.buf.readBigInt64BE(this.pos)
    this.pos += 8
    return v
  }

  bool(): boolean {
    this.need(1, 'boolean')
    return this.buf[this.pos++] !== 0
  }

  /** A signed 8-bit Jute `byte`. */
  byte(): number {
    this.need(1, 'byte')
    const v = this.buf.readInt8(this.pos)
    this.pos += 1
    return v
  }

  /** A 32-bit IEEE 754 Jute `float`. */
  float(): number {
    this.need(4, 'float')
    const v = this.buf.readFloatBE(this.pos)
    this.pos += 4
    return v
  }

  /** A 64-bit IEEE 754 Jute `double`. */
  double(): number {
    this.need(8, 'double')
    const v = this.buf.readDoubleBE(this.pos)
    this.pos += 8
    return v
  }

  /** A length-prefixed byte array as a view into the frame; length -1 (null) reads as null. */
  bufferOrNull(): Buffer | null {
    const len = this.int()
    if (len === -1) return null
    if (len < -1) throw new MarshallingError(`invalid buffer length ${len} at offset ${this.pos - 4}`)
    this.need(len, 'buffer')
    const v = this.buf.subarray(this.pos, this.pos + len)
    this.pos += len
    return v
  }

  /** A length-prefixed byte array; null reads as an empty buffer. */
  buffer(): Buffer {
    return this.bufferOrNull() ?? EMPTY
  }

  /** A length-prefixed UTF-8 string; length -1 (null) reads as null. */
  ustringOrNull(): string | null {
    const len = this.int()
    if (len === -1) return null
    if (len < -1) throw new MarshallingError(`invalid string length ${len} at offset ${this.pos - 4}`)
    this.need(len, 'ustring')
    const v = decodeJavaUtf8(this.buf, this.pos, this.pos + len)
    this.pos += len
    return v
  }

  /** A length-prefixed UTF-8 string; null reads as "". */
  ustring(): string {
    return this.ustringOrNull() ?? ''
  }

  /** A vector length; -1 (null) reads as 0. Rejects lengths that cannot fit in what is left. */
  vectorLength(minElementSize = 1): number {
    const len = this.int()
    if (len === -1) return 0
    if (len < -1) throw new MarshallingError(`invalid vector length ${len} at offset ${this.pos - 4}`)
    if (len * minElementSize > this.remaining) {
      throw new MarshallingError(`vector of ${len} element(s) cannot fit in ${this.remaining} byte(s) at offset ${this.pos - 4}`)
    }
    return len
  }

  /**
   * A vector of ustrings (-1 reads as []). Equal to reading each with ustring(), but a block that is
   * all ASCII (names, paths: the common case) becomes one string and is cut into substrings, which
   * for a 10,000-name getChildren reply is several times faster than one decode per name.
   */
  ustringVector(): string[] {
    const n = this.vectorLength(4)
    const start = this.pos
    let p = start
    for (let i = 0; i < n; i++) {
      if (p + 4 > this.end) return this.ustringsOneByOne(n, start)
      const len = this.buf.readInt32BE(p)
      if (len < 0 || p + 4 + len > this.end) return this.ustringsOneByOne(n, start)
      p += 4 + len
    }
    // Length prefixes are in the block too: one with a byte >= 0x80 (a name of 128+ bytes) takes the slow path.
    if (!isAscii(this.buf.subarray(start, p))) return this.ustringsOneByOne(n, start)
    const block = this.buf.toString('latin1', start, p)
    const out = new Array<string>(n)
    let at = 0
    for (let i = 0; i < n; i++) {
      const len =
        (block.charCodeAt(at) << 24) | (block.charCodeAt(at + 1) << 16) | (block.charCodeAt(at + 2) << 8) | block.charCodeAt(at + 3)
      out[i] = block.substring(at + 4, at + 4 + len)
      at += 4 + len
    }
    this.pos = p
    return out
  }

  /** ustringVector()'s general path: each string on its own (nulls, non-ASCII, truncation errors). */
  private ustringsOneByOne(n: number, start: number): string[] {
    this.pos = start
    const out = new Array<string>(n)
    for (let i = 0; i < n; i++) out[i] = this.ustring()
    return out
  }

  /** A length-prefixed vector; -1 (null) reads as []. `minElementSize` bounds hostile lengths. */
  vector<T>(minElementSize: number, read: (r: Reader) => T): T[] {
    const n = this.vectorLength(minElementSize)
    const out = new Array<T>(n)
    for (let i = 0; i < n; i++) out[i] = read(this)
    return out
  }

  /** The rest of the input as a view. */
  rest(): Buffer {
    const v = this.buf.subarray(this.pos, this.end)
    this.pos = this.end
    return v
  }

  /** Throw unless everything was consumed. */
  expectEnd(record: string): void {
    if (this.pos !== this.end) throw new MarshallingError(`${this.end - this.pos} trailing byte(s) after ${record}`)
  }
}

const EMPTY = Buffer.alloc(0)

/**
 * UTF-8 as Java's jute writes it. BinaryOutputArchive encodes each UTF-16 code unit on its own, so a
 * character outside the BMP arrives as two 3-byte surrogate sequences (ED A0-AF xx, ED B0-BF xx),
 * which Node's UTF-8 decoder would turn into U+FFFD. Plain UTF-8 (what we and Java's reader accept)
 * takes the fast path; only input holding an encoded surrogate is decoded by hand.
 */
function decodeJavaUtf8(buf: Buffer, start: number, end: number): string {
  // Look for 0xED only inside this string (indexOf would scan the rest of the frame, which made
  // decoding a 10,000-name getChildren reply quadratic).
  let i = nextED(buf, start, end)
  if (i < 0) return buf.toString('utf8', start, end)
  let out = ''
  let from = start
  while (i >= 0 && i + 2 < end) {
    const b1 = buf[i + 1]!
    const b2 = buf[i + 2]!
    if (b1 >= 0xa0 && b1 <= 0xbf && (b2 & 0xc0) === 0x80) {
      out += buf.toString('utf8', from, i) + String.fromCharCode(0xd000 | ((b1 & 0x3f) << 6) | (b2 & 0x3f))
      from = i + 3
      i = nextED(buf, from, end)
    } else {
      i = nextED(buf, i + 1, end)
    }
  }
  // String concatenation of a high and a low surrogate yields the intended astral character.
  return out + buf.toString('utf8', from, end)
}

/** Index of the next 0xED byte in [from, end), or -1. */
function nextED(buf: Buffer, from: number, end: number): number {
  for (let k = from; k < end; k++) if (buf[k] === 0xed) return k
  return -1
}
