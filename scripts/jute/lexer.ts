// Jute IDL text → tokens with line numbers. Comments are kept as tokens so docs can follow fields.

export type Token =
  | { kind: 'word'; text: string; line: number }
  | { kind: 'punct'; text: '{' | '}' | '<' | '>' | ';'; line: number }
  | { kind: 'comment'; text: string; line: number }

/** A lexing or parsing error with the file and line it is about. */
export class JuteSyntaxError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`)
    this.name = 'JuteSyntaxError'
  }
}

/** Split Jute source into tokens. */
export function lex(source: string, file: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  let line = 1
  while (i < source.length) {
    const c = source[i]!
    if (c === '\n') {
      line++
      i++
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++
    } else if (source.startsWith('//', i)) {
      const end = source.indexOf('\n', i)
      const stop = end < 0 ? source.length : end
      tokens.push({ kind: 'comment', text: source.slice(i + 2, stop).trim(), line })
      i = stop
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2)
      if (end < 0) throw new JuteSyntaxError(file, line, 'unterminated /* comment')
      const body = source.slice(i + 2, end)
      tokens.push({ kind: 'comment', text: body.replace(/^\s*\*?\s?/gm, '').trim(), line })
      line += (body.match(/\n/g) ?? []).length
      i = end + 2
    } else if (c === '{' || c === '}' || c === '<' || c === '>' || c === ';') {
      tokens.push({ kind: 'punct', text: c, line })
      i++
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1
      while (j < source.length && /[A-Za-z0-9_.]/.test(source[j]!)) j++
      tokens.push({ kind: 'word', text: source.slice(i, j), line })
      i = j
    } else {
      throw new JuteSyntaxError(file, line, `unexpected character ${JSON.stringify(c)}`)
    }
  }
  return tokens
}
