// Quorum TLS (issue #12), as ZooKeeper's sslQuorum=true: with `quorumTls` every peer link is mutual
// TLS under one CA, the secret's handshake on top. A quorum so configured elects, replicates and
// fails over, in this process and with a process per server; a plain-text stranger and a TLS peer
// with a certificate from another CA never get a byte of the handshake.
import t, { type Test } from 'tap'
import net from 'node:net'
import tls from 'node:tls'
import { startEnsemble, type Ensemble } from '../../src/ensemble/index.js'
import { ZooKeeper } from '../../src/index.js'
import { helloFrame, newNonce } from '../../src/ensemble/peer-auth.js'
import { generateTestCerts, type TestCerts } from '../../src/ensemble/test-certs.js'

const certs = await generateTestCerts()
t.teardown(() => certs.remove())
const quorumTls = (c: TestCerts) => ({ ca: c.ca, cert: c.server.cert, key: c.server.key })

function quorumPort(ens: Ensemble, i: number): number {
  return ens.servers[i]!.quorum!.cfg.peers.get(i + 1)!.port
}

/** Write through one server, then read it back on every serving one. */
async function replicated(t: Test, ens: Ensemble, path: string, value: string, via: number): Promise<void> {
  const writer = await ZooKeeper.connect(ens.connectStringOf(via), { sessionTimeout: 6000 })
  t.teardown(() => writer.close())
  await writer.create(path, Buffer.from(value))
  for (const [i, mode] of ens.modes().entries()) {
    if (mode === 'down') continue
    const zk = await ZooKeeper.connect(ens.connectStringOf(i), { sessionTimeout: 6000 })
    t.teardown(() => zk.close())
    await zk.sync('/')
    t.equal((await zk.getData(path)).data.toString(), value, `server ${i} has ${path}`)
  }
}

async function electsReplicatesFailsOver(t: Test, ens: Ensemble): Promise<void> {
  const leader = await ens.waitForLeader()
  const follower = [0, 1, 2].find((i) => i !== leader)!
  await replicated(t, ens, '/over-tls', 'v1', follower)
  await ens.kill(leader)
  const next = await ens.waitForLeader()
  t.not(next, leader, 'another server leads once the leader is killed')
  await replicated(
    t,
    ens,
    '/after-failover',
    'v2',
    [0, 1, 2].find((i) => i !== leader && i !== next)!,
  )
  await ens.restart(leader)
  await ens.waitForMode(leader, 'follower')
  await replicated(t, ens, '/after-restart', 'v3', leader)
}

t.test('in-process quorum over TLS peer links elects, replicates and fails over', async (t) => {
  const ens = await startEnsemble({ size: 3, quorumTls: quorumTls(certs) })
  t.teardown(() => ens.stop())
  await electsReplicatesFailsOver(t, ens)
})

t.test('a quorum of processes over TLS peer links elects, replicates and fails over', async (t) => {
  const ens = await startEnsemble({ size: 3, processes: true, quorumTls: quorumTls(certs) })
  t.teardown(() => ens.stop())
  await electsReplicatesFailsOver(t, ens)
})

t.test('strangers without a certificate of the CA get nowhere', async (t) => {
  const ens = await startEnsemble({ size: 3, quorumTls: quorumTls(certs) })
  t.teardown(() => ens.stop())
  const leader = ens.leader()!
  const states: string[] = []
  const zk = await ZooKeeper.connect(ens.connectStringOf(leader), { sessionTimeout: 6000 })
  t.teardown(() => zk.close())
  zk.on('state', (s: string) => states.push(s))

  for (const target of [0, 1, 2]) {
    // Plain text: a valid HELLO naming a real peer is not TLS, so the server never answers it.
    const plain = net.connect(quorumPort(ens, target), '127.0.0.1')
    plain.on('error', () => {})
    let answered = 0
    plain.on('data', (d: Buffer) => (answered += d.length))
    plain.on('connect', () => plain.write(helloFrame({ dialer: ((target + 1) % 3) + 1, acceptor: target + 1, nonce: newNonce() })))
    await new Promise((resolve) => plain.once('close', resolve))
    t.equal(answered, 0, `server ${target} closes a plain-text HELLO without a word`)
  }

  const other = await generateTestCerts({ caName: 'some other CA' })
  t.teardown(() => other.remove())
  // TLS with a certificate another CA signed (trusting the ensemble's CA, so only our side is wrong).
  const rogue = tls.connect({
    host: '127.0.0.1',
    port: quorumPort(ens, leader),
    ca: certs.ca,
    cert: other.server.cert,
    key: other.server.key,
  })
  let rogueAnswered = 0
  rogue.on('data', (d: Buffer) => (rogueAnswered += d.length))
  rogue.on('secureConnect', () => rogue.write(helloFrame({ dialer: ((leader + 1) % 3) + 1, acceptor: leader + 1, nonce: newNonce() })))
  rogue.on('error', () => {})
  // Under TLS 1.3 the client learns its certificate was refused only when the server closes.
  await new Promise((resolve) => rogue.once('close', resolve))
  t.equal(rogueAnswered, 0, 'a peer certified by another CA is closed without a CHALLENGE')

  await zk.create('/still-writes', Buffer.from('ok'))
  t.equal(ens.leader(), leader, 'the leader still leads')
  t.same(states, [], 'the client never lost its connection')
})

t.test('quorumTls is checked before any server starts', async (t) => {
  await t.rejects(startEnsemble({ size: 3, quorumTls: { ca: certs.ca, cert: 'nope', key: certs.server.key } }), {
    name: 'RangeError',
    message: /quorumTls\.cert is not PEM/,
  })
  await t.rejects(startEnsemble({ size: 3, quorumTls: { ca: certs.ca, cert: 5 as never, key: certs.server.key } }), {
    name: 'TypeError',
    message: /quorumTls\.cert must be PEM text or a Buffer, got 5/,
  })
  await t.rejects(startEnsemble({ size: 1, quorumTls: quorumTls(certs) }), { name: 'RangeError', message: /single server/ })
})
