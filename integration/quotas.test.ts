// Quotas through ZooKeeper 3.8's own zkCli.sh: setquota (soft -n/-b, hard -N/-B), listquota and
// delquota, writes over soft and hard limits, then a restart (standalone from its dataDir, a quorum
// follower re-synced from its leader) and the same quota still counting. Real ZooKeeper runs with
// zookeeper.enforceQuota=true, and the bundled servers with enforceQuota: true. Each stream's lines must
// agree with real ZooKeeper's, and so must the exit code.
import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startEnsemble } from '../src/ensemble/index.js'
import { realZooKeeperAvailable, startRealZooKeeper } from '../src/testing/real-zookeeper.js'

const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh'
const JVM_FLAGS = '-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto'

/** Before the restart: quotas set, listed, changed and deleted, and writes against each kind of limit. */
const BEFORE = `create /q
setquota -n 2 /q
listquota /q
create /q/a
create /q/b
create /q/c
listquota /q
setquota -b 10 /q
listquota /q
delquota -n /q
listquota /q
delquota /q
listquota /q
delquota /q
create /h
setquota -N 2 -B 5 /h
setquota -N 2 /h
setquota -B 5 /h
listquota /h
create /h/x abc
create /h/y
set /h/x abcdef
set /h/x abcde
listquota /h
get /zookeeper/quota/h/zookeeper_limits
get /zookeeper/quota/h/zookeeper_stats
setquota -n 3 /h/x
create /h/x/deep
delquota -N /h
create /h/z
delquota -B /h
set /h/x 0123456789
listquota /h
delquota /h
listquota /h
setquota -n 3 /
setquota -n 3 /zookeeper/quota
setquota -n 3 /nothere
create /r
setquota -N 2 /r
setquota -b 3 /r
create /r/a 1234
quit
`

/** After the restart: the quota on /r still holds and still counts. */
const AFTER = `listquota /r
create /r/b
delete /r/a
create /r/b
set /r/b 12
listquota /r
quit
`

interface Output {
  code: number | null
  stdout: string[]
  stderr: string[]
}

/** Run a zkCli.sh script; the JVM's notices and the event blocks are left out of both streams. */
function zkCli(server: string, input: string): Promise<Output> {
  return new Promise((resolve, reject) => {
    const p = spawn(ZKCLI, ['-server', server], { env: { ...process.env, CLIENT_JVMFLAGS: JVM_FLAGS } })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (c) => (stdout += c))
    p.stderr.on('data', (c) => (stderr += c))
    p.on('error', reject)
    p.on('close', (code) => resolve({ code, stdout: lines(stdout, server), stderr: lines(stderr, server) }))
    p.stdin.end(input)
  })
}

function lines(text: string, server: string): string[] {
  return text
    .replaceAll(server, 'HOST')
    .split('\n')
    .filter((l) => l !== '' && l !== 'WATCHER::' && !l.startsWith('WatchedEvent ') && !l.startsWith('SLF4J: '))
    .filter((l) => !/^JLine support is (en|dis)abled$/.test(l) && !/^\tat /.test(l))
}

const missing = !existsSync(ZKCLI) || !realZooKeeperAvailable() ? 'Debian zookeeper (zkCli.sh, zkServer.sh) and java are needed' : undefined

t.test('zkCli.sh quotas on the bundled servers answer as on ZooKeeper, across a restart', { skip: missing }, async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'zookit-quotas-'))
  process.env.SERVER_JVMFLAGS = `${process.env.SERVER_JVMFLAGS ?? ''} -Dzookeeper.enforceQuota=true`
  const [real, standalone, quorum] = await Promise.all([
    startRealZooKeeper(),
    startEnsemble({ dataDir, snapshotEvery: 5, enforceQuota: true }),
    startEnsemble({ size: 3, snapshotEvery: 5, enforceQuota: true }),
  ])
  t.teardown(async () => {
    await Promise.all([real.stop(), standalone.stop(), quorum.stop()])
    rmSync(dataDir, { recursive: true, force: true })
  })

  const sides: { name: string; before: string; restart: () => Promise<string> }[] = [
    {
      name: 'real ZooKeeper',
      before: real.connectString,
      restart: async () => {
        await real.servers[0]!.stop()
        await real.servers[0]!.start()
        return real.connectString
      },
    },
    {
      name: 'bundled standalone',
      before: standalone.connectString,
      restart: async () => {
        await standalone.restart(0)
        return standalone.connectString
      },
    },
    {
      name: 'bundled quorum',
      before: quorum.connectString,
      restart: async () => {
        // An in-memory follower comes back empty and, the log being snapshotted away, takes the
        // leader's snapshot.
        const leader = await quorum.waitForLeader()
        const follower = (leader + 1) % 3
        await quorum.restart(follower)
        await quorum.waitForMode(follower, 'follower')
        return quorum.connectStringOf(follower)
      },
    },
  ]
  const results = await Promise.all(
    sides.map(async (side) => {
      const before = await zkCli(side.before, BEFORE)
      const server = await side.restart()
      return { before, after: await zkCli(server, AFTER) }
    }),
  )
  if (process.env.QUOTAS_SHOW) t.comment(JSON.stringify(results, null, 1))
  const [want, ...ours] = results
  t.ok(want!.before.stderr.includes('Quota has exceeded : /h/y'), 'real ZooKeeper enforces the hard count limit')
  t.ok(want!.after.stderr.includes('Quota has exceeded : /r/b'), 'and still after its restart')
  ours.forEach((got, i) => {
    const name = sides[i + 1]!.name
    for (const phase of ['before', 'after'] as const) {
      t.equal(got[phase].code, want![phase].code, `${name}, ${phase} the restart: exit code`)
      t.same(got[phase].stdout, want![phase].stdout, `${name}, ${phase} the restart: stdout`)
      t.same(got[phase].stderr, want![phase].stderr, `${name}, ${phase} the restart: stderr`)
    }
  })
})
