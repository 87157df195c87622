// `zookit shell` against zkCli.sh itself: the same scripts (integration/shell/scripts.ts) go through
// ZooKeeper 3.8's zkCli.sh on one fresh real server and through `zookit shell` on another fresh real
// server and on a fresh bundled one; stdout, stderr and the exit code must agree, once what
// legitimately varies is masked: zxids, times, session ids, the connect string, and the JVM's noise.
import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startEnsemble } from '../src/ensemble/index.js'
import { realZooKeeperAvailable, startRealZooKeeper } from '../src/testing/real-zookeeper.js'
import { CHROOT_RUN, RUNS, type ShellRun } from './shell/scripts.js'

const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh'
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
/** zkCli starts a JVM per run: these flags make it start faster. */
const JVM_FLAGS = '-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto'

interface Output {
  code: number | null
  stdout: string
  stderr: string
}

function run(cmd: string, args: string[], input: string, env: NodeJS.ProcessEnv = {}): Promise<Output> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (c) => (stdout += c))
    p.stderr.on('data', (c) => (stderr += c))
    p.on('error', reject)
    p.on('close', (code) => resolve({ code, stdout, stderr }))
    p.stdin.end(input)
  })
}

type Side = (server: string, r: ShellRun) => Promise<Output>
const zkCli: Side = (server, r) =>
  run(ZKCLI, ['-server', server, ...r.args], r.input.replaceAll('HOST', server), { CLIENT_JVMFLAGS: JVM_FLAGS })
const zookit: Side = (server, r) =>
  run(process.execPath, ['--import', 'tsx', CLI, 'shell', '-server', server, ...r.args], r.input.replaceAll('HOST', server))

/** Java's Date.toString(): "Wed Dec 02 03:41:05 UTC 2026". */
const JAVA_DATE = /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \S+ \d{4}$/

/**
 * zkCli's usage lists commands the shell does not have (quotas, reconfig) and -client-configuration;
 * the shell lists `help`, which zkCli lacks. Those lines are dropped from each side's usage.
 */
const ONLY_ZKCLI = /^\t(delquota|listquota|setquota|reconfig) /
const ONLY_ZOOKIT = /^\thelp $/
const ZKCLI_USAGE_HEAD = 'ZooKeeper -server host:port -client-configuration properties-file cmd args'
const USAGE_HEAD = 'ZooKeeper -server host:port cmd args'

const CLOSED = 'WatchedEvent state:Closed type:None path:null'

/** One side's output as compared: lines that are not events, and the events in their order. */
interface Normalized {
  code: number | null
  stdout: string[]
  events: string[]
  stderr: string[]
}

function mask(line: string): string {
  let m = /^(cZxid|mZxid|pZxid) = 0x[0-9a-f]+$/.exec(line)
  if (m) return `${m[1]} = 0x<zxid>`
  m = /^(ctime|mtime) = (.*)$/.exec(line)
  // A time in any other format stays as it is, so the comparison shows it.
  if (m && JAVA_DATE.test(m[2]!)) return `${m[1]} = <date>`
  m = /^ephemeralOwner = 0x([0-9a-f]+)$/.exec(line)
  // Session ids vary; 0, a container's and a TTL's markers do not.
  if (m && m[1] !== '0' && m[1] !== '8000000000000000' && !m[1]!.startsWith('ff')) return 'ephemeralOwner = 0x<session>'
  return line
}

function normalize(out: Output, server: string, side: 'zkcli' | 'zookit'): Normalized {
  const lines = (text: string) =>
    text
      .replaceAll(server, 'HOST')
      .split('\n')
      // The JVM's logging notices, JLine's banner line, and the stack trace after an uncaught exception.
      .filter((l) => !/^SLF4J: /.test(l) && !/^JLine support is (en|dis)abled$/.test(l) && !/^\tat /.test(l))
      .filter((l) => !(side === 'zkcli' ? ONLY_ZKCLI : ONLY_ZOOKIT).test(l))
      .map((l) => (l === ZKCLI_USAGE_HEAD ? USAGE_HEAD : mask(l)))
  const stdout: string[] = []
  const events: string[] = []
  const all = lines(out.stdout)
  // An event is printed as "", "WATCHER::", "", "WatchedEvent …" by zkCli's event thread, in pieces
  // that the main thread's output can land between (seen under load): events are compared as their
  // own sequence, and the event block's blank lines and header are left out of both sides.
  for (const line of all) {
    if (line.startsWith('WatchedEvent ')) events.push(line)
    else if (line !== 'WATCHER::' && line !== '') stdout.push(line)
  }
  // When zkCli closes its session, the server may close the socket before the Java client has
  // finished closing, and the client then reports Disconnected just before Closed (seen under load).
  const closed = events.indexOf(CLOSED)
  if (side === 'zkcli' && closed > 0 && events[closed - 1] === 'WatchedEvent state:Disconnected type:None path:null')
    events.splice(closed - 1, 1)
  return { code: out.code, stdout, events, stderr: lines(out.stderr) }
}

const missing = !existsSync(ZKCLI) || !realZooKeeperAvailable() ? 'Debian zookeeper (zkCli.sh, zkServer.sh) and java are needed' : undefined

t.test('zookit shell prints what zkCli.sh prints', { skip: missing }, async (t) => {
  const started = Date.now()
  const [forJava, forZookit, bundled] = await Promise.all([startRealZooKeeper(), startRealZooKeeper(), startEnsemble()])
  t.teardown(() => Promise.all([forJava.stop(), forZookit.stop(), bundled.stop()]))
  const sides: [string, Side, string][] = [
    ['zkCli.sh on real ZooKeeper', zkCli, forJava.connectString],
    ['zookit shell on real ZooKeeper', zookit, forZookit.connectString],
    ['zookit shell on the bundled server', zookit, bundled.connectString],
  ]
  // Each side runs its scripts in order on its own server; the sides run at the same time.
  const runs = [...RUNS, CHROOT_RUN]
  const results = await Promise.all(
    sides.map(async ([, side, server], i) => {
      const outs: Normalized[] = []
      for (const r of runs) {
        const target = r === CHROOT_RUN ? `${server}/a` : server
        outs.push(normalize(await side(target, r), target, i === 0 ? 'zkcli' : 'zookit'))
      }
      return outs
    }),
  )
  t.comment(`servers started and ${runs.length} scripts run on 3 sides in ${Date.now() - started} ms`)

  const [java, ...ours] = results
  runs.forEach((r, i) => {
    const want = java![i]!
    ours.forEach((side, s) => {
      const got = side[i]!
      const label = `${r.name}: ${sides[s + 1]![0]}`
      t.equal(got.code, want.code, `${label}: exit code`)
      t.same(got.stderr, want.stderr, `${label}: stderr`)
      t.same(got.stdout, want.stdout, `${label}: stdout without events`)
      // After quit, zkCli's JVM may exit before its event thread prints the Closed event (seen under
      // load); ours must print it, and only that one may be missing from zkCli's.
      const quits = r.input.trimEnd().endsWith('\nquit')
      const events = quits && got.events.at(-1) === CLOSED && want.events.at(-1) !== CLOSED ? got.events.slice(0, -1) : got.events
      if (quits) t.equal(got.events.at(-1), CLOSED, `${label}: quit closes the session`)
      if (!r.racyEvents) t.same(events, want.events, `${label}: events`)
      else
        t.ok(
          want.events.every((e, k) => got.events[k] === e),
          `${label}: zkCli's events (${want.events.length}) begin ours (${got.events.length})`,
        )
    })
  })
})
