// What one socket is sent while a callback runs (a read, a timer, a deferred turn), gathered and
// written once when it returns: under load one callback produces hundreds of replies, proposals or
// ACKs for the same socket, and each socket write is a system call of its own. Frames are encoded
// straight into a writer lent for the gathering, so a frame costs no buffer of its own either.
import { Writer } from '../jute/writer.js'

/** The part of a socket the gathering writes to. */
export interface FrameSink {
  write(chunk: Buffer): boolean
  readonly destroyed: boolean
  readonly writableLength: number
}

/** Past this many gathered bytes they go at once: a big reply need not wait, nor be held twice. */
export const GATHER_FLUSH_BYTES = 64 * 1024
/** Writers lent out for a gathering and returned when it is written, kept if they stayed small. */
const spare: Writer[] = []
const MAX_SPARE = 32
const KEEP_CAPACITY = 2 * GATHER_FLUSH_BYTES

export class GatheredWrites {
  private w: Writer | undefined
  /** Socket writes made, for tests and stats. */
  writes = 0

  /** @param onWrite told of each socket write (for a count over many sockets) */
  constructor(
    private readonly sink: FrameSink,
    private readonly onWrite?: () => void,
  ) {}

  /** Bytes gathered and not yet handed to the socket. */
  get pendingBytes(): number {
    return this.w?.length ?? 0
  }

  /** Bytes not yet on the wire: gathered here, or held by the socket. */
  get unwrittenBytes(): number {
    return this.pendingBytes + this.sink.writableLength
  }

  /**
   * Gather one frame: a 4-byte length, then what `fill` writes. Returns the frame's length. A `fill`
   * that throws leaves nothing of its frame behind.
   */
  frame(fill: (w: Writer) => void): number {
    const w = this.writer()
    const start = w.length
    const at = w.beginFrame()
    try {
      fill(w)
    } catch (err) {
      w.truncate(start)
      throw err
    }
    w.endFrame(at)
    const length = w.length - start
    if (w.length >= GATHER_FLUSH_BYTES) this.flush()
    return length
  }

  /** Gather bytes that are framed already. */
  raw(bytes: Buffer): void {
    this.writer().raw(bytes)
    if (this.pendingBytes >= GATHER_FLUSH_BYTES) this.flush()
  }

  private writer(): Writer {
    if (this.w) return this.w
    this.w = spare.pop() ?? new Writer(4096)
    process.nextTick(this.flush)
    return this.w
  }

  /** Write what was gathered now (before the socket is ended, say); nothing if the socket is gone. */
  readonly flush = (): void => {
    const w = this.w
    if (!w) return
    this.w = undefined
    if (w.length && !this.sink.destroyed) {
      this.writes++
      this.onWrite?.()
      this.sink.write(w.toBuffer())
    }
    if (spare.length < MAX_SPARE && w.capacity <= KEEP_CAPACITY) spare.push(w.reset())
  }
}
