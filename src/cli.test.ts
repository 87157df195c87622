// The `zookit` command: its parsing as a pure function, and the program run from a shell as a child
// process (help, version, usage errors, serving, signals, and cleanup after a SIGKILL).
import t, { type Test } from 'tap'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ZooKeeper } from './index.js'
import { DEFAULT_PORT, packageVersion, parseCommandLine, usage } from './cli.js'
import { runCli, startCli } from './cli.test-helper.js'
import { fourLetterWord } from './testing/real-zookeeper.js'
import { peerProcessesOf, pollUntil, procAvailable, processGone } from './testing/processes.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version

const parse = (line: string) => parseCommandLine(line.split(' ').filter(Boolean))

t.test('parseCommandLine: help, version and the ensemble defaults', async (t) => {
  t.same(parse(''), { kind: 'help', topic: 'zookit', asked: false }, 'a bare zookit shows usage as a mistake')
  for (const line of ['--help', '-h', 'help']) t.same(parse(line), { kind: 'help', topic: 'zookit', asked: true }, line)
  for (const line of ['ensemble --help', 'ensemble -h', 'help ensemble', 'ensemble --port 0 --help'])
    t.same(parse(line), { kind: 'help', topic: 'ensemble', asked: true }, line)
  for (const line of ['--version', '-v']) t.same(parse(line), { kind: 'version' }, line)
  const defaults = parse('ensemble')
  t.equal(DEFAULT_PORT, 2181, "ZooKeeper's own client port")
  t.match(defaults, { kind: 'ensemble', options: { size: 1, port: 2181, processes: false, fsync: undefined, tickTime: undefined } })
})

t.test('parseCommandLine: every option, both spellings of a value', async (t) => {
  const c = parse(
    'ensemble --size 3 --processes --port=0 --data-dir /d --no-fsync --tick-time 200 --min-session-timeout 400 --max-session-timeout=4000 --super-digest super:D/InIHSb7yEEbrWz8b9l71RjZJU= --container-check-interval 100 --4lw-commands-whitelist ruok,mntr --max-client-cnxns 0 --global-outstanding-limit 50',
  )
  t.same(c, {
    kind: 'ensemble',
    options: {
      size: 3,
      port: 0,
      processes: true,
      dataDir: '/d',
      fsync: false,
      tickTime: 200,
      minSessionTimeout: 400,
      maxSessionTimeout: 4000,
      superDigest: 'super:D/InIHSb7yEEbrWz8b9l71RjZJU=',
      containerCheckInterval: 100,
      fourLetterWords: ['ruok', 'mntr'],
      maxClientCnxns: 0,
      globalOutstandingLimit: 50,
    },
  })
  t.match(parse('ensemble --4lw-commands-whitelist=*'), { options: { fourLetterWords: '*' } }, '* for every word')
  t.match(parse('ensemble --4lw-commands-whitelist ruok,*'), { options: { fourLetterWords: '*' } }, '* among others')
  t.same(
    parseCommandLine(['ensemble', '--4lw-commands-whitelist', ' ruok, ,wchs ']),
    { kind: 'ensemble', options: { size: 1, port: 2181, processes: false, fourLetterWords: ['ruok', 'wchs'] } },
    'trimmed, empty items dropped, as ZooKeeper reads the list',
  )
  t.match(parse('ensemble --size 5 --port 65531'), { options: { size: 5, port: 65531 } }, 'five servers fit below 65536')
  t.match(parse('ensemble --port 1 --port 2'), { options: { port: 2 } }, 'the last one wins')
})

t.test('parseCommandLine: what it refuses, and why', async (t) => {
  const refused: [string, RegExp][] = [
    ['frob', /unknown command 'frob'/],
    ['help frob', /unknown command 'frob'/],
    ['--frob', /unknown option '--frob'/],
    ['--version now', /unexpected argument 'now'/],
    ['ensemble --frob', /unknown option '--frob'/],
    ['ensemble --frob=1', /unknown option '--frob'/],
    ['ensemble extra', /unexpected argument 'extra'/],
    ['ensemble --size 2', /--size must be 1, 3 or 5, got '2'/],
    ['ensemble --size three', /--size must be 1, 3 or 5/],
    ['ensemble --port 65536', /--port must be a port from 0 to 65535, got '65536'/],
    ['ensemble --port -1', /--port must be a port from 0 to 65535, got '-1'/],
    ['ensemble --port 21.5', /--port must be a port/],
    ['ensemble --port 0x10', /--port must be a port/],
    ['ensemble --size 3 --port 65534', /leaves no room for 3 servers/],
    ['ensemble --port', /--port needs a value/],
    ['ensemble --port --size 3', /--port needs a value/],
    ['ensemble --port=', /--port needs a value/],
    ['ensemble --processes', /--processes needs a quorum/],
    ['ensemble --processes=yes --size 3', /--processes takes no value/],
    ['ensemble --tick-time 0', /--tick-time must be a positive number of milliseconds/],
    ['ensemble --tick-time -200', /--tick-time must be a positive number/],
    ['ensemble --tick-time 2147483648', /at most 2147483647/],
    ['ensemble --min-session-timeout 0', /--min-session-timeout must be a positive/],
    ['ensemble --max-session-timeout soon', /--max-session-timeout must be a positive/],
    ['ensemble --container-check-interval 0', /--container-check-interval must be a positive/],
    ['ensemble --min-session-timeout 5000 --max-session-timeout 4000', /--min-session-timeout 5000 is above --max-session-timeout 4000/],
    ['ensemble --super-digest nocolon', /--super-digest must look like USER:BASE64SHA1/],
    ['ensemble --4lw-commands-whitelist ruok,nope', /--4lw-commands-whitelist: 'nope' is not a four-letter word of ZooKeeper 3\.8/],
    ['ensemble --max-client-cnxns -1', /--max-client-cnxns must be a whole number \(0: no limit\), got '-1'/],
    ['ensemble --global-outstanding-limit lots', /--global-outstanding-limit must be a whole number, got 'lots'/],
  ]
  for (const [line, message] of refused) t.throws(() => parse(line), { name: 'UsageError', message }, line)
})

t.test('packageVersion finds the package.json named zookit above the module', async (t) => {
  t.equal(packageVersion(), VERSION)
  t.throws(() => packageVersion('file:///no/such/dir/cli.js'), /no package.json of zookit/)
})

t.test('--help, -h and help print every command and option, exit 0', async (t) => {
  for (const flag of ['--help', '-h', 'help']) {
    const r = runCli([flag])
    t.equal(r.status, 0, `${flag} exits 0`)
    for (const word of ['ensemble', '--version', '--size', '--port', '--processes', '--data-dir', '--tick-time'])
      t.match(r.stdout, word, `${flag} lists ${word}`)
  }
  const bare = runCli([])
  t.equal(bare.status, 2, 'a bare zookit is a usage error')
  t.match(bare.stderr, 'usage: zookit')
})

t.test('ensemble --help lists its options, exit 0', async (t) => {
  const r = runCli(['ensemble', '--help'])
  t.equal(r.status, 0)
  t.match(r.stdout, /usage: zookit ensemble/)
  t.match(r.stdout, /--port PORT .*default 2181/)
  t.match(r.stdout, /--size N/)
})

t.test('the README names every option of zookit ensemble', async (t) => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  const flags = [...usage('ensemble').matchAll(/^  (?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!)
  t.ok(flags.length > 20, `${flags.length} options`)
  for (const flag of flags) t.ok(new RegExp(`${flag}(?![\\w-])`).test(readme), flag)
})

t.test('--version and -v print the version in package.json', async (t) => {
  for (const flag of ['--version', '-v']) {
    const r = runCli([flag])
    t.equal(r.status, 0)
    t.equal(r.stdout.trim(), VERSION, flag)
  }
})

t.test('an unknown command or option is named on one line with a hint, exit 2', async (t) => {
  for (const [args, name] of [
    [['frob'], 'frob'],
    [['--frob'], '--frob'],
    [['ensemble', '--frob'], '--frob'],
    [['ensemble', '--size', '4'], '--size'],
  ] as const) {
    const r = runCli([...args])
    t.equal(r.status, 2, `${args.join(' ')} exits 2`)
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line')
    t.match(r.stderr, name)
    t.match(r.stderr, "run 'zookit --help'")
  }
})

t.test('ensemble --port 0 prints a connect string that serves, and exits 0 on SIGINT', async (t) => {
  const cli = startCli(t, ['ensemble', '--port', '0', '--tick-time', '200'])
  const [connectString] = await cli.lines(1)
  t.match(connectString, /^127\.0\.0\.1:\d+$/)
  const port = Number(connectString!.split(':')[1])
  t.not(port, DEFAULT_PORT)
  t.equal(await fourLetterWord('127.0.0.1', port, 'ruok'), 'imok')
  const zk = await ZooKeeper.connect(connectString!)
  t.equal((await zk.create('/from-cli', 'x')).path, '/from-cli')
  await zk.close()
  cli.proc.kill('SIGINT')
  t.same(await cli.exited, { code: 0, signal: null })
})

/** A temporary directory the CLI uses as TMPDIR, so a test sees exactly the ensemble dirs it makes. */
function privateTmp(t: Test): { env: NodeJS.ProcessEnv; ensembleDirs: () => string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'zookit-cli-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return { env: { ...process.env, TMPDIR: dir }, ensembleDirs: () => readdirSync(dir).filter((f) => f.startsWith('zookit-ensemble-')) }
}

t.test('ensemble --size 3 --processes: the servers and their directory go on SIGTERM, even signalled twice', async (t) => {
  const tmp = privateTmp(t)
  const cli = startCli(t, ['ensemble', '--size', '3', '--processes', '--port', '0'], tmp.env)
  const [connectString, leader] = await cli.lines(2)
  t.match(connectString, /^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/)
  t.match(leader, /^leader: server [0-2] \(127\.0\.0\.1:\d+\)$/)
  const zk = await ZooKeeper.connect(connectString!)
  t.equal((await zk.create('/q', 'x')).path, '/q')
  await zk.close()
  t.equal(tmp.ensembleDirs().length, 1, 'logs in a temporary directory')
  // Under npx one Ctrl-C arrives twice (from the terminal and forwarded): the second must not cut the stop short.
  cli.proc.kill('SIGTERM')
  cli.proc.kill('SIGINT')
  t.same(await cli.exited, { code: 0, signal: null })
  t.same(tmp.ensembleDirs(), [], 'removed at a normal stop')
})

t.test(
  'ensemble --size 3 --processes: after a SIGKILL of the CLI its servers exit and their directory goes',
  { skip: !procAvailable && 'needs /proc' },
  async (t) => {
    const tmp = privateTmp(t)
    const cli = startCli(t, ['ensemble', '--size', '3', '--processes', '--port', '0'], tmp.env)
    await cli.lines(2)
    const servers = peerProcessesOf(cli.proc.pid!)
    t.equal(servers.length, 3, 'one process per server')
    // Should the children outlive the test, they must not keep serving.
    t.teardown(() => servers.filter((pid) => !processGone(pid)).forEach((pid) => process.kill(pid, 'SIGKILL')))
    t.equal(tmp.ensembleDirs().length, 1)
    cli.proc.kill('SIGKILL')
    t.same(await cli.exited, { code: null, signal: 'SIGKILL' })
    await pollUntil(() => servers.every(processGone), 15_000, 'every server process gone')
    t.pass('the orphaned servers exited')
    await pollUntil(() => tmp.ensembleDirs().length === 0, 15_000, 'the temporary directory removed')
    t.pass('and took their temporary directory with them')
  },
)
