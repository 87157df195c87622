// `zookit ensemble`'s SASL, quorum TLS, sessionless-timeout and quota options: parsed and checked
// together, listed in the help, and run as a shell would, each doing what it says. A JAAS file is read
// as real ZooKeeper 3.8 reads the same file: the same logins succeed and fail on both.
import t, { type Test } from 'tap'
import net from 'node:net'
import tls from 'node:tls'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { parseCommandLine, usage, UsageError, type EnsembleCommand } from './cli.js'
import { runCli, startCli } from './cli.test-helper.js'
import { AuthFailedError, QuotaExceededError, SessionClosedRequireSaslAuthError, ZooKeeper } from './index.js'
import { fourLetterWord, realZooKeeperAvailable, startRealZooKeeper } from './testing/real-zookeeper.js'
import { generateTestCerts } from './ensemble/test-certs.js'
import { DEFAULT_SESSIONLESS_CONNECTION_TIMEOUT } from './ensemble/server-view.js'

const parse = (line: string) => parseCommandLine(line.split(' ').filter(Boolean))
const noOpenssl = spawnSync('openssl', ['version']).error ? 'no openssl' : false
const portOf = (hostPort: string) => Number(hostPort.split(':')[1])

/** A file with `text` in a directory the test removes. */
function tempFile(t: Test, name: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'zookit-cli-security-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, name)
  writeFileSync(file, text)
  return file
}

t.test('parseCommandLine: the SASL, quorum TLS, sessionless and quota options', async (t) => {
  t.match(parse('ensemble --sessionless-cnxn-timeout 300 --enforce-quota'), {
    options: { sessionlessConnectionTimeout: 300, enforceQuota: true },
  })
  const defaults = parse('ensemble') as EnsembleCommand
  t.same(
    [defaults.options.sessionlessConnectionTimeout, defaults.options.enforceQuota, defaults.sasl, defaults.quorumTls],
    [undefined, undefined, undefined, undefined],
  )
  t.same((parse('ensemble --sasl-user bob:bob:secret --sasl-user carol: --session-require-client-sasl-auth') as { sasl: unknown }).sasl, {
    users: { bob: 'bob:secret', carol: '' },
    enforce: true,
  })
  t.same((parse('ensemble --jaas /etc/zk/jaas.conf --sasl-user=dan:d') as { sasl: unknown }).sasl, {
    users: { dan: 'd' },
    jaasFile: '/etc/zk/jaas.conf',
    enforce: false,
  })
  t.same((parse('ensemble --sasl-user __proto__:p') as { sasl: { users: object } }).sasl.users, JSON.parse('{"__proto__":"p"}'))
  t.same((parse('ensemble --size 3 --quorum-tls') as { quorumTls: unknown }).quorumTls, {}, 'test certificates')
  t.same(
    (
      parse('ensemble --size 5 --quorum-tls --quorum-tls-key k.pem --quorum-tls-cert c.pem --quorum-tls-ca ca.pem') as {
        quorumTls: unknown
      }
    ).quorumTls,
    { keyFile: 'k.pem', certFile: 'c.pem', caFile: 'ca.pem' },
  )
  for (const flag of [
    '--sessionless-cnxn-timeout MS',
    '--enforce-quota',
    '--sasl-user NAME:PASSWORD …',
    '--jaas FILE',
    '--session-require-client-sasl-auth',
    '--quorum-tls ',
    '--quorum-tls-key FILE',
    '--quorum-tls-cert FILE',
    '--quorum-tls-ca FILE',
  ])
    t.ok(usage('ensemble').includes(flag), `the help lists ${flag}`)
})

t.test('parseCommandLine: what it refuses, naming the flag', async (t) => {
  const refused: [string, string | RegExp][] = [
    ['ensemble --sessionless-cnxn-timeout 0', /^--sessionless-cnxn-timeout must be a positive number of milliseconds/],
    ['ensemble --sessionless-cnxn-timeout soon', /^--sessionless-cnxn-timeout must be a positive number/],
    ['ensemble --enforce-quota=yes', '--enforce-quota takes no value'],
    ['ensemble --sasl-user bobsecret', "--sasl-user must be NAME:PASSWORD (the value has no ':')"],
    ['ensemble --sasl-user :secret', "--sasl-user must be NAME:PASSWORD (no name before the ':')"],
    ['ensemble --sasl-user bob:a --sasl-user bob:b', '--sasl-user: bob is given twice'],
    ['ensemble --session-require-client-sasl-auth', /^--session-require-client-sasl-auth needs users to log in: --sasl-user/],
    ['ensemble --quorum-tls', /^--quorum-tls needs a quorum \(--size 3 or 5\)/],
    ['ensemble --quorum-tls-key k.pem', '--quorum-tls-key needs --quorum-tls'],
    ['ensemble --size 3 --quorum-tls-ca ca.pem', '--quorum-tls-ca needs --quorum-tls'],
    [
      'ensemble --size 3 --quorum-tls --quorum-tls-key k.pem',
      '--quorum-tls-key needs --quorum-tls-cert and --quorum-tls-ca (all three, or none for test certificates)',
    ],
    [
      'ensemble --size 3 --quorum-tls --quorum-tls-key k.pem --quorum-tls-cert c.pem',
      '--quorum-tls-key and --quorum-tls-cert need --quorum-tls-ca (all three, or none for test certificates)',
    ],
    ['ensemble --jaas', /^--jaas needs a value \(FILE\)/],
  ]
  for (const [line, message] of refused) {
    const err = t.throws(() => parse(line), { name: 'UsageError', message }, line) as UsageError
    t.notMatch(err.message, /secret/, 'a password is never echoed')
  }
})

t.test('--sasl-user and --session-require-client-sasl-auth: users log in with SASL, others are refused', async (t) => {
  const cli = startCli(t, [
    'ensemble',
    '--port',
    '0',
    '--sasl-user',
    'bob:bob:secret',
    '--sasl-user=carol:carolsecret',
    '--session-require-client-sasl-auth',
  ])
  const [connectString] = await cli.lines(1)
  const bob = await ZooKeeper.connect(connectString!, { sasl: { username: 'bob', password: 'bob:secret' } })
  t.teardown(() => bob.close())
  t.match(await bob.whoAmI(), [{ authScheme: 'sasl', user: 'bob' }], 'bob, with a colon in his password')
  await bob.create('/bobs', 'v', { acl: [{ perms: 31, id: { scheme: 'sasl', id: 'bob' } }] })
  const carol = await ZooKeeper.connect(connectString!, { sasl: { username: 'carol', password: 'carolsecret' } })
  t.teardown(() => carol.close())
  t.ok(await carol.exists('/bobs'), 'carol, served')
  await t.rejects(ZooKeeper.connect(connectString!, { sasl: { username: 'carol', password: 'nope' } }), AuthFailedError, 'a wrong password')
  const anonymous = await ZooKeeper.connect(connectString!)
  t.teardown(() => anonymous.close())
  await t.rejects(anonymous.exists('/'), SessionClosedRequireSaslAuthError, 'a session without SASL is refused')
  cli.proc.kill('SIGINT')
  t.match(await cli.exited, { code: 0 })
})

/** One file for ZooKeeper's server and its clients, written as ZooKeeper's documentation writes one, with Java's syntax exercised. */
const JAAS = String.raw`/* The server's DIGEST-MD5 users, and a client's login. */
Server {
  org.apache.zookeeper.server.auth.DigestLoginModule required
  user_super="adm\"in"
  user_bob="bob secret" // a comment
  user_carol=carolsecret;
};
Client {
  org.apache.zookeeper.server.auth.DigestLoginModule required
  username="bob"
  password="bob secret";
};
`

/** What each login gets from a server: the SASL id it is given, or 'refused'. */
async function logins(connectString: string): Promise<string[]> {
  const tries: [string, string][] = [
    ['bob', 'bob secret'],
    ['super', 'adm"in'],
    ['carol', 'carolsecret'],
    ['bob', 'bob'],
    ['dan', 'x'],
  ]
  const results: string[] = []
  for (const [username, password] of tries) {
    const result = await ZooKeeper.connect(connectString, { sasl: { username, password } }).then(
      async (zk) => {
        const ids = await zk.whoAmI()
        await zk.close()
        return ids.filter((id) => id.authScheme === 'sasl').map((id) => `sasl:${id.user}`)[0] ?? 'no sasl id'
      },
      (err: Error) => (err instanceof AuthFailedError ? 'refused' : err.message),
    )
    results.push(`${username}: ${result}`)
  }
  return results
}

const EXPECTED_LOGINS = ['bob: sasl:bob', 'super: sasl:super', 'carol: sasl:carol', 'bob: refused', 'dan: refused']

t.test('--jaas FILE takes the users of its Server section, as real ZooKeeper 3.8 does from the same file', async (t) => {
  const file = tempFile(t, 'jaas.conf', JAAS)
  const cli = startCli(t, ['ensemble', '--port', '0', '--jaas', file])
  const [connectString] = await cli.lines(1)
  t.same(await logins(connectString!), EXPECTED_LOGINS, 'the bundled server')
  await t.test(
    'real ZooKeeper 3.8 with the same file',
    { skip: !realZooKeeperAvailable() && 'real ZooKeeper is not installed' },
    async (t) => {
      const real = await startRealZooKeeper({ sasl: { jaas: JAAS } })
      t.teardown(() => real.stop())
      t.same(await logins(real.connectString), EXPECTED_LOGINS)
    },
  )
})

t.test('a JAAS file or TLS file that will not do: exit 2, one line naming the flag', async (t) => {
  const bad = tempFile(t, 'bad.conf', 'Server {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  user_bob=123;\n};\n')
  const kerberos = tempFile(t, 'krb.conf', 'Server {\n  com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true;\n};\n')
  const both = tempFile(t, 'both.conf', 'Server {\n  m required user_bob="b";\n};\n')
  const cases: [string[], RegExp][] = [
    [['--jaas', bad], /--jaas \S+bad\.conf: line 3: expected the value of user_bob, found '123' \(quote it: "123"\)/],
    [['--jaas', kerberos], /--jaas \S+krb\.conf: the Server section names no DIGEST-MD5 users/],
    [['--jaas', '/no/such/jaas.conf'], /--jaas: cannot read \/no\/such\/jaas\.conf: ENOENT/],
    [['--jaas', both, '--sasl-user', 'bob:x'], /--sasl-user: bob is also a user in --jaas \S+both\.conf/],
    [
      ['--size', '3', '--quorum-tls', '--quorum-tls-key', '/no/k.pem', '--quorum-tls-cert', '/no/c.pem', '--quorum-tls-ca', '/no/ca.pem'],
      /--quorum-tls-key: cannot read \/no\/k\.pem/,
    ],
  ]
  for (const [args, message] of cases) {
    const r = runCli(['ensemble', '--port', '0', ...args])
    t.equal(r.status, 2, args.join(' '))
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line')
    t.match(r.stderr, message)
  }
})

t.test('--sessionless-cnxn-timeout closes a silent connection; --enforce-quota refuses writes over a hard quota', async (t) => {
  const cli = startCli(t, ['ensemble', '--port', '0', '--sessionless-cnxn-timeout', '300', '--enforce-quota'])
  const [connectString] = await cli.lines(1)
  const port = portOf(connectString!)
  const opened = Date.now()
  const silent = net.connect(port, '127.0.0.1')
  const received: Buffer[] = []
  silent.on('data', (c: Buffer) => received.push(c))
  await once(silent, 'close')
  t.same(received, [], 'closed without an answer')
  // Only to tell the flag's 300 ms from the default 10 s, with room to spare on a busy machine.
  t.ok(Date.now() - opened < DEFAULT_SESSIONLESS_CONNECTION_TIMEOUT / 2, 'by the timeout given, not the default')
  t.match(await fourLetterWord('127.0.0.1', port, 'mntr'), /\nzk_sessionless_connections_expired\t1\n/, 'counted as ZooKeeper counts it')

  const zk = await ZooKeeper.connect(connectString!)
  t.teardown(() => zk.close())
  // What zkCli.sh's `setquota -N 2 /q` writes.
  await zk.create('/q')
  await zk.create('/zookeeper/quota/q')
  await zk.create('/zookeeper/quota/q/zookeeper_limits', 'count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=2')
  await zk.create('/zookeeper/quota/q/zookeeper_stats', 'count=0,bytes=0')
  await zk.create('/q/a')
  await t.rejects(zk.create('/q/b'), QuotaExceededError)
  cli.proc.kill('SIGINT')
  t.match(await cli.exited, { code: 0 })
})

/** The peer (quorum) ports of the servers, as `conf` lists them. */
async function peerPorts(clientHostPort: string): Promise<number[]> {
  const conf = await fourLetterWord('127.0.0.1', portOf(clientHostPort), 'conf')
  return [...conf.matchAll(/^server\.\d+=127\.0\.0\.1:(\d+):/gm)].map((m) => Number(m[1]))
}

/** A TLS handshake with a peer port, presenting `cert` and trusting `ca`: who issued the peer's certificate. */
function tlsHandshake(port: number, pem: { ca: string; cert: string; key: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...pem }, () => {
      resolve(String(socket.getPeerCertificate().issuer.CN))
      socket.destroy()
    })
    socket.on('error', reject)
  })
}

t.test('--quorum-tls: a quorum comes up over TLS peer links and serves', { skip: noOpenssl }, async (t) => {
  await t.test('with test certificates generated', async (t) => {
    const cli = startCli(t, ['ensemble', '--size', '3', '--port', '0', '--quorum-tls'])
    const [connectString, certsLine, leader] = await cli.lines(3)
    t.match(leader, /^leader: server [0-2] /)
    const dir = /^tls: (\S+) /.exec(certsLine!)![1]!
    const file = (name: string) => readFileSync(path.join(dir, name), 'utf8')
    const zk = await ZooKeeper.connect(connectString!)
    t.teardown(() => zk.close())
    await zk.create('/over-tls-peers', 'yes')
    const peers = await peerPorts(connectString!.split(',')[0]!)
    t.equal(peers.length, 3)
    t.equal(
      await tlsHandshake(peers[0]!, { ca: file('ca.pem'), cert: file('client.pem'), key: file('client-key.pem') }),
      'zookit test CA',
      'the peer port speaks TLS, with the generated certificate',
    )
    cli.proc.kill('SIGINT')
    t.match(await cli.exited, { code: 0 })
  })
  await t.test('with the key, certificate and CA given as files', async (t) => {
    const certs = await generateTestCerts({ caName: 'zookit CLI quorum CA' })
    t.teardown(() => certs.remove())
    const cli = startCli(t, [
      'ensemble',
      '--size',
      '3',
      '--port',
      '0',
      '--quorum-tls',
      '--quorum-tls-key',
      certs.server.keyFile,
      '--quorum-tls-cert',
      certs.server.certFile,
      '--quorum-tls-ca',
      certs.caFile,
    ])
    const [connectString, leader] = await cli.lines(2)
    t.match(leader, /^leader: server [0-2] /, 'no test certificates announced')
    // A write through one server, read back through another: the peers replicate over TLS.
    const hosts = connectString!.split(',')
    const first = await ZooKeeper.connect(hosts[0]!)
    t.teardown(() => first.close())
    await first.create('/replicated', 'v')
    const second = await ZooKeeper.connect(hosts[1]!)
    t.teardown(() => second.close())
    await second.sync('/replicated')
    t.equal((await second.getData('/replicated')).data.toString(), 'v')
    const peers = await peerPorts(hosts[1]!)
    t.equal(
      await tlsHandshake(peers[2]!, { ca: certs.ca, cert: certs.client.cert, key: certs.client.key }),
      'zookit CLI quorum CA',
      'the peer port speaks TLS, with the certificate given',
    )
    cli.proc.kill('SIGINT')
    t.match(await cli.exited, { code: 0 })
  })
})
