// Records what clients send through a TCP proxy as a wire fixture: handshakes (with the session they
// resume named by connection), request frames, four-letter words, and which side closed each
// connection. Pings are left out: when a client sends one depends on time alone.
import { FrameDecoder } from '../transport/frame-decoder.js'
import { OpCode, Xid } from '../protocol.js'
import { startProxy, type ProxyTap, type TcpProxy } from './proxy.js'
import { summarizeRequest, type WireFixture, type WireStep } from './wire-fixture.js'

interface RecordedLink {
  conn: string
  up: FrameDecoder
  down: FrameDecoder
  handshakeSent: boolean
  handshakeAnswered: boolean
  fourLetter: boolean
}

const FOUR_LETTER = /^[a-z]{4}$/

/** Zero a ConnectRequest's lastZxidSeen, sessionId and password bytes in place. */
function forgetSession(frame: Buffer): void {
  // protocolVersion(4) lastZxidSeen(8) timeOut(4) sessionId(8) passwd(4+n) [readOnly(1)]
  frame.fill(0, 4, 12)
  frame.fill(0, 16, 24)
  const n = frame.length >= 28 ? frame.readInt32BE(24) : 0
  if (n > 0 && frame.length >= 28 + n) frame.fill(0, 28, 28 + n)
}

/** A proxy in front of a server that writes down what its clients send. */
export class WireRecorder implements ProxyTap {
  readonly steps: WireStep[] = []
  private readonly links = new Map<number, RecordedLink>()
  /** Which connection a session was created on, so a later handshake can name it. */
  private readonly sessionOwners = new Map<bigint, string>()
  private connections = 0
  proxy!: TcpProxy

  /** Start recording in front of host:port; clients connect to `recorder.proxy.address`. */
  static async start(target: { host: string; port: number }): Promise<WireRecorder> {
    const r = new WireRecorder()
    r.proxy = await startProxy(target, r)
    return r
  }

  opened(link: number): void {
    this.links.set(link, {
      conn: `c${this.connections++}`,
      up: new FrameDecoder(64 << 20),
      down: new FrameDecoder(64 << 20),
      handshakeSent: false,
      handshakeAnswered: false,
      fourLetter: false,
    })
  }

  data(link: number, dir: 'up' | 'down', chunk: Buffer): void {
    const l = this.links.get(link)
    if (!l || l.fourLetter) return
    // A handshake starts with its length; a four-letter word (maybe with a newline) with letters.
    const word = chunk.subarray(0, 4).toString('latin1')
    if (dir === 'up' && !l.handshakeSent && FOUR_LETTER.test(word)) {
      l.fourLetter = true
      this.steps.push({ conn: l.conn, verb: '4lw', word, note: word })
      return
    }
    for (const frame of (dir === 'up' ? l.up : l.down).push(chunk)) {
      if (dir === 'down') this.answered(l, frame)
      else this.sent(l, Buffer.from(frame))
    }
  }

  private sent(l: RecordedLink, frame: Buffer): void {
    if (!l.handshakeSent) {
      l.handshakeSent = true
      const id = frame.length >= 24 ? frame.readBigInt64BE(16) : 0n
      const owner = this.sessionOwners.get(id)
      // The replay fills in the session's id, password and last zxid; zeros keep re-recordings stable.
      if (owner) forgetSession(frame)
      this.steps.push({
        conn: l.conn,
        verb: 'connect',
        bytes: frame,
        ...(owner ? { resume: owner } : {}),
        note: owner ? `resume=${owner}` : '',
      })
      return
    }
    if (frame.length >= 8 && frame.readInt32BE(0) === Xid.ping && frame.readInt32BE(4) === OpCode.ping) return
    this.steps.push({ conn: l.conn, verb: 'send', bytes: frame, note: summarizeRequest(frame) })
  }

  private answered(l: RecordedLink, frame: Buffer): void {
    if (l.handshakeAnswered) return
    l.handshakeAnswered = true
    if (frame.length < 16) return
    const id = frame.readBigInt64BE(8)
    const resumed = this.steps.find((s) => s.conn === l.conn && s.verb === 'connect' && s.resume)
    // A resumed session keeps the connection that created it as its name.
    if (id !== 0n && !this.sessionOwners.has(id) && !resumed) this.sessionOwners.set(id, l.conn)
  }

  closed(link: number, by: 'client' | 'server' | 'proxy'): void {
    const l = this.links.get(link)
    if (!l || l.fourLetter) return
    // After a closeSession the server always closes; which side got there first is a race.
    const last = this.steps.findLast((s) => s.conn === l.conn)
    const closedSession = last?.verb === 'send' && last.bytes.length >= 8 && last.bytes.readInt32BE(4) === OpCode.closeSession
    this.steps.push({ conn: l.conn, verb: by === 'server' || closedSession ? 'await-close' : 'close', note: '' })
  }

  /** The fixture so far, with `header` lines on top. */
  fixture(header: string[]): WireFixture {
    return { header, steps: [...this.steps] }
  }

  close(): Promise<void> {
    return this.proxy.close()
  }
}
