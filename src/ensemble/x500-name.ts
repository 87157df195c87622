// X.500 names as Java's X500Principal sees them, for ZooKeeper's `x509` ACL scheme: a certificate's
// subject rendered as getName() prints it (RFC 2253), which is the id a TLS client is given, and
// whether a string is a name `new X500Principal(…)` accepts, which is what makes an x509 ACL id valid.
// The rules are JDK 17's, quirks included, because that is what ZooKeeper 3.8 runs on here;
// integration/security/x509-names.test.ts holds both functions to the JVM's own answers.

/** One DER element: where it starts, where its content starts, where it ends. */
interface Element {
  tag: number
  start: number
  contentStart: number
  end: number
}

/** The element at `pos`, which must end by `limit`; throws on anything that is not definite-length DER. */
function element(der: Buffer, pos: number, limit: number): Element {
  if (pos + 2 > limit) throw new Error('truncated DER')
  const tag = der[pos]!
  if ((tag & 0x1f) === 0x1f) throw new Error('a DER tag number over 30')
  let length = der[pos + 1]!
  let contentStart = pos + 2
  if (length & 0x80) {
    const lengthBytes = length & 0x7f
    if (lengthBytes === 0 || lengthBytes > 4 || contentStart + lengthBytes > limit) throw new Error('a bad DER length')
    length = 0
    for (let i = 0; i < lengthBytes; i++) length = length * 256 + der[contentStart++]!
  }
  if (contentStart + length > limit) throw new Error('truncated DER')
  return { tag, start: pos, contentStart, end: contentStart + length }
}

/** The elements inside a constructed one. */
function children(der: Buffer, parent: Element): Element[] {
  const out: Element[] = []
  for (let pos = parent.contentStart; pos < parent.end; pos = out[out.length - 1]!.end) out.push(element(der, pos, parent.end))
  return out
}

const SEQUENCE = 0x30
const SET = 0x31
const OID = 0x06

/** A DER object identifier's content as dotted decimal. */
function oidText(content: Buffer): string {
  if (content.length === 0 || content[content.length - 1]! & 0x80) throw new Error('an unterminated OID')
  const arcs: bigint[] = []
  let arc = 0n
  for (let i = 0; i < content.length; i++) {
    const b = content[i]!
    // A leading 0x80 would pad an arc; DER (and Java) refuse it.
    if (b === 0x80 && (i === 0 || !(content[i - 1]! & 0x80))) throw new Error('a padded OID arc')
    arc = (arc << 7n) | BigInt(b & 0x7f)
    if (!(b & 0x80)) {
      arcs.push(arc)
      arc = 0n
    }
  }
  const first = arcs[0]!
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n]
  return [...head, ...arcs.slice(1)].join('.')
}

/** The attribute types X500Principal names by keyword in RFC 2253 output; every other type is printed as its OID. */
const RFC2253_KEYWORDS = new Map([
  ['2.5.4.3', 'CN'],
  ['2.5.4.6', 'C'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.9', 'STREET'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
])

/** UTF8String, PrintableString, T61String, IA5String, GeneralString, BMPString: the values Java prints as text. */
const STRING_TAGS = new Set([0x0c, 0x13, 0x14, 0x16, 0x1b, 0x1e])

/** The characters Java's RFC 2253 output escapes with a backslash wherever they are. */
const ESCAPED_IN_OUTPUT = ',=+<>#;"\\'

/** DER's length octets for `n`. */
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

const isContinuation = (b: number | undefined) => b !== undefined && (b & 0xc0) === 0x80

/**
 * Bytes as Java's new String(bytes, UTF_8) decodes them. Where the bytes are not UTF-8 it puts one
 * U+FFFD for what WHATWG's decoder (Node's) may count as several: an encoded surrogate is one, and a
 * sequence cut short by the end is one, however long.
 */
export function javaUtf8(bytes: Buffer): string {
  const REPLACEMENT = '\ufffd'
  let out = ''
  let i = 0
  while (i < bytes.length) {
    const b1 = bytes[i++]!
    if (b1 < 0x80) {
      out += String.fromCharCode(b1)
    } else if (b1 >= 0xc2 && b1 <= 0xdf) {
      if (i === bytes.length) return out + REPLACEMENT
      // A byte that does not continue the sequence is read again as a start.
      if (!isContinuation(bytes[i])) out += REPLACEMENT
      else out += String.fromCharCode(((b1 & 0x1f) << 6) | (bytes[i++]! & 0x3f))
    } else if (b1 >= 0xe0 && b1 <= 0xef) {
      const b2 = bytes[i]
      const overlong = b1 === 0xe0 && b2 !== undefined && (b2 & 0xe0) === 0x80
      if (i + 1 >= bytes.length) {
        // Cut short: a bad second byte is read again; a good one ends the string with the lead.
        out += REPLACEMENT
        if (b2 !== undefined && (overlong || !isContinuation(b2))) continue
        return out
      }
      const b3 = bytes[i + 1]!
      if (overlong || !isContinuation(b2) || !isContinuation(b3)) {
        out += REPLACEMENT
        // The lead, and the second byte too when it was a fitting one, are skipped.
        if (!overlong && isContinuation(b2)) i++
        continue
      }
      const c = ((b1 & 0x0f) << 12) | ((b2! & 0x3f) << 6) | (b3 & 0x3f)
      out += c >= 0xd800 && c <= 0xdfff ? REPLACEMENT : String.fromCharCode(c)
      i += 2
    } else if (b1 >= 0xf0 && b1 <= 0xf7) {
      const b2 = bytes[i]
      const badSecond = (b: number) =>
        b1 > 0xf4 || (b1 === 0xf0 && (b < 0x90 || b > 0xbf)) || (b1 === 0xf4 && (b & 0xf0) !== 0x80) || !isContinuation(b)
      if (i + 2 >= bytes.length) {
        out += REPLACEMENT
        if (b1 > 0xf4 || (b2 !== undefined && badSecond(b2))) continue
        i++
        if (i < bytes.length && !isContinuation(bytes[i])) continue
        return out
      }
      const [b3, b4] = [bytes[i + 1]!, bytes[i + 2]!]
      const c = ((b1 & 0x07) << 18) | ((b2! & 0x3f) << 12) | ((b3 & 0x3f) << 6) | (b4 & 0x3f)
      if (!isContinuation(b2) || !isContinuation(b3) || !isContinuation(b4) || c < 0x10000 || c > 0x10ffff) {
        out += REPLACEMENT
        // Skipped: the lead, then each following byte while the sequence could still have been good.
        if (!badSecond(b2!)) i += isContinuation(b3) ? 2 : 1
        continue
      }
      out += String.fromCodePoint(c)
      i += 3
    } else {
      out += REPLACEMENT
    }
  }
  return out
}

/** One attribute type and value, as AVA.toRFC2253String renders it. */
function renderAttribute(der: Buffer, ava: Element): string {
  const parts = children(der, ava)
  if (ava.tag !== SEQUENCE || parts.length !== 2 || parts[0]!.tag !== OID) throw new Error('a malformed attribute')
  const [type, value] = parts as [Element, Element]
  const oid = oidText(der.subarray(type.contentStart, type.end))
  const keyword = RFC2253_KEYWORDS.get(oid) ?? oid
  const content = der.subarray(value.contentStart, value.end)
  // An OID-named type, or a value that is not text, is printed as '#' and the hex of its encoding.
  if (keyword === oid || !STRING_TAGS.has(value.tag))
    return `${keyword}=#${Buffer.concat([Buffer.from([value.tag]), derLength(content.length), content]).toString('hex')}`
  // JDK 17 decodes every string type as UTF-8, a BMPString's UTF-16 too (later JDKs decode each by its type).
  let text = ''
  for (const c of javaUtf8(content)) {
    if (ESCAPED_IN_OUTPUT.includes(c)) text += `\\${c}`
    else if (c === '\0') text += '\\00'
    else text += c
  }
  // Leading and trailing spaces and carriage returns are escaped too.
  const lead = text.length - text.replace(/^[ \r]+/, '').length
  const trail = text.replace(/[ \r]+$/, '').length
  let out = ''
  for (let i = 0; i < text.length; i++) out += i < lead || i >= trail ? `\\${text[i]}` : text[i]
  return `${keyword}=${out}`
}

/** Whether a certificate's extensions ([3]) hold a critical, non-empty subjectAltName. */
function hasCriticalAltNames(der: Buffer, extensions: Element | undefined): boolean {
  const list = extensions && children(der, extensions)[0]
  if (!list) return false
  return children(der, list).some((extension) => {
    const parts = children(der, extension)
    const [type, critical, value] = parts.length === 3 ? parts : [parts[0], undefined, parts[1]]
    if (!type || type.tag !== OID || oidText(der.subarray(type.contentStart, type.end)) !== '2.5.29.17' || !value) return false
    const isCritical = critical?.tag === 0x01 && critical.end > critical.contentStart && der[critical.contentStart] !== 0
    return isCritical && children(der, element(der, value.contentStart, value.end)).length > 0
  })
}

/**
 * The subject of a DER X.509 certificate as Java's X500Principal.getName() prints it (RFC 2253): the
 * last RDN first, RDNs joined by ',', the values of a multi-valued RDN by '+' in their encoded order.
 * Throws on a certificate it cannot read.
 */
export function certificateSubject(certificate: Buffer): string {
  const cert = element(certificate, 0, certificate.length)
  const tbs = cert.tag === SEQUENCE ? children(certificate, cert)[0] : undefined
  if (!tbs || tbs.tag !== SEQUENCE) throw new Error('not an X.509 certificate')
  // version [0] (optional), serialNumber, signature, issuer, validity, subject, …, extensions [3]
  const fields = children(certificate, tbs)
  const subject = fields[fields[0]?.tag === 0xa0 ? 5 : 4]
  if (!subject || subject.tag !== SEQUENCE) throw new Error('a certificate without a subject')
  const rdns = children(certificate, subject)
  // Java will not read a certificate with an empty subject unless a critical subjectAltName names it.
  if (
    rdns.length === 0 &&
    !hasCriticalAltNames(
      certificate,
      fields.find((f) => f.tag === 0xa3),
    )
  )
    throw new Error('an empty subject without a critical subjectAltName')
  return rdns
    .map((rdn) => {
      if (rdn.tag !== SET) throw new Error('a malformed RDN')
      return children(certificate, rdn)
        .map((ava) => renderAttribute(certificate, ava))
        .join('+')
    })
    .reverse()
    .join(',')
}

// ---- parsing, as X500Principal(String) does -----------------------------------------------------

/** The keywords X500Principal(String) knows (any case), besides OIDs. */
const KEYWORDS = new Set(
  'CN C L S ST O OU T IP STREET DC DNQUALIFIER DNQ SURNAME GIVENNAME INITIALS GENERATION EMAIL EMAILADDRESS UID SERIALNUMBER'.split(' '),
)

/** Java's String.trim: every character up to U+0020 goes from both ends. */
function javaTrim(s: string): string {
  return s.replace(/^[\0- ]+|[\0- ]+$/g, '')
}

const ASCII_HEX = /^[0-9A-Fa-f]$/

/** Java's Character.digit(c, 10): any decimal digit of the Basic Multilingual Plane, with its value; else -1. */
function javaDigit(c: string): number {
  const code = c.charCodeAt(0)
  if (code >= 0x30 && code <= 0x39) return code - 0x30
  const isDigit = (n: number) => n >= 0 && /^\p{Nd}$/u.test(String.fromCharCode(n))
  if (!isDigit(code)) return -1
  // Unicode's decimal digits come in runs of ten, zero first.
  let zero = code
  while (isDigit(zero - 1)) zero--
  return (code - zero) % 10
}

/** More significant digits than this make an arc too big for any OID Java allows (MAX_OID_BYTES). */
const MAX_ARC_DIGITS = 9000

/**
 * An OID arc as Java parses it (Integer.parseInt, or new BigInteger past nine characters): an optional
 * sign and at least one digit. Undefined when that fails, or when the number is too long for any OID
 * Java allows, which also keeps a hostile id from costing quadratic time.
 */
function arcValue(text: string): bigint | undefined {
  const signed = text[0] === '-' || text[0] === '+'
  if (text.length === (signed ? 1 : 0)) return undefined
  const digits: number[] = []
  for (let i = signed ? 1 : 0; i < text.length; i++) {
    const d = javaDigit(text[i]!)
    if (d < 0) return undefined
    if (d > 0 || digits.length > 0) digits.push(d)
  }
  if (digits.length > MAX_ARC_DIGITS) return undefined
  const n = digits.length === 0 ? 0n : BigInt(digits.join(''))
  return text[0] === '-' ? -n : n
}

/** The most encoded bytes Java allows an OID. */
const MAX_OID_BYTES = 4096

/** Whether Java's ObjectIdentifier takes a dotted OID string. */
function oidValid(text: string): boolean {
  const arcs = text.split('.')
  if (arcs.length < 2) return false
  let first = 0n
  let encoded = 0
  for (const [i, arcText] of arcs.entries()) {
    const arc = arcValue(arcText)
    if (arc === undefined || arc < 0n) return false
    if (i === 0) {
      if (arc > 2n) return false
      first = arc
      continue
    }
    if (i === 1 && first !== 2n && arc > 39n) return false
    const packed = i === 1 ? arc + 40n * first : arc
    encoded += Math.max(1, Math.ceil(packed.toString(2).length / 7))
    if (encoded > MAX_OID_BYTES) return false
  }
  return true
}

/** An attribute type: a keyword, or an OID (optionally "OID."-prefixed) starting with an ASCII digit. */
function keywordValid(keyword: string): boolean {
  const upper = javaTrim(keyword.toUpperCase())
  if (KEYWORDS.has(upper)) return true
  const oid = upper.startsWith('OID.') ? upper.slice(4) : upper
  return /^[0-9]/.test(oid) && oidValid(oid)
}

/**
 * Whether `bytes` are one BER element and nothing more, as Java's DerValue(byte[]) reads them: a
 * definite length of up to four bytes (any form), or an indefinite one on a constructed element,
 * resolved as DerIndefLenConverter resolves it.
 */
function berElementValid(bytes: Buffer): boolean {
  if (bytes.length < 2 || (bytes[0]! & 0x1f) === 0x1f) return false
  const first = bytes[1]!
  if (first === 0x80) return (bytes[0]! & 0x20) !== 0 && indefiniteValid(bytes)
  let pos = 2
  let length = first
  if (first & 0x80) {
    const lengthBytes = first & 0x7f
    if (lengthBytes > 4 || bytes.length < 2 + lengthBytes) return false
    length = 0
    for (let i = 0; i < lengthBytes; i++) length = length * 256 + bytes[pos++]!
    if (length > 0x7fffffff) return false
  }
  return pos + length === bytes.length
}

/**
 * DerIndefLenConverter's walk: element headers one after another, the content of a definite-length
 * element skipped, an indefinite length opening a level and an end-of-contents (00 00) closing one,
 * until the outer level closes; then nothing may follow.
 */
function indefiniteValid(bytes: Buffer): boolean {
  let open = 0
  let pos = 0
  while (pos < bytes.length) {
    if (pos + 2 > bytes.length) return false
    if (bytes[pos] === 0 && bytes[pos + 1] === 0) {
      if (open === 0) return false
      open--
      pos += 2
    } else {
      const first = bytes[pos + 1]!
      pos += 2
      if (first === 0x80) {
        open++
      } else if (first & 0x80) {
        const lengthBytes = first & 0x7f
        // The converter wants one byte beyond the length octets before it reads them.
        if (lengthBytes > 4 || bytes.length - pos < lengthBytes + 1) return false
        let length = 0
        for (let i = 0; i < lengthBytes; i++) length = length * 256 + bytes[pos++]!
        if (length > 0x7fffffff) return false
        pos += length
      } else {
        pos += first
      }
    }
    if (open === 0) break
  }
  return open === 0 && pos === bytes.length
}

/** "#hex" from `i` (after the '#'): hex digits up to a '+', ',' or ';' (the rest is never read), making one BER element. */
function hexValueValid(ava: string, i: number): boolean {
  let end = i
  while (end < ava.length && !'+,;'.includes(ava[end]!)) {
    if (!ASCII_HEX.test(ava[end]!)) return false
    end++
  }
  const digits = end - i
  return digits > 0 && digits % 2 === 0 && berElementValid(Buffer.from(ava.slice(i, end), 'hex'))
}

const ESCAPABLE_IN_QUOTES = ',=\n+<>#;\\"'
const ESCAPABLE = ',=\n+<>#;\\" '
const MUST_BE_ESCAPED = ',+<>;"'

/** A quoted value from `i` (after the opening quote): closed, escapes valid, then only spaces and newlines. */
function quotedValueValid(ava: string, i: number): boolean {
  for (;;) {
    if (i >= ava.length) return false
    const c = ava[i++]!
    if (c === '"') break
    if (c !== '\\') continue
    if (i >= ava.length) return false
    const escaped = ava[i++]!
    if (ASCII_HEX.test(escaped)) {
      if (i >= ava.length || !ASCII_HEX.test(ava[i]!)) return false
      i++
    } else if (!ESCAPABLE_IN_QUOTES.includes(escaped)) {
      return false
    }
  }
  while (ava[i] === ' ' || ava[i] === '\n') i++
  return i === ava.length
}

/** An unquoted value from `i`, up to a '+', ',' or ';' (the rest is never read): escapes valid, specials escaped. */
function plainValueValid(ava: string, i: number): boolean {
  do {
    const c = ava[i]!
    if (c === '\\') {
      if (++i >= ava.length) return false
      const escaped = ava[i]!
      if (ASCII_HEX.test(escaped)) {
        if (++i >= ava.length || !ASCII_HEX.test(ava[i]!)) return false
      } else if (!ESCAPABLE.includes(escaped)) {
        return false
      }
    } else if (MUST_BE_ESCAPED.includes(c)) {
      return false
    }
    i++
  } while (i < ava.length && !'+,;'.includes(ava[i]!))
  return true
}

/** One "type=value". */
function attributeValid(ava: string): boolean {
  const eq = ava.indexOf('=')
  if (eq < 0 || !keywordValid(ava.slice(0, eq))) return false
  let i = eq + 1
  while (ava[i] === ' ' || ava[i] === '\n') i++
  if (i === ava.length) return true
  if (ava[i] === '#') return hexValueValid(ava, i + 1)
  if (ava[i] === '"') return quotedValueValid(ava, i + 1)
  return plainValueValid(ava, i)
}

/** Quotes in s[from, to) that no backslash directly precedes (the first always counts). */
function unescapedQuotes(s: string, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) if (s[i] === '"' && (i === from || s[i - 1] !== '\\')) n++
  return n
}

/**
 * Whether the separator at `at` is escaped, as X500Name judges it: by the backslash before it, or
 * when two precede it, by whether the backslashes in s[from, at) are odd in number (all of them,
 * not only the adjoining ones).
 */
function separatorEscaped(s: string, at: number, from: number): boolean {
  if (at < 1 || s[at - 1] !== '\\') return false
  if (at === 1 || s[at - 2] !== '\\') return true
  let backslashes = 0
  for (let i = from; i < at; i++) if (s[i] === '\\') backslashes++
  return backslashes % 2 === 1
}

/** `s` cut at each of `separators` that `isSeparator` judges one (given the quotes seen since the last cut). */
function split(s: string, separators: string, isSeparator: (at: number, from: number, quotes: number) => boolean): string[] {
  const pieces: string[] = []
  let start = 0
  let from = 0
  let quotes = 0
  // Where each separator next occurs, looked up again only once passed: a name is at most jute's
  // maxbuffer long, and searching from every separator for one that never comes would be quadratic.
  const next = [...separators].map((sep) => ({ sep, at: s.indexOf(sep) }))
  for (;;) {
    let at = -1
    for (const n of next) {
      if (n.at >= 0 && n.at < from) n.at = s.indexOf(n.sep, from)
      if (n.at >= 0 && (at < 0 || n.at < at)) at = n.at
    }
    if (at < 0) break
    quotes += unescapedQuotes(s, from, at)
    if (isSeparator(at, from, quotes)) {
      pieces.push(s.slice(start, at))
      start = at + 1
      quotes = 0
    }
    from = at + 1
  }
  pieces.push(s.slice(start))
  return pieces
}

/**
 * Whether `new X500Principal(name)` accepts `name` (RFC 1779 or 2253 syntax, as JDK 17 parses it):
 * the check ZooKeeper's X509AuthenticationProvider.isValid makes of an x509 ACL id. "" is the empty
 * name, and valid.
 */
export function isX500Name(name: string): boolean {
  if (name === '') return true
  // RDNs split at ',' or ';' unless escaped or inside an open quote.
  const rdns = split(name, ',;', (at, from, quotes) => quotes !== 1 && !separatorEscaped(name, at, from))
  return rdns.every((rdn) => {
    // Attributes split at '+' unless right after a backslash, or inside an open quote.
    const avas = split(rdn, '+', (at, _from, quotes) => at > 0 && rdn[at - 1] !== '\\' && quotes !== 1)
    return avas.every((ava) => ava !== '' && attributeValid(ava))
  })
}
