// mntr's keys per role: the recorded table of ZooKeeper 3.8's keys, filtered by role, then the sets
// that grow with the data (namespaces) and the peers (learners). integration/admin-server.test.ts
// compares them with a real ZooKeeper; here the rules are checked on the bundled servers alone.
import t from 'tap'
import { startEnsemble } from './index.js'
import { monitorValues } from './monitor.js'
import { MNTR_ENTRIES } from './mntr-keys.generated.js'
import { ZooKeeper } from '../index.js'
import { fourLetterWord } from '../testing/real-zookeeper.js'

const keysOf = (values: [string, unknown][]) => values.map(([k]) => k)
const staticCount = (role: 'standalone' | 'leader' | 'follower') =>
  MNTR_ENTRIES.filter((e) => !e.only || (e.only === 'quorum' ? role !== 'standalone' : role === 'leader')).reduce(
    (n, e) => n + (e.kind === 'value' ? 1 : e.kind === 'summary' ? 5 : 9),
    0,
  )

t.test('a standalone server: the standalone keys, then its namespaces read and written', async (t) => {
  const ens = await startEnsemble()
  t.teardown(() => ens.stop())
  const s = ens.servers[0]!
  t.equal(keysOf(monitorValues(s)).length, staticCount('standalone'), 'nothing read or written yet: no per-namespace keys')
  const zk = await ZooKeeper.connect(ens.connectString)
  t.teardown(() => zk.close())
  await zk.create('/p', 'x')
  await zk.getData('/p')
  await zk.exists('/nope')
  const keys = keysOf(monitorValues(s))
  t.same(keys.slice(0, 3), ['version', 'server_state', 'ephemerals_count'])
  t.notOk(keys.includes('peer_state') || keys.includes('learners'), 'no quorum or leader keys')
  // Reads come before writes, as ZooKeeper's metrics context orders its summary sets.
  t.same(
    keys.filter((k) => k.startsWith('avg_') && k.endsWith('_per_namespace')),
    ['avg_p_read_per_namespace', 'avg_p_write_per_namespace'],
    'a missing node is not a read of its namespace',
  )
  const text = await fourLetterWord('127.0.0.1', Number(ens.connectString.split(':')[1]), 'mntr')
  const words = text
    .trim()
    .split('\n')
    .map((l) => l.split('\t')[0]!.replace(/^zk_/, ''))
  t.same(words, keysOf(monitorValues(s)), 'the four-letter word prints the same keys in the same order')
  t.match(text, /^zk_avg_latency\t\d+\.\d+$/m, 'doubles print as Java prints them')
})

t.test('a quorum: the leader adds its follower counts and a set per learner', async (t) => {
  const ens = await startEnsemble({ size: 3 })
  t.teardown(() => ens.stop())
  const l = ens.leader()!
  const leader = monitorValues(ens.servers[l]!)
  const values = new Map(leader)
  t.equal(values.get('server_state'), 'leader')
  t.equal(values.get('peer_state'), 'leading - broadcast')
  t.equal(values.get('quorum_size'), 3)
  t.equal(values.get('synced_followers'), 2, 'both followers are synced')
  t.equal(values.get('learners'), 2)
  const followerIds = [1, 2, 3].filter((id) => id !== l + 1)
  t.same(
    keysOf(leader).filter((k) => /^avg_\d+_learner_handler_qp_size$/.test(k)),
    followerIds.map((id) => `avg_${id}_learner_handler_qp_size`),
  )
  t.ok(values.has('p999_' + followerIds[0] + '_learner_handler_qp_time_ms'), 'the time set has percentiles')
  t.ok(values.has('avg_zookeeper_write_per_namespace'), 'a peer has written the ensemble configuration')
  const f = [0, 1, 2].find((i) => i !== l)!
  const follower = keysOf(monitorValues(ens.servers[f]!))
  t.ok(follower.includes('peer_state') && follower.includes('quorum_size'))
  t.notOk(follower.includes('learners') || follower.some((k) => k.includes('learner_handler')), 'no leader keys on a follower')
  t.equal(follower.length, staticCount('follower') + 5)
})
