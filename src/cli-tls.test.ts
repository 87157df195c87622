// `zookit ensemble --secure-port` and the --tls-* options: checked together, listed in the help, and
// run as a shell would, the CLI prints the secure hosts and, with generated test certificates, where
// they are, so a TLS client can connect with them.
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseCommandLine, usage, UsageError } from './cli.js'
import { ZooKeeper } from './index.js'

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url))
const parse = (line: string) => parseCommandLine(line.split(' ').filter(Boolean))

t.test('--secure-port and the --tls-* options', async (t) => {
  t.match(parse('ensemble --secure-port 2281'), { kind: 'ensemble', tls: { port: 2281, only: false } })
  t.match(parse('ensemble --secure-port 0 --tls-key k.pem --tls-cert c.pem --tls-ca ca.pem --client-auth want --secure-only'), {
    tls: { port: 0, keyFile: 'k.pem', certFile: 'c.pem', caFile: 'ca.pem', clientAuth: 'want', only: true },
  })
  t.equal((parse('ensemble') as { tls?: unknown }).tls, undefined, 'off by default')
  t.throws(() => parse('ensemble --tls-key k.pem'), new UsageError('--tls-key needs --secure-port'))
  t.throws(() => parse('ensemble --secure-port 0 --tls-key k.pem'), /--tls-key needs --tls-cert \(or neither, for test certificates\)/)
  t.throws(
    () => parse('ensemble --secure-port 0 --client-auth maybe'),
    new UsageError("--client-auth must be need, want or none, got 'maybe'"),
  )
  t.throws(() => parse('ensemble --size 3 --secure-port 65534'), /--secure-port 65534 leaves no room for 3 servers/)
  t.match(usage('ensemble'), /--secure-port PORT\s+also serve TLS clients/)
})

t.test(
  'ensemble --secure-port 0 with test certificates serves TLS clients',
  { skip: spawnSync('openssl', ['version']).error ? 'no openssl' : undefined },
  async (t) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', CLI, 'ensemble', '--port', '0', '--secure-port', '0'])
    t.teardown(() => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
    })
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
    let out = ''
    const [secure, dir] = await new Promise<[string, string]>((resolve, reject) => {
      proc.stdout.on('data', (c: Buffer) => {
        out += c.toString()
        const found = /^secure: (\S+)\ntls: (\S+) /m.exec(out)
        if (found) resolve([found[1]!, found[2]!])
      })
      void exited.then((code) => reject(new Error(`the CLI exited (${code}) after printing:\n${out}`)))
    })
    const file = (name: string) => readFileSync(path.join(dir, name), 'utf8')
    const zk = await ZooKeeper.connect(secure, { tls: { ca: file('ca.pem'), cert: file('client.pem'), key: file('client-key.pem') } })
    await zk.create('/over-tls', 'yes')
    t.equal((await zk.getData('/over-tls')).data.toString(), 'yes')
    await zk.close()
    proc.kill('SIGINT')
    t.equal(await exited, 0)
    t.notOk(existsSync(dir), 'the test certificates went with the ensemble')
  },
)
