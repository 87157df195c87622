// TLS for clients, as ZooKeeper's secureClientPort (with ssl.keyStore, ssl.trustStore and
// ssl.clientAuth): a node:tls server whose sockets, once the handshake is done, go to the same
// accept() as plain ones, so everything after the handshake is served the same way. A client that
// showed a certificate is handed over with its subject, which becomes its `x509` id.
import net from 'node:net'
import tls from 'node:tls'
import { logger } from '../debug.js'
import { certificateSubject } from './x500-name.js'

const log = logger('ensemble')

/** ZooKeeper's ssl.clientAuth: whether a client must (need), may (want) or may not (none) show a certificate. */
export type ClientAuth = 'need' | 'want' | 'none'

const CLIENT_AUTH: readonly ClientAuth[] = ['need', 'want', 'none']

/** A PEM text, or the bytes of one. */
export type Pem = string | Buffer

/** The secure client port of a server. */
export interface SecureClientOptions {
  /** Port (default 0: the OS picks one). In startEnsemble() server i of a quorum takes port + i. */
  port?: number
  /** The server's private key, PEM. */
  key: Pem
  /** The server's certificate (chain), PEM. */
  cert: Pem
  /** The CAs client certificates must chain to (ZooKeeper's trust store); Node's own roots when absent. */
  ca?: Pem | Pem[]
  /** ssl.clientAuth (default 'need', as ZooKeeper's). */
  clientAuth?: ClientAuth
  /** Serve clients over TLS only: no plain client port (ZooKeeper with secureClientPort and no clientPort). */
  only?: boolean
  /**
   * The x509 id that is also super: a client whose certificate's subject, as ZooKeeper prints it
   * (RFC 2253, e.g. "CN=admin,O=Acme"), is this string may do anything, as ZooKeeper's
   * zookeeper.X509AuthenticationProvider.superUser.
   */
  superUser?: string
}

/** How long a client may take over its TLS handshake (Netty's SslHandler default). */
const HANDSHAKE_TIMEOUT_MS = 10_000

function isPem(v: unknown): boolean {
  return (typeof v === 'string' && v.includes('-----BEGIN')) || (Buffer.isBuffer(v) && v.includes('-----BEGIN'))
}

/** Throw TypeError or RangeError, naming `where` and the option, unless `value` is valid SecureClientOptions. */
export function checkSecureClientOptions(value: unknown, where: string): asserts value is SecureClientOptions | undefined {
  if (value === undefined) return
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(`${where}: secureClient must be an object with key and cert, got ${value === null ? 'null' : typeof value}`)
  const o = value as Record<string, unknown>
  for (const name of ['key', 'cert'] as const)
    if (!isPem(o[name]))
      throw new TypeError(`${where}: secureClient.${name} must be PEM text (a string or Buffer with -----BEGIN), got ${typeof o[name]}`)
  if (o.ca !== undefined && !(Array.isArray(o.ca) ? o.ca.every(isPem) && o.ca.length > 0 : isPem(o.ca)))
    throw new TypeError(`${where}: secureClient.ca must be PEM text or a non-empty array of PEM texts`)
  if (o.clientAuth !== undefined && !CLIENT_AUTH.includes(o.clientAuth as ClientAuth))
    throw new RangeError(`${where}: secureClient.clientAuth must be ${CLIENT_AUTH.join(', ')}, got ${JSON.stringify(o.clientAuth)}`)
  if (o.only !== undefined && typeof o.only !== 'boolean') throw new TypeError(`${where}: secureClient.only must be true or false`)
  if (o.superUser !== undefined && typeof o.superUser !== 'string')
    throw new TypeError(`${where}: secureClient.superUser must be a string (a certificate subject), got ${typeof o.superUser}`)
  if (o.port !== undefined && !(typeof o.port === 'number' && Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535))
    throw new RangeError(`${where}: secureClient.port must be a whole number from 0 to 65535, got ${String(o.port)}`)
}

/**
 * Listen for TLS clients on `host`:`opts.port` and hand each socket whose handshake succeeded to
 * `accept`, with the subject of the certificate the client showed (none with clientAuth 'none', or
 * 'want' and no certificate). A client that fails the handshake (no or an untrusted certificate, or
 * plain text) is closed and logged; the listener serves on. Rejects when the key or certificate is
 * unusable or the port cannot be bound.
 */
export async function listenSecure(
  opts: SecureClientOptions,
  host: string,
  accept: (socket: net.Socket, subject: string | undefined) => void,
): Promise<tls.Server> {
  checkSecureClientOptions(opts, 'secureClient')
  const clientAuth = opts.clientAuth ?? 'need'
  let server: tls.Server
  try {
    server = tls.createServer({
      key: opts.key,
      cert: opts.cert,
      ca: opts.ca,
      requestCert: clientAuth !== 'none',
      // 'want' lets a client without a certificate in; one that shows a bad one is refused below.
      rejectUnauthorized: clientAuth === 'need',
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    })
  } catch (err) {
    throw new Error(`secureClient: the key or certificate is unusable: ${(err as Error).message}`, { cause: err })
  }
  server.on('secureConnection', (socket) => {
    const raw = clientAuth === 'none' ? undefined : socket.getPeerCertificate()?.raw
    if (clientAuth === 'want' && !socket.authorized && raw) {
      log('TLS client %s showed a certificate that does not verify: %s', socket.remoteAddress, socket.authorizationError)
      socket.destroy()
      return
    }
    let subject: string | undefined
    try {
      subject = raw ? certificateSubject(raw) : undefined
    } catch (err) {
      // Java could not read it either and would have failed the handshake.
      log('TLS client %s showed a certificate whose subject cannot be read: %s', socket.remoteAddress, (err as Error).message)
      socket.destroy()
      return
    }
    accept(socket, subject)
  })
  server.on('tlsClientError', (err, socket) => {
    log('TLS handshake with %s failed: %s', socket.remoteAddress, err.message)
    socket.destroy()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  // After listening, a server error (none is expected) is logged rather than left unhandled.
  server.on('error', (err) => log('secure client port: %s', err.message))
  return server
}
