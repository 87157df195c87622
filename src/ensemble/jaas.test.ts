// JAAS files read as Java 17's ConfigFile reads them (each expectation below was what Java's
// javax.security.auth.login.Configuration made of the same text), and the DIGEST-MD5 users ZooKeeper's
// server takes from the Server section.
import t from 'tap'
import { jaasDigestUsers, parseJaas } from './jaas.js'

t.test('sections, modules, flags and options, with comments and quoting as Java has them', async (t) => {
  const text = String.raw`// a comment
/* a block
   comment */
Client {
  org.apache.zookeeper.server.auth.DigestLoginModule required
  username="bob" password="x";
};
Server {
  org.apache.zookeeper.server.auth.DigestLoginModule REQUIRED
  user_super="adm\"in\\sec\nret"
  user_bob=bobsecret / a lone slash comments out the rest of the line
  user_car-ol="c d"
  user_dot=a.b-c user_star=*x user_$x=$y
  user_é="ü" user_9=x
  user_esc="t\tab|\101|\q|\7|\777|\'";
  other.Module optional user_dan="d1";
};
`
  const sections = parseJaas(text)
  t.same([...sections.keys()], ['Client', 'Server'])
  const [digest, other] = sections.get('Server')!
  t.equal(digest!.module, 'org.apache.zookeeper.server.auth.DigestLoginModule')
  t.equal(digest!.flag, 'required', 'control flags in any case')
  t.same(Object.fromEntries(digest!.options), {
    user_super: 'adm"in\\sec\nret',
    user_bob: 'bobsecret',
    'user_car-ol': 'c d',
    user_dot: 'a.b-c',
    user_star: '*x',
    user_$x: '$y',
    user_é: 'ü',
    user_9: 'x',
    user_esc: "t\tab|A|q|\x07|?7|'",
  })
  t.same(other, { module: 'other.Module', flag: 'optional', options: new Map([['user_dan', 'd1']]) })
  t.same(jaasDigestUsers(text), {
    super: 'adm"in\\sec\nret',
    bob: 'bobsecret',
    'car-ol': 'c d',
    dot: 'a.b-c',
    star: '*x',
    $x: '$y',
    é: 'ü',
    9: 'x',
    esc: "t\tab|A|q|\x07|?7|'",
    dan: 'd1',
  })
  t.throws(() => jaasDigestUsers(text, 'Client'), { name: 'JaasError', message: /the Client section names no DIGEST-MD5 users/ })
})

t.test('a user named twice: the later one wins, within a module and across modules', async (t) => {
  const text = 'Server {\n m required user_d="1" user_d="2";\n n required user_d="3" user___proto__="p";\n};\n'
  const users = jaasDigestUsers(text)
  t.equal(users.d, '3')
  t.ok(Object.hasOwn(users, '__proto__'), 'a user named __proto__ is a user, not a prototype')
  t.equal(users['__proto__'], 'p')
  t.same(jaasDigestUsers('Server { m required user_a = "x" ; } ;'), { a: 'x' }, 'all on one line')
})

t.test('what Java refuses is refused, naming the line', async (t) => {
  const refused: [string, RegExp][] = [
    ['Server {\n m required user_b=123;\n};\n', /^line 2: expected the value of user_b, found '123' \(quote it: "123"\)$/],
    ['Server {\n m required user_a=-abc;\n};\n', /^line 2: expected the value of user_a, found '-abc'/],
    ["Server {\n m required user_a='single';\n};\n", /^line 2: expected the value of user_a, found "single" \(use double quotes\)$/],
    ['Server {\n m bogus user_a="x";\n};\n', /^line 2: bogus is not a control flag/],
    ['Server {\n m required user_a="x"\n};\n', /^line 3: expected an option name \(or ';'\), found '}'$/],
    ['Server {\n m required user_b=x\n n optional user_c=y;\n};\n', /^line 3: expected '=', found 'optional'$/],
    ['Server {\n m required user_a="x";\n}\n', /^the file ends where ';' should be$/],
    ['# hash\nServer {\n m required user_a="x";\n};\n', /^line 1: expected a section name, found '#'$/],
    ['Server {\n m required user_a="x";\n};\nServer {\n m required user_b="y";\n};\n', /^line 4: a second section named Server/],
    ['Server {\n m required user_a="x\ny";\n};\n', /^line 3: expected '=', found ";"$/],
    ['Server {\n m required user_a="${user.name}";\n};\n', /names a Java system property/],
  ]
  for (const [text, message] of refused) t.throws(() => parseJaas(text), { name: 'JaasError', message }, JSON.stringify(text))
})

t.test('a Server section ZooKeeper could not take users from', async (t) => {
  const refused: [string, RegExp][] = [
    ['Client {\n m required username="bob";\n};\n', /^there is no Server section/],
    ['server {\n m required user_a="x";\n};\n', /^there is no Server section/],
    ['Server {\n};\n', /^there is no Server section, or it lists no login module/],
    [
      'Server {\n com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true principal="zookeeper/host";\n};\n',
      /names no DIGEST-MD5 users .*Kerberos \(GSSAPI\) is not supported/,
    ],
    ['Server {\n m required user_="x";\n};\n', /an option user_ with no user name/],
  ]
  for (const [text, message] of refused) t.throws(() => jaasDigestUsers(text), { name: 'JaasError', message }, text)
})

t.test('any text either parses or is a JaasError (a seeded fuzz)', async (t) => {
  let seed = 12
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
  const pieces = [
    'Server',
    ' ',
    '\n',
    '{',
    '}',
    ';',
    '=',
    '"',
    "'",
    '\\',
    '/',
    '*',
    'user_a',
    'm',
    'required',
    '1',
    '-',
    '.',
    '$',
    '#',
    '\r',
    'é',
  ]
  let other = 0
  for (let i = 0; i < 3000; i++) {
    const text = Array.from({ length: next() % 40 }, () => pieces[next() % pieces.length]).join('')
    try {
      parseJaas(text)
    } catch (err) {
      if ((err as Error).name !== 'JaasError') other++
    }
  }
  t.equal(other, 0, 'no other error')
})
