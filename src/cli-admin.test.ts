// `zookit ensemble --admin-port`: parsed and checked like --port, listed in the help, and run as a
// shell would, the CLI prints a line per server with the URL its AdminServer answers on.
import t from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseCommandLine, usage, UsageError } from './cli.js'

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url))
const parse = (line: string) => parseCommandLine(line.split(' ').filter(Boolean))

t.test('--admin-port: a port, 0 for free ones, room for every server', async (t) => {
  t.match(parse('ensemble --admin-port 8080'), { kind: 'ensemble', options: { adminPort: 8080 } })
  t.match(parse('ensemble --size 3 --admin-port=0'), { options: { size: 3, adminPort: 0 } })
  t.equal((parse('ensemble') as { options: { adminPort?: number } }).options.adminPort, undefined, 'off by default')
  t.throws(() => parse('ensemble --admin-port 65536'), new UsageError("--admin-port must be a port from 0 to 65535, got '65536'"))
  t.throws(() => parse('ensemble --admin-port x'), UsageError)
  t.throws(() => parse('ensemble --size 3 --admin-port 65534'), /--admin-port 65534 leaves no room for 3 servers/)
  t.match(usage('ensemble'), /--admin-port PORT\s+serve ZooKeeper's AdminServer/)
})

t.test('ensemble --admin-port 0 prints where each AdminServer answers', async (t) => {
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, 'ensemble', '--port', '0', '--admin-port', '0'])
  t.teardown(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
  })
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  let out = ''
  const line = await new Promise<string>((resolve, reject) => {
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      const found = /^admin 0: (\S+)$/m.exec(out)
      if (found) resolve(found[1]!)
    })
    void exited.then((code) => reject(new Error(`the CLI exited (${code}) after printing:\n${out}`)))
  })
  t.match(line, /^http:\/\/127\.0\.0\.1:\d+\/commands$/)
  const ruok = await fetch(`${line}/ruok`)
  t.same(await ruok.json(), { command: 'ruok', error: null })
  proc.kill('SIGINT')
  t.equal(await exited, 0)
})
