// Logging through `debug` under the `zookit:<area>` namespaces (DEBUG=zookit:*); the only file that imports it.
import { createRequire } from 'node:module'
import type createDebugType from 'debug'

// `debug` is CommonJS. An ESM `import` of it makes Node start its CommonJS export scanner (WebAssembly),
// about 6 MB of RSS in every process that loads zookit; require() skips the scan.
const createDebug = createRequire(import.meta.url)('debug') as typeof createDebugType

/** A log function for one area; check `.enabled` before building expensive arguments. */
export type Logger = createDebugType.Debugger

/** A logger for one area: logger('session') logs when DEBUG matches zookit:session. */
export function logger(area: string): Logger {
  return createDebug(`zookit:${area}`)
}

/** Hex of at most `max` bytes of a buffer, with the full length when truncated, for log lines. */
export function hex(buf: Uint8Array | null | undefined, max = 32): string {
  if (buf == null) return 'null'
  const shown = Buffer.from(buf.buffer, buf.byteOffset, Math.min(buf.length, max)).toString('hex')
  return buf.length > max ? `${shown}…(${buf.length} bytes)` : shown
}
