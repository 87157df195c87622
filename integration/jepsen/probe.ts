// Progress as a Jepsen run measures it: a write through the whole ensemble goes through.
import type { Ensemble } from '../../src/ensemble/index.js'
import type { ZooKeeper } from '../../src/index.js'
import { retrying } from './deadlines.js'
import { terminal, type Run } from './run.js'
import { call } from './settings.js'

/**
 * Progress, measured by what counts: a write through the whole ensemble is acknowledged. (A server
 * in leader or follower mode is not proof: one that lost its leader without noticing still says so.)
 */
export class Probe {
  private zk: ZooKeeper | undefined
  private n = 0

  constructor(
    private readonly run: Run,
    private readonly ens: Ensemble,
  ) {}

  /** Resolve with the ms a write took to go through, or reject at `deadline`. */
  async write(deadline: number): Promise<number> {
    const started = Date.now()
    await retrying(deadline, async () => {
      if (!this.zk || terminal(this.zk)) {
        if (this.zk) void this.run.release(this.zk)
        this.zk = undefined
        this.zk = await this.run.connect(this.ens.connectString)
      }
      await this.zk.setData('/progress', `probe ${++this.n}`, call)
    })
    return Date.now() - started
  }

  async close(): Promise<void> {
    if (this.zk) await this.run.release(this.zk)
    this.zk = undefined
  }
}
