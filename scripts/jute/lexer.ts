// Jute IDL text → tokens with line numbers. Comments (// and /* */) become tokens too, so the parser
// can turn them into docs of the class or field they annotate.

/** One token. `line` is 1-based; a block comment reports the line it starts on. */
export type Token =
  | { kind: 'word'; text: string; line: number }
  | { kind: 'punct'; text: '{' | '}' | '<' | '>' | ';' | ','; line: number }
  | { kind: 'comment'; text: string; line: number; block: boolean }

/** A lexing or parsing error, with the file and line it is about. */
export class JuteSyntaxError extends Error {
  readonly file: string
  readonly line: number
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`)
    this.name = 'JuteSyntaxError'
    this.file = file
    this.line = line
  }
}

const PUNCT = new Set(['{', '}', '<', '>', ';', ','])

/** Split Jute source into tokens. Identifiers may be dotted (qualified module and record names). */
export function lex(source: string, file: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  let line = 1
  while (i < source.length) {
    const c = source[i]!
    if (c === '\n') {
      line++
      i++
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++
    } else if (source.startsWith('//', i)) {
      const nl = source.indexOf('\n', i)
      const stop = nl < 0 ? source.length : nl
      tokens.push({ kind: 'comment', text: source.slice(i + 2, stop).trim(), line, block: false })
      i = stop
    } else if (source.startsWith('/*', i)) {
      const close = source.indexOf('*/', i + 2)
      if (close < 0) throw new JuteSyntaxError(file, line, "unterminated /* comment: expected '*/' before end of file")
      const body = source.slice(i + 2, close)
      // Drop the decoration of /** … */ blocks: a leading '*' per line and blank edges.
      const text = body
        .split('\n')
        .map((l) => l.replace(/^\s*\*?\s?/, '').trimEnd())
        .join('\n')
        .trim()
      tokens.push({ kind: 'comment', text, line, block: true })
      for (let k = i; k < close; k++) if (source.charCodeAt(k) === 10) line++
      i = close + 2
    } else if (PUNCT.has(c)) {
      tokens.push({ kind: 'punct', text: c as '{', line })
      i++
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1
      while (j < source.length && /[A-Za-z0-9_.]/.test(source[j]!)) j++
      const text = source.slice(i, j)
      if (text.endsWith('.') || text.includes('..'))
        throw new JuteSyntaxError(file, line, `malformed qualified name ${JSON.stringify(text)}`)
      tokens.push({ kind: 'word', text, line })
      i = j
    } else {
      throw new JuteSyntaxError(file, line, `unexpected character ${JSON.stringify(c)}`)
    }
  }
  return tokens
}
