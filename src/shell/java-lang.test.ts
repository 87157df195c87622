// Java's number parsing and ZooKeeper's path check, with the messages zkCli prints for them.
import t from 'tap'
import { JavaCrash } from './errors.js'
import { javaDecode, javaParseInt, javaParseLong, javaPathProblem } from './java-lang.js'

const nfe = (message: string) => new JavaCrash('java.lang.NumberFormatException', message)

t.test('Integer.parseInt and Long.parseLong', async (t) => {
  t.equal(javaParseInt('42'), 42)
  t.equal(javaParseInt('+7'), 7)
  t.equal(javaParseInt('-1'), -1)
  t.equal(javaParseInt('-2147483648'), -2147483648)
  t.throws(() => javaParseInt('2147483648'), nfe('For input string: "2147483648"'))
  t.throws(() => javaParseInt('x'), nfe('For input string: "x"'))
  t.throws(() => javaParseInt(''), nfe('For input string: ""'))
  t.throws(() => javaParseInt('-'), nfe('For input string: "-"'))
  t.throws(() => javaParseInt(' 1'), nfe('For input string: " 1"'))
  t.equal(javaParseLong('1099511627775'), 1099511627775n)
  t.equal(javaParseLong('-9223372036854775808'), -9223372036854775808n)
  t.throws(() => javaParseLong('9223372036854775808'), nfe('For input string: "9223372036854775808"'))
})

t.test('Integer.decode, as redo reads its index', async (t) => {
  t.equal(javaDecode('12'), 12)
  t.equal(javaDecode('0x1f'), 31)
  t.equal(javaDecode('#10'), 16)
  t.equal(javaDecode('010'), 8, 'a leading 0 is octal')
  t.equal(javaDecode('0'), 0)
  t.equal(javaDecode('-1'), -1)
  t.throws(() => javaDecode('x'), nfe('For input string: "x"'), 'what zkCli.sh printed for "redo x"')
  t.throws(() => javaDecode(''), nfe('Zero length string'))
  t.throws(() => javaDecode('08'), nfe('For input string: "8" under radix 8'))
  t.throws(() => javaDecode('0x'), nfe('For input string: "" under radix 16'))
  t.throws(() => javaDecode('-x'), nfe('For input string: "-x"'))
  t.throws(() => javaDecode('0x-1'), nfe('Sign character in wrong position'))
  t.equal(
    new JavaCrash('java.lang.NumberFormatException', 'For input string: "x"').line,
    'Exception in thread "main" java.lang.NumberFormatException: For input string: "x"',
  )
})

t.test("PathUtils.validatePath's messages", async (t) => {
  t.equal(javaPathProblem('/'), undefined)
  t.equal(javaPathProblem('/a/b.c/..d'), undefined)
  t.equal(javaPathProblem(''), 'Path length must be > 0')
  t.equal(javaPathProblem('a'), 'Path must start with / character')
  t.equal(javaPathProblem('/a/'), 'Path must not end with / character')
  t.equal(javaPathProblem('/a/', true), undefined, 'a sequential path is checked with "1" appended')
  t.equal(javaPathProblem('/', true), undefined)
  t.equal(javaPathProblem('/a//b'), 'Invalid path string "/a//b" caused by empty node name specified @3')
  t.equal(javaPathProblem('/a/./b'), 'Invalid path string "/a/./b" caused by relative paths not allowed @3')
  t.equal(javaPathProblem('/a/..'), 'Invalid path string "/a/.." caused by relative paths not allowed @4')
  t.equal(javaPathProblem('/a\u0000'), 'Invalid path string "/a\u0000" caused by null character not allowed @2')
  t.equal(javaPathProblem('/a\u0001'), 'Invalid path string "/a\u0001" caused by invalid character @2')
  t.equal(javaPathProblem('/a\ud800'), 'Invalid path string "/a\ud800" caused by invalid character @2')
})
