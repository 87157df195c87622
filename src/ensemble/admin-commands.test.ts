// The command table on bundled servers, without HTTP: names and aliases, the map's key order
// ("command" and "error" last unless the command set its own error), and what each role answers.
import t from 'tap'
import { startEnsemble } from './index.js'
import { COMMAND_NAMES, NOT_SERVING, runAdminCommand } from './admin-commands.js'
import type { ZooKeeperServer } from './server.js'
import { CreateMode, ZooKeeper } from '../index.js'

function json(name: string, s: ZooKeeperServer, args?: Record<string, string>): Record<string, unknown> {
  const out = runAdminCommand(name, s, args)
  if (out.status !== 200) throw new Error(`${name} answered ${out.status}`)
  return out.json
}

t.test("ZooKeeper 3.8's primary names, and aliases that answer with the primary name", async (t) => {
  t.same(COMMAND_NAMES, [
    'configuration',
    'connection_stat_reset',
    'connections',
    'dirs',
    'dump',
    'environment',
    'get_trace_mask',
    'hash',
    'initial_configuration',
    'is_read_only',
    'last_snapshot',
    'leader',
    'monitor',
    'observer_connection_stat_reset',
    'observers',
    'ruok',
    'server_stats',
    'set_trace_mask',
    'stat_reset',
    'stats',
    'system_properties',
    'voting_view',
    'watch_summary',
    'watches',
    'watches_by_path',
    'zabstate',
  ])
  const ens = await startEnsemble()
  t.teardown(() => ens.stop())
  const s = ens.servers[0]!
  const aliases: [string, string][] = [
    ['srvr', 'server_stats'],
    ['stat', 'stats'],
    ['mntr', 'monitor'],
    ['cons', 'connections'],
    ['crst', 'connection_stat_reset'],
    ['conf', 'configuration'],
    ['config', 'configuration'],
    ['envi', 'environment'],
    ['env', 'environment'],
    ['wchs', 'watch_summary'],
    ['wchc', 'watches'],
    ['wchp', 'watches_by_path'],
    ['isro', 'is_read_only'],
    ['lead', 'leader'],
    ['lsnp', 'last_snapshot'],
    ['icfg', 'initial_configuration'],
    ['gtmk', 'get_trace_mask'],
    ['stmk', 'set_trace_mask'],
    ['srst', 'stat_reset'],
    ['obsr', 'observers'],
    ['orst', 'observer_connection_stat_reset'],
    ['sysp', 'system_properties'],
  ]
  for (const [alias, primary] of aliases) t.equal(json(alias, s).command, primary, `${alias} is ${primary}`)
  t.same(json('ruok', s), { command: 'ruok', error: null })
  t.same(json('nosuch', s), { command: 'nosuch', error: 'Unknown command: nosuch' }, 'an unknown name is echoed as asked')
  t.same(Object.keys(json('leader', s)), ['error', 'command'], "a standalone server's leader sets its own error first")
  t.equal(json('leader', s).error, 'server is not initialized')
  t.same(Object.keys(json('isro', s)), ['read_only', 'command', 'error'])
})

t.test('a standalone server with a session, an ephemeral and watches', async (t) => {
  const ens = await startEnsemble()
  t.teardown(() => ens.stop())
  const s = ens.servers[0]!
  const zk = await ZooKeeper.connect(ens.connectString)
  t.teardown(() => zk.close())
  await zk.create('/e', 'x', { mode: CreateMode.EPHEMERAL })
  await zk.create('/p', 'x')
  await zk.getData('/p', { watch: () => {} })
  await zk.getChildren('/', { watch: () => {} })
  const id = String(zk.sessionId)
  t.same(
    json('wchs', s),
    { num_connections: 1, num_paths: 1, num_total_watches: 1, command: 'watch_summary', error: null },
    'data watches only, as ZooKeeper counts them',
  )
  t.same(json('wchc', s).session_id_to_watched_paths, { [id]: ['/p'] })
  t.same(json('wchp', s).path_to_session_ids, { '/p': [zk.sessionId] })
  t.same(json('dump', s).session_id_to_ephemeral_paths, { [id]: ['/e'] })
  t.same(Object.values(json('dump', s).expiry_time_to_session_ids as object), [[zk.sessionId]])
  const cons = json('cons', s).connections as Record<string, unknown>[]
  t.equal(cons.length, 1)
  t.equal(cons[0]!.session_id, zk.sessionId)
  t.equal(cons[0]!.last_operation, 'GETC')
  t.same(Object.keys((json('stat', s).connections as object[])[0]!), [
    'remote_socket_address',
    'interest_ops',
    'outstanding_requests',
    'packets_received',
    'packets_sent',
  ])
  t.equal((json('srvr', s).server_stats as Record<string, unknown>).server_state, 'standalone')
  t.notOk('proposal_stats' in json('srvr', s), 'proposal sizes are the leader’s')
  t.same(json('zabstate', s), { voting: false, zabstate: '', command: 'zabstate', error: null })
  t.same(json('voting_view', s).current_config, {})
  t.match(json('icfg', s).initial_configuration, /^tickTime=2000\n/)
  t.same(json('lsnp', s), { zxid: '0', timestamp: Math.floor(s.startedAt / 1000), command: 'last_snapshot', error: null })

  json('crst', s)
  const reset = (json('cons', s).connections as Record<string, unknown>[])[0]!
  t.same([reset.packets_received, reset.last_operation, reset.last_cxid], [0, 'NA', -1], 'connection_stat_reset')
  t.equal(json('stmk', s).error, 'setTraceMask requires long traceMask argument')
  t.equal(json('stmk', s, { traceMask: 'x' }).error, 'setTraceMask requires long traceMask argument, got x')
  t.same(json('stmk', s, { traceMask: '7' }), { tracemask: 7n, command: 'set_trace_mask', error: null })
  t.equal(json('gtmk', s).tracemask, 7n)
})

t.test('a quorum: leader, followers, and a peer without a leader', async (t) => {
  const ens = await startEnsemble({ size: 3 })
  t.teardown(() => ens.stop())
  const l = ens.leader()!
  const [f, other] = [0, 1, 2].filter((i) => i !== l) as [number, number]
  const leader = ens.servers[l]!
  t.same(json('leader', leader), { is_leader: true, leader_id: l + 1, leader_ip: '127.0.0.1', command: 'leader', error: null })
  t.equal(json('leader', ens.servers[f]!).is_leader, false)
  t.ok('proposal_stats' in json('srvr', leader))
  const zab = json('zabstate', ens.servers[f]!)
  t.same([zab.myid, zab.is_leader, zab.voting, zab.zabstate], [f + 1, false, true, 'broadcast'])
  // As ZooKeeper's, the quorum (learner) port and the election port are two ports.
  const own = ens.servers[f]!.quorum!.cfg.peers.get(f + 1)!
  t.not(own.learnerPort, own.port)
  t.equal((zab.quorum_address as { one: string }).one, `127.0.0.1:${own.learnerPort}`, 'quorum_address names the learner port')
  t.equal((zab.election_address as { one: string }).one, `127.0.0.1:${own.port}`, 'election_address names the election port')
  const view = json('voting_view', leader).current_config as Record<string, { server_addresses: string[]; election_addresses: string[] }>
  t.same(
    [view[String(f + 1)]!.server_addresses, view[String(f + 1)]!.election_addresses],
    [[`127.0.0.1:${own.learnerPort}`], [`127.0.0.1:${own.port}`]],
  )
  t.same(Object.keys(json('voting_view', leader).current_config as object), ['1', '2', '3'])
  t.equal(json('icfg', leader).initial_configuration, null)
  t.same(json('dump', ens.servers[f]!).expiry_time_to_session_ids, {}, 'followers do not expire sessions')

  await ens.kill(l)
  await ens.kill(other)
  // The role change is an event of the peer: wait for it, not for time to pass.
  await ens.waitForMode(f, 'looking')
  const alone = ens.servers[f]!
  t.same(json('srvr', alone), { command: 'srvr', error: NOT_SERVING }, 'named as asked, like an unknown command')
  t.same(json('zabstate', alone), { voting: false, zabstate: '', command: 'zabstate', error: null })
  t.equal(json('envi', alone).error, null, 'environment needs no serving server')
  t.same(
    runAdminCommand('mntr', alone),
    { status: 500, message: `monitor: ${NOT_SERVING}` },
    "ZooKeeper 3.8's monitor fails (500) without a server",
  )
})
