// Synchronisation choice (Zab phase 2): how the leader brings a follower up to date, from the
// follower's last zxid and the leader's history. DIFF sends the committed proposals the follower
// lacks; TRUNC cuts a follower that is ahead on a tail the new leader never committed; SNAP sends
// the whole state when the follower is too far behind the leader's in-memory log.

/** The leader's view of its history. */
export interface LeaderHistory {
  /** Last committed zxid. */
  lastZxid: bigint
  /** Committed zxids the leader still has as proposals, ascending (its in-memory log window). */
  log: readonly bigint[]
}

export type SyncPlan =
  { kind: 'DIFF'; from: bigint; zxids: bigint[] } | { kind: 'TRUNC'; to: bigint; then: bigint[] } | { kind: 'SNAP'; at: bigint }

/** Choose how to sync a follower whose last logged zxid is `peerLast`. */
export function planSync(h: LeaderHistory, peerLast: bigint): SyncPlan {
  if (peerLast === h.lastZxid) return { kind: 'DIFF', from: peerLast, zxids: [] }
  // Ahead of everything the leader committed: cut back to the leader's last zxid.
  if (peerLast > h.lastZxid) return { kind: 'TRUNC', to: h.lastZxid, then: [] }
  const min = h.log[0]
  // Older than the leader's log window (or no window): only the whole state will do.
  if (min === undefined || peerLast < min) return { kind: 'SNAP', at: h.lastZxid }
  if (h.log.includes(peerLast)) return { kind: 'DIFF', from: peerLast, zxids: h.log.filter((z) => z > peerLast) }
  // Inside the window but never committed by this leader: an uncommitted tail of an older epoch.
  // Cut back to the last zxid both share, then send what follows it.
  const common = h.log.filter((z) => z < peerLast).pop()!
  return { kind: 'TRUNC', to: common, then: h.log.filter((z) => z > common) }
}
