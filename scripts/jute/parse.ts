// Tokens → IDL model. Every error names file:line and what was expected.
import { lex, JuteSyntaxError, type Token } from './lexer.js'
import type { Field, JuteFile, JuteType, Module, RecordDef } from './model.js'

const PRIMITIVES = new Set(['int', 'long', 'boolean', 'buffer', 'ustring', 'byte', 'float', 'double'])

/** Parse Jute source text. */
export function parseJute(source: string, file = '<jute>'): JuteFile {
  const all = lex(source, file)
  let pos = 0
  let pendingDoc: string[] = []

  const peek = (): Token | undefined => {
    while (all[pos]?.kind === 'comment') pendingDoc.push(all[pos++]!.text)
    return all[pos]
  }
  const lastLine = () => all[all.length - 1]?.line ?? 1
  const next = (expected: string): Token => {
    const t = peek()
    if (!t) throw new JuteSyntaxError(file, lastLine(), `expected ${expected}, found end of file`)
    pos++
    return t
  }
  const word = (expected: string): string => {
    const t = next(expected)
    if (t.kind !== 'word') throw new JuteSyntaxError(file, t.line, `expected ${expected}, found ${JSON.stringify(t.text)}`)
    return t.text
  }
  const punct = (p: string): void => {
    const t = next(`'${p}'`)
    if (t.kind !== 'punct' || t.text !== p) throw new JuteSyntaxError(file, t.line, `expected '${p}', found ${JSON.stringify(t.text)}`)
  }
  const takeDoc = (): string | undefined => {
    const d = pendingDoc.join('\n').trim()
    pendingDoc = []
    return d || undefined
  }
  /** A trailing comment on `line`, consumed if present. */
  const trailing = (line: number): string | undefined => {
    const t = all[pos]
    if (t?.kind === 'comment' && t.line === line) {
      pos++
      return t.text
    }
    return undefined
  }

  const parseType = (): JuteType => {
    const t = next('a type')
    if (t.kind !== 'word') throw new JuteSyntaxError(file, t.line, `expected a type, found ${JSON.stringify(t.text)}`)
    if (PRIMITIVES.has(t.text)) return { kind: t.text as 'int' }
    if (t.text === 'vector') {
      punct('<')
      const element = parseType()
      punct('>')
      return { kind: 'vector', element }
    }
    const dot = t.text.lastIndexOf('.')
    return dot < 0 ? { kind: 'record', name: t.text, module: undefined } : { kind: 'record', name: t.text.slice(dot + 1), module: t.text.slice(0, dot) }
  }

  const modules: Module[] = []
  while (peek()) {
    pendingDoc = []
    const kw = next("'module'")
    if (kw.kind !== 'word' || kw.text !== 'module') throw new JuteSyntaxError(file, kw.line, `expected 'module', found ${JSON.stringify(kw.text)}`)
    const mod: Module = { name: word('a module name'), records: [] }
    punct('{')
    for (;;) {
      pendingDoc = []
      const t = peek()
      if (!t) throw new JuteSyntaxError(file, lastLine(), `expected 'class' or '}' in module ${mod.name}, found end of file`)
      if (t.kind === 'punct' && t.text === '}') {
        pos++
        break
      }
      const doc = takeDoc()
      const cls = next("'class'")
      if (cls.kind !== 'word' || cls.text !== 'class') throw new JuteSyntaxError(file, cls.line, `expected 'class' or '}', found ${JSON.stringify(cls.text)}`)
      const rec: RecordDef = { name: word('a class name'), module: mod.name, fields: [], doc, line: cls.line }
      punct('{')
      for (;;) {
        pendingDoc = []
        const f = peek()
        if (!f) throw new JuteSyntaxError(file, lastLine(), `expected a field or '}' in class ${rec.name}, found end of file`)
        if (f.kind === 'punct' && f.text === '}') {
          pos++
          break
        }
        const type = parseType()
        const nameTok = next('a field name')
        if (nameTok.kind !== 'word') throw new JuteSyntaxError(file, nameTok.line, `expected a field name, found ${JSON.stringify(nameTok.text)}`)
        punct(';')
        const field: Field = { name: nameTok.text, type, line: nameTok.line }
        const doc = trailing(nameTok.line)
        if (doc) field.doc = doc
        if (rec.fields.some((x) => x.name === field.name)) throw new JuteSyntaxError(file, field.line, `duplicate field ${field.name} in class ${rec.name}`)
        rec.fields.push(field)
      }
      mod.records.push(rec)
    }
    modules.push(mod)
  }
  return { file, modules }
}
