// What Zab peers replicate and say to each other: log entries, snapshots, and the messages of
// election, discovery, sync and broadcast.
import type { Notification } from './election.js'

/** A replicated entry. */
export interface Entry<T> {
  zxid: bigint
  value: T
}

/** A compacted prefix of the log: the state after `zxid`, standing for every entry up to it. */
export interface Base<T> {
  zxid: bigint
  state: T
}

/** Messages between peers. */
/** Every Zab message type, in the order of their peer wire tags (peer-wire.ts numbers them so). */
export const MESSAGE_TYPES = [
  'vote',
  'followerinfo',
  'leaderinfo',
  'ackepoch',
  'sync',
  'acknewleader',
  'uptodate',
  'proposal',
  'ack',
  'commit',
  'ping',
  'pong',
] as const satisfies readonly Msg<unknown>['t'][]

export type Msg<T> =
  | { t: 'vote'; n: Notification }
  | { t: 'followerinfo'; acceptedEpoch: bigint }
  | { t: 'leaderinfo'; epoch: bigint }
  /** The promise of discovery: `epoch` is the one promised (links may outlive a leader's rounds). */
  | { t: 'ackepoch'; epoch: bigint; currentEpoch: bigint; lastZxid: bigint }
  | { t: 'sync'; epoch: bigint; truncate?: bigint; snapshot?: Base<T>; diff: Entry<T>[]; outstanding: Entry<T>[] }
  | { t: 'acknewleader' }
  | { t: 'uptodate' }
  | { t: 'proposal'; entry: Entry<T> }
  | { t: 'ack'; zxid: bigint }
  | { t: 'commit'; zxid: bigint }
  | { t: 'ping' }
  | { t: 'pong' }

export type Out<T> = { to: number; msg: Msg<T> }
