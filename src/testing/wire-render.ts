// Renders server-to-client frames as text for the wire differential: every byte is shown exactly,
// except the fields that legitimately differ between two servers (zxid epochs, times, session ids,
// passwords), which become tokens of the same position and length. Two renderings are equal exactly
// when the frames are equal byte for byte outside those fields.
import { OpCode, Xid, opName } from '../protocol.js'

/** The layout of a record: a list of field kinds, walked in order. */
type Field = 'int' | 'bool' | 'long' | 'zxid' | 'time' | 'session' | 'ustring' | 'buffer' | 'passwd' | 'stat' | { vector: Field[] }

// Stat: czxid mzxid ctime mtime version cversion aversion ephemeralOwner dataLength numChildren pzxid
const STAT: Field[] = ['zxid', 'zxid', 'time', 'time', 'int', 'int', 'int', 'session', 'int', 'int', 'zxid']
const ACL: Field[] = ['int', 'ustring', 'ustring']

/** Reply bodies (after ReplyHeader, when err is 0) by the opcode of the request answered. */
const REPLY_BODY: Record<number, Field[]> = {
  [OpCode.create]: ['ustring'],
  [OpCode.exists]: ['stat'],
  [OpCode.getData]: ['buffer', 'stat'],
  [OpCode.setData]: ['stat'],
  [OpCode.getACL]: [{ vector: ACL }, 'stat'],
  [OpCode.setACL]: ['stat'],
  [OpCode.getChildren]: [{ vector: ['ustring'] }],
  [OpCode.sync]: ['ustring'],
  [OpCode.getChildren2]: [{ vector: ['ustring'] }, 'stat'],
  [OpCode.create2]: ['ustring', 'stat'],
  [OpCode.createContainer]: ['ustring', 'stat'],
  [OpCode.createTTL]: ['ustring', 'stat'],
  [OpCode.reconfig]: ['buffer', 'stat'],
  [OpCode.getEphemerals]: [{ vector: ['ustring'] }],
  [OpCode.getAllChildrenNumber]: ['int'],
  [OpCode.addWatch]: ['int'],
  [OpCode.whoAmI]: [{ vector: ['ustring', 'ustring'] }],
  [OpCode.sasl]: ['buffer'],
}

/** Result bodies inside a multi or multiRead reply, by the result's own type. */
const MULTI_RESULT_BODY: Record<number, Field[]> = {
  [OpCode.error]: ['int'],
  [OpCode.create]: ['ustring'],
  [OpCode.create2]: ['ustring', 'stat'],
  [OpCode.setData]: ['stat'],
  [OpCode.delete]: [],
  [OpCode.check]: [],
  [OpCode.getData]: ['buffer', 'stat'],
  [OpCode.getChildren]: [{ vector: ['ustring'] }],
}

// WatcherEvent{type, state, path}
const WATCHER_EVENT: Field[] = ['int', 'int', 'ustring']
// ConnectResponse{protocolVersion, timeOut, sessionId, passwd} + optional readOnly
const CONNECT_RESPONSE: Field[] = ['int', 'int', 'session', 'passwd']

/** What the renderer learns as it goes: the sessions seen, so an ephemeralOwner can name its session. */
export class RenderContext {
  private readonly sessions = new Map<bigint, string>()
  /** zxid epochs seen; a fixture's replies should all be in one. */
  readonly epochs = new Set<bigint>()

  /** Remember that `id` is the session of connection `conn`. */
  nameSession(id: bigint, conn: string): void {
    if (id !== 0n && !this.sessions.has(id)) this.sessions.set(id, conn)
  }

  sessionToken(id: bigint): string {
    if (id === 0n) return '0'
    // Containers and TTL nodes use ephemeralOwner as a marker, not a session id.
    if (id === -0x8000000000000000n) return 'container'
    if (BigInt.asUintN(64, id) >> 56n === 0xffn) return `ttl(${BigInt.asUintN(64, id) & 0xffffffffffn})`
    return `session(${this.sessions.get(id) ?? '?'})`
  }

  zxidToken(z: bigint): string {
    // The epoch (high 32 bits) depends on the server's election history; the counter must agree.
    if (z <= 0n) return String(z)
    this.epochs.add(z >> 32n)
    return `z${z & 0xffffffffn}`
  }
}

/** A cursor that renders what it reads; a short or malformed frame stops the walk with a marker. */
class Walker {
  pos = 0
  readonly out: string[] = []
  constructor(
    private readonly buf: Buffer,
    private readonly ctx: RenderContext,
  ) {}

  get left(): number {
    return this.buf.length - this.pos
  }

  private take(n: number): Buffer {
    if (n < 0 || this.pos + n > this.buf.length) throw new ShortFrame()
    const b = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return b
  }

  int(): number {
    return this.take(4).readInt32BE(0)
  }

  long(): bigint {
    return this.take(8).readBigInt64BE(0)
  }

  byte(): number {
    return this.take(1)[0]!
  }

  field(f: Field): void {
    if (typeof f === 'object') {
      const n = this.int()
      if (n < 0) return void this.out.push(n === -1 ? 'null[]' : `[len ${n}]`)
      const items: string[] = []
      for (let i = 0; i < n; i++) {
        const mark = this.out.length
        for (const g of f.vector) this.field(g)
        items.push(this.out.splice(mark).join(' '))
      }
      this.out.push(`[${items.join(', ')}]`)
      return
    }
    switch (f) {
      case 'int':
        return void this.out.push(String(this.int()))
      case 'bool': {
        const b = this.byte()
        return void this.out.push(b === 0 ? 'false' : b === 1 ? 'true' : `bool(${b})`)
      }
      case 'long':
        return void this.out.push(`${this.long()}L`)
      case 'zxid':
        return void this.out.push(this.ctx.zxidToken(this.long()))
      case 'time': {
        // Times differ between runs; only their width is checked.
        this.take(8)
        return void this.out.push('time')
      }
      case 'session':
        return void this.out.push(this.ctx.sessionToken(this.long()))
      case 'passwd': {
        const n = this.int()
        this.take(Math.max(0, n))
        return void this.out.push(`passwd(${n})`)
      }
      case 'ustring':
      case 'buffer': {
        const n = this.int()
        if (n === -1) return void this.out.push('null')
        const b = this.take(n)
        const text = b.toString('utf8')
        // Text only when it stands for exactly these bytes; anything else as hex.
        const printable = Buffer.from(text, 'utf8').equals(b) && !/[\u0000-\u001f\u007f]/.test(text)
        return void this.out.push(printable ? JSON.stringify(text) : `0x${b.toString('hex')}`)
      }
      case 'stat': {
        const mark = this.out.length
        for (const g of STAT) this.field(g)
        this.out.push(`stat(${this.out.splice(mark).join(' ')})`)
        return
      }
    }
  }

  fields(fs: readonly Field[]): void {
    for (const f of fs) this.field(f)
  }

  /** The unread rest, shown as hex so trailing bytes count. */
  rest(): void {
    if (this.left > 0) this.out.push(`+0x${this.take(this.left).toString('hex')}`)
  }
}

class ShortFrame extends Error {}

function walk(frame: Buffer, ctx: RenderContext, body: (w: Walker) => void): string {
  const w = new Walker(frame, ctx)
  try {
    body(w)
    w.rest()
  } catch (err) {
    if (!(err instanceof ShortFrame)) throw err
    w.out.push(`!short: 0x${frame.subarray(w.pos).toString('hex')}`)
  }
  return w.out.join(' ')
}

/** Render the ConnectResponse answering connection `conn`'s handshake, learning its session id. */
export function renderConnectResponse(frame: Buffer, conn: string, ctx: RenderContext): string {
  if (frame.length >= 16) ctx.nameSession(frame.readBigInt64BE(8), conn)
  return walk(frame, ctx, (w) => {
    w.fields(CONNECT_RESPONSE)
    // Present only when the request carried the readOnly byte.
    if (w.left === 1) w.field('bool')
  })
}

/** Render a reply frame. `requestType` is the opcode of the request with the same xid (if any). */
export function renderReply(frame: Buffer, requestType: number | undefined, ctx: RenderContext): string {
  return walk(frame, ctx, (w) => {
    const xid = w.int()
    const zxid = w.long()
    const err = w.int()
    const head =
      xid === Xid.notification
        ? 'event'
        : xid === Xid.ping
          ? 'ping'
          : xid === Xid.auth
            ? 'auth'
            : xid === Xid.setWatches
              ? 'setWatches'
              : `xid ${xid}`
    // Notifications carry zxid -1; replies the server's last processed zxid.
    w.out.push(`${head} ${xid === Xid.notification ? String(zxid) : ctx.zxidToken(zxid)} err ${err}`)
    if (xid === Xid.notification) return w.fields(WATCHER_EVENT)
    if (err !== 0 || requestType === undefined) return
    if (requestType === OpCode.multi || requestType === OpCode.multiRead) return renderMulti(w)
    const layout = REPLY_BODY[requestType]
    if (layout) w.fields(layout)
  })
}

function renderMulti(w: Walker): void {
  for (;;) {
    const type = w.int()
    const done = w.byte()
    const err = w.int()
    if (done !== 0) {
      w.out.push(`| end${done === 1 ? '' : `(done ${done})`} ${type} ${err}`)
      return
    }
    w.out.push(`| ${type === OpCode.error ? 'error' : opName(type)} ${err}`)
    const layout = MULTI_RESULT_BODY[type]
    // A result type no client can decode: show the rest raw.
    if (!layout) return
    w.fields(layout)
  }
}
