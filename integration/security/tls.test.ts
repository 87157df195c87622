// TLS on the client port (ZooKeeper's secureClientPort), against real ZooKeeper 3.8 (Netty with
// PKCS12 stores) and the bundled servers (standalone and a 3-server quorum): zookit's client, the
// Java client and kazoo over TLS, and the same clean failure on both for a plain-text client, a
// client that does not trust the server's CA and a client without a certificate.
import { JAVA_TLS_JARS, javaMissing, opensslMissing } from './java-tls.js'
import t, { type Test } from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import tls from 'node:tls'
import { fileURLToPath } from 'node:url'
import { ZooKeeper, type ClientOptions, type WatchedEvent } from '../../src/index.js'
import { ConnectionLossError, OperationTimeoutError } from '../../src/errors.js'
import { startEnsemble } from '../../src/ensemble/index.js'
import { generateTestCerts, type TestCerts } from '../../src/ensemble/test-certs.js'
import { realZooKeeperAvailable, startRealZooKeeper } from '../../src/testing/real-zookeeper.js'

const PYTHON = '/usr/bin/python3'
const JAVA_SRC = fileURLToPath(new URL('../interop/JavaTls.java', import.meta.url))
const JARS = JAVA_TLS_JARS
const kazooMissing = spawnSync(PYTHON, ['-c', 'import kazoo']).status === 0 ? undefined : 'python3-kazoo is not installed'

/** A server to test: where its secure and plain ports are, and how to stop it. */
interface Target {
  secure: string
  plain: string
  stop(): Promise<void>
}

function run(t: Test, cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    p.stdout.on('data', (c) => (out += c))
    p.stderr.on('data', (c) => (out += c))
    t.teardown(() => {
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
    })
    p.on('close', (code) => resolve({ code, out }))
  })
}

/** How a connect attempt ended: 'connected', or the error's class and its cause's code or class. */
async function connectOutcome(connectString: string, opts: ClientOptions): Promise<string> {
  try {
    const zk = await ZooKeeper.connect(connectString, { initialConnectTimeout: 1500, ...opts })
    await zk.close()
    return 'connected'
  } catch (err) {
    const cause = (err as Error).cause as (Error & { code?: string; cause?: Error & { code?: string } }) | undefined
    if (!(err instanceof OperationTimeoutError)) return `unexpected ${(err as Error).name}: ${(err as Error).message}`
    if (cause instanceof ConnectionLossError) return `timeout after ${cause.cause ? 'a TLS failure' : 'ConnectionLossError'}`
    return `timeout after ${cause?.code ?? cause?.name}`
  }
}

/** Every check of one target, as lines comparable across targets. */
async function exercise(t: Test, target: Target, certs: TestCerts, stranger: TestCerts): Promise<string[]> {
  const good: ClientOptions = { tls: { ca: certs.ca, key: certs.client.key, cert: certs.client.cert } }
  const seen: string[] = []
  const zk = await ZooKeeper.connect(target.secure, good)
  t.teardown(() => zk.close())
  await zk.create('/tls', 'v1')
  const event = new Promise<WatchedEvent>((resolve) => void zk.getData('/tls', { watch: resolve }))
  await zk.setData('/tls', 'v2')
  const e = await event
  seen.push(`watch ${e.type} ${e.path}`, `data ${(await zk.getData('/tls')).data.toString()}`)

  seen.push(`plain text to the secure port: ${await connectOutcome(target.secure, {})}`)
  seen.push(`TLS to the plain port: ${await connectOutcome(target.plain, good)}`)
  seen.push(
    `an untrusted server CA: ${await connectOutcome(target.secure, { tls: { ca: stranger.ca, key: certs.client.key, cert: certs.client.cert } })}`,
  )
  seen.push(`no client certificate: ${await connectOutcome(target.secure, { tls: { ca: certs.ca } })}`)
  seen.push(
    `a client certificate of another CA: ${await connectOutcome(target.secure, { tls: { ca: certs.ca, key: stranger.client.key, cert: stranger.client.cert } })}`,
  )
  // The server lived through all of that, and the first session with it.
  seen.push(`still serving: ${(await zk.getData('/tls')).data.toString()}`)
  return seen
}

const EXPECTED = [
  'watch dataChanged /tls',
  'data v2',
  'plain text to the secure port: timeout after ConnectionLossError',
  // The server closes on a frame length too large, with the rest of the ClientHello unread.
  'TLS to the plain port: timeout after ECONNRESET',
  'an untrusted server CA: timeout after SELF_SIGNED_CERT_IN_CHAIN',
  // The server's alert differs (JDK: bad_certificate; OpenSSL: certificate_required); either is a
  // TLS failure the client reports with the alert.
  'no client certificate: timeout after ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  // In TLS 1.3 the client is done before the server judges its certificate: the JDK sends an alert,
  // Node's server closes the connection.
  'a client certificate of another CA: timeout after ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN|ConnectionLossError',
  'still serving: v2',
]

/** `seen` against EXPECTED, an alternative written as a|b. */
function checkLines(t: Test, seen: string[]): void {
  t.equal(seen.length, EXPECTED.length, 'every check ran')
  EXPECTED.forEach((want, i) => {
    const [head, ...alts] = want.split(': timeout after ')
    const ok = alts.length ? alts[0]!.split('|').some((a) => seen[i] === `${head}: timeout after ${a}`) : seen[i] === want
    t.ok(ok, seen[i], { wanted: want, found: seen[i] })
  })
}

async function javaChecks(t: Test, certs: TestCerts, secure: string): Promise<void> {
  const j = certs.java!
  const r = await run(t, 'java', [
    '-Dzookeeper.client.secure=true',
    '-Dzookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty',
    `-Dzookeeper.ssl.keyStore.location=${j.clientKeyStore}`,
    `-Dzookeeper.ssl.keyStore.password=${j.password}`,
    `-Dzookeeper.ssl.trustStore.location=${j.trustStore}`,
    `-Dzookeeper.ssl.trustStore.password=${j.password}`,
    '-cp',
    JARS.join(':'),
    JAVA_SRC,
    secure,
    '/java',
  ])
  t.match(r.out, 'get v1 0')
  t.match(r.out, 'event NodeDataChanged /java')
  t.match(r.out, 'children [e]')
  t.match(r.out, 'JAVA TLS OK', r.out)
}

async function kazooChecks(t: Test, certs: TestCerts, secure: string): Promise<void> {
  const script = `
import sys
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1], use_ssl=True, ca=sys.argv[2], certfile=sys.argv[3], keyfile=sys.argv[4])
zk.start(timeout=15)
zk.create("/kazoo", b"k1")
data, stat = zk.get("/kazoo"); print("get", data.decode(), stat.version)
zk.set("/kazoo", b"k2"); print("set", zk.get("/kazoo")[0].decode())
zk.stop(); print("KAZOO TLS OK")
`
  const r = await run(t, PYTHON, ['-c', script, secure, certs.caFile, certs.client.certFile, certs.client.keyFile])
  t.match(r.out, 'get k1 0')
  t.match(r.out, 'set k2')
  t.match(r.out, 'KAZOO TLS OK', r.out)
}

t.test('TLS on the client port', { skip: opensslMissing }, async (t) => {
  const certs = await generateTestCerts({ java: javaMissing === undefined })
  const stranger = await generateTestCerts({ caName: 'a stranger CA' })
  t.teardown(() => {
    certs.remove()
    stranger.remove()
  })
  const secureClient = { key: certs.server.key, cert: certs.server.cert, ca: certs.ca }

  const targets: [string, () => Promise<Target>, string | undefined][] = [
    [
      'real ZooKeeper 3.8',
      async () => {
        const j = certs.java!
        const real = await startRealZooKeeper({
          secureClient: { keyStore: j.serverKeyStore, trustStore: j.trustStore, password: j.password },
        })
        return { secure: real.secureConnectString!, plain: real.connectString, stop: () => real.stop() }
      },
      !realZooKeeperAvailable() ? 'Debian zookeeper is not installed' : javaMissing,
    ],
    [
      'bundled standalone',
      async () => {
        const ens = await startEnsemble({ secureClient })
        return { secure: ens.secureConnectString!, plain: ens.connectString, stop: () => ens.stop() }
      },
      undefined,
    ],
    [
      'bundled quorum of 3',
      async () => {
        const ens = await startEnsemble({ size: 3, secureClient })
        return { secure: ens.secureConnectString!, plain: ens.connectString, stop: () => ens.stop() }
      },
      undefined,
    ],
  ]
  for (const [name, start, skip] of targets) {
    t.test(name, { skip }, async (t) => {
      const target = await start()
      t.teardown(() => target.stop())
      t.test("zookit's client, and clients that must fail", async (t) => checkLines(t, await exercise(t, target, certs, stranger)))
      t.test('the Java client (zookeeper.client.secure, Netty)', { skip: javaMissing }, (t) => javaChecks(t, certs, target.secure))
      t.test('kazoo (use_ssl)', { skip: kazooMissing }, (t) => kazooChecks(t, certs, target.secure))
    })
  }

  t.test('a quorum over TLS: the client moves to another secure port when its server dies', async (t) => {
    const ens = await startEnsemble({ size: 3, secureClient })
    t.teardown(() => ens.stop())
    const zk = await ZooKeeper.connect(ens.secureConnectString!, { tls: { ca: certs.ca, key: certs.client.key, cert: certs.client.cert } })
    t.teardown(() => zk.close())
    await zk.create('/moves', 'before')
    let fired!: (e: WatchedEvent) => void
    const event = new Promise<WatchedEvent>((resolve) => (fired = resolve))
    await zk.getData('/moves', { watch: (e) => fired(e) })
    // The server holding the session's connection, and whether that connection is TLS.
    const holder = () => {
      for (const [i, server] of ens.servers.entries())
        for (const c of server.connections)
          if (c.sessionId === zk.sessionId && !c.closed) return { i, encrypted: (c.socket as tls.TLSSocket).encrypted === true }
      return undefined
    }
    const serving = holder()!.i
    t.ok(holder()!.encrypted, `server ${serving} serves the session over TLS`)
    const reconnected = new Promise<void>((resolve) => zk.once('connected', () => resolve()))
    await ens.kill(serving)
    await reconnected
    const now = holder()
    t.not(now?.i, serving, 'on another server now')
    t.ok(now?.encrypted, 'over its secure port')
    // Written through another server: the watch, restored over TLS, fires.
    const other = await ZooKeeper.connect(ens.secureConnectStringOf((serving + 1) % 3)!, {
      tls: { ca: certs.ca, key: certs.client.key, cert: certs.client.cert },
    })
    t.teardown(() => other.close())
    await other.setData('/moves', 'after')
    t.equal((await event).type, 'dataChanged')
    t.equal((await zk.getData('/moves')).data.toString(), 'after')
  })

  t.test('a quorum of processes serves TLS too, on the same secure port after a restart', async (t) => {
    const ens = await startEnsemble({ size: 3, processes: true, secureClient })
    t.teardown(() => ens.stop())
    const before = ens.secureConnectStringOf(1)
    await ens.restart(1)
    await ens.waitForMode(1, 'follower')
    t.equal(ens.secureConnectStringOf(1), before)
    const zk = await ZooKeeper.connect(before!, { tls: { ca: certs.ca, key: certs.client.key, cert: certs.client.cert } })
    t.teardown(() => zk.close())
    await zk.create('/processes', 'p')
    t.equal((await zk.getData('/processes')).data.toString(), 'p')
  })

  t.test('secureClient.only: no plain client port', async (t) => {
    const ens = await startEnsemble({ secureClient: { ...secureClient, only: true } })
    t.teardown(() => ens.stop())
    t.equal(ens.connectString, ens.secureConnectString, 'the connect string is the secure one')
    t.equal(ens.servers[0]!.port, undefined, 'no plain port')
    // conf over TLS says so, as ZooKeeper's does: -1 for the port it does not listen on.
    const conf = await new Promise<string>((resolve, reject) => {
      const [host, port] = ens.secureConnectString!.split(':')
      const s = tls.connect({ host, port: Number(port), ca: certs.ca, key: certs.client.key, cert: certs.client.cert }, () =>
        s.write('conf'),
      )
      let out = ''
      s.on('data', (c) => (out += c))
      s.on('error', reject)
      s.on('close', () => resolve(out))
    })
    t.match(conf, /^clientPort=-1\nsecureClientPort=\d+\n/)
  })

  t.test('bad secureClient options are typed errors before any server starts', async (t) => {
    await t.rejects(startEnsemble({ secureClient: { key: 'nope', cert: certs.server.cert } }), {
      name: 'TypeError',
      message: /startEnsemble: secureClient\.key must be PEM text/,
    })
    await t.rejects(startEnsemble({ secureClient: { ...secureClient, clientAuth: 'sometimes' as 'need' } }), {
      name: 'RangeError',
      message: /secureClient\.clientAuth must be need, want, none, got "sometimes"/,
    })
    await t.rejects(startEnsemble({ secureClient: { ...secureClient, superUser: 42 as unknown as string } }), {
      name: 'TypeError',
      message: /secureClient\.superUser must be a string/,
    })
    await t.rejects(
      startEnsemble({ secureClient: { key: certs.client.cert, cert: certs.server.cert } }),
      /secureClient: the key or certificate is unusable/,
    )
  })
})
