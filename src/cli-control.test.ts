// `zookit ensemble --control-port`: how the options parse, and the CLI run as a test in another
// language would run it: read the "control: URL" line, drive it over HTTP, stop it with POST.
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { parseCommandLine, usage } from './cli.js'

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url))
const parse = (line: string) => parseCommandLine(line.split(' '))

t.test('--control-port and --control-token parse; a token alone is a usage error', async (t) => {
  t.match(parse('ensemble --port 0 --control-port 0'), { kind: 'ensemble', control: { port: 0 } })
  t.match(parse('ensemble --control-port=8089 --control-token s3cret'), { control: { port: 8089, token: 's3cret' } })
  t.notOk('control' in parse('ensemble --port 0'), 'off by default')
  t.throws(() => parse('ensemble --control-token s3cret'), { name: 'UsageError', message: '--control-token needs --control-port' })
  t.throws(() => parse('ensemble --control-port 65536'), { name: 'UsageError', message: /--control-port must be a port from 0 to 65535/ })
  t.match(usage('ensemble'), /--control-port PORT .*127\.0\.0\.1/)
  t.match(usage('ensemble'), /--control-token TOKEN/)
})

t.test('the CLI prints the control URL, honours the token, and exits 0 after POST /ensemble/stop', async (t) => {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, 'ensemble', '--port', '0', '--control-port', '0', '--control-token', 'tok'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  t.teardown(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
  })
  let out = ''
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /^control: (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)
      if (m) resolve(m[1]!)
    })
    void exited.then(([code]) => reject(new Error(`the CLI exited (${code}) after printing:\n${out}`)))
  })
  t.match(out.split('\n')[0], /^127\.0\.0\.1:\d+$/, 'the connect string comes first, as before')
  t.equal((await fetch(`${url}/ensemble`)).status, 401, 'no token: 401')
  const auth = { authorization: 'Bearer tok' }
  const state = (await (await fetch(`${url}/ensemble`, { headers: auth })).json()) as { servers: { mode: string }[] }
  t.same(
    state.servers.map((s) => s.mode),
    ['standalone'],
  )
  t.equal((await fetch(`${url}/ensemble/stop`, { method: 'POST', headers: auth })).status, 200)
  const [code] = await exited
  t.equal(code, 0, 'the CLI exits 0 once stopped over HTTP')
})
