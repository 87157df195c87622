// DIGEST-MD5 (RFC 2831) as ZooKeeper's SASL uses it: the directive syntax, the response and rspauth
// digests, and the client's side of the exchange. The bundled server's side (src/ensemble/sasl.ts)
// builds on the same pieces, so both compute every digest one way.
import { createHash, randomBytes } from 'node:crypto'

/** ZooKeeper creates its SASL server and client for protocol "zookeeper" on server "zk-sasl-md5". */
export const SASL_PROTOCOL = 'zookeeper'
export const SASL_SERVER_NAME = 'zk-sasl-md5'
/** The digest-uri both sides put in the response; Java's server realm defaults to the server name. */
export const SASL_DIGEST_URI = `${SASL_PROTOCOL}/${SASL_SERVER_NAME}`
export const SASL_REALM = SASL_SERVER_NAME

/** A DIGEST-MD5 token that breaks the syntax or the rules of RFC 2831, or a digest that does not match. */
export class DigestMd5Error extends Error {
  override name = 'DigestMd5Error'
}

/**
 * Parse a directive list: `key=value` or `key="quoted \" value"`, separated by commas with optional
 * white space. Keys are case-insensitive (lower-cased here); a repeated key is refused, except
 * `realm`, which a challenge may offer several times (the first is kept).
 */
export function parseDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>()
  let i = 0
  const skipSpace = () => {
    while (i < text.length && /[ \t\r\n]/.test(text[i]!)) i++
  }
  while (i < text.length) {
    skipSpace()
    if (text[i] === ',') {
      i++
      continue
    }
    if (i >= text.length) break
    const eq = text.indexOf('=', i)
    if (eq < 0) throw new DigestMd5Error(`directive without a value at offset ${i}: ${JSON.stringify(text.slice(i, i + 20))}`)
    const key = text.slice(i, eq).trim().toLowerCase()
    if (!/^[a-z0-9-]+$/.test(key)) throw new DigestMd5Error(`bad directive name ${JSON.stringify(key)}`)
    i = eq + 1
    skipSpace()
    let value = ''
    if (text[i] === '"') {
      i++
      for (;;) {
        if (i >= text.length) throw new DigestMd5Error(`unterminated quoted value of ${key}`)
        const c = text[i++]!
        if (c === '"') break
        if (c === '\\' && i < text.length) value += text[i++]!
        else value += c
      }
    } else {
      const end = text.indexOf(',', i)
      value = text.slice(i, end < 0 ? text.length : end).trim()
      i = end < 0 ? text.length : end
    }
    if (out.has(key)) {
      if (key === 'realm') continue
      throw new DigestMd5Error(`directive ${key} given twice`)
    }
    out.set(key, value)
    skipSpace()
    if (i < text.length && text[i] !== ',') throw new DigestMd5Error(`expected "," after ${key} at offset ${i}`)
  }
  return out
}

/** A quoted-string: backslash before `"` and `\`. */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`
}

/**
 * The bytes of a user name, realm or password: ISO 8859-1 when every character fits, else UTF-8
 * (RFC 2831 2.1.2.1 with charset=utf-8, as Java's mechanism encodes them).
 */
function credentialBytes(text: string): Buffer {
  // eslint-disable-next-line no-control-regex
  return /^[\u0000-\u00ff]*$/.test(text) ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8')
}

const md5 = (...parts: (Buffer | string)[]): Buffer => {
  const h = createHash('md5')
  for (const p of parts) h.update(p)
  return h.digest()
}

/** What both digests of one exchange are computed from. */
export interface DigestInputs {
  username: string
  realm: string
  password: string
  nonce: string
  cnonce: string
  /** The nonce count, 8 hex digits ("00000001"). */
  nc: string
  qop: string
  digestUri: string
  authzid?: string
}

/**
 * The response-value of RFC 2831 2.1.2.1 (md5-sess), hex: the client's `response` with `forServer`
 * false, the server's `rspauth` with it true (A2 then lacks "AUTHENTICATE").
 */
export function digestValue(p: DigestInputs, forServer: boolean): string {
  const secret = md5(credentialBytes(p.username), ':', credentialBytes(p.realm), ':', credentialBytes(p.password))
  const a1 = [secret, Buffer.from(`:${p.nonce}:${p.cnonce}`)]
  if (p.authzid !== undefined) a1.push(Buffer.from(`:${p.authzid}`))
  const ha1 = md5(...a1).toString('hex')
  let a2 = `${forServer ? '' : 'AUTHENTICATE'}:${p.digestUri}`
  if (p.qop === 'auth-int' || p.qop === 'auth-conf') a2 += ':00000000000000000000000000000000'
  const ha2 = md5(a2).toString('hex')
  return md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`).toString('hex')
}

/** Credentials of ClientOptions.sasl. */
export interface SaslCredentials {
  /** The user, as named in the server's JAAS Server section (`user_<username>`). */
  username: string
  /** Its password; it never goes over the wire, only digests made with it. */
  password: string
}

/**
 * The client's side of one exchange, as Java's DIGEST-MD5 client runs it for ZooKeeper: the first
 * token sent is empty, the answer to the challenge is the response, and the server's rspauth is
 * checked before the exchange counts as complete.
 */
export class DigestMd5Client {
  private expected: string | undefined
  private done = false

  constructor(
    private readonly credentials: SaslCredentials,
    private readonly cnonce: string = randomBytes(24).toString('base64'),
  ) {}

  get complete(): boolean {
    return this.done
  }

  /** The token to send for this server token: the response to the challenge, then nothing. */
  evaluate(token: Buffer): Buffer | undefined {
    if (this.expected === undefined) return this.respond(token)
    this.verify(token)
    return undefined
  }

  private respond(token: Buffer): Buffer {
    const challenge = parseDirectives(token.toString('utf8'))
    const nonce = challenge.get('nonce')
    if (!nonce) throw new DigestMd5Error('the server challenge has no nonce')
    const algorithm = challenge.get('algorithm')
    if (algorithm !== 'md5-sess') throw new DigestMd5Error(`the server challenge asks for algorithm ${algorithm ?? '(none)'}, not md5-sess`)
    const offered = (challenge.get('qop') ?? 'auth').split(',').map((q) => q.trim())
    if (!offered.includes('auth')) throw new DigestMd5Error(`the server offers qop ${offered.join(',')}, without "auth"`)
    const utf8 = challenge.get('charset')?.toLowerCase() === 'utf-8'
    const inputs: DigestInputs = {
      username: this.credentials.username,
      realm: challenge.get('realm') ?? '',
      password: this.credentials.password,
      nonce,
      cnonce: this.cnonce,
      nc: '00000001',
      qop: 'auth',
      digestUri: SASL_DIGEST_URI,
    }
    this.expected = digestValue(inputs, true)
    const fields = [
      ...(utf8 ? ['charset=utf-8'] : []),
      `username=${quote(inputs.username)}`,
      `realm=${quote(inputs.realm)}`,
      `nonce=${quote(nonce)}`,
      `nc=${inputs.nc}`,
      `cnonce=${quote(inputs.cnonce)}`,
      `digest-uri=${quote(inputs.digestUri)}`,
      'maxbuf=65536',
      `response=${digestValue(inputs, false)}`,
      'qop=auth',
    ]
    return Buffer.from(fields.join(','), utf8 ? 'utf8' : 'latin1')
  }

  private verify(token: Buffer): void {
    const rspauth = parseDirectives(token.toString('utf8')).get('rspauth')
    if (rspauth !== this.expected) throw new DigestMd5Error('the server did not prove it knows the password (rspauth mismatch)')
    this.done = true
  }
}
