// The contract between the pure Zab core and its host: every input returns a Ready, what the host
// must make durable, send, load and apply, in that order (after etcd-io/raft's Ready).
import type { Base, Entry, Out } from './messages.js'

/**
 * A change to the peer's durable log: append an entry; replace the whole log (after `base` when it
 * comes with one); or keep `base` as the snapshot and drop the entries it stands for.
 */
export type LogChange<T> =
  { op: 'append'; entry: Entry<T> } | { op: 'reset'; entries: Entry<T>[]; base?: Base<T> } | { op: 'compact'; base: Base<T> }

/** The epochs a peer must keep across a crash (its promises of discovery). */
export interface Epochs {
  acceptedEpoch: bigint
  currentEpoch: bigint
}

export type PeerRole = 'LOOKING' | 'FOLLOWING' | 'LEADING'

/** Where a peer stands: reported in a Ready whenever any of it changes. */
export interface RoleState {
  role: PeerRole
  /** Whom it follows or that it leads itself; undefined while looking. */
  leader: number | undefined
  /** Its current epoch. */
  epoch: bigint
  /** Whether it serves clients: the leader of an established epoch, or a follower told UPTODATE. */
  ready: boolean
}

/**
 * What one input asks of the host, to be done in this order: make `persist` durable, then send
 * `send` (Zab's promises, ACKEPOCH and ACK, are safe only once what they promise is on disk), then
 * start over from `reload` if set, then apply `apply`, then take note of `role`.
 */
export interface Ready<T> {
  /** Log changes (in order) and the epochs when they changed; durable before any of `send` leaves. */
  persist: { log: LogChange<T>[]; epochs?: Epochs }
  send: Out<T>[]
  /**
   * Drop the applied state and load this instead, before applying `apply`: the snapshot a leader
   * sent (SNAP) or the stored one (restore); no base means an empty state.
   */
  reload?: { base?: Base<T> }
  /** Entries newly committed, in zxid order, for the host to apply. */
  apply: Entry<T>[]
  /** The new role, set when the role, leader, epoch or readiness changed. */
  role?: RoleState
}
