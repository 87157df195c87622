// Tokens → IDL model. Grammar: module QNAME { (class NAME { (type NAME ;)* })* }, where type is a
// primitive, vector<type> or a (qualified) record name. Errors name file:line and what was expected.
import { lex, JuteSyntaxError, type Token } from './lexer.js'
import { PRIMITIVE_KINDS, type Field, type JuteFile, type JuteType, type Module, type PrimitiveKind, type RecordDef } from './model.js'

type Sig = Exclude<Token, { kind: 'comment' }>
type Comment = Extract<Token, { kind: 'comment' }>

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Parse Jute source text; `file` is used in error messages and recorded on every record. */
export function parseJute(source: string, file = '<jute>'): JuteFile {
  // Separate significant tokens from comments. A comment on the same line as the token before it
  // trails that token (a field's doc); any other comment leads the token after it (a class's doc).
  const sig: Sig[] = []
  const leading: Comment[][] = []
  const trailing: Comment[][] = []
  let pending: Comment[] = []
  for (const t of lex(source, file)) {
    if (t.kind === 'comment') {
      const prev = sig[sig.length - 1]
      if (prev && t.line === prev.line && pending.length === 0) trailing[sig.length - 1]!.push(t)
      else pending.push(t)
    } else {
      sig.push(t)
      leading.push(pending)
      trailing.push([])
      pending = []
    }
  }

  let pos = 0
  const endLine = sig.length ? sig[sig.length - 1]!.line : 1
  const describe = (t: Sig | undefined) => (t ? `'${t.text}'` : 'end of file')
  const fail = (t: Sig | undefined, expected: string): never => {
    throw new JuteSyntaxError(file, t ? t.line : endLine, `expected ${expected}, found ${describe(t)}`)
  }
  const isPunct = (t: Sig | undefined, p: string) => t?.kind === 'punct' && t.text === p
  const expectPunct = (p: string, context: string): Sig => {
    const t = sig[pos]
    if (!isPunct(t, p)) fail(t, `'${p}' ${context}`)
    pos++
    return t!
  }
  const expectWord = (expected: string, pattern?: RegExp): Extract<Sig, { kind: 'word' }> => {
    const t = sig[pos]
    if (t?.kind !== 'word' || (pattern && !pattern.test(t.text))) return fail(t, expected)
    pos++
    return t
  }
  const docOf = (comments: Comment[]): string | undefined => {
    const text = comments
      .map((c) => c.text)
      .filter(Boolean)
      .join('\n')
      .trim()
    return text || undefined
  }

  const parseType = (): JuteType => {
    const t = expectWord('a type (int, long, boolean, buffer, ustring, byte, float, double, vector<…> or a record name)')
    if (PRIMITIVE_KINDS.has(t.text)) return { kind: t.text as PrimitiveKind }
    if (t.text === 'vector') {
      expectPunct('<', 'after vector')
      const element = parseType()
      expectPunct('>', 'to close vector<…>')
      return { kind: 'vector', element }
    }
    if (t.text === 'map') throw new JuteSyntaxError(file, t.line, 'map<…> fields are not supported by this generator')
    const dot = t.text.lastIndexOf('.')
    const name = dot < 0 ? t.text : t.text.slice(dot + 1)
    if (!IDENT.test(name)) fail(t, 'a record name')
    return { kind: 'record', name, module: dot < 0 ? undefined : t.text.slice(0, dot) }
  }

  const parseClass = (mod: Module): RecordDef => {
    const kwIndex = pos++
    const kw = sig[kwIndex]!
    const name = expectWord('a class name (a simple identifier)', IDENT)
    if (mod.records.some((r) => r.name === name.text)) {
      throw new JuteSyntaxError(file, name.line, `duplicate class ${name.text} in module ${mod.name}`)
    }
    const rec: RecordDef = { name: name.text, module: mod.name, fields: [], file, line: kw.line }
    const doc = docOf(leading[kwIndex]!)
    if (doc) rec.doc = doc
    expectPunct('{', `after class ${name.text}`)
    for (;;) {
      const t = sig[pos]
      if (isPunct(t, '}')) {
        pos++
        return rec
      }
      if (!t) fail(t, `a field or '}' to close class ${rec.name}`)
      const first = pos
      const type = parseType()
      const fieldName = expectWord(`a field name after the type in class ${rec.name}`, IDENT)
      expectPunct(';', `after field ${fieldName.text}`)
      if (rec.fields.some((f) => f.name === fieldName.text)) {
        throw new JuteSyntaxError(file, fieldName.line, `duplicate field ${fieldName.text} in class ${rec.name}`)
      }
      const field: Field = { name: fieldName.text, type, line: fieldName.line }
      const fdoc = docOf([...leading[first]!, ...trailing[pos - 1]!])
      if (fdoc) field.doc = fdoc
      rec.fields.push(field)
    }
  }

  const modules: Module[] = []
  while (pos < sig.length) {
    const kw = sig[pos]
    if (kw?.kind !== 'word' || kw.text !== 'module') fail(kw, "'module'")
    pos++
    const name = expectWord('a module name', /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/)
    const mod: Module = { name: name.text, records: [], line: kw!.line }
    expectPunct('{', `after module ${name.text}`)
    for (;;) {
      const t = sig[pos]
      if (isPunct(t, '}')) {
        pos++
        break
      }
      if (t?.kind !== 'word' || t.text !== 'class') fail(t, `'class' or '}' to close module ${mod.name}`)
      mod.records.push(parseClass(mod))
    }
    modules.push(mod)
  }
  return { file, modules }
}
