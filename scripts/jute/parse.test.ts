// The Jute lexer and parser: the model they build (types, qualified references, docs, lines) and
// errors that name file:line and say what was expected.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { lex, JuteSyntaxError } from './lexer.js'
import { parseJute } from './parse.js'

const SAMPLE = `/**
 * A licence block: not a doc of anything.
 */
module a.b {
    // Doc of R,
    // on two lines.
    class R {
        int i;              // an int
        long l;
        // leading doc of z
        boolean z;          // and its trailing doc
        buffer bu;
        ustring s;
        byte by; float f; double d;
        vector<int> vi;
        vector<vector<ustring>> names;
        S local;
        a.b.S qualified;
        c.T other;
    }
    /** Doc of S. */
    class S { long y; }
}
module c {
    class T {}
}
`

t.test('parses every type, qualified and local references, lines and docs', async (t) => {
  const f = parseJute(SAMPLE, 'sample.jute')
  t.equal(f.file, 'sample.jute')
  t.same(
    f.modules.map((m) => [m.name, m.line, m.records.map((r) => r.name)]),
    [
      ['a.b', 4, ['R', 'S']],
      ['c', 24, ['T']],
    ],
  )
  const r = f.modules[0]!.records[0]!
  t.match(r, { name: 'R', module: 'a.b', file: 'sample.jute', line: 7, doc: 'Doc of R,\non two lines.' })
  t.same(
    r.fields.map((x) => [x.name, x.type, x.line]),
    [
      ['i', { kind: 'int' }, 8],
      ['l', { kind: 'long' }, 9],
      ['z', { kind: 'boolean' }, 11],
      ['bu', { kind: 'buffer' }, 12],
      ['s', { kind: 'ustring' }, 13],
      ['by', { kind: 'byte' }, 14],
      ['f', { kind: 'float' }, 14],
      ['d', { kind: 'double' }, 14],
      ['vi', { kind: 'vector', element: { kind: 'int' } }, 15],
      ['names', { kind: 'vector', element: { kind: 'vector', element: { kind: 'ustring' } } }, 16],
      ['local', { kind: 'record', name: 'S', module: undefined }, 17],
      ['qualified', { kind: 'record', name: 'S', module: 'a.b' }, 18],
      ['other', { kind: 'record', name: 'T', module: 'c' }, 19],
    ],
  )
  t.equal(r.fields[0]!.doc, 'an int')
  t.equal(r.fields[1]!.doc, undefined)
  t.equal(r.fields[2]!.doc, 'leading doc of z\nand its trailing doc')
  const s = f.modules[0]!.records[1]!
  t.match(s, { name: 'S', doc: 'Doc of S.', line: 22 })
  t.same(f.modules[1]!.records[0]!.fields, [])
})

t.test('lexer: comments, lines and dotted words', async (t) => {
  const toks = lex('a.b /* x\n * y\n */ c // z\n;', 'x.jute')
  t.same(toks, [
    { kind: 'word', text: 'a.b', line: 1 },
    { kind: 'comment', text: 'x\ny', line: 1, block: true },
    { kind: 'word', text: 'c', line: 3 },
    { kind: 'comment', text: 'z', line: 3, block: false },
    { kind: 'punct', text: ';', line: 4 },
  ])
  t.same(lex('', 'x.jute'), [])
  t.same(
    lex('x\r\ny', 'x.jute').map((k) => k.line),
    [1, 2],
  )
})

t.test("parses the project's IDL files, matching ZooKeeper 3.8's layouts", async (t) => {
  const read = (name: string) => readFileSync(new URL(`../../jute/${name}`, import.meta.url), 'utf8')
  const zk = parseJute(read('zookeeper.jute'), 'jute/zookeeper.jute')
  t.same(
    zk.modules.map((m) => m.name),
    ['org.apache.zookeeper.data', 'org.apache.zookeeper.proto'],
  )
  const stat = zk.modules[0]!.records.find((r) => r.name === 'Stat')!
  t.same(
    stat.fields.map((f) => `${f.type.kind} ${f.name}`),
    [
      'long czxid',
      'long mzxid',
      'long ctime',
      'long mtime',
      'int version',
      'int cversion',
      'int aversion',
      'long ephemeralOwner',
      'int dataLength',
      'int numChildren',
      'long pzxid',
    ],
  )
  const q = parseJute(read('quorum.jute'), 'jute/quorum.jute')
  t.same(
    q.modules.map((m) => m.name),
    ['org.apache.zookeeper.txn', 'org.apache.zookeeper.server.quorum', 'org.apache.zookeeper.server.persistence'],
  )
  const txn = q.modules[0]!.records
  t.same(
    txn.find((r) => r.name === 'TxnHeader')!.fields.map((f) => `${f.type.kind} ${f.name}`),
    ['long clientId', 'int cxid', 'long zxid', 'long time', 'int type'],
  )
  t.same(
    txn.find((r) => r.name === 'CreateTxn')!.fields.map((f) => f.name),
    ['path', 'data', 'acl', 'ephemeral', 'parentCVersion'],
  )
  t.same(
    txn.find((r) => r.name === 'CreateTTLTxn')!.fields.map((f) => f.name),
    ['path', 'data', 'acl', 'parentCVersion', 'ttl'],
  )
  t.same(txn.find((r) => r.name === 'MultiTxn')!.fields[0]!.type, {
    kind: 'vector',
    element: { kind: 'record', name: 'Txn', module: 'org.apache.zookeeper.txn' },
  })
  const qp = q.modules[1]!.records.find((r) => r.name === 'QuorumPacket')!
  t.same(
    qp.fields.map((f) => f.name),
    ['type', 'zxid', 'data', 'authinfo'],
  )
  t.same(qp.fields[3]!.type, { kind: 'vector', element: { kind: 'record', name: 'Id', module: 'org.apache.zookeeper.data' } })
})

/** The message of the JuteSyntaxError thrown for `src`. */
function errorOf(src: string): string {
  try {
    parseJute(src, 'bad.jute')
  } catch (err) {
    if (err instanceof JuteSyntaxError) return err.message
    throw err
  }
  throw new Error('no error')
}

t.test('syntax errors name file:line and what was expected', async (t) => {
  t.equal(errorOf('module m {\n class C {\n  int x\n }\n}'), "bad.jute:4: expected ';' after field x, found '}'")
  t.equal(errorOf('module m {\n klass C {}\n}'), "bad.jute:2: expected 'class' or '}' to close module m, found 'klass'")
  t.equal(errorOf('module m {\n class C {\n  int x;\n  long x;\n }\n}'), 'bad.jute:4: duplicate field x in class C')
  t.equal(errorOf('module m {\n class C {}\n class C {}\n}'), 'bad.jute:3: duplicate class C in module m')
  t.equal(errorOf('module m {\n class C {\n  int x;\n'), "bad.jute:3: expected a field or '}' to close class C, found end of file")
  t.equal(errorOf('module m { class C { int @; } }'), 'bad.jute:1: unexpected character "@"')
  t.equal(
    errorOf('module m {\n\n /* never closed\n class C {}\n}'),
    "bad.jute:3: unterminated /* comment: expected '*/' before end of file",
  )
  t.equal(errorOf('module m {\n class C {\n  vector<int x;\n }\n}'), "bad.jute:3: expected '>' to close vector<…>, found 'x'")
  t.equal(errorOf('module m {\n class C {\n  vector int x;\n }\n}'), "bad.jute:3: expected '<' after vector, found 'int'")
  t.equal(errorOf('module m {\n class C {\n  map<ustring,int> m;\n }\n}'), 'bad.jute:3: map<…> fields are not supported by this generator')
  t.equal(errorOf('module m {\n class C {\n  int ;\n }\n}'), "bad.jute:3: expected a field name after the type in class C, found ';'")
  t.equal(errorOf('module m {\n class C {\n  int a.b;\n }\n}'), "bad.jute:3: expected a field name after the type in class C, found 'a.b'")
  t.equal(errorOf('module m {\n class a.C {}\n}'), "bad.jute:2: expected a class name (a simple identifier), found 'a.C'")
  t.equal(errorOf('module m {\n class C {\n  a..b x;\n }\n}'), 'bad.jute:3: malformed qualified name "a..b"')
  t.equal(errorOf('\n\nclass C {}'), "bad.jute:3: expected 'module', found 'class'")
  t.equal(errorOf('module {}'), "bad.jute:1: expected a module name, found '{'")
  t.equal(errorOf('module m\n\n class C {}'), "bad.jute:3: expected '{' after module m, found 'class'")
  t.equal(
    errorOf('module m {\n class C {\n  ; x;\n }\n}'),
    "bad.jute:3: expected a type (int, long, boolean, buffer, ustring, byte, float, double, vector<…> or a record name), found ';'",
  )
  t.equal(errorOf('module m {'), "bad.jute:1: expected 'class' or '}' to close module m, found end of file")
})

t.test('an empty file or one with only comments has no modules', async (t) => {
  t.same(parseJute('', 'e.jute').modules, [])
  t.same(parseJute('// nothing\n/* here */\n', 'e.jute').modules, [])
})
