// A small piece of "your application" for the test examples beside it: a job board on which
// workers claim jobs. A claim is an ephemeral node, so the job of a worker that dies (its session
// expires) is free again for another. Plain JavaScript with JSDoc types, so that the node:test,
// vitest and jest suites can all import it; tsc checks it through examples/tsconfig.json.
import { CreateMode, NoNodeError, NodeExistsError } from 'zookit'

/** @typedef {import('zookit').ZooKeeper} ZooKeeper */

export class JobBoard {
  /**
   * @param {ZooKeeper} zk a connected client
   * @param {string} [root] where the jobs live
   */
  constructor(zk, root = '/jobs') {
    this.zk = zk
    this.root = root
  }

  /**
   * Post a job (its parents are created as needed).
   * @param {string} id
   * @param {unknown} spec what to do, stored as JSON
   */
  async post(id, spec) {
    await this.zk.createAll(`${this.root}/${id}`, JSON.stringify(spec))
  }

  /**
   * Claim a job for `worker`: true when it is now theirs, false when someone holds it already.
   * @param {string} id
   * @param {string} worker
   */
  async claim(id, worker) {
    try {
      await this.zk.create(`${this.root}/${id}/owner`, worker, { mode: CreateMode.EPHEMERAL })
      return true
    } catch (err) {
      if (err instanceof NodeExistsError) return false
      throw err
    }
  }

  /**
   * Who holds a job, if anyone.
   * @param {string} id
   * @returns {Promise<string | undefined>}
   */
  async owner(id) {
    try {
      return (await this.zk.getData(`${this.root}/${id}/owner`)).data.toString()
    } catch (err) {
      if (err instanceof NoNodeError) return undefined
      throw err
    }
  }

  /**
   * Resolve once nobody holds the job: at once, or when its claim goes. Waits on a watch, not a timer.
   * @param {string} id
   */
  async released(id) {
    for (;;) {
      /** @type {() => void} */
      let wake = () => {}
      const changed = new Promise((resolve) => (wake = () => resolve(undefined)))
      if (!(await this.zk.exists(`${this.root}/${id}/owner`, { watch: () => wake() }))) return
      await changed
    }
  }
}
