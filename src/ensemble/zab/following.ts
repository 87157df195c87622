// The follower's side of Zab, as one role object: discovery (report the accepted epoch, promise a
// newer one), sync (take the leader's history), then broadcast (log and ACK proposals in order,
// commit what the leader commits); it answers pings and gives up on a leader it stops hearing.
import { FollowerDiscovery } from './discovery.js'
import { FollowerBroadcast } from './broadcast.js'
import type { Msg, Out } from './messages.js'
import type { PeerContext, Role, RolePhase } from './role.js'

/** What only a leader sends its learners. */
const FROM_LEADER: ReadonlySet<Msg<unknown>['t']> = new Set(['leaderinfo', 'sync', 'uptodate', 'proposal', 'commit', 'ping'])

/** Where a follower is in joining its leader; from sync on, the epoch it promised the leader. */
type Phase<T> = { name: 'discovery' } | { name: 'sync'; epoch: bigint } | { name: 'broadcast'; broadcast: FollowerBroadcast<T> }

export class Following<T> implements Role<T> {
  readonly name = 'FOLLOWING'
  private readonly discovery: FollowerDiscovery
  private stage: Phase<T> = { name: 'discovery' }
  /** Told UPTODATE: it serves clients. */
  private upToDate = false
  private lastHeard: number

  constructor(
    private readonly ctx: PeerContext<T>,
    readonly leader: number,
  ) {
    this.lastHeard = ctx.now
    this.discovery = new FollowerDiscovery(ctx.acceptedEpoch, ctx.currentEpoch, ctx.log.lastZxid)
  }

  get ready(): boolean {
    return this.upToDate
  }

  get phase(): RolePhase {
    return this.stage.name
  }

  /** The first words to the leader: the epoch this peer accepted. */
  report(): Out<T>[] {
    return [{ to: this.leader, msg: { t: 'followerinfo', acceptedEpoch: this.ctx.acceptedEpoch } }]
  }

  step(from: number, msg: Msg<T>): Out<T>[] {
    // Only what a leader says shows the leader is there: a peer we follow that is itself following
    // (and reporting to us) must not keep us from giving up on it.
    if (from !== this.leader || !FROM_LEADER.has(msg.t)) return []
    this.lastHeard = this.ctx.now
    const { log } = this.ctx
    const leader = this.leader
    switch (msg.t) {
      case 'leaderinfo': {
        // A leader that announces a newer epoch before syncing us (it began a new round while links
        // stayed up) is answered again: only the epoch promised last is synced.
        if (this.stage.name === 'broadcast' || (this.stage.name === 'sync' && msg.epoch <= this.stage.epoch)) return []
        const r = this.discovery.leaderInfo(msg.epoch)
        if ('refuse' in r) return this.ctx.lookAgain()
        this.stage = { name: 'sync', epoch: msg.epoch }
        this.ctx.acceptedEpoch = this.discovery.acceptedEpoch
        return [{ to: leader, msg: { t: 'ackepoch', epoch: msg.epoch, currentEpoch: r.ack.currentEpoch, lastZxid: log.lastZxid } }]
      }
      case 'sync': {
        // A SYNC of an epoch this peer did not promise (an earlier round's, still on the link) is
        // not taken: becoming current in an unpromised epoch would let that epoch be proposed again.
        if (this.stage.name !== 'sync' || msg.epoch !== this.stage.epoch) return []
        // The leader's history goes into our log; it is committed at UPTODATE.
        const synced = log.follow(msg)
        this.ctx.currentEpoch = msg.epoch
        this.discovery.newLeader(msg.epoch)
        this.stage = { name: 'broadcast', broadcast: new FollowerBroadcast<T>(log.lastZxid, synced) }
        return [
          ...msg.outstanding.map((e): Out<T> => ({ to: leader, msg: { t: 'ack', zxid: e.zxid } })),
          { to: leader, msg: { t: 'acknewleader' } },
        ]
      }
      case 'uptodate': {
        // Only after a SYNC: before it this peer holds no history of the leader's to serve.
        if (this.stage.name !== 'broadcast') return []
        this.upToDate = true
        log.commitLogged(this.stage.broadcast.lastCommitted)
        return []
      }
      case 'proposal': {
        if (this.stage.name !== 'broadcast') return []
        const r = this.stage.broadcast.propose(msg.entry.zxid, msg.entry.value)
        if (r === 'gap') return this.ctx.lookAgain() // lost our place: resync through a new election round
        if (r === 'ack') log.append(msg.entry)
        return [{ to: leader, msg: { t: 'ack', zxid: msg.entry.zxid } }]
      }
      case 'commit': {
        if (this.stage.name !== 'broadcast') return []
        // Everything logged up to the committed zxid is committed, synced history included: the
        // leader commits in zxid order.
        this.stage.broadcast.commit(msg.zxid)
        log.commitLogged(msg.zxid)
        return []
      }
      case 'ping':
        return [{ to: leader, msg: { t: 'pong' } }]
      default:
        return []
    }
  }

  tick(): Out<T>[] {
    if (this.ctx.now - this.lastHeard > this.ctx.silence) return this.ctx.lookAgain([this.leader])
    // The leader may have been still looking when our first report arrived: report again.
    if (this.stage.name === 'discovery') return this.report()
    return []
  }

  /** Its leader's connection broke: look for a new one, without waiting for the old one's vote. */
  disconnected(peer: number): Out<T>[] {
    return peer === this.leader ? this.ctx.lookAgain([peer]) : []
  }
}
