// Majority quorums over a fixed voter set: the arithmetic every Zab phase relies on.

/** A majority quorum of `voters` (server ids). */
export class Majority {
  readonly voters: ReadonlySet<number>

  constructor(voters: Iterable<number>) {
    this.voters = new Set(voters)
    if (this.voters.size === 0) throw new RangeError('a quorum needs at least one voter')
  }

  /** How many acknowledgements make a quorum. */
  get size(): number {
    return Math.floor(this.voters.size / 2) + 1
  }

  /** Whether the voters among `ids` form a majority (non-voters are not counted). */
  contains(ids: Iterable<number>): boolean {
    let n = 0
    for (const id of new Set(ids)) if (this.voters.has(id)) n++
    return n >= this.size
  }
}

/** zxid helpers: the epoch in the high 32 bits, the counter in the low 32. */
export const Zxid = {
  make: (epoch: bigint, counter: bigint): bigint => (epoch << 32n) | (counter & 0xffffffffn),
  epoch: (zxid: bigint): bigint => zxid >> 32n,
  counter: (zxid: bigint): bigint => zxid & 0xffffffffn,
}
