// The peer-to-peer wire format: Zab messages (election votes, discovery, sync, broadcast) and the
// server's own messages between a follower and its leader (forwarded writes, session touches, sync
// requests), one binary record per frame. Values in the replicated log are serialized transactions.
import { Writer } from '../jute/writer.js'
import { Reader } from '../jute/reader.js'
import { MESSAGE_TYPES, type Entry, type Msg } from './zab/messages.js'
import type { PeerState } from './zab/election.js'

/** A write forwarded by a follower to the leader (the leader prepares it). */
export interface Forwarded {
  sessionId: bigint
  cxid: number
  type: number
  body: Buffer
  ids: { scheme: string; id: string }[]
  address: string
}

/** Everything that travels between peers. */
export type WireMsg =
  | Msg<Buffer>
  | { t: 'request'; req: Forwarded }
  | { t: 'touch'; sessions: bigint[] }
  | { t: 'syncreq'; sessionId: bigint; cxid: number }
  | { t: 'syncdone'; sessionId: bigint; cxid: number }

// Zab's messages keep the first tags; the host's own follow them.
const TAGS = [...MESSAGE_TYPES, 'request', 'touch', 'syncreq', 'syncdone'] as const
const TAG = new Map<string, number>(TAGS.map((t, i) => [t, i]))
const STATES: PeerState[] = ['LOOKING', 'FOLLOWING', 'LEADING']

function writeEntries(w: Writer, entries: Entry<Buffer>[]): void {
  w.int(entries.length)
  for (const e of entries) w.long(e.zxid).buffer(e.value)
}

function readEntries(r: Reader): Entry<Buffer>[] {
  const n = r.vectorLength(12)
  const out: Entry<Buffer>[] = []
  for (let i = 0; i < n; i++) out.push({ zxid: r.long(), value: Buffer.from(r.buffer()) })
  return out
}

/** Encode a message into `w` (which the caller frames). */
export function encodeWire(w: Writer, m: WireMsg): void {
  w.byte(TAG.get(m.t)!)
  switch (m.t) {
    case 'vote':
      w.int(m.n.from).byte(STATES.indexOf(m.n.state)).int(m.n.vote.leader).long(m.n.vote.zxid).long(m.n.vote.peerEpoch).long(m.n.round)
      return
    case 'followerinfo':
      w.long(m.acceptedEpoch)
      return
    case 'leaderinfo':
      w.long(m.epoch)
      return
    case 'ackepoch':
      w.long(m.epoch).long(m.currentEpoch).long(m.lastZxid)
      return
    case 'sync':
      w.long(m.epoch)
        .long(m.truncate ?? -1n)
        .bool(m.snapshot !== undefined)
      if (m.snapshot) w.long(m.snapshot.zxid).buffer(m.snapshot.state)
      writeEntries(w, m.diff)
      writeEntries(w, m.outstanding)
      return
    case 'proposal':
      w.long(m.entry.zxid).buffer(m.entry.value)
      return
    case 'ack':
    case 'commit':
      w.long(m.zxid)
      return
    case 'request':
      w.long(m.req.sessionId).int(m.req.cxid).int(m.req.type).buffer(m.req.body).ustring(m.req.address).int(m.req.ids.length)
      for (const id of m.req.ids) w.ustring(id.scheme).ustring(id.id)
      return
    case 'touch':
      w.int(m.sessions.length)
      for (const s of m.sessions) w.long(s)
      return
    case 'syncreq':
    case 'syncdone':
      w.long(m.sessionId).int(m.cxid)
      return
    default:
      return // acknewleader, uptodate, ping, pong: the tag says it all
  }
}

/** Decode one frame's payload; throws on anything malformed. */
export function decodeWire(buf: Buffer): WireMsg {
  const r = new Reader(buf)
  const t = TAGS[r.byte()]
  if (t === undefined) throw new RangeError('unknown peer message tag')
  let m: WireMsg
  switch (t) {
    case 'vote': {
      const from = r.int()
      const state = STATES[r.byte()]
      if (!state) throw new RangeError('bad peer state')
      m = { t, n: { from, state, vote: { leader: r.int(), zxid: r.long(), peerEpoch: r.long() }, round: r.long() } }
      break
    }
    case 'followerinfo':
      m = { t, acceptedEpoch: r.long() }
      break
    case 'leaderinfo':
      m = { t, epoch: r.long() }
      break
    case 'ackepoch':
      m = { t, epoch: r.long(), currentEpoch: r.long(), lastZxid: r.long() }
      break
    case 'sync': {
      const epoch = r.long()
      const trunc = r.long()
      const snap = r.bool()
      const snapshot = snap ? { zxid: r.long(), state: Buffer.from(r.buffer()) } : undefined
      const diff = readEntries(r)
      const outstanding = readEntries(r)
      m = { t, epoch, diff, outstanding, ...(trunc >= 0n ? { truncate: trunc } : {}), ...(snapshot ? { snapshot } : {}) }
      break
    }
    case 'proposal':
      m = { t, entry: { zxid: r.long(), value: Buffer.from(r.buffer()) } }
      break
    case 'ack':
    case 'commit':
      m = { t, zxid: r.long() }
      break
    case 'request': {
      const sessionId = r.long()
      const cxid = r.int()
      const type = r.int()
      const body = Buffer.from(r.buffer())
      const address = r.ustring()
      const ids: Forwarded['ids'] = []
      for (let n = r.vectorLength(8); n > 0; n--) ids.push({ scheme: r.ustring(), id: r.ustring() })
      m = { t, req: { sessionId, cxid, type, body, ids, address } }
      break
    }
    case 'touch': {
      const sessions: bigint[] = []
      for (let n = r.vectorLength(8); n > 0; n--) sessions.push(r.long())
      m = { t, sessions }
      break
    }
    case 'syncreq':
    case 'syncdone':
      m = { t, sessionId: r.long(), cxid: r.int() }
      break
    default:
      m = { t } as WireMsg
  }
  r.expectEnd(`peer message ${t}`)
  return m
}
