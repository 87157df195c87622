// The x509 ACL scheme on the secure client port (ZooKeeper's X509AuthenticationProvider), against
// real ZooKeeper 3.8 and the bundled servers (standalone and a 3-server quorum), which must answer
// alike line for line: a TLS client's certificate subject becomes its x509 id at connect, printed
// as Java prints it; x509 ACLs hold that id out of other certificates' and plain connections' reach;
// whoAmI, auth ACLs, x509 auth packets, the super user, clientAuth 'want'; and the Java client with
// a key store (integration/interop/JavaX509.java).
import { JAVA_TLS_JARS, javaMissing, opensslMissing } from './java-tls.js'
import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ZooKeeper, type ACL, type ClientOptions } from '../../src/index.js'
import { startEnsemble } from '../../src/ensemble/index.js'
import { generateTestCerts, type ClientCert, type TestCerts } from '../../src/ensemble/test-certs.js'
import { realZooKeeperAvailable, startRealZooKeeper } from '../../src/testing/real-zookeeper.js'

const JAVA_SRC = fileURLToPath(new URL('../interop/JavaX509.java', import.meta.url))
const JARS = JAVA_TLS_JARS
const realMissing = !realZooKeeperAvailable() ? 'Debian zookeeper is not installed' : javaMissing

/** The subjects, in openssl's -subj form, and their ids as ZooKeeper prints them (RFC 2253: last RDN first, escaped). */
const ALICE = { subj: '/C=US/O=Acme, Inc./OU=Eng+UID=42/CN=alice #1', id: 'CN=alice \\#1,OU=Eng+UID=42,O=Acme\\, Inc.,C=US' }
const BOB = { subj: '/O=Other/CN=bob', id: 'CN=bob,O=Other' }
const ADMIN = { subj: '/CN=zookit admin', id: 'CN=zookit admin' }

/** A server to test: a secure connect string for each of three clients (different servers of a quorum), the plain one, a stop. */
interface Target {
  secure: [string, string, string]
  plain: string
  stop(): Promise<void>
}

interface Certs {
  certs: TestCerts
  alice: ClientCert
  bob: ClientCert
  admin: ClientCert
}

const tlsWith = (c: Certs, cert?: ClientCert): ClientOptions => ({
  tls: { ca: c.certs.ca, ...(cert ? { key: cert.key, cert: cert.cert } : {}) },
})

/** What a call did: its result as JSON, or the error's name. */
async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    return JSON.stringify((await call()) ?? null)
  } catch (err) {
    return (err as Error).name
  }
}

const ALL = 31
const x509Acl = (id: string): ACL[] => [{ perms: ALL, id: { scheme: 'x509', id } }]

/** Every zookit check of one target, as lines comparable across targets. */
async function zookitLines(t: Test, target: Target, c: Certs): Promise<string[]> {
  const seen: string[] = []
  const connect = async (connectString: string, opts: ClientOptions = {}) => {
    const zk = await ZooKeeper.connect(connectString, opts)
    t.teardown(() => zk.close())
    return zk
  }
  const alice = await connect(target.secure[0], tlsWith(c, c.alice))
  seen.push(`alice whoAmI ${JSON.stringify(await alice.whoAmI())}`)
  seen.push(`alice creates /x509 ${await outcome(() => alice.create('/x509', 'secret', { acl: x509Acl(ALICE.id) }).then((r) => r.path))}`)
  seen.push(`alice reads ${await outcome(() => alice.getData('/x509').then((r) => r.data.toString()))}`)
  seen.push(`getACL ${await outcome(() => alice.getACL('/x509').then((r) => r.acl))}`)
  const auth: ACL[] = [{ perms: ALL, id: { scheme: 'auth', id: '' } }]
  seen.push(
    `auth expands to ${await outcome(() =>
      alice
        .create('/x509-auth', '', { acl: auth })
        .then(() => alice.getACL('/x509-auth'))
        .then((r) => r.acl),
    )}`,
  )
  for (const id of ['CN=a,,O=b', 'nonsense', 'CN=a\\x', 'cn=a;o=b', '', 'OID.2.5.4.3=a'])
    seen.push(
      `x509 id ${JSON.stringify(id)}: ${await outcome(() => alice.create('/x509-id', '', { acl: x509Acl(id) }).then(() => alice.delete('/x509-id')))}`,
    )
  // An x509 auth packet checks the connection's certificate again; what it carries does not matter.
  seen.push(`alice addAuth x509 ${await outcome(() => alice.addAuth('x509', 'CN=someone else'))}`)
  seen.push(`alice whoAmI after ${JSON.stringify(await alice.whoAmI())}`)

  const bob = await connect(target.secure[1], tlsWith(c, c.bob))
  seen.push(`bob whoAmI ${JSON.stringify(await bob.whoAmI())}`)
  seen.push(`bob reads ${await outcome(() => bob.getData('/x509'))}`)
  seen.push(`bob sets ${await outcome(() => bob.setData('/x509', 'mine'))}`)

  const admin = await connect(target.secure[2], tlsWith(c, c.admin))
  seen.push(`admin whoAmI ${JSON.stringify(await admin.whoAmI())}`)
  seen.push(`admin reads ${await outcome(() => admin.getData('/x509').then((r) => r.data.toString()))}`)

  const plain = await connect(target.plain)
  seen.push(`plain whoAmI ${JSON.stringify(await plain.whoAmI())}`)
  seen.push(`plain reads ${await outcome(() => plain.getData('/x509'))}`)
  // The provider is loaded, so a plain connection may write x509 ACLs, though it never holds such an id.
  seen.push(
    `plain creates an x509 ACL ${await outcome(() => plain.create('/x509-plain', '', { acl: x509Acl(ALICE.id) }).then((r) => r.path))}`,
  )
  seen.push(`plain addAuth x509 ${await outcome(() => plain.addAuth('x509', ALICE.id))}`)
  return seen
}

const EXPECTED = [
  `alice whoAmI [{"authScheme":"x509","user":${JSON.stringify(ALICE.id)}},{"authScheme":"ip","user":"127.0.0.1"}]`,
  'alice creates /x509 "/x509"',
  'alice reads "secret"',
  `getACL ${JSON.stringify(x509Acl(ALICE.id))}`,
  `auth expands to ${JSON.stringify(x509Acl(ALICE.id))}`,
  'x509 id "CN=a,,O=b": InvalidACLError',
  'x509 id "nonsense": InvalidACLError',
  'x509 id "CN=a\\\\x": InvalidACLError',
  'x509 id "cn=a;o=b": null',
  'x509 id "": null',
  'x509 id "OID.2.5.4.3=a": null',
  'alice addAuth x509 null',
  `alice whoAmI after [{"authScheme":"x509","user":${JSON.stringify(ALICE.id)}},{"authScheme":"ip","user":"127.0.0.1"}]`,
  // In ZooKeeper's hash order, not the order the ids were added.
  `bob whoAmI [{"authScheme":"x509","user":"CN=bob,O=Other"},{"authScheme":"ip","user":"127.0.0.1"}]`,
  'bob reads NoAuthError',
  'bob sets NoAuthError',
  // The super user's `super` id shows no user, as ZooKeeper has no provider for the scheme.
  `admin whoAmI [{"authScheme":"super","user":""},{"authScheme":"x509","user":"CN=zookit admin"},{"authScheme":"ip","user":"127.0.0.1"}]`,
  'admin reads "secret"',
  'plain whoAmI [{"authScheme":"ip","user":"127.0.0.1"}]',
  'plain reads NoAuthError',
  'plain creates an x509 ACL "/x509-plain"',
  'plain addAuth x509 AuthFailedError',
]

function runJava(t: Test, c: Certs, secure: string): Promise<string[]> {
  const j = c.certs.java!
  return new Promise((resolve) => {
    const args = ['-cp', JARS.join(':'), JAVA_SRC, secure, c.alice.keyStore!, c.bob.keyStore!, j.trustStore, j.password]
    const p = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    p.stdout.on('data', (d) => (out += d))
    p.stderr.on('data', (d) => (out += d))
    t.teardown(() => {
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
    })
    p.on('close', () =>
      resolve(
        out
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      ),
    )
  })
}

const JAVA_EXPECTED = [
  `owner whoami x509:${ALICE.id}`,
  'owner whoami ip:127.0.0.1',
  'owner read mine',
  `acl 31 x509:${ALICE.id}`,
  `stranger whoami x509:${BOB.id}`,
  'stranger whoami ip:127.0.0.1',
  'stranger refused NOAUTH',
  'JAVA X509 OK',
]

t.test('the x509 scheme on the secure client port', { skip: opensslMissing }, async (t) => {
  const certs = await generateTestCerts({ java: javaMissing === undefined })
  t.teardown(() => certs.remove())
  const c: Certs = {
    certs,
    alice: await certs.issueClient('alice', ALICE.subj),
    bob: await certs.issueClient('bob', BOB.subj),
    admin: await certs.issueClient('admin', ADMIN.subj),
  }
  const secureClient = { key: certs.server.key, cert: certs.server.cert, ca: certs.ca, superUser: ADMIN.id }
  const realStores = () => ({ keyStore: certs.java!.serverKeyStore, trustStore: certs.java!.trustStore, password: certs.java!.password })

  const targets: [string, () => Promise<Target>, string | undefined][] = [
    [
      'real ZooKeeper 3.8',
      async () => {
        const real = await startRealZooKeeper({ secureClient: { ...realStores(), superUser: ADMIN.id } })
        const s = real.secureConnectString!
        return { secure: [s, s, s], plain: real.connectString, stop: () => real.stop() }
      },
      realMissing,
    ],
    [
      'bundled standalone',
      async () => {
        const ens = await startEnsemble({ secureClient })
        const s = ens.secureConnectString!
        return { secure: [s, s, s], plain: ens.connectString, stop: () => ens.stop() }
      },
      undefined,
    ],
    [
      'bundled quorum of 3',
      async () => {
        const ens = await startEnsemble({ size: 3, secureClient })
        // alice and bob on followers, so their ids travel with the writes they forward to the leader.
        const leader = await ens.waitForLeader()
        const at = (k: number) => ens.secureConnectStringOf((leader + k) % 3)!
        return { secure: [at(1), at(2), at(0)], plain: ens.connectStringOf((leader + 1) % 3), stop: () => ens.stop() }
      },
      undefined,
    ],
  ]
  // What real ZooKeeper answered, when it ran: the bundled targets must answer the same.
  let realZookit: string[] | undefined
  let realJava: string[] | undefined
  for (const [name, start, skip] of targets) {
    t.test(name, { skip }, async (t) => {
      const target = await start()
      t.teardown(() => target.stop())
      t.test("zookit's client", async (t) => {
        const lines = await zookitLines(t, target, c)
        t.same(lines, EXPECTED)
        if (name.startsWith('real')) realZookit = lines
        else if (realZookit) t.same(lines, realZookit, 'as real ZooKeeper answered')
      })
      t.test('the Java client with a key store', { skip: javaMissing }, async (t) => {
        const lines = await runJava(t, c, target.secure[0])
        t.same(lines, JAVA_EXPECTED, { output: lines })
        if (name.startsWith('real')) realJava = lines
        else if (realJava) t.same(lines, realJava, 'as real ZooKeeper answered')
      })
    })
  }

  t.test("clientAuth 'want': a client without a certificate has no x509 id, one with a certificate has it", async (t) => {
    const wantLines = async (target: Target) => {
      const seen: string[] = []
      const alice = await ZooKeeper.connect(target.secure[0], tlsWith(c, c.alice))
      t.teardown(() => alice.close())
      seen.push(`alice whoAmI ${JSON.stringify(await alice.whoAmI())}`)
      await alice.create('/want', 'w', { acl: x509Acl(ALICE.id) })
      const anonymous = await ZooKeeper.connect(target.secure[0], tlsWith(c))
      t.teardown(() => anonymous.close())
      seen.push(`no certificate whoAmI ${JSON.stringify(await anonymous.whoAmI())}`)
      seen.push(`no certificate reads ${await outcome(() => anonymous.getData('/want'))}`)
      seen.push(`no certificate addAuth x509 ${await outcome(() => anonymous.addAuth('x509', ''))}`)
      return seen
    }
    const expected = [
      `alice whoAmI [{"authScheme":"x509","user":${JSON.stringify(ALICE.id)}},{"authScheme":"ip","user":"127.0.0.1"}]`,
      'no certificate whoAmI [{"authScheme":"ip","user":"127.0.0.1"}]',
      'no certificate reads NoAuthError',
      'no certificate addAuth x509 AuthFailedError',
    ]
    const ens = await startEnsemble({ secureClient: { ...secureClient, clientAuth: 'want' } })
    t.teardown(() => ens.stop())
    const s = ens.secureConnectString!
    t.same(await wantLines({ secure: [s, s, s], plain: ens.connectString, stop: () => ens.stop() }), expected, 'bundled')
    if (!realMissing) {
      const real = await startRealZooKeeper({ secureClient: { ...realStores(), clientAuth: 'want' } })
      t.teardown(() => real.stop())
      const r = real.secureConnectString!
      t.same(await wantLines({ secure: [r, r, r], plain: real.connectString, stop: () => real.stop() }), expected, 'real ZooKeeper 3.8')
    }
  })

  t.test("clientAuth 'none': no certificate is asked for, so no x509 id", async (t) => {
    const ens = await startEnsemble({ secureClient: { ...secureClient, clientAuth: 'none' } })
    t.teardown(() => ens.stop())
    const zk = await ZooKeeper.connect(ens.secureConnectString!, tlsWith(c, c.alice))
    t.teardown(() => zk.close())
    t.same(await zk.whoAmI(), [{ authScheme: 'ip', user: '127.0.0.1' }])
  })

  t.test('without a secure client port there is no x509 provider', async (t) => {
    const ens = await startEnsemble()
    t.teardown(() => ens.stop())
    const zk = await ZooKeeper.connect(ens.connectString)
    t.teardown(() => zk.close())
    t.equal(await outcome(() => zk.create('/x', '', { acl: x509Acl(ALICE.id) })), 'InvalidACLError')
    t.equal(await outcome(() => zk.addAuth('x509', '')), 'AuthFailedError')
  })
})
