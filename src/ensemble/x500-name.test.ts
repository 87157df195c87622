// X.500 names as Java prints and parses them (each case was checked against JDK 17; the differential
// test against the JVM itself is integration/security/x509-names.test.ts).
import t from 'tap'
import { certificateSubject, isX500Name, javaUtf8 } from './x500-name.js'
import { BMP, IA5, PRINTABLE, UTF8, altNameExtension, bareCertificate, x500Name, type Attribute } from './der.test-helper.js'

const attr = (type: string, value: Buffer | string, tag = UTF8): Attribute => ({ type, tag, value })
const subjectOf = (rdns: Attribute[][]) => certificateSubject(bareCertificate(x500Name(rdns)))

t.test('a subject prints last RDN first, multi-valued RDNs joined by + in encoded order', async (t) => {
  const name = [
    [attr('2.5.4.6', 'US', PRINTABLE)],
    [attr('2.5.4.10', 'Acme, Inc.')],
    [attr('2.5.4.11', 'Eng'), attr('0.9.2342.19200300.100.1.1', '42')],
    [attr('2.5.4.3', 'zookit client #2')],
  ]
  t.equal(subjectOf(name), 'CN=zookit client \\#2,OU=Eng+UID=42,O=Acme\\, Inc.,C=US')
  t.equal(subjectOf([[attr('2.5.4.3', 'z'), attr('2.5.4.11', 'b'), attr('2.5.4.10', 'a')]]), 'CN=z+OU=b+O=a')
})

t.test("values are escaped as Java's RFC 2253 output escapes them", async (t) => {
  t.equal(subjectOf([[attr('2.5.4.3', ' a+b;c<d>e"f\\g=h#i ')]]), 'CN=\\ a\\+b\\;c\\<d\\>e\\"f\\\\g\\=h\\#i\\ ')
  t.equal(subjectOf([[attr('2.5.4.3', '\r x \r')]]), 'CN=\\\r\\ x\\ \\\r', 'leading and trailing spaces and CRs')
  t.equal(subjectOf([[attr('2.5.4.3', 'nul\0here')]]), 'CN=nul\\00here')
  t.equal(subjectOf([[attr('2.5.4.3', '  ')]]), 'CN=\\ \\ ')
  t.equal(subjectOf([[attr('2.5.4.3', '')]]), 'CN=')
  t.equal(subjectOf([[attr('2.5.4.3', 'Zoë 日本 😀')]]), 'CN=Zoë 日本 😀', 'non-ASCII as is')
})

t.test('types without an RFC 2253 keyword, and values that are not text, print as #hex', async (t) => {
  t.equal(subjectOf([[attr('1.2.840.113549.1.9.1', 'a@b', IA5)]]), '1.2.840.113549.1.9.1=#1603614062')
  t.equal(subjectOf([[attr('2.5.4.5', '12345', PRINTABLE)]]), '2.5.4.5=#13053132333435', 'serialNumber')
  t.equal(subjectOf([[attr('2.5.4.3', Buffer.from([5]), 0x02)]]), 'CN=#020105', 'an INTEGER')
  t.equal(subjectOf([[attr('2.999.18446744073709551616', 'x')]]), '2.999.18446744073709551616=#0c0178', 'arcs past 64 bits')
  t.equal(subjectOf([[attr('0.9.2342.19200300.100.1.25', 'com', IA5)]]), 'DC=com')
  t.equal(subjectOf([[attr('2.5.4.3', Buffer.from([0, 0x41]), BMP)]]), 'CN=\\00A', 'JDK 17 reads a BMPString as UTF-8')
})

t.test('an empty subject needs a critical subjectAltName, as Java reads certificates', async (t) => {
  const empty = x500Name([])
  t.throws(() => certificateSubject(bareCertificate(empty)))
  t.throws(() => certificateSubject(bareCertificate(empty, [altNameExtension('client.example', false)])), 'not critical')
  t.equal(certificateSubject(bareCertificate(empty, [altNameExtension('client.example', true)])), '')
  t.throws(() => certificateSubject(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])), 'not a certificate')
  t.throws(() => certificateSubject(Buffer.alloc(0)))
})

t.test("bytes that are not UTF-8 decode as Java's String decodes them", async (t) => {
  const decode = (hex: string) => javaUtf8(Buffer.from(hex, 'hex'))
  t.equal(decode('61eda08062'), 'a\ufffdb', 'an encoded surrogate is one replacement')
  t.equal(decode('61f09f98'), 'a\ufffd', 'a sequence cut short by the end is one')
  t.equal(decode('61c08062'), 'a\ufffd\ufffdb', 'an overlong lead and its continuation')
  t.equal(decode('61e2824162'), 'a\ufffdAb')
  t.equal(decode('f09f9880'), '😀')
})

t.test('isX500Name: what new X500Principal(name) accepts', async (t) => {
  for (const name of ['', 'CN=a', 'cn=a;o=b', 'CN=a+OU=b', ' CN = a ', 'CN=', 'OID.2.5.4.3=a', '2.5.4.3=a', 'CN=#0403616263', 'CN="a,b"'])
    t.ok(isX500Name(name), `${JSON.stringify(name)} is valid`)
  for (const name of [
    'CN',
    'X=a',
    'CN=a,,O=b',
    'CN=a,',
    'CN=a\\x',
    'CN=a"b',
    'CN="a',
    'CN=#040',
    'CN=#0401',
    '3.5=a',
    '1.40=a',
    'nonsense',
  ])
    t.notOk(isX500Name(name), `${JSON.stringify(name)} is not`)
  t.ok(isX500Name('CN=a\\\\\\,O=b'), 'an escaped comma after an escaped backslash')
  t.notOk(isX500Name('CN=x\\y\\\\,O=b'), 'X500Name counts every backslash since the last separator, not only adjoining ones')
  t.ok(isX500Name('CN=#248004000000'), 'an indefinite-length constructed value')
})
