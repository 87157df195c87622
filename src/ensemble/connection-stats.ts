// What a server remembers of each connection for the `cons` and `stat` four-letter words: its last
// operation (by ZooKeeper's four-letter names), last cxid and zxid, and response latencies.
import { OpCode } from '../protocol.js'

/** The names ZooKeeper's FinalRequestProcessor gives the last operation of a connection. */
const LAST_OP: Record<number, string> = {
  [OpCode.ping]: 'PING',
  [OpCode.createSession]: 'SESS',
  [OpCode.closeSession]: 'CLOS',
  [OpCode.multi]: 'MULT',
  [OpCode.multiRead]: 'MLTR',
  [OpCode.create]: 'CREA',
  [OpCode.create2]: 'CREA',
  [OpCode.createTTL]: 'CREA',
  [OpCode.createContainer]: 'CREA',
  [OpCode.delete]: 'DELE',
  [OpCode.deleteContainer]: 'DELE',
  [OpCode.setData]: 'SETD',
  [OpCode.reconfig]: 'RECO',
  [OpCode.setACL]: 'SETA',
  [OpCode.sync]: 'SYNC',
  [OpCode.check]: 'CHEC',
  [OpCode.exists]: 'EXIS',
  [OpCode.getData]: 'GETD',
  [OpCode.setWatches]: 'SETW',
  [OpCode.setWatches2]: 'STW2',
  [OpCode.addWatch]: 'ADDW',
  [OpCode.getACL]: 'GETA',
  [OpCode.getChildren]: 'GETC',
  [OpCode.getChildren2]: 'GETC',
  [OpCode.getAllChildrenNumber]: 'GETACN',
  [OpCode.checkWatches]: 'CHKW',
  [OpCode.removeWatches]: 'REMW',
  [OpCode.whoAmI]: 'HOMI',
  [OpCode.getEphemerals]: 'GETE',
}

/** ZooKeeper's name for the last operation of `type`; a write refused in prep shows as "NA". */
export function lastOpName(type: number, refused = false): string {
  return refused ? 'NA' : (LAST_OP[type] ?? 'NA')
}

/** Per-connection counters, as ServerCnxn keeps them. */
export class ConnectionStats {
  readonly established = Date.now()
  lastOp = 'NA'
  lastCxid = -1
  lastZxid = -1n
  lastResponseTime = 0
  lastLatency = 0
  private minLatency = Number.MAX_SAFE_INTEGER
  private maxLatency = 0
  private count = 0
  private totalLatency = 0

  /** A reply went out for a request that arrived at `start` (ms). */
  replied(op: string, cxid: number, zxid: bigint, start: number, now = Date.now()): void {
    // Special xids (pings, watch restores) leave the last real cxid in place, as in ZooKeeper.
    if (cxid >= 0) this.lastCxid = cxid
    this.lastZxid = zxid
    this.lastOp = op
    this.lastResponseTime = now
    this.lastLatency = now - start
    this.minLatency = Math.min(this.minLatency, this.lastLatency)
    this.maxLatency = Math.max(this.maxLatency, this.lastLatency)
    this.count++
    this.totalLatency += this.lastLatency
  }

  /** Smallest, mean (whole ms, as ServerCnxn divides) and largest response latency; 0 before any. */
  latencies(): { min: number; avg: number; max: number } {
    return { min: this.count ? this.minLatency : 0, avg: this.count ? Math.floor(this.totalLatency / this.count) : 0, max: this.maxLatency }
  }

  /** connection_stat_reset: start counting over, as ServerCnxn.resetStats does (the connection's age stays). */
  reset(): void {
    this.lastOp = 'NA'
    this.lastCxid = -1
    this.lastZxid = -1n
    this.lastResponseTime = this.lastLatency = 0
    this.minLatency = Number.MAX_SAFE_INTEGER
    this.maxLatency = this.count = this.totalLatency = 0
  }

  /** The part of a `cons` line after the session id: lop, est, to, lcxid, lzxid, lresp and latencies. */
  describe(timeout: number): string {
    const hex = (n: number | bigint) => BigInt.asUintN(64, BigInt(n)).toString(16)
    const { min, avg } = this.latencies()
    return [
      `lop=${this.lastOp}`,
      `est=${this.established}`,
      `to=${timeout}`,
      ...(this.lastCxid >= 0 ? [`lcxid=0x${hex(this.lastCxid)}`] : []),
      `lzxid=0x${hex(this.lastZxid)}`,
      `lresp=${this.lastResponseTime}`,
      `llat=${this.lastLatency}`,
      `minlat=${min}`,
      `avglat=${avg}`,
      `maxlat=${this.maxLatency}`,
    ].join(',')
  }
}
