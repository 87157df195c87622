// Logging through `debug` under the `zookit:<area>` namespaces; the only file that imports it.
import createDebug from 'debug'

/** A logger for one area, e.g. logger('session') → DEBUG=zookit:session. */
export function logger(area: string): createDebug.Debugger {
  return createDebug(`zookit:${area}`)
}

/** Hex of at most `max` bytes of a buffer, with the total length, for log lines. */
export function hex(buf: Uint8Array | null | undefined, max = 32): string {
  if (!buf) return 'null'
  const b = Buffer.from(buf.buffer, buf.byteOffset, Math.min(buf.length, max))
  return `${b.toString('hex')}${buf.length > max ? `…(${buf.length} bytes)` : ''}`
}
