// The fixture format of the wire differential: what clients sent, one step a line, as text a person
// can read and a replay can send again. Each line is `<conn> <verb> [words…] [:: <hex>]`:
//   c0 connect [resume=c1] :: <ConnectRequest>   open a connection and send a handshake; with
//                                                 resume=, the session id, password and last zxid seen
//                                                 are those connection c1 got in this replay
//   c0 send <op> <path> :: <request>             one request frame (header and body, no length prefix)
//   c0 raw <what> :: <bytes>                     bytes sent as they are (malformed input)
//   c0 close                                     the client closes its socket
//   c0 await-close                               the server is expected to close it (expiry, errors)
//   c0 4lw <word>                                a four-letter word on a connection of its own
// Words after the verb other than resume= are a summary for the reader; the replay uses the hex.
import { opName } from '../protocol.js'

export type WireStep =
  | { conn: string; verb: 'connect'; bytes: Buffer; resume?: string; note: string }
  | { conn: string; verb: 'send' | 'raw'; bytes: Buffer; note: string }
  | { conn: string; verb: 'close' | 'await-close'; note: string }
  /** `note` is the word itself. */
  | { conn: string; verb: '4lw'; word: string; note: string }

export interface WireFixture {
  /** Comment lines at the top (without '# '): who recorded it, from what client. */
  header: string[]
  steps: WireStep[]
}

const VERBS = new Set(['connect', 'send', 'raw', 'close', 'await-close', '4lw'])

/** Parse a fixture; a malformed line throws with its line number. */
export function parseFixture(text: string, name = 'fixture'): WireFixture {
  const header: string[] = []
  const steps: WireStep[] = []
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    const where = `${name}:${i + 1}`
    if (!line) return
    if (line.startsWith('#')) {
      if (!steps.length) header.push(line.replace(/^#\s?/, ''))
      return
    }
    const [left, hex] = line.split(' :: ') as [string, string | undefined]
    const [conn, verb, ...words] = left.split(/\s+/)
    if (!conn || !/^c\d+$/.test(conn) || !verb || !VERBS.has(verb))
      throw new Error(`${where}: expected "<conn> <verb> …", got ${JSON.stringify(line)}`)
    const note = words.join(' ')
    const bytes = () => {
      if (hex === undefined || !/^([0-9a-f]{2})*$/.test(hex)) throw new Error(`${where}: ${verb} needs ":: <hex>"`)
      return Buffer.from(hex, 'hex')
    }
    switch (verb) {
      case 'connect': {
        const resume = words.find((w) => w.startsWith('resume='))?.slice(7)
        steps.push({ conn, verb, bytes: bytes(), ...(resume ? { resume } : {}), note })
        break
      }
      case 'send':
      case 'raw':
        steps.push({ conn, verb, bytes: bytes(), note })
        break
      case '4lw':
        if (!/^[a-z]{4}$/.test(words[0] ?? '')) throw new Error(`${where}: 4lw needs a four-letter word`)
        steps.push({ conn, verb, word: words[0]!, note })
        break
      default:
        steps.push({ conn, verb: verb as 'close' | 'await-close', note })
    }
  })
  return { header, steps }
}

/** Write a fixture as text. */
export function formatFixture(f: WireFixture): string {
  const lines = f.header.map((h) => `# ${h}`.trimEnd())
  for (const s of f.steps) {
    const head = [s.conn, s.verb, s.note].filter(Boolean).join(' ')
    lines.push('bytes' in s ? `${head} :: ${s.bytes.toString('hex')}` : head)
  }
  return lines.join('\n') + '\n'
}

/** A one-line summary of a request frame: its opcode name and, where it starts with one, its path. */
export function summarizeRequest(frame: Buffer): string {
  if (frame.length < 8) return `short frame (${frame.length} bytes)`
  const type = frame.readInt32BE(4)
  const name = opName(type)
  if (frame.length >= 12) {
    const n = frame.readInt32BE(8)
    if (n > 0 && n <= 256 && frame.length >= 12 + n) {
      const text = frame.subarray(12, 12 + n).toString('utf8')
      if (text.startsWith('/')) return `${name} ${text.replace(/\s/g, '_')}`
    }
  }
  return name
}
