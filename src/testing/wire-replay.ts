// Replays a wire fixture over raw sockets to one server and writes down everything the server sent
// back, rendered by wire-render.ts, connection by connection. Steps run one at a time: each request
// waits for its reply (or the server closing the connection) before the next step is sent, so two
// servers that behave alike produce the same transcript whatever their timing.
import net from 'node:net'
import { FrameDecoder } from '../transport/frame-decoder.js'
import { OpCode, Xid } from '../protocol.js'
import { RenderContext, renderConnectResponse, renderReply } from './wire-render.js'
import { fourLetterWord } from './real-zookeeper.js'
import type { WireFixture, WireStep } from './wire-fixture.js'

/** The tickTime of every server the fixtures are recorded on and replayed to (sessions 1 to 10 s). */
export const WIRE_TICK_TIME = 500

export interface ReplayOptions {
  host?: string
  port: number
  /** How long a request may go unanswered before the transcript says so (default 5000 ms). */
  replyTimeoutMs?: number
  /** How long an await-close step waits for the server to close (default 20000 ms). */
  closeTimeoutMs?: number
  /** How long malformed input may go without an answer or a close (default 1500 ms). */
  rawTimeoutMs?: number
}

/** What one server sent back: lines per connection, in the order connections were opened. */
export interface Transcript {
  connections: Map<string, string[]>
  /** zxid epochs that replies carried (one, normally). */
  epochs: Set<bigint>
  /** The connections that sent a four-letter word. */
  fourLetter: Set<string>
}

/**
 * The transcript as text, one `<conn> <line>` per line; without four-letter words when asked (a
 * quorum member's answers are not a standalone server's).
 */
export function transcriptLines(t: Transcript, opts: { fourLetterWords?: boolean } = {}): string[] {
  return [...t.connections]
    .filter(([conn]) => opts.fourLetterWords !== false || !t.fourLetter.has(conn))
    .flatMap(([conn, lines]) => lines.map((l) => `${conn} ${l}`))
}

interface Session {
  id: bigint
  passwd: Buffer
  /** Highest zxid a reply on any of its connections carried: what a client would report back. */
  lastZxid: bigint
}

class ReplayConnection {
  readonly lines: string[] = []
  session: Session | undefined
  handshaken = false
  closed = false
  closedByUs = false
  private readonly decoder = new FrameDecoder(64 * 1024 * 1024)
  private readonly requestTypes = new Map<number, number>()
  private readonly seen: number[] = []
  private wake: (() => void) | undefined
  private frames = 0

  constructor(
    readonly name: string,
    readonly socket: net.Socket,
    private readonly ctx: RenderContext,
  ) {
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[]
      try {
        frames = this.decoder.push(chunk)
      } catch (err) {
        this.lines.push(`bad frame length: ${(err as Error).message}`)
        socket.destroy()
        return
      }
      for (const f of frames) this.onFrame(f)
      this.wake?.()
    })
    const gone = () => {
      if (this.closed) return
      this.closed = true
      if (!this.closedByUs) this.lines.push('closed by server')
      this.wake?.()
    }
    socket.on('close', gone)
    socket.on('error', gone)
  }

  private onFrame(f: Buffer): void {
    this.frames++
    if (!this.handshaken) {
      this.handshaken = true
      this.lines.push(`connected ${renderConnectResponse(f, this.name, this.ctx)}`)
      if (f.length >= 20) {
        const id = f.readBigInt64BE(8)
        const n = f.readInt32BE(16)
        if (id !== 0n && n >= 0 && f.length >= 20 + n)
          this.session =
            this.session?.id === id
              ? this.session
              : { id, passwd: Buffer.from(f.subarray(20, 20 + n)), lastZxid: this.session?.lastZxid ?? 0n }
      }
      return
    }
    if (f.length < 16) {
      this.lines.push(`short frame 0x${f.toString('hex')}`)
      return
    }
    const xid = f.readInt32BE(0)
    const zxid = f.readBigInt64BE(4)
    this.seen.push(xid)
    if (xid !== Xid.notification && this.session && zxid > this.session.lastZxid) this.session.lastZxid = zxid
    this.lines.push(renderReply(f, this.requestTypes.get(xid), this.ctx))
  }

  /** Wait until `done()` holds (checked after every frame and on close), or `ms` pass. */
  async until(done: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms
    while (!done()) {
      const left = deadline - Date.now()
      if (left <= 0) return false
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = undefined
    }
    return true
  }

  send(frame: Buffer): void {
    const len = Buffer.alloc(4)
    len.writeInt32BE(frame.length)
    this.socket.write(Buffer.concat([len, frame]))
  }

  /** Send a request and wait for the reply with its xid, or the connection's end. */
  async request(frame: Buffer, ms: number): Promise<void> {
    const xid = frame.readInt32BE(0)
    this.requestTypes.set(xid, frame.readInt32BE(4))
    const before = this.seen.length
    this.send(frame)
    const answered = await this.until(() => this.closed || this.seen.slice(before).includes(xid), ms)
    if (!answered) this.lines.push(`no reply to xid ${xid} within ${ms} ms`)
  }

  /** Bytes sent as they are: wait for any answer or the connection's end. */
  async raw(bytes: Buffer, ms: number): Promise<void> {
    const before = this.frames
    this.socket.write(bytes)
    const answered = await this.until(() => this.closed || this.frames > before, ms)
    if (!answered) this.lines.push(`no answer within ${ms} ms`)
  }

  close(): void {
    this.closedByUs = true
    this.socket.destroy()
  }
}

/** Make a fresh handshake resume session `s`: its id, password and last zxid go into the request. */
function resumeHandshake(frame: Buffer, s: Session, keepPassword: boolean): Buffer {
  // ConnectRequest: protocolVersion(4) lastZxidSeen(8) timeOut(4) sessionId(8) passwd(4+n) [readOnly(1)]
  const n = frame.readInt32BE(24)
  const tail = frame.subarray(28 + Math.max(0, n))
  const head = Buffer.from(frame.subarray(0, 24))
  head.writeBigInt64BE(s.lastZxid, 4)
  head.writeBigInt64BE(s.id, 16)
  const passwd = keepPassword ? frame.subarray(28, 28 + Math.max(0, n)) : s.passwd
  const len = Buffer.alloc(4)
  len.writeInt32BE(passwd.length)
  return Buffer.concat([head, len, passwd, tail])
}

function open(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, host, () => {
      s.off('error', reject)
      resolve(s)
    })
    s.setNoDelay(true)
    s.once('error', reject)
  })
}

/** Replay `fixture` against the server at host:port; resolves with what it sent back. */
export async function replay(fixture: WireFixture, opts: ReplayOptions): Promise<Transcript> {
  const host = opts.host ?? '127.0.0.1'
  const replyMs = opts.replyTimeoutMs ?? 5000
  const ctx = new RenderContext()
  const conns = new Map<string, ReplayConnection>()
  const fourLetter = new Map<string, string[]>()
  const connection = (step: WireStep) => {
    const c = conns.get(step.conn)
    if (!c) throw new Error(`step "${step.conn} ${step.verb}" before "${step.conn} connect"`)
    return c
  }
  try {
    for (const step of fixture.steps) {
      switch (step.verb) {
        case 'connect': {
          if (conns.get(step.conn)?.closed === false) throw new Error(`${step.conn} connects twice`)
          const c = new ReplayConnection(step.conn, await open(host, opts.port), ctx)
          conns.set(step.conn, c)
          let frame = step.bytes
          if (step.resume) {
            const s = conns.get(step.resume)?.session
            if (!s) throw new Error(`${step.conn} resumes the session of ${step.resume}, which has none`)
            c.session = s
            frame = resumeHandshake(step.bytes, s, step.note.split(' ').includes('keep-passwd'))
          }
          c.send(frame)
          if (!(await c.until(() => c.handshaken || c.closed, replyMs))) c.lines.push(`no handshake reply within ${replyMs} ms`)
          break
        }
        case 'send': {
          let frame = step.bytes
          const type = frame.length >= 8 ? frame.readInt32BE(4) : undefined
          const c = connection(step)
          if ((type === OpCode.setWatches || type === OpCode.setWatches2) && frame.length >= 16 && c.session) {
            // relativeZxid is the last zxid this session saw, in this replay.
            frame = Buffer.from(frame)
            frame.writeBigInt64BE(c.session.lastZxid, 8)
          }
          if (c.closed) c.lines.push(`(request on a closed connection: ${step.note})`)
          else await c.request(frame, replyMs)
          break
        }
        case 'raw': {
          const c = connection(step)
          if (!c.closed) await c.raw(step.bytes, opts.rawTimeoutMs ?? 1500)
          break
        }
        case 'close':
          connection(step).close()
          break
        case 'await-close': {
          const c = connection(step)
          const ms = opts.closeTimeoutMs ?? 20_000
          if (!(await c.until(() => c.closed, ms))) c.lines.push(`still open after ${ms} ms`)
          break
        }
        case '4lw':
          fourLetter.set(step.conn, [`4lw ${step.word}`, ...(await fourLetterWordText(host, opts.port, step.word, replyMs))])
          break
      }
    }
    // A ping on every open connection flushes the events that earlier writes triggered: a server
    // sends them before any later reply on the same connection.
    for (const c of conns.values()) if (!c.closed && c.handshaken) await c.request(pingFrame(), replyMs)
  } finally {
    for (const c of conns.values()) c.close()
  }
  const connections = new Map<string, string[]>()
  for (const step of fixture.steps) {
    if (connections.has(step.conn)) continue
    const lines = conns.get(step.conn)?.lines ?? fourLetter.get(step.conn)
    if (lines) connections.set(step.conn, lines)
  }
  return { connections, epochs: ctx.epochs, fourLetter: new Set(fourLetter.keys()) }
}

function pingFrame(): Buffer {
  const b = Buffer.alloc(8)
  b.writeInt32BE(Xid.ping, 0)
  b.writeInt32BE(OpCode.ping, 4)
  return b
}

/** A four-letter word's answer, with the numbers that vary from run to run made '#'. */
async function fourLetterWordText(host: string, port: number, word: string, ms: number): Promise<string[]> {
  // A server that never closes the connection is part of what is compared, not a failed replay.
  const text = await fourLetterWord(host, port, word, ms).catch(() => undefined)
  return text === undefined ? ['(still open)'] : normalizeFourLetterWord(word, text).split('\n')
}

/**
 * Make a four-letter word's answer comparable. Numbers become '#' (counts, latencies, zxids, ports,
 * times and ids differ between runs and servers), and so do the build id in the version and the data
 * directories; the words, keys and line structure must agree. Which connection or session a list
 * names first, and how dump groups them into expiry buckets, depend on Java's identity hashes and on
 * timing, so those words are compared as sets of lines. envi describes the runtime (a JVM, or Node):
 * only its keys are compared.
 */
export function normalizeFourLetterWord(word: string, text: string): string {
  if (word === 'envi') text = text.replace(/^([\w.]+)=.*$/gm, '$1=<value>')
  const lines = text
    .replace(/(\d+\.\d+\.\d+)-[^,\s]*,/g, '$1-<build>,')
    .replace(/^(dataDir|dataLogDir)=.*$/gm, '$1=<dir>')
    .replace(/0x[0-9a-f]+/gi, '#')
    .replace(/\d+(\.\d+)?/g, '#')
    .split('\n')
  if (word === 'cons' || word === 'dump') return [...new Set(lines)].sort().join('\n')
  // stat: only its client list is unordered; sort those lines where they stand.
  const clients = lines.filter((l) => l.startsWith(' /')).sort()
  let next = 0
  return lines.map((l) => (l.startsWith(' /') ? clients[next++]! : l)).join('\n')
}
