// A JAAS login configuration (the file `java.security.auth.login.config` names), read as Java's
// ConfigFile reads it, for what ZooKeeper's server takes from it: the DIGEST-MD5 users of its
// `Server` section, each an option `user_<name>="<password>"` of any login module listed there.

/** A JAAS file that Java would refuse, or one that gives the server no DIGEST-MD5 users. */
export class JaasError extends Error {
  override readonly name = 'JaasError'
}

/** One login module line of a section: `<class> <flag> key=value … ;`. */
export interface JaasModule {
  module: string
  flag: 'required' | 'requisite' | 'sufficient' | 'optional'
  options: Map<string, string>
}

type TokenKind = 'word' | 'string' | 'single-quoted' | 'number' | 'char' | 'end'

interface Token {
  kind: TokenKind
  text: string
  line: number
}

const isSpace = (c: number) => c <= 0x20
// java.io.StreamTokenizer's letters, plus the word characters ConfigFile adds ($, _, *).
const startsWord = (c: number) =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c >= 0xa0 || c === 0x24 || c === 0x5f || c === 0x2a
const startsNumber = (c: number) => (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d
const inWord = (c: number) => startsWord(c) || startsNumber(c)

/** StreamTokenizer's escapes inside a quoted string: \n, \t and the like, octal, else the character itself. */
const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' }

/** Split `text` into tokens as StreamTokenizer does with ConfigFile's settings. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let line = 1
  let i = 0
  const code = (at: number) => (at < text.length ? text.charCodeAt(at) : -1)
  while (i < text.length) {
    const c = code(i)
    if (c === 0x0a) {
      line++
      i++
    } else if (isSpace(c)) {
      i++
    } else if (c === 0x2f && code(i + 1) === 0x2a) {
      // A /* comment */; one never closed runs to the end.
      const end = text.indexOf('*/', i + 2)
      const stop = end < 0 ? text.length : end + 2
      for (let j = i; j < stop; j++) if (text.charCodeAt(j) === 0x0a) line++
      i = stop
    } else if (c === 0x2f) {
      // '/' is StreamTokenizer's comment character: // and a lone / both comment out the rest of the line.
      while (i < text.length && code(i) !== 0x0a) i++
    } else if (c === 0x22 || c === 0x27) {
      // A quoted string ends at its quote, or (as in StreamTokenizer) at the end of the line.
      const quote = c
      let value = ''
      i++
      while (i < text.length && code(i) !== quote && code(i) !== 0x0a && code(i) !== 0x0d) {
        if (code(i) !== 0x5c || i + 1 >= text.length) {
          value += text[i++]
          continue
        }
        const next = text[i + 1]!
        const octal = /^[0-7]/.test(next) ? /^[0-3][0-7]{0,2}|^[4-7][0-7]?/.exec(text.slice(i + 1))![0] : undefined
        if (octal !== undefined) {
          value += String.fromCharCode(parseInt(octal, 8))
          i += 1 + octal.length
        } else {
          value += ESCAPES[next] ?? next
          i += 2
        }
      }
      if (code(i) === quote) i++
      tokens.push({ kind: quote === 0x22 ? 'string' : 'single-quoted', text: value, line })
    } else if (startsWord(c)) {
      const start = i
      while (i < text.length && inWord(code(i))) i++
      tokens.push({ kind: 'word', text: text.slice(start, i), line })
    } else if (startsNumber(c)) {
      const start = i
      while (i < text.length && inWord(code(i))) i++
      tokens.push({ kind: 'number', text: text.slice(start, i), line })
    } else {
      tokens.push({ kind: 'char', text: text[i]!, line })
      i++
    }
  }
  tokens.push({ kind: 'end', text: '', line })
  return tokens
}

const FLAGS = new Set(['required', 'requisite', 'sufficient', 'optional'])

/** Every section of a JAAS file and its login modules, or a JaasError naming the line Java would refuse. */
export function parseJaas(text: string): Map<string, JaasModule[]> {
  const tokens = tokenize(text)
  let at = 0
  const peek = () => tokens[at]!
  const shown = (tok: Token) => (tok.kind === 'string' || tok.kind === 'single-quoted' ? JSON.stringify(tok.text) : `'${tok.text}'`)
  const fail = (tok: Token, wanted: string): never => {
    if (tok.kind === 'end') throw new JaasError(`the file ends where ${wanted} should be`)
    const hint = tok.kind === 'number' ? ` (quote it: "${tok.text}")` : tok.kind === 'single-quoted' ? ' (use double quotes)' : ''
    throw new JaasError(`line ${tok.line}: expected ${wanted}, found ${shown(tok)}${hint}`)
  }
  const expectChar = (ch: string) => {
    const tok = tokens[at++]!
    if (tok.kind !== 'char' || tok.text !== ch) fail(tok, `'${ch}'`)
  }
  const word = (wanted: string) => {
    const tok = tokens[at++]!
    return tok.kind === 'word' ? tok.text : fail(tok, wanted)
  }
  const sections = new Map<string, JaasModule[]>()
  while (peek().kind !== 'end') {
    const nameToken = peek()
    const name = word('a section name')
    if (sections.has(name)) throw new JaasError(`line ${nameToken.line}: a second section named ${name} (Java allows one)`)
    expectChar('{')
    const modules: JaasModule[] = []
    while (!(peek().kind === 'char' && peek().text === '}')) {
      const module = word("a login module's class name (or '}')")
      const flagToken = peek()
      const flag = word('a control flag (required, requisite, sufficient or optional)').toLowerCase()
      if (!FLAGS.has(flag))
        throw new JaasError(`line ${flagToken.line}: ${flagToken.text} is not a control flag (required, requisite, sufficient or optional)`)
      const options = new Map<string, string>()
      while (!(peek().kind === 'char' && peek().text === ';')) {
        const key = word("an option name (or ';')")
        expectChar('=')
        const valueToken = tokens[at++]!
        if (valueToken.kind !== 'word' && valueToken.kind !== 'string') fail(valueToken, `the value of ${key}`)
        if (valueToken.text.includes('${'))
          throw new JaasError(
            `line ${valueToken.line}: the value of ${key} names a Java system property (\${…}), which zookit cannot expand`,
          )
        options.set(key, valueToken.text)
      }
      expectChar(';')
      modules.push({ module, flag: flag as JaasModule['flag'], options })
    }
    expectChar('}')
    expectChar(';')
    sections.set(name, modules)
  }
  return sections
}

/** The option prefix ZooKeeper's SaslServerCallbackHandler takes DIGEST-MD5 users from. */
const USER_PREFIX = 'user_'

/**
 * The DIGEST-MD5 users of `section` (ZooKeeper's default: Server) of a JAAS file, name → password, as
 * ZooKeeper collects them: every `user_<name>` option of every module of the section, a later one
 * winning. A JaasError when the file does not parse or the section has no users.
 */
export function jaasDigestUsers(text: string, section = 'Server'): Record<string, string> {
  const modules = parseJaas(text).get(section)
  if (!modules?.length)
    throw new JaasError(
      `there is no ${section} section, or it lists no login module (ZooKeeper's server reads its DIGEST-MD5 users from it)`,
    )
  const users = new Map<string, string>()
  for (const m of modules)
    for (const [key, value] of m.options) {
      if (!key.startsWith(USER_PREFIX)) continue
      const name = key.slice(USER_PREFIX.length)
      if (name === '') throw new JaasError(`the ${section} section has an option ${key} with no user name after ${USER_PREFIX}`)
      users.set(name, value)
    }
  if (users.size === 0)
    throw new JaasError(
      `the ${section} section names no DIGEST-MD5 users (options user_NAME="PASSWORD"); Kerberos (GSSAPI) is not supported`,
    )
  // fromEntries keeps a user named __proto__ as a user.
  return Object.fromEntries(users)
}
