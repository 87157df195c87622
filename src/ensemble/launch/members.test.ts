// The Ensemble API that buildEnsemble() makes of a launcher's Members: the single server's own rules
// (no peer links, it leads whenever it is up) and waitForMode() on a single server and a quorum.
import t from 'tap'
import { startEnsemble } from '../index.js'

t.test('a single server: no peer links, it leads while up, and comes back on the same ports', async (t) => {
  const ens = await startEnsemble({ adminPort: 0 })
  t.teardown(() => ens.stop())
  t.throws(() => ens.partition([[0]]), { name: 'RangeError', message: 'partition: a single server has no peers to cut off' })
  // Refused before the arguments are looked at.
  t.throws(() => ens.partition([[5], [5]]), { name: 'RangeError', message: 'partition: a single server has no peers to cut off' })
  t.throws(() => ens.dropLink(0, 1), { name: 'RangeError', message: 'dropLink: a single server has no peer links' })
  t.throws(() => ens.delayLink(3, 4, 10), { name: 'RangeError', message: 'delayLink: a single server has no peer links' })
  t.doesNotThrow(() => ens.heal(), 'heal() has nothing to undo')
  t.throws(() => ens.connectStringOf(1), { name: 'RangeError', message: 'no server 1: the ensemble has 1 server' })
  t.equal(ens.leader(), 0)
  t.equal(await ens.waitForLeader(), 0)
  ens.pause()
  t.equal(ens.leader(), 0, 'paused, it still leads: no one can take over')
  ens.resume()
  const address = ens.connectStringOf(0)
  const adminPort = ens.adminPortOf(0)
  await ens.kill()
  t.same(ens.modes(), ['down'])
  t.equal(ens.leader(), undefined, 'no leader while down')
  t.equal(await ens.waitForLeader(), 0, 'waitForLeader() answers 0 at once, down or not')
  await t.rejects(
    ens.dumpTree(),
    { name: 'LeaderUnavailableError', message: /the server is down/ },
    'tree operations fail at once while it is down',
  )
  await ens.restart()
  t.same(ens.modes(), ['standalone'])
  t.equal(ens.connectStringOf(0), address, 'the same client port')
  t.equal(ens.adminPortOf(0), adminPort, 'the same admin port')
  t.same(
    (await ens.dumpTree()).nodes.map((n) => n.path),
    ['/'],
    'a fresh, empty server (no dataDir)',
  )
})

t.test('waitForMode on a single server: standalone, down after kill, back after restart', async (t) => {
  const ens = await startEnsemble()
  t.teardown(() => ens.stop())
  t.equal(await ens.waitForMode(0, 'standalone'), 'standalone', 'at once')
  const down = ens.waitForMode(0, 'down')
  await ens.kill()
  t.equal(await down, 'down', 'told of the kill')
  const back = ens.waitForMode(0, 'standalone')
  await ens.restart()
  t.equal(await back, 'standalone', 'told of the restart')
  await t.rejects(ens.waitForMode(0, 'leader', 50), { message: 'server 0 did not become leader within 50 ms (modes: standalone)' })
  await t.rejects(ens.waitForMode(1, 'standalone'), { name: 'RangeError', message: 'no server 1: the ensemble has 1 server' })
  await t.rejects(ens.waitForMode(0, 'serving' as 'leader'), {
    name: 'RangeError',
    message: /unknown mode "serving"; a server is standalone, leader, follower, looking, down/,
  })
  await t.rejects(ens.waitForMode(0, []), { name: 'RangeError', message: /no mode given/ })
})

t.test('waitForMode on a quorum: waits on role changes, for one mode or any of several', async (t) => {
  const ens = await startEnsemble({ size: 3 })
  t.teardown(() => ens.stop())
  const l = ens.leader()!
  const [f, other] = [0, 1, 2].filter((i) => i !== l) as [number, number]
  t.equal(await ens.waitForMode(l, 'leader'), 'leader')
  t.equal(await ens.waitForMode(f, ['leader', 'follower']), 'follower', 'resolves with the mode it is in')
  // Cut off alone, a follower loses its leader and looks for one.
  ens.partition([[f], [l, other]])
  t.equal(await ens.waitForMode(f, 'looking'), 'looking')
  ens.heal()
  t.equal(await ens.waitForMode(f, 'follower'), 'follower', 'back with its leader once healed')
  await ens.kill(f)
  t.equal(await ens.waitForMode(f, 'down'), 'down')
  const rejoined = ens.waitForMode(f, 'follower')
  await ens.restart(f)
  t.equal(await rejoined, 'follower', 'a wait begun while down ends when the restarted server follows')
  const failure = new RegExp(
    `^server ${other} did not become standalone or down within 50 ms \\(modes: (leader|follower), (leader|follower), (leader|follower)\\)$`,
  )
  await t.rejects(
    ens.waitForMode(other, ['standalone', 'down'], 50),
    { message: failure },
    'the error names the server, the modes wanted and every mode then',
  )
  await t.rejects(ens.waitForMode(3, 'leader'), { name: 'RangeError', message: 'no server 3: the ensemble has servers 0 to 2' })
})
