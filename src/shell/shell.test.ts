// `zookit shell` end to end on an in-process bundled server: one-shot runs, piped input, the
// terminal (prompt, Tab completion, history, events redrawing the prompt), its command line and
// the cases where zkCli's JVM would stop. Output is awaited as it arrives; nothing sleeps.
import t from 'tap'
import { PassThrough } from 'node:stream'
import { startEnsemble } from '../ensemble/index.js'
import { ZooKeeper } from '../index.js'
import { freePort } from '../testing/real-zookeeper.js'
import { parseCommandLine, usage } from '../cli.js'
import { parseShellArgs, runShell, type ShellStreams } from './main.js'
import { usageText } from './shell.js'

/** Streams for runShell, remembering what was written; `tty` makes them look like a terminal. */
function streams(tty = false) {
  const input = Object.assign(new PassThrough(), { isTTY: tty })
  const output = Object.assign(new PassThrough(), { isTTY: tty, columns: 100 })
  const error = new PassThrough()
  const seen = { out: '', err: '' }
  const waiters: (() => void)[] = []
  output.on('data', (c: Buffer) => {
    seen.out += c.toString()
    for (const w of waiters.splice(0)) w()
  })
  error.on('data', (c: Buffer) => {
    seen.err += c.toString()
    for (const w of waiters.splice(0)) w()
  })
  // The screen's text without readline's cursor movements.
  const plain = () => seen.out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
  /** Resolve once `pattern` shows in stdout (or stderr) past `from` characters of it. */
  const until = (pattern: RegExp, from = 0, where: 'out' | 'err' = 'out') =>
    new Promise<number>((resolve) => {
      const check = () => {
        const text = where === 'out' ? plain() : seen.err
        const m = pattern.exec(text.slice(from))
        if (m) resolve(from + m.index + m[0].length)
        else waiters.push(check)
      }
      check()
    })
  return { io: { input, output, error } as ShellStreams, input, seen, plain, until }
}

const ensemble = await startEnsemble()
t.teardown(() => ensemble.stop())
const server = ensemble.connectString
const zk = await ZooKeeper.connect(server)
t.teardown(() => zk.close())
await zk.create('/alpha', 'x')
await zk.create('/alpine', 'y')
await zk.create('/alpha/kid', 'z')

t.test('one-shot: one command, its exit code, no close event', async (t) => {
  const s = streams()
  t.equal(await runShell(['-server', server, 'ls', '/'], '0.0.0', s.io), 0)
  t.equal(
    s.seen.out,
    `Connecting to ${server}\n\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null\n[alpha, alpine, zookeeper]\n`,
  )
  const missing = streams()
  t.equal(await runShell(['-server', server, 'get', '/nothing'], '0.0.0', missing.io), 1)
  t.equal(missing.seen.err, 'Node does not exist: /nothing\n')
  const unknown = streams()
  t.equal(await runShell(['-server', server, 'bogus'], '0.0.0', unknown.io), 127)
  t.equal(unknown.seen.err, `${usageText()}Command not found: Command not found bogus\n`)
  const inherited = streams()
  t.equal(await runShell(['-server', server, 'constructor'], '0.0.0', inherited.io), 127, 'an object key is no command')
  const version = streams()
  t.equal(await runShell(['-server', server, 'version'], '1.2.3', version.io), 0)
  t.match(version.seen.out, /^ZooKeeper CLI version: zookit 1\.2\.3$/m)
})

t.test('piped input: no prompt, numbered history, redo, help, the last status as exit code', async (t) => {
  const s = streams()
  s.input.end(
    ['get /alpha', 'printwatches off', 'get -w /alpha', 'history', 'redo 0', 'set /alpha x', 'help', 'get /nothing', ''].join('\n'),
  )
  t.equal(await runShell(['-server', server], '0.0.0', s.io), 1, 'input ended after a failed command: exit 1, as zkCli')
  t.notMatch(s.seen.out, /\[zk:/, 'no prompt without a terminal')
  t.match(s.seen.out, `Connecting to ${server}\nWelcome to ZooKeeper!\n`)
  t.match(s.seen.out, 'x\nx\n0 - get /alpha\n1 - printwatches off\n2 - get -w /alpha\n3 - history\nx\n')
  t.match(s.seen.err, `${usageText()}Node does not exist: /nothing\n`, 'help prints the usage; it is not an unknown command here')
  t.notMatch(s.seen.out, 'state:Closed', 'end of input closes the session without an event')
  t.notMatch(s.seen.out, 'NodeDataChanged', 'printwatches off keeps events quiet')
})

t.test('a terminal: prompt with state and number, Tab completion, history, events redraw the prompt', async (t) => {
  const s = streams(true)
  const done = runShell(['-server', server], '0.0.0', s.io)
  let at = await s.until(/\[zk: [^\]]*\(CONNECTED\) 0\] /)
  t.pass('the prompt shows the server, CONNECTED and the command number')
  s.input.write('ls /al\t')
  at = await s.until(/ls \/alp/, at)
  t.pass('Tab completes the common part of /alpha and /alpine')
  s.input.write('\t')
  at = await s.until(/alpha\s+alpine/, at)
  t.pass('a second Tab lists both')
  s.input.write('ha/\t')
  at = await s.until(/ls \/alpha\/kid/, at)
  s.input.write('\r')
  at = await s.until(/\[\]\n.*\(CONNECTED\) 1\] /, at)
  s.input.write('ge\t')
  at = await s.until(/get/, at)
  s.input.write(' -w /alpha\r')
  at = await s.until(/\(CONNECTED\) 2\] /, at)
  // Another client changes the node while the prompt waits: the event, then the prompt again.
  await zk.setData('/alpha', 'changed')
  at = await s.until(/WatchedEvent state:SyncConnected type:NodeDataChanged path:\/alpha\n.*\(CONNECTED\) 2\] /, at)
  t.pass('an event at the prompt is followed by a fresh prompt')
  s.input.write('\x1b[A')
  at = await s.until(/get -w \/alpha/, at)
  t.pass('up arrow brings back the last command')
  s.input.write('\x15close\r')
  at = await s.until(/state:Closed[^]*\(CLOSED\) 3\] /, at)
  s.input.write('ls /\r')
  at = await s.until(/Not connected\n/, at)
  s.input.write('quit\r')
  t.equal(await done, 0)
})

t.test('Ctrl-C on a terminal ends the shell with 130', async (t) => {
  const s = streams(true)
  const done = runShell(['-server', server], '0.0.0', s.io)
  await s.until(/\(CONNECTED\) 0\] /)
  s.input.write('get /alp\x03')
  t.equal(await done, 130)
})

t.test("what would stop zkCli's JVM stops the shell with exit 1", async (t) => {
  const s = streams()
  s.input.end('set -v x /alpha y\nget /alpha\n')
  t.equal(await runShell(['-server', server], '0.0.0', s.io), 1)
  t.equal(s.seen.err, 'Exception in thread "main" java.lang.NumberFormatException: For input string: "x"\n')
  t.notMatch(s.seen.out, /changed/, 'nothing after it runs')
  const addWatch = streams()
  t.equal(await runShell(['-server', server, 'addWatch', 'nope'], '0.0.0', addWatch.io), 1)
  t.equal(addWatch.seen.err, 'Exception in thread "main" java.lang.IllegalArgumentException: Path must start with / character\n')
})

t.test('a server that is not there', async (t) => {
  const port = await freePort()
  const s = streams()
  t.equal(await runShell(['-server', `127.0.0.1:${port}`, 'ls', '/'], '0.0.0', s.io), 1)
  t.equal(s.seen.err, 'KeeperErrorCode = ConnectionLoss for /\n', 'calls fail soon, as the Java client fails them')
  const waiting = streams()
  t.equal(await runShell(['-server', `127.0.0.1:${port}`, '-timeout', '300', '-waitforconnection', 'ls', '/'], '0.0.0', waiting.io), 1)
  t.equal(
    waiting.seen.err,
    'Exception in thread "main" java.io.IOException: org.apache.zookeeper.KeeperException$ConnectionLossException: KeeperErrorCode = ConnectionLoss\n',
  )
})

t.test("the shell's command line, read as zkCli reads its own", async (t) => {
  const warnings: string[] = []
  const warn = (l: string) => warnings.push(l)
  t.same(parseShellArgs([], warn), {
    server: 'localhost:2181',
    timeout: '30000',
    readOnly: false,
    waitForConnection: false,
    command: undefined,
  })
  t.same(parseShellArgs(['-server', 'h:1/app', '-timeout', '5000', '-r', '-waitforconnection', '-nonsense', 'get', '-s', '/x'], warn), {
    server: 'h:1/app',
    timeout: '5000',
    readOnly: true,
    waitForConnection: true,
    command: ['get', '-s', '/x'],
  })
  t.same(warnings, [], 'unknown options are skipped quietly')
  t.equal(parseShellArgs(['-server'], warn).server, 'localhost:2181')
  t.same(warnings, ['Error: no argument found for option -server'])
  t.same(parseCommandLine(['shell', '-server', 'h:1', 'ls', '/']), { kind: 'shell', args: ['-server', 'h:1', 'ls', '/'] })
  t.same(parseCommandLine(['shell', '--help']), { kind: 'help', topic: 'shell', asked: true })
  t.same(parseCommandLine(['help', 'shell']), { kind: 'help', topic: 'shell', asked: true })
  t.match(usage('shell'), /^usage: zookit shell \[-server host:port/)
  t.match(usage('zookit'), /shell \[-server H:P\] \[CMD ARGS\]/)
  const bad = streams()
  t.equal(await runShell(['-server', server, '-timeout', 'soon', 'ls', '/'], '0.0.0', bad.io), 1)
  t.equal(bad.seen.err, 'Exception in thread "main" java.lang.NumberFormatException: For input string: "soon"\n')
})
