// The server's side of DIGEST-MD5 against zookit's client side, and the ways an exchange fails.
import t from 'tap'
import { DigestMd5Client, parseDirectives } from '../sasl-digest-md5.js'
import { DigestMd5Server, SaslFailure } from './sasl.js'

const USERS = { bob: 'bobsecret' }

/** Run the client over the server; the server's last step, or the failure. */
function exchange(username: string, password: string, edit = (response: string) => response) {
  const server = new DigestMd5Server(USERS)
  const client = new DigestMd5Client({ username, password })
  const challenge = server.evaluate(Buffer.alloc(0))
  const response = edit(client.evaluate(challenge.token)!.toString())
  const last = server.evaluate(Buffer.from(response))
  return { server, client, last }
}

t.test('a good password authenticates both ways', async (t) => {
  const { server, client, last } = exchange('bob', 'bobsecret')
  t.equal(last.authorizationId, 'bob')
  t.ok(server.complete)
  t.equal(client.evaluate(last.token), undefined)
  t.ok(client.complete, 'the client accepted rspauth')
  t.throws(() => server.evaluate(Buffer.alloc(0)), SaslFailure, 'no step after completion')
})

t.test('the challenge is what ZooKeeper 3.8 sends', async (t) => {
  const d = parseDirectives(new DigestMd5Server(USERS).evaluate(Buffer.from('ignored')).token.toString())
  t.same([...d.keys()], ['realm', 'nonce', 'charset', 'algorithm'])
  t.equal(d.get('realm'), 'zk-sasl-md5')
  t.match(d.get('nonce'), /^[A-Za-z0-9+/]{40}$/)
})

t.test('wrong password, unknown user and tampered responses fail', async (t) => {
  t.throws(() => exchange('bob', 'wrong'), /does not match/)
  t.throws(() => exchange('carol', 'x'), /unknown/)
  t.throws(() => exchange('toString', 'x'), /unknown/, 'no inherited property is a user')
  t.throws(() => exchange('bob', 'bobsecret', (r) => r.replace(/nonce="[^"]+"/, 'nonce="forged"')), /did not issue/)
  t.throws(() => exchange('bob', 'bobsecret', (r) => r.replace('nc=00000001', 'nc=00000002')), /nonce count/)
  t.throws(() => exchange('bob', 'bobsecret', (r) => r.replace('zookeeper/zk-sasl-md5', 'imap/x')), /digest-uri/)
  t.throws(() => exchange('bob', 'bobsecret', (r) => r.replace('realm="zk-sasl-md5"', 'realm="other"')), /realm/)
  t.throws(() => exchange('bob', 'bobsecret', (r) => r.replace(/,response=[0-9a-f]+/, '')), /no response/)
  t.throws(() => exchange('bob', 'bobsecret', () => 'username="bob",nonce="unterminated'), SaslFailure)
})
