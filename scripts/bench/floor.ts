// The benchmark's floor: the least a Node process can do to send getData and setData to ZooKeeper
// and hear the answers. A measuring stick, not a second codec: hand-written frames for exactly the
// records it sends (ConnectRequest, GetData, SetData, Close), replies matched by order and read by
// their length prefix, only the reply header looked at. No watches, no pings (the workloads keep the
// session busy), no reconnect, no checks beyond the error code. Each call still returns a promise,
// as the other Node clients' do, so the ratio to it measures a client rather than the harness.
import net from 'node:net'

const OP_GET_DATA = 4
const OP_SET_DATA = 5
const OP_CLOSE = -11
const SESSION_TIMEOUT_MS = 30_000

interface Waiter {
  resolve(): void
  reject(err: Error): void
}

/** A session over one socket: connect, then getData / setData with any number outstanding. */
export class FloorClient {
  private readonly waiters: Waiter[] = []
  private waiterHead = 0
  private readonly outgoing: Buffer[] = []
  private flushQueued = false
  private unread: Buffer = Buffer.alloc(0)
  private xid = 0
  private onConnected: Waiter | undefined

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true)
    socket.on('data', (chunk) => this.read(chunk))
    socket.on('error', (err) => this.failAll(err))
    socket.on('close', () => this.failAll(new Error('floor: connection closed')))
  }

  /** Open a session on the first host of `connectString`. */
  static async connect(connectString: string): Promise<FloorClient> {
    const [host, port] = connectString.split(',')[0]!.split('/')[0]!.split(':')
    const socket = net.connect(Number(port), host)
    const client = new FloorClient(socket)
    await new Promise<void>((resolve, reject) => {
      client.onConnected = { resolve, reject }
      // ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd (16 zero bytes), readOnly.
      const body = Buffer.alloc(4 + 8 + 4 + 8 + 4 + 16 + 1)
      body.writeInt32BE(SESSION_TIMEOUT_MS, 12)
      body.writeInt32BE(16, 24)
      client.send(body)
    })
    return client
  }

  getData(path: string): Promise<void> {
    const pathBytes = Buffer.byteLength(path)
    const frame = this.request(OP_GET_DATA, 4 + pathBytes + 1)
    frame.writeInt32BE(pathBytes, 12)
    frame.write(path, 16, 'utf8')
    frame[16 + pathBytes] = 0 // watch: false
    return this.call(frame)
  }

  setData(path: string, data: Buffer): Promise<void> {
    const pathBytes = Buffer.byteLength(path)
    const frame = this.request(OP_SET_DATA, 4 + pathBytes + 4 + data.length + 4)
    let at = 12
    at = frame.writeInt32BE(pathBytes, at)
    at += frame.write(path, at, 'utf8')
    at = frame.writeInt32BE(data.length, at)
    at += data.copy(frame, at)
    frame.writeInt32BE(-1, at) // any version
    return this.call(frame)
  }

  async close(): Promise<void> {
    await this.call(this.request(OP_CLOSE, 0)).catch(() => {})
    this.socket.destroy()
  }

  /** A frame with its length prefix and RequestHeader written, `bodyLength` bytes left to fill. */
  private request(op: number, bodyLength: number): Buffer {
    const frame = Buffer.allocUnsafe(12 + bodyLength)
    frame.writeInt32BE(8 + bodyLength, 0)
    frame.writeInt32BE(++this.xid, 4)
    frame.writeInt32BE(op, 8)
    return frame
  }

  private call(frame: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject })
      this.outgoing.push(frame)
      this.queueFlush()
    })
  }

  /** Prefix a body with its length and queue it (the ConnectRequest has no header). */
  private send(body: Buffer): void {
    const length = Buffer.allocUnsafe(4)
    length.writeInt32BE(body.length, 0)
    this.outgoing.push(length, body)
    this.queueFlush()
  }

  // One write per turn of the event loop: calls made while replies are handled go out together.
  private queueFlush(): void {
    if (this.flushQueued) return
    this.flushQueued = true
    process.nextTick(() => {
      this.flushQueued = false
      this.socket.write(this.outgoing.length === 1 ? this.outgoing[0]! : Buffer.concat(this.outgoing))
      this.outgoing.length = 0
    })
  }

  private read(chunk: Buffer): void {
    let buf = this.unread.length ? Buffer.concat([this.unread, chunk]) : chunk
    let at = 0
    while (buf.length - at >= 4) {
      const length = buf.readInt32BE(at)
      if (buf.length - at - 4 < length) break
      this.reply(buf, at + 4)
      at += 4 + length
    }
    this.unread = at === buf.length ? Buffer.alloc(0) : buf.subarray(at)
  }

  /** A frame starting at `at`: the ConnectResponse first, then ReplyHeaders {xid, zxid, err} in request order. */
  private reply(buf: Buffer, at: number): void {
    if (this.onConnected) {
      const waiter = this.onConnected
      this.onConnected = undefined
      if (buf.readInt32BE(at + 4) <= 0) waiter.reject(new Error('floor: session refused'))
      else waiter.resolve()
      return
    }
    const xid = buf.readInt32BE(at)
    if (xid < 0) return // a notification or a ping reply: never asked for, ignored
    const waiter = this.waiters[this.waiterHead++]!
    // A queue as an array and a head: drop the answered part now and then, not one shift per reply.
    if (this.waiterHead === this.waiters.length || this.waiterHead > 4096) {
      this.waiters.splice(0, this.waiterHead)
      this.waiterHead = 0
    }
    const err = buf.readInt32BE(at + 12)
    if (err === 0) waiter.resolve()
    else waiter.reject(new Error(`floor: error code ${err}`))
  }

  private failAll(err: Error): void {
    this.onConnected?.reject(err)
    this.onConnected = undefined
    for (let i = this.waiterHead; i < this.waiters.length; i++) this.waiters[i]!.reject(err)
    this.waiters.length = 0
    this.waiterHead = 0
  }
}
