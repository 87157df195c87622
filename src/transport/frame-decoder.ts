// Splits a byte stream into frames of a 4-byte big-endian length prefix and a body. Pure: no I/O.
import { ProtocolError } from '../errors.js'

/** Accumulates chunks and yields whole frame bodies. */
export class FrameDecoder {
  private chunks: Buffer[] = []
  private buffered = 0

  /** @param maxFrame largest body accepted; a larger (or negative) length is a ProtocolError. */
  constructor(private readonly maxFrame: number) {}

  /** Bytes held that do not yet form a whole frame. */
  get pending(): number {
    return this.buffered
  }

  /** Add a chunk; returns every frame body it completes, in order. */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length) {
      this.chunks.push(chunk)
      this.buffered += chunk.length
    }
    const out: Buffer[] = []
    while (this.buffered >= 4) {
      const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : this.merge()
      const len = head.readInt32BE(0)
      if (len < 0 || len > this.maxFrame) {
        throw new ProtocolError(`frame length ${len} outside 0..${this.maxFrame} (jute.maxbuffer); closing the connection`)
      }
      if (this.buffered < 4 + len) break
      const all = this.chunks.length === 1 ? this.chunks[0]! : this.merge()
      out.push(all.subarray(4, 4 + len))
      const rest = all.subarray(4 + len)
      this.chunks = rest.length ? [rest] : []
      this.buffered = rest.length
    }
    return out
  }

  private merge(): Buffer {
    const all = Buffer.concat(this.chunks, this.buffered)
    this.chunks = [all]
    return all
  }
}
