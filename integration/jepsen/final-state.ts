// The end of a Jepsen run, once every fault is healed: read each key's final value, then every
// server must hold the same values and take a write.
import type { Ensemble } from '../../src/ensemble/index.js'
import type { StatFields, ZooKeeper } from '../../src/index.js'
import { retrying } from './deadlines.js'
import type { Run } from './run.js'
import { call } from './settings.js'

/** After healing: read each key's final value (confirmed, and recorded as a read); every server must then agree and take a write. */
export async function finalState(
  run: Run,
  ens: Ensemble,
  keys: string[],
  deadline: number,
): Promise<Map<string, StatFields & { value: string }>> {
  const finals = new Map<string, StatFields & { value: string }>()
  const reader = await retrying(deadline, () => run.connect(ens.connectString))
  const session = run.newSession('final reader')
  try {
    for (const key of keys) {
      const got = await retrying(deadline, async () => {
        const { done } = run.invoke(key, session, { kind: 'read', value: null })
        try {
          await reader.sync(key, call)
          const r = await reader.getData(key, call)
          await reader.transaction().check(key, r.stat.version).commit(call)
          done.ok(r.data.toString())
          return r
        } catch (err) {
          done.unknown()
          throw err
        }
      })
      finals.set(key, { ...got.stat, value: got.data.toString() })
    }
  } finally {
    await run.release(reader)
  }
  await Promise.all(
    ens.servers.map(async (_, i) => {
      let zk: ZooKeeper | undefined
      try {
        zk = await retrying(deadline, () => run.connect(ens.connectStringOf(i)))
        const server = zk
        await retrying(deadline, async () => {
          for (const key of keys) {
            await server.sync(key, call)
            const { data, stat } = await server.getData(key, call)
            const want = finals.get(key)!
            if (data.toString() !== want.value || stat.mzxid !== want.mzxid || stat.version !== want.version) {
              throw new Error(
                `server ${i} has ${key} = ${data.toString()} (version ${stat.version}, zxid 0x${stat.mzxid.toString(16)}), the ensemble ${want.value} (version ${want.version}, zxid 0x${want.mzxid.toString(16)})`,
              )
            }
          }
        })
        await retrying(deadline, () => server.setData('/progress', `after healing, via server ${i}`, call))
      } catch (err) {
        run.problems.push(`server ${i} after healing: ${(err as Error).message}`)
      } finally {
        if (zk) await run.release(zk)
      }
    }),
  )
  return finals
}
