// The settings both quorum launchers share: here, the rule for whether the peers fsync their logs,
// which a quorum of processes once broke by never fsyncing a dataDir it was given unless told to.
import t from 'tap'
import { peerFsync } from './quorum-settings.js'

t.test('peers fsync their logs by default exactly when the caller gave a dataDir', async (t) => {
  t.equal(peerFsync({ size: 3, dataDir: '/var/lib/zk' }), true, 'a dataDir: fsync, as documented')
  t.equal(peerFsync({ size: 3, processes: true, dataDir: '/var/lib/zk' }), true, 'also when the servers are processes')
  t.equal(peerFsync({ size: 3, processes: true }), false, "a process quorum's own temporary directory: no fsync")
  t.equal(peerFsync({ size: 3, processes: true, dataDir: '/var/lib/zk', fsync: false }), false, 'fsync: false wins')
  t.equal(peerFsync({ size: 3, processes: true, fsync: true }), true, 'fsync: true wins')
})
