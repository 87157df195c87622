// SASL on the client port, as ZooKeeper 3.8 runs it with a JAAS `Server` section of DIGEST-MD5
// users (`user_<name>="<password>"`): the server's side of the exchange and the options.
import { randomBytes } from 'node:crypto'
import { DigestMd5Error, SASL_DIGEST_URI, SASL_REALM, digestValue, parseDirectives, quote } from '../sasl-digest-md5.js'

/** ServerOptions.sasl: who may authenticate, and whether every session must. */
export interface SaslOptions {
  /** DIGEST-MD5 users and their passwords, as the `user_<name>` entries of ZooKeeper's JAAS Server section. */
  users: Record<string, string>
  /**
   * Refuse every request but auth and SASL from a connection not authenticated by SASL, closing it
   * with SESSIONCLOSEDREQUIRESASLAUTH (ZooKeeper's zookeeper.sessionRequireClientSASLAuth, or
   * enforce.auth.enabled with enforce.auth.schemes=sasl). Default false.
   */
  enforce?: boolean
}

/** The exchange went wrong: the connection is answered with an error and closed. */
export class SaslFailure extends Error {
  override name = 'SaslFailure'
}

/** What one step answers: the token to send back, and once authenticated, the user's id. */
export interface SaslStep {
  token: Buffer
  authorizationId?: string
}

/**
 * One connection's DIGEST-MD5 exchange, as Java's mechanism serves it for ZooKeeper (server name
 * zk-sasl-md5, which is also the realm; qop auth only): the first token gets the challenge, the
 * client's response gets rspauth, and the exchange is complete.
 */
export class DigestMd5Server {
  private nonce: string | undefined
  private done = false

  constructor(private readonly users: Record<string, string>) {}

  get complete(): boolean {
    return this.done
  }

  evaluate(token: Buffer): SaslStep {
    if (this.done) throw new SaslFailure('DIGEST-MD5 authentication is already complete')
    if (this.nonce === undefined) {
      // Java's server ignores whatever the first token holds. Its nonce is 30 random bytes in
      // base64, and with qop auth alone it names no qop (auth is the default).
      this.nonce = randomBytes(30).toString('base64')
      const challenge = `realm=${quote(SASL_REALM)},nonce=${quote(this.nonce)},charset=utf-8,algorithm=md5-sess`
      return { token: Buffer.from(challenge, 'utf8') }
    }
    return this.verify(token, this.nonce)
  }

  private verify(token: Buffer, nonce: string): SaslStep {
    let d: Map<string, string>
    try {
      d = parseDirectives(token.toString('utf8'))
    } catch (err) {
      throw new SaslFailure(`DIGEST-MD5 response is malformed: ${(err as DigestMd5Error).message}`)
    }
    const need = (key: string): string => {
      const v = d.get(key)
      if (v === undefined) throw new SaslFailure(`DIGEST-MD5 response has no ${key}`)
      return v
    }
    const username = need('username')
    const realm = d.get('realm') ?? ''
    if (realm !== SASL_REALM) throw new SaslFailure(`DIGEST-MD5 response names realm ${JSON.stringify(realm)}, not ${SASL_REALM}`)
    if (need('nonce') !== nonce) throw new SaslFailure('DIGEST-MD5 response has a nonce this server did not issue')
    const nc = need('nc')
    if (!/^[0-9a-fA-F]{8}$/.test(nc) || parseInt(nc, 16) !== 1) throw new SaslFailure(`DIGEST-MD5 nonce count ${nc} is not 1`)
    const cnonce = need('cnonce')
    const qop = d.get('qop') ?? 'auth'
    if (qop !== 'auth') throw new SaslFailure(`DIGEST-MD5 qop ${qop} was not offered (only auth)`)
    const digestUri = need('digest-uri')
    if (digestUri.toLowerCase() !== SASL_DIGEST_URI) throw new SaslFailure(`DIGEST-MD5 digest-uri ${digestUri} is not ${SASL_DIGEST_URI}`)
    const response = need('response')
    const password = Object.hasOwn(this.users, username) ? this.users[username] : undefined
    if (password === undefined) throw new SaslFailure(`DIGEST-MD5 user ${JSON.stringify(username)} is unknown`)
    const inputs = { username, realm, password, nonce, cnonce, nc, qop, digestUri, authzid: d.get('authzid') }
    if (digestValue(inputs, false) !== response.toLowerCase()) throw new SaslFailure(`DIGEST-MD5 response of ${username} does not match`)
    this.done = true
    // ZooKeeper's callback handler authorizes the authenticated name itself, whatever authzid says.
    return { token: Buffer.from(`rspauth=${digestValue(inputs, true)}`, 'utf8'), authorizationId: username }
  }
}
