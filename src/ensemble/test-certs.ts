// Throwaway X.509 material for TLS tests, minted with the `openssl` binary (Node cannot sign
// certificates itself): a CA, a server certificate for 127.0.0.1 and localhost, and client
// certificates, as PEM; on request also the PKCS12 key and trust stores a JVM wants. It sits with the
// server, not in src/testing, because `zookit ensemble --secure-port` without certificates uses it.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** A key and the certificate for it, PEM. */
export interface KeyPair {
  key: string
  cert: string
  /** Where they are on disk. */
  keyFile: string
  certFile: string
}

/** PKCS12 stores for a JVM (ssl.keyStore / ssl.trustStore, or zookeeper.ssl.* on a client). */
export interface JavaStores {
  /** The server's key and certificate chain. */
  serverKeyStore: string
  /** The client's key and certificate chain. */
  clientKeyStore: string
  /** The CA, as a trusted entry. */
  trustStore: string
  /** Password of all three. */
  password: string
}

/** A client certificate made by TestCerts.issueClient(). */
export interface ClientCert extends KeyPair {
  /** Its PKCS12 key store (with the CA), when the certificates were generated with `java: true`. */
  keyStore?: string
}

/** What generateTestCerts() made. */
export interface TestCerts {
  /** The directory holding every file; remove() deletes it. */
  dir: string
  /** The CA's certificate, PEM (what both sides trust). */
  ca: string
  caFile: string
  server: KeyPair
  client: KeyPair
  /** Present when asked for with `java: true`. */
  java?: JavaStores
  /**
   * Another client certificate from the same CA, with `subject` in openssl's -subj form, most
   * significant RDN first ("/C=US/O=Acme, Inc./CN=alice"; '+' joins a multi-valued RDN, a backslash
   * escapes '/' or '+'). `name` names its files and must be a new one.
   */
  issueClient(name: string, subject: string): Promise<ClientCert>
  remove(): void
}

/** Options of generateTestCerts(). */
export interface TestCertOptions {
  /** Also make PKCS12 stores for Java (takes keytool, about a second). */
  java?: boolean
  /** The CA's common name, so that two generated CAs are told apart in errors (default "zookit test CA"). */
  caName?: string
}

const DAYS = '2'
const CLIENT_EXTENSIONS = 'extendedKeyUsage=clientAuth\n'
const PASSWORD = 'zookit-test'

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd })
  } catch (err) {
    const e = err as Error & { code?: string; stderr?: string }
    const why = e.code === 'ENOENT' ? 'the openssl binary is not installed' : (e.stderr ?? e.message).trim()
    throw new Error(`generateTestCerts: openssl ${args[0]} failed: ${why}`, { cause: err })
  }
}

/** A P-256 key and a certificate for it signed by the CA in `dir`. */
async function issue(dir: string, name: string, subject: string, extensions: string): Promise<KeyPair> {
  const keyFile = path.join(dir, `${name}-key.pem`)
  const certFile = path.join(dir, `${name}.pem`)
  const extFile = path.join(dir, `${name}.ext`)
  writeFileSync(extFile, extensions)
  await openssl(
    ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-utf8', '-multivalue-rdn'].concat([
      '-keyout',
      keyFile,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    ]),
    dir,
  )
  await openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', DAYS].concat([
      '-out',
      certFile,
      '-extfile',
      extFile,
    ]),
    dir,
  )
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), keyFile, certFile }
}

/** A PKCS12 store holding `pair` with the CA above it. */
async function keyStore(dir: string, name: string, pair: KeyPair): Promise<string> {
  const file = path.join(dir, `${name}.p12`)
  await openssl(
    ['pkcs12', '-export', '-in', pair.certFile, '-inkey', pair.keyFile, '-certfile', 'ca.pem', '-name', name, '-out', file].concat([
      '-passout',
      `pass:${PASSWORD}`,
    ]),
    dir,
  )
  return file
}

/**
 * Make a fresh CA and, signed by it, a server certificate (CN localhost; SANs 127.0.0.1, ::1 and
 * localhost) and a client certificate (CN zookit-test-client), valid for two days, in a new
 * temporary directory. Rejects naming the openssl step that failed.
 */
export async function generateTestCerts(opts: TestCertOptions = {}): Promise<TestCerts> {
  const dir = mkdtempSync(path.join(tmpdir(), 'zookit-certs-'))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  try {
    const caName = opts.caName ?? 'zookit test CA'
    await openssl(
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', DAYS].concat([
        '-keyout',
        'ca-key.pem',
        '-out',
        'ca.pem',
        '-subj',
        `/CN=${caName}`,
      ]),
      dir,
    )
    const server = await issue(
      dir,
      'server',
      '/CN=localhost',
      'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth,clientAuth\n',
    )
    const client = await issue(dir, 'client', '/CN=zookit-test-client', CLIENT_EXTENSIONS)
    const caFile = path.join(dir, 'ca.pem')
    const certs: TestCerts = {
      dir,
      ca: readFileSync(caFile, 'utf8'),
      caFile,
      server,
      client,
      remove,
      async issueClient(name, subject) {
        if (!/^[\w-]+$/.test(name) || ['ca', 'server', 'client'].includes(name)) throw new TypeError(`issueClient: a bad name: ${name}`)
        const pair: ClientCert = await issue(dir, name, subject, CLIENT_EXTENSIONS)
        if (certs.java) pair.keyStore = await keyStore(dir, name, pair)
        return pair
      },
    }
    if (opts.java) {
      const trustStore = path.join(dir, 'truststore.p12')
      // OpenSSL 3.0 cannot mark a certificate as trusted for Java; keytool can.
      try {
        await run(
          'keytool',
          ['-importcert', '-noprompt', '-alias', 'ca', '-file', caFile, '-keystore', trustStore].concat([
            '-storetype',
            'PKCS12',
            '-storepass',
            PASSWORD,
          ]),
        )
      } catch (err) {
        throw new Error(`generateTestCerts: keytool failed: ${(err as Error & { stderr?: string }).stderr ?? (err as Error).message}`, {
          cause: err,
        })
      }
      certs.java = {
        serverKeyStore: await keyStore(dir, 'server', server),
        clientKeyStore: await keyStore(dir, 'client', client),
        trustStore,
        password: PASSWORD,
      }
    }
    return certs
  } catch (err) {
    remove()
    throw err
  }
}
