// DER by hand, for tests of x500-name.ts: X.500 names with any attribute types, string types and
// bytes (what openssl would refuse to put in a certificate), and certificates carrying them.

/** One DER element: tag, definite length (shortest form), content. */
export function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content)
  const n = body.length
  const length =
    n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]
  return Buffer.concat([Buffer.from([tag, ...length]), body])
}

/** An OBJECT IDENTIFIER from dotted decimal. */
export function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(BigInt)
  const bytes: number[] = []
  for (let arc of [first! * 40n + second!, ...rest]) {
    const groups = [Number(arc & 0x7fn)]
    for (arc >>= 7n; arc > 0n; arc >>= 7n) groups.unshift(Number(arc & 0x7fn) | 0x80)
    bytes.push(...groups)
  }
  return der(0x06, Buffer.from(bytes))
}

export const UTF8 = 0x0c
export const PRINTABLE = 0x13
export const T61 = 0x14
export const IA5 = 0x16
export const BMP = 0x1e

/** One attribute: a type (dotted OID) and a value of `tag` with `value`'s bytes (a string as UTF-8). */
export interface Attribute {
  type: string
  tag: number
  value: Buffer | string
}

/** A Name: RDNs most significant first, each a list of attributes (several make a multi-valued RDN), in the order given. */
export function x500Name(rdns: Attribute[][]): Buffer {
  const attribute = (a: Attribute) => der(0x30, oid(a.type), der(a.tag, Buffer.from(a.value)))
  return der(0x30, ...rdns.map((rdn) => der(0x31, ...rdn.map(attribute))))
}

/** The elements directly inside the DER element `outer`, with their whole encodings. */
function elements(outer: Buffer): Buffer[] {
  const headerLength = (at: number) => (outer[at + 1]! & 0x80 ? 2 + (outer[at + 1]! & 0x7f) : 2)
  const contentLength = (at: number) => {
    const first = outer[at + 1]!
    if (!(first & 0x80)) return first
    let n = 0
    for (let i = 0; i < (first & 0x7f); i++) n = n * 256 + outer[at + 2 + i]!
    return n
  }
  const out: Buffer[] = []
  for (let at = headerLength(0); at < outer.length;) {
    const end = at + headerLength(at) + contentLength(at)
    out.push(outer.subarray(at, end))
    at = end
  }
  return out
}

/**
 * `certificate` (DER) with its subject replaced by `subject` (a DER Name), and with `extensions`
 * (DER Extension elements) instead of its own if given. The signature no longer matches, which
 * parsing does not check: good for asking a certificate parser how it prints a name.
 */
export function withSubject(certificate: Buffer, subject: Buffer, extensions?: Buffer[]): Buffer {
  const [tbs, ...signature] = elements(certificate)
  const fields = elements(tbs!)
  fields[fields[0]![0] === 0xa0 ? 5 : 4] = subject
  const kept = extensions ? fields.filter((f) => f[0] !== 0xa3).concat(der(0xa3, der(0x30, ...extensions))) : fields
  return der(0x30, der(0x30, ...kept), ...signature)
}

/** A subjectAltName extension naming one DNS name, critical or not. */
export function altNameExtension(dnsName: string, critical: boolean): Buffer {
  const names = der(0x30, der(0x82, Buffer.from(dnsName)))
  return der(0x30, oid('2.5.29.17'), ...(critical ? [der(0x01, Buffer.from([0xff]))] : []), der(0x04, names))
}

/** The DER bytes of a PEM certificate. */
export function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64')
}

/**
 * The smallest certificate-shaped DER with `subject` (a DER Name) and `extensions` in it: enough for a
 * parser that reads only the subject (no key, no real validity).
 */
export function bareCertificate(subject: Buffer, extensions: Buffer[] = []): Buffer {
  const algorithm = der(0x30, oid('1.2.840.10045.4.3.2'))
  const version = der(0xa0, der(0x02, Buffer.from([2])))
  const fields = [version, der(0x02, Buffer.from([1])), algorithm, x500Name([]), der(0x30), subject, der(0x30)]
  const tbs = der(0x30, ...fields, ...(extensions.length ? [der(0xa3, der(0x30, ...extensions))] : []))
  return der(0x30, tbs, algorithm, der(0x03, Buffer.from([0])))
}
