// x500-name.ts against the JVM it imitates (integration/interop/X500Names.java, on the JDK real
// ZooKeeper 3.8 runs on here): which x509 ACL ids are valid (new X500Principal(id) accepts them), over
// hand-picked names and thousands of seeded random ones, and how a certificate's subject is printed
// (getName(), RFC 2253), over subjects with every string type, escapes and odd bytes.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { certificateSubject, isX500Name } from '../../src/ensemble/x500-name.js'
import { generateTestCerts } from '../../src/ensemble/test-certs.js'
import {
  BMP,
  IA5,
  PRINTABLE,
  T61,
  UTF8,
  altNameExtension,
  pemToDer,
  withSubject,
  x500Name,
  type Attribute,
} from '../../src/ensemble/der.test-helper.js'

const SRC = fileURLToPath(new URL('../interop/X500Names.java', import.meta.url))
const javaMissing = spawnSync('java', ['-version']).error ? 'java is not installed' : undefined
const opensslMissing = spawnSync('openssl', ['version']).error ? 'the openssl binary is not installed' : undefined

/** The JVM's answer to each input, in `mode` (see X500Names.java). */
function askJava(mode: 'valid' | 'subject', inputs: Buffer[]): string[] {
  const r = spawnSync('java', [SRC, mode], {
    input: inputs.map((b) => b.toString('base64')).join('\n') + '\n',
    maxBuffer: 1 << 28,
    timeout: 120_000,
  })
  if (r.status !== 0) throw new Error(`X500Names.java ${mode} failed: ${r.error?.message ?? r.stderr.toString()}`)
  return r.stdout
    .toString()
    .trim()
    .split('\n')
    .map((l) => Buffer.from(l, 'base64').toString('utf8'))
}

/** A seeded generator of small integers (a linear congruential one: the same names every run). */
function seeded(seed: number): (n: number) => number {
  return (n) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n
}

const NAMES = [
  '',
  'CN=a',
  'cn=a',
  'CN=a,O=b',
  'CN=a;O=b',
  'CN=a+OU=b',
  'CN=a, O=b',
  ' CN = a ',
  'CN=',
  'CN',
  '=a',
  'X=a',
  'OID.2.5.4.3=a',
  '2.5.4.3=a',
  'oid.2.5.4.3=a',
  '3.5=a',
  '2.99999=a',
  '1.40=a',
  '1.39=a',
  '2.5.=a',
  '2..5=a',
  '+2.5=a',
  '-0.5=a',
  '2.-5=a',
  '0=a',
  '2.5.4.3 =a',
  `2.${'9'.repeat(20)}=x`,
  `2.${'9'.repeat(9800)}=x`,
  `2.${'9'.repeat(10000)}=x`,
  '2.٥=a',
  '٢.5=a',
  'ıp=1',
  'ſt=x',
  'S=x',
  'T=x',
  'street=x',
  'EMAIL=a@b',
  'emailaddress=x',
  'DC=com',
  'UID=1',
  'SERIALNUMBER=5',
  'OID.=x',
  'OID.x=a',
  'OID.2=a',
  'CN=#0403616263',
  'CN=#04',
  'CN=#040',
  'CN=#0400',
  'CN=#040100',
  'CN=#zz',
  'CN=#1f00',
  'CN=#0485ffffffffff',
  'CN=#0484ffffffff',
  'CN=#3080040000',
  'CN=#2480040000',
  'CN=#248004000000',
  'CN=#30800000',
  'CN=#3080308000000000',
  'CN=#0400,O=b',
  'CN=#0400;junk',
  'CN="a,b"',
  'CN="a',
  'CN="a"x',
  'CN="a" ',
  'CN="a\\"b"',
  'CN="a\\x"',
  'CN="\\41"',
  'CN="\\4"',
  'CN="x,O=y',
  'CN="x"",O=y',
  'CN=a\\,b',
  'CN=a\\',
  'CN=a\\x',
  'CN=a\\41',
  'CN=a\\4g',
  'CN=a"b',
  'CN=a<b',
  'CN=a=b',
  'CN=a#b',
  'CN=#',
  'CN=\\#a',
  'CN=a\\ b',
  'CN=a+',
  '+CN=a',
  'CN=a,',
  ',CN=a',
  'CN=a,,O=b',
  'CN=a\\\\,O=b',
  'CN=a\\\\\\,O=b',
  'CN=x\\\\y\\\\,O=b',
  'CN=x\\y\\\\,O=b',
  'CN=a\\+OU=b',
  'CN=a\nb',
  '\tCN=a',
  'CN\t=a',
  'CN=é',
  'CN=zookit client \\#2,OU=Eng+UID=42,O=Acme\\, Inc.,C=US',
]

t.test('isX500Name agrees with new X500Principal(name)', { skip: javaMissing }, async (t) => {
  const next = seeded(42)
  const alphabets = [
    ['C', 'N', '=', ',', ';', '+', '"', '\\', ' ', '#', '0', '4', 'a', '\n', 'O', 'U', '2', '.', '<'],
    ['C', 'N', '=', ',', ';', '+', '"', '\\', ' ', '#', '0', '4', '8', 'f', '1', '.', 'O', 'I', 'D', '\r', '\t', 'é', '٥'],
  ]
  const random: string[] = []
  for (const alphabet of alphabets)
    for (let k = 0; k < 6000; k++) {
      let name = next(2) ? 'CN=' : ''
      for (let n = next(12); n > 0; n--) name += alphabet[next(alphabet.length)]
      random.push(name)
    }
  // Hex values: BER headers and lengths of every kind, definite and indefinite.
  const octets = [0x00, 0x80, 0x81, 0x82, 0x84, 0x85, 0x24, 0x30, 0x04, 0x01, 0x02, 0xff, 0x1f, 0xa0, 0x03, 0x7f]
  for (let k = 0; k < 6000; k++) {
    const bytes = Buffer.from(Array.from({ length: 2 + next(9) }, () => octets[next(octets.length)]!))
    if (next(2)) bytes[1] = 0x80
    random.push(`CN=#${bytes.toString('hex')}`)
  }
  const names = [...NAMES, ...random]
  const java = askJava(
    'valid',
    names.map((n) => Buffer.from(n, 'utf8')),
  )
  const disagree = names.filter((n, i) => (isX500Name(n) ? '1' : '0') !== java[i])
  t.same(disagree, [], `all ${names.length} names judged as Java judges them (${java.filter((a) => a === '1').length} valid)`)
  // The corpus means something only if it has both kinds.
  t.ok(java.includes('1') && java.includes('0'))
})

// Bytes that are not UTF-8, each ending a value (sequences cut short) and inside one.
const NOT_UTF8 = [
  'ff',
  'eda080',
  'c080',
  'e282',
  'e2',
  'e0',
  'e080',
  'e08080',
  'e0a0',
  'e0a080',
  'f09f98',
  'f09f',
  'f0',
  'f08080',
  'f0808080',
  'f4908080',
  'f5808080',
  'f7bfbfbf',
  'f49080',
  'f09f4141',
  'f09f9841',
  'e24141',
  'e2824141',
  'c241',
  'c2',
  '80',
  'bf',
  'c1bf',
  'eda0',
  'f4',
  'f48f',
  'f48fbf',
  'f48fbfbf',
  'efbfbf',
].flatMap((hex) => [Buffer.from(`61${hex}`, 'hex'), Buffer.from(`61${hex}62`, 'hex')])
const cn = (value: Buffer | string, tag = UTF8): Attribute => ({ type: '2.5.4.3', tag, value })
const SUBJECTS: Attribute[][][] = [
  [
    [{ type: '2.5.4.6', tag: PRINTABLE, value: 'US' }],
    [{ type: '2.5.4.10', tag: UTF8, value: 'Acme, Inc.' }],
    [
      { type: '2.5.4.11', tag: UTF8, value: 'Eng' },
      { type: '0.9.2342.19200300.100.1.1', tag: UTF8, value: '42' },
    ],
    [cn('zookit client #2')],
  ],
  [[cn(' a+b;c<d>e"f\\g=h#i ')]],
  [[cn('#lead')], [cn('\r x \r')], [cn('nul\0here')], [cn('  ')], [cn('')]],
  [[cn('Zoë 日本 😀 \u00a0')]],
  [[cn(Buffer.from([0x00, 0x41, 0x00, 0x42]), BMP)], [cn(Buffer.from([0x41, 0xe9]), T61)], [cn('ok', IA5)]],
  [[{ type: '0.9.2342.19200300.100.1.25', tag: IA5, value: 'com' }], [{ type: '0.9.2342.19200300.100.1.25', tag: IA5, value: 'example' }]],
  [[{ type: '1.2.840.113549.1.9.1', tag: IA5, value: 'alice@example.com' }], [{ type: '1.2.3.4', tag: UTF8, value: 'x' }]],
  [[cn(Buffer.from([0x05]), 0x02)], [cn(Buffer.alloc(0), 0x05)], [{ type: '2.999.18446744073709551616', tag: UTF8, value: 'big arc' }]],
  [[cn('x'.repeat(200))], [cn(Buffer.from('y'.repeat(300)), 0x04)]],
  [],
  NOT_UTF8.map((bytes) => [cn(bytes)]),
  [
    [{ type: '2.5.4.8', tag: UTF8, value: 'State' }],
    [{ type: '2.5.4.7', tag: UTF8, value: 'Town' }],
    [{ type: '2.5.4.9', tag: UTF8, value: '1 Main St' }],
    [{ type: '2.5.4.5', tag: PRINTABLE, value: '12345' }],
    [{ type: '2.5.4.12', tag: UTF8, value: 'Dr' }],
  ],
  // Not in DER's sorted order: printed as encoded.
  [[cn('z'), { type: '2.5.4.11', tag: UTF8, value: 'b' }, { type: '2.5.4.10', tag: UTF8, value: 'a' }]],
]

t.test(
  'certificateSubject prints subjects as getSubjectX500Principal().getName() does',
  { skip: javaMissing ?? opensslMissing },
  async (t) => {
    const certs = await generateTestCerts()
    t.teardown(() => certs.remove())
    const template = pemToDer(certs.client.cert)
    const empty = x500Name([])
    const certificates = [
      template,
      ...SUBJECTS.map((rdns) => withSubject(template, x500Name(rdns))),
      // An empty subject is read only with a critical subjectAltName.
      withSubject(template, empty, [altNameExtension('client.example', true)]),
      withSubject(template, empty, [altNameExtension('client.example', false)]),
      withSubject(template, empty, []),
    ]
    const java = askJava('subject', certificates)
    t.equal(java[0], 'CN=zookit-test-client', 'the generated client certificate')
    certificates.forEach((c, i) => {
      let mine: string
      try {
        mine = certificateSubject(c)
      } catch {
        mine = '!'
      }
      t.equal(mine, java[i], `subject ${i}`)
    })
  },
)
