// SASL DIGEST-MD5 with the plain Java client (a JAAS Client section), against real ZooKeeper 3.8 and
// the bundled server configured alike (integration/interop/JavaSasl.java): authentication, whoAmI,
// a sasl ACL, a wrong password, and sessions refused when SASL is enforced; and `zookit ensemble
// --jaas` reading the very file the Java client logs in with.
import t, { type Test } from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startEnsemble } from '../src/ensemble/index.js'
import { realZooKeeperAvailable, startRealZooKeeper } from '../src/testing/real-zookeeper.js'
import { startCli } from '../src/cli.test-helper.js'

const JARS = ['zookeeper', 'zookeeper-jute', 'slf4j-api', 'slf4j-nop'].map((j) => `/usr/share/java/${j}.jar`)
const SRC = fileURLToPath(new URL('./interop/JavaSasl.java', import.meta.url))
// The Java side gives up after 30 s per wait; this only catches a JVM that does not exit.
const KILL_AFTER_MS = 90_000
const USERS = { bob: 'bobsecret' }

function whyNot(): string | undefined {
  if (spawnSync('java', ['-version']).error) return 'java is not installed'
  const missing = JARS.filter((j) => !existsSync(j))
  if (missing.length > 0) return `missing ${missing.join(', ')} (libzookeeper-java)`
  return undefined
}

/** A JAAS file whose Client section logs in as bob with `password`. */
function jaasClient(t: Test, password: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'zookit-jaas-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'jaas.conf')
  writeFileSync(
    file,
    `Client {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  username="bob"\n  password="${password}";\n};\n`,
  )
  return file
}

/** Run JavaSasl in `mode`; with a JAAS file, logging in through its Client section. Resolves with its output lines. */
function runJava(t: Test, connectString: string, mode: string, jaasFile?: string): Promise<{ code: number | null; lines: string[] }> {
  const jaas = jaasFile === undefined ? [] : [`-Djava.security.auth.login.config=${jaasFile}`]
  return new Promise((resolve) => {
    const p = spawn('java', [...jaas, '-cp', JARS.join(':'), SRC, connectString, mode], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    p.stdout.on('data', (c) => (out += c))
    p.stderr.on('data', (c) => (out += c))
    const timer = setTimeout(() => p.kill('SIGKILL'), KILL_AFTER_MS)
    t.teardown(() => {
      clearTimeout(timer)
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
    })
    p.on('close', (code) => {
      clearTimeout(timer)
      resolve({
        code,
        lines: out
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      })
    })
  })
}

/** Start the target with SASL users (and enforcement); resolves with its connect string and a stop. */
async function start(kind: 'real' | 'bundled', enforce: boolean): Promise<{ connectString: string; stop: () => Promise<void> }> {
  const sasl = { users: USERS, enforce }
  return kind === 'real' ? startRealZooKeeper({ sasl }) : startEnsemble({ sasl })
}

const skip = whyNot()
for (const kind of ['real', 'bundled'] as const) {
  const why = skip ?? (kind === 'real' && !realZooKeeperAvailable() ? 'real ZooKeeper is not installed' : undefined)
  t.test(`Java client with SASL against ${kind === 'real' ? 'real ZooKeeper 3.8' : 'the bundled server'}`, { skip: why }, async (t) => {
    t.test('SASL configured, not enforced', async (t) => {
      const server = await start(kind, false)
      t.teardown(() => server.stop())
      const ok = await runJava(t, server.connectString, 'ok', jaasClient(t, 'bobsecret'))
      t.equal(ok.code, 0, 'the right password', { output: ok.lines })
      t.same(
        ok.lines.filter((l) => /^(event|whoami|read|acl|JAVA)/.test(l)),
        ['event SaslAuthenticated', 'whoami sasl:bob', 'whoami ip:127.0.0.1', 'read v', 'acl 31 sasl:bob', 'JAVA SASL DONE'],
        { output: ok.lines },
      )
      const wrong = await runJava(t, server.connectString, 'wrong', jaasClient(t, 'nope'))
      t.equal(wrong.code, 0, 'a wrong password', { output: wrong.lines })
      t.same(
        wrong.lines.filter((l) => /^(event|refused|JAVA)/.test(l)),
        ['event AuthFailed', 'refused AUTHFAILED', 'JAVA SASL DONE'],
        { output: wrong.lines },
      )
    })
    t.test('SASL enforced', async (t) => {
      const server = await start(kind, true)
      t.teardown(() => server.stop())
      const none = await runJava(t, server.connectString, 'none')
      t.equal(none.code, 0, 'no SASL', { output: none.lines })
      t.same(
        none.lines.filter((l) => /^(event|refused|JAVA)/.test(l)),
        ['refused SESSIONCLOSEDREQUIRESASLAUTH', 'JAVA SASL DONE'],
        { output: none.lines },
      )
      const ok = await runJava(t, server.connectString, 'ok', jaasClient(t, 'bobsecret'))
      t.equal(ok.code, 0, 'the right password', { output: ok.lines })
      t.ok(ok.lines.includes('whoami sasl:bob'), 'authenticated', { output: ok.lines })
    })
  })
}

t.test('the Java client and `zookit ensemble --jaas` share one JAAS file, as with ZooKeeper', { skip: skip ?? false }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zookit-jaas-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'jaas.conf')
  writeFileSync(
    file,
    [
      'Server {',
      '  org.apache.zookeeper.server.auth.DigestLoginModule required',
      '  user_bob="bobsecret";',
      '};',
      'Client {',
      '  org.apache.zookeeper.server.auth.DigestLoginModule required',
      '  username="bob"',
      '  password="bobsecret";',
      '};',
      '',
    ].join('\n'),
  )
  const cli = startCli(t, ['ensemble', '--port', '0', '--jaas', file, '--session-require-client-sasl-auth'])
  const [connectString] = await cli.lines(1)
  const ok = await runJava(t, connectString!, 'ok', file)
  t.equal(ok.code, 0, { output: ok.lines })
  t.same(
    ok.lines.filter((l) => /^(event|whoami|read|acl|JAVA)/.test(l)),
    ['event SaslAuthenticated', 'whoami sasl:bob', 'whoami ip:127.0.0.1', 'read v', 'acl 31 sasl:bob', 'JAVA SASL DONE'],
    { output: ok.lines },
  )
  const none = await runJava(t, connectString!, 'none')
  t.same(
    none.lines.filter((l) => /^(refused|JAVA)/.test(l)),
    ['refused SESSIONCLOSEDREQUIRESASLAUTH', 'JAVA SASL DONE'],
    { output: none.lines },
  )
  cli.proc.kill('SIGINT')
  t.match(await cli.exited, { code: 0 })
})
