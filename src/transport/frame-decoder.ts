// Splits a byte stream into frames: a 4-byte big-endian length prefix, then that many bytes. Pure:
// no I/O, no timers. A length outside 0..maxFrame is a ProtocolError, so the owner drops the link.
import { ProtocolError } from '../errors.js'
import { DEFAULT_MAX_BUFFER } from '../protocol.js'

/**
 * Room for the reply header and record fields around a payload of jute.maxbuffer bytes (a getData
 * reply of the largest allowed node is data + Stat + headers). ZooKeeper's server grants the same
 * kind of slack (jute.maxbuffer.extrasize, 1024).
 */
export const FRAME_SLACK = 1024

/** Largest incoming frame body accepted by default. */
export const DEFAULT_MAX_FRAME = DEFAULT_MAX_BUFFER + FRAME_SLACK

/** Accumulates chunks and hands out whole frame bodies (without their length prefix), in order. */
export class FrameDecoder {
  private chunks: Buffer[] = []
  private buffered = 0
  /** Body length of the frame being assembled, once its prefix has been read. */
  private need = -1

  /** @param maxFrame largest body accepted; a larger or negative length throws ProtocolError. */
  constructor(readonly maxFrame: number = DEFAULT_MAX_FRAME) {}

  /** Bytes held that do not yet form a whole frame. */
  get pending(): number {
    return this.buffered
  }

  /**
   * Add a chunk; returns every frame body it completes, in order. Bodies may be views into the
   * chunks given (no copy when a frame lies within one chunk). After a throw the decoder is unusable.
   */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk)
      this.buffered += chunk.length
    }
    const out: Buffer[] = []
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < 4) break
        const len = this.take(4).readInt32BE(0)
        if (len < 0 || len > this.maxFrame) {
          this.chunks = []
          this.buffered = 0
          throw new ProtocolError(`incoming frame length ${len} is outside 0..${this.maxFrame} (jute.maxbuffer); dropping the connection`)
        }
        this.need = len
      }
      // Wait for the whole body before touching it, so a large frame is copied once, not per chunk.
      if (this.buffered < this.need) break
      out.push(this.take(this.need))
      this.need = -1
    }
    return out
  }

  /** Remove the first `n` buffered bytes (n <= buffered), as a view when they lie in one chunk. */
  private take(n: number): Buffer {
    const first = this.chunks[0]
    if (n === 0) return Buffer.alloc(0)
    if (first!.length >= n) {
      const head = first!.subarray(0, n)
      if (first!.length === n) this.chunks.shift()
      else this.chunks[0] = first!.subarray(n)
      this.buffered -= n
      return head
    }
    const out = Buffer.allocUnsafe(n)
    let filled = 0
    while (filled < n) {
      const c = this.chunks[0]!
      const used = Math.min(c.length, n - filled)
      c.copy(out, filled, 0, used)
      filled += used
      if (used === c.length) this.chunks.shift()
      else this.chunks[0] = c.subarray(used)
    }
    this.buffered -= n
    return out
  }
}

/** Prefix a frame body with its 4-byte big-endian length. */
export function encodeFrame(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + body.length)
  out.writeInt32BE(body.length, 0)
  out.set(body, 4)
  return out
}
