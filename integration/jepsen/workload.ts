// The clients of a Jepsen run: each worker (re)connects as needed and does random blind writes,
// compare-and-sets, confirmed reads and plain local reads, recording each in the run's History.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Ensemble } from '../../src/ensemble/index.js'
import { BadVersionError, type Stat, type ZooKeeper } from '../../src/index.js'
import { terminal, type Run } from './run.js'
import { THINK_MS, call } from './settings.js'

/** One random op of a worker. */
async function step(run: Run, zk: ZooKeeper, session: number, keys: string[], rnd: () => number, tag: string): Promise<void> {
  const key = keys[Math.floor(rnd() * keys.length)]!
  const dice = rnd()
  if (dice < 0.3) {
    // Blind write.
    const value = `w${tag}`
    const { done, rec } = run.invoke(key, session, { kind: 'write', value })
    try {
      const stat = await zk.setData(key, value, { ...call, version: -1 })
      done.ok()
      run.stats.set(rec, stat)
    } catch (err) {
      run.failed(done, err)
    }
  } else if (dice < 0.55) {
    // CAS: read (locally, maybe stale), then write if the version is still the one read.
    const read = run.invoke(key, session, { kind: 'read', value: null })
    run.plain.add(read.rec)
    let got: { data: Buffer; stat: Stat }
    try {
      got = await zk.getData(key, call)
      read.done.ok(got.data.toString())
    } catch (err) {
      run.failed(read.done, err)
      return
    }
    const value = `c${tag}`
    const { done, rec } = run.invoke(key, session, { kind: 'cas', expected: got.data.toString(), value })
    try {
      const stat = await zk.setData(key, value, { ...call, version: got.stat.version })
      done.ok()
      run.stats.set(rec, stat)
    } catch (err) {
      run.failed(done, err, err instanceof BadVersionError)
    }
  } else if (dice < 0.8) {
    // Confirmed read: the value read is proved current by a committed version check.
    const { done } = run.invoke(key, session, { kind: 'read', value: null })
    try {
      const got = await zk.getData(key, call)
      await zk.transaction().check(key, got.stat.version).commit(call)
      done.ok(got.data.toString())
    } catch (err) {
      // A failed check proves nothing either way: the read is simply inconclusive.
      run.failed(done, err)
    }
  } else {
    // Plain local read: only the session's order constrains it.
    const { done, rec } = run.invoke(key, session, { kind: 'read', value: null })
    run.plain.add(rec)
    try {
      const got = await zk.getData(key, call)
      done.ok(got.data.toString())
    } catch (err) {
      run.failed(done, err)
    }
  }
}

/** A client process: (re)connects as needed (a new session after expiry) and does random ops until the run stops. */
export async function worker(
  run: Run,
  ens: Ensemble,
  id: number,
  target: 'all' | number,
  keys: string[],
  rnd: () => number,
): Promise<void> {
  const cs = target === 'all' ? ens.connectString : ens.connectStringOf(target)
  const where = target === 'all' ? 'all servers' : `server ${target}`
  let zk: ZooKeeper | undefined
  let session = 0
  let n = 0
  try {
    while (!run.stopping) {
      if (!zk || terminal(zk)) {
        if (zk) void run.release(zk)
        zk = undefined
        try {
          zk = await run.connect(cs)
        } catch {
          // No server of ours serves right now (killed, cut off, electing): try again shortly.
          await sleep(50 + rnd() * 100)
          continue
        }
        session = run.newSession(`worker ${id} on ${where}, session 0x${zk.sessionId.toString(16)}`)
        continue
      }
      if (zk.state !== 'connected') {
        // Do not invoke ops that would only wait for a connection (and count as indeterminate).
        await zk.waitForConnected({ timeout: 300 }).catch(() => {})
        continue
      }
      await step(run, zk, session, keys, rnd, `${id}.${++n}`)
      await sleep(THINK_MS[0] + rnd() * (THINK_MS[1] - THINK_MS[0]))
    }
  } finally {
    if (zk) await run.release(zk)
  }
}
