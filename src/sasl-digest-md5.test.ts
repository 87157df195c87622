// DIGEST-MD5 digests and syntax: RFC 2831's own example, and the client's side of an exchange.
import t from 'tap'
import { DigestMd5Client, DigestMd5Error, SASL_DIGEST_URI, digestValue, parseDirectives } from './sasl-digest-md5.js'

// RFC 2831 section 4: chris logs in to imap/elwood.innosoft.com with password "secret".
const RFC_EXAMPLE = {
  username: 'chris',
  realm: 'elwood.innosoft.com',
  password: 'secret',
  nonce: 'OA6MG9tEQGm2hh',
  cnonce: 'OA6MHXh6VqTrRk',
  nc: '00000001',
  qop: 'auth',
  digestUri: 'imap/elwood.innosoft.com',
}

t.test("RFC 2831's example: response and rspauth", async (t) => {
  t.equal(digestValue(RFC_EXAMPLE, false), 'd388dad90d4bbd760a152321f2143af7')
  t.equal(digestValue(RFC_EXAMPLE, true), 'ea40f60335c427b5527b84dbabcdfffd')
})

t.test("RFC 2831's example challenge parses; quoted values unescape", async (t) => {
  const d = parseDirectives('realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8')
  t.same(Object.fromEntries(d), {
    realm: 'elwood.innosoft.com',
    nonce: 'OA6MG9tEQGm2hh',
    qop: 'auth',
    algorithm: 'md5-sess',
    charset: 'utf-8',
  })
  t.equal(parseDirectives(' Username = "a\\"b\\\\c" , nc=00000001').get('username'), 'a"b\\c')
  t.throws(() => parseDirectives('nonce="open'), DigestMd5Error)
  t.throws(() => parseDirectives('nonce="a",nonce="b"'), DigestMd5Error)
  t.throws(() => parseDirectives('nonce'), DigestMd5Error)
})

t.test('the client answers a challenge as Java does and checks rspauth', async (t) => {
  const client = new DigestMd5Client({ username: 'chris', password: 'secret' }, 'OA6MHXh6VqTrRk')
  const challenge = 'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",charset=utf-8,algorithm=md5-sess'
  const response = parseDirectives(client.evaluate(Buffer.from(challenge))!.toString())
  const expected = digestValue({ ...RFC_EXAMPLE, digestUri: SASL_DIGEST_URI }, false)
  t.same(Object.fromEntries(response), {
    charset: 'utf-8',
    username: 'chris',
    realm: 'elwood.innosoft.com',
    nonce: 'OA6MG9tEQGm2hh',
    nc: '00000001',
    cnonce: 'OA6MHXh6VqTrRk',
    'digest-uri': 'zookeeper/zk-sasl-md5',
    maxbuf: '65536',
    response: expected,
    qop: 'auth',
  })
  t.notOk(client.complete)
  t.throws(() => client.evaluate(Buffer.from('rspauth=00000000000000000000000000000000')), /rspauth mismatch/)
  t.notOk(client.complete)
  const rspauth = digestValue({ ...RFC_EXAMPLE, digestUri: SASL_DIGEST_URI }, true)
  t.equal(client.evaluate(Buffer.from(`rspauth=${rspauth}`)), undefined)
  t.ok(client.complete)
})

t.test('the client refuses challenges it cannot answer safely', async (t) => {
  const answer = (challenge: string) => new DigestMd5Client({ username: 'u', password: 'p' }).evaluate(Buffer.from(challenge))
  t.throws(() => answer('realm="r",algorithm=md5-sess'), /no nonce/)
  t.throws(() => answer('nonce="n",algorithm=md5'), /not md5-sess/)
  t.throws(() => answer('nonce="n",qop="auth-conf",algorithm=md5-sess'), /without "auth"/)
})
