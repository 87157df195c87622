// zookit's client with SASL DIGEST-MD5 (ClientOptions.sasl) against real ZooKeeper 3.8 and the
// bundled server, both configured with the same JAAS-style users: login, the sasl ACL, a wrong
// password (AuthFailedError, state 'authFailed'), and enforced SASL.
import t from 'tap'
import { once } from 'node:events'
import { startEnsemble } from '../src/ensemble/index.js'
import { realZooKeeperAvailable, startRealZooKeeper } from '../src/testing/real-zookeeper.js'
import { AuthFailedError, NoAuthError, SessionClosedRequireSaslAuthError, ZooKeeper, type ClientOptions } from '../src/index.js'

const USERS = { bob: 'bobsecret', carol: 'carolsecret' }
const BOB = { username: 'bob', password: 'bobsecret' }

async function start(kind: 'real' | 'bundled', enforce: boolean): Promise<{ connectString: string; stop: () => Promise<void> }> {
  const sasl = { users: USERS, enforce }
  return kind === 'real' ? startRealZooKeeper({ sasl }) : startEnsemble({ sasl })
}

for (const kind of ['real', 'bundled'] as const) {
  const skip = kind === 'real' && !realZooKeeperAvailable() ? 'real ZooKeeper is not installed' : undefined
  t.test(`zookit's SASL client against ${kind === 'real' ? 'real ZooKeeper 3.8' : 'the bundled server'}`, { skip }, async (t) => {
    const connect = async (opts: ClientOptions = {}) => {
      const zk = await ZooKeeper.connect(server.connectString, { sessionTimeout: 10_000, ...opts })
      t.teardown(() => zk.close())
      return zk
    }
    let server = await start(kind, false)
    t.teardown(() => server.stop())

    t.test('logs in as sasl:<user>; sasl ACLs grant that user only', async (t) => {
      const bob = await connect({ sasl: BOB })
      t.same(
        (await bob.whoAmI()).find((i) => i.authScheme === 'sasl'),
        { authScheme: 'sasl', user: 'bob' },
      )
      await bob.create('/bobs', Buffer.from('v'), { acl: [{ perms: 31, id: { scheme: 'sasl', id: 'bob' } }] })
      t.equal((await bob.getData('/bobs')).data.toString(), 'v')
      const carol = await connect({ sasl: { username: 'carol', password: 'carolsecret' } })
      await t.rejects(carol.getData('/bobs'), NoAuthError, 'another SASL user')
      const anonymous = await connect()
      await t.rejects(anonymous.getData('/bobs'), NoAuthError, 'no SASL at all')
    })

    t.test('a wrong password fails the session with AuthFailedError', async (t) => {
      await t.rejects(ZooKeeper.connect(server.connectString, { sasl: { username: 'bob', password: 'nope' } }), AuthFailedError)
      const zk = new ZooKeeper(server.connectString, { sasl: { username: 'mallory', password: 'x' } })
      t.teardown(() => zk.close())
      if (zk.state !== 'authFailed') await once(zk, 'authFailed')
      t.equal(zk.state, 'authFailed')
      await t.rejects(zk.exists('/'), AuthFailedError, 'later calls fail at once')
    })

    t.test('a server without SASL fails the login too, as it fails the Java client', async (t) => {
      const plain = kind === 'real' ? await startRealZooKeeper() : await startEnsemble()
      t.teardown(() => plain.stop())
      await t.rejects(ZooKeeper.connect(plain.connectString, { sasl: BOB }), AuthFailedError)
    })

    t.test('enforced: sessions without SASL are refused, SASL ones served', async (t) => {
      await server.stop()
      server = await start(kind, true)
      const anonymous = await connect()
      await t.rejects(anonymous.exists('/'), SessionClosedRequireSaslAuthError)
      const bob = await connect({ sasl: BOB })
      t.ok(await bob.exists('/'))
    })
  })
}

t.test('a bundled 3-server quorum: SASL on a follower, its sasl ACL decided by the leader', async (t) => {
  const ens = await startEnsemble({ size: 3, sasl: { users: USERS, enforce: true } })
  t.teardown(() => ens.stop())
  const follower = [0, 1, 2].find((i) => i !== ens.leader())!
  const bob = await ZooKeeper.connect(ens.connectStringOf(follower), { sasl: BOB })
  t.teardown(() => bob.close())
  await bob.create('/bobs', Buffer.from('v'), { acl: [{ perms: 31, id: { scheme: 'sasl', id: 'bob' } }] })
  t.equal((await bob.getData('/bobs')).data.toString(), 'v')
  const anonymous = await ZooKeeper.connect(ens.connectStringOf(follower))
  t.teardown(() => anonymous.close())
  await t.rejects(anonymous.exists('/'), SessionClosedRequireSaslAuthError)
})
