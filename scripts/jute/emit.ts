// IDL model → one generated TypeScript module, built from ts-morph Structures: an interface plus an
// encodeX/decodeX pair per record, and a `recordSchemas` table describing them all.
import { Project, StructureKind, VariableDeclarationKind, type SourceFile } from 'ts-morph'
import { minEncodedSize, type JuteFile, type JuteType, type RecordDef } from './model.js'

/** What one output file is made of. */
export interface EmitInput {
  /** The IDL file this output comes from, for the header ("jute/zookeeper.jute"). */
  sourceName: string
  /** Parsed IDL of this output. */
  jute: JuteFile
  /** Records defined by other outputs, with the module specifier to import them from. */
  imported: Map<string, { record: RecordDef; from: string }>
}

const PRIM_TS: Record<string, string> = {
  int: 'number',
  byte: 'number',
  float: 'number',
  double: 'number',
  long: 'bigint',
  boolean: 'boolean',
  buffer: 'Buffer | null',
  ustring: 'string',
}
const PRIM_READ: Record<string, string> = {
  int: 'r.int()',
  byte: 'r.int()',
  float: 'r.int()',
  double: 'r.long()',
  long: 'r.long()',
  boolean: 'r.bool()',
  buffer: 'r.bufferOrNull()',
  ustring: 'r.ustring()',
}
const PRIM_WRITE: Record<string, string> = {
  int: 'int',
  byte: 'int',
  float: 'int',
  double: 'long',
  long: 'long',
  boolean: 'bool',
  buffer: 'buffer',
  ustring: 'ustring',
}

/** Emit the generated module for `input` into `project` at `outPath`. */
export function emitModule(project: Project, outPath: string, input: EmitInput): SourceFile {
  const local = new Map<string, RecordDef>()
  for (const m of input.jute.modules) {
    for (const r of m.records) {
      if (local.has(r.name) || input.imported.has(r.name)) {
        throw new Error(`${input.sourceName}:${r.line}: record name ${r.name} is defined twice; generated names must be unique`)
      }
      local.set(r.name, r)
    }
  }
  const all = new Map<string, RecordDef>([...[...input.imported].map(([k, v]) => [k, v.record] as const), ...local])
  const usedImports = new Map<string, Set<string>>()

  const resolve = (t: JuteType & { kind: 'record' }, where: RecordDef): RecordDef => {
    const r = all.get(t.name)
    if (!r || (t.module !== undefined && r.module !== t.module)) {
      throw new Error(`${input.sourceName}:${where.line}: unknown record ${t.module ? `${t.module}.` : ''}${t.name} in ${where.name}`)
    }
    const imp = input.imported.get(r.name)
    if (imp && !local.has(r.name)) {
      const set = usedImports.get(imp.from) ?? new Set<string>()
      set.add(r.name).add(`encode${r.name}`).add(`decode${r.name}`)
      usedImports.set(imp.from, set)
    }
    return r
  }

  const tsType = (t: JuteType, where: RecordDef): string => {
    if (t.kind === 'vector') return `${wrap(tsType(t.element, where))}[]`
    if (t.kind === 'record') return resolve(t, where).name
    return PRIM_TS[t.kind]!
  }
  const wrap = (s: string) => (s.includes('|') ? `(${s})` : s)

  const readExpr = (t: JuteType, where: RecordDef): string => {
    if (t.kind === 'vector') return `r.vector(${minEncodedSize(t.element, all)}, (r) => ${readExpr(t.element, where)})`
    if (t.kind === 'record') return `decode${resolve(t, where).name}(r)`
    return PRIM_READ[t.kind]!
  }
  const writeStmt = (t: JuteType, value: string, where: RecordDef): string => {
    if (t.kind === 'vector') return `w.vector(${value}, (w, e) => { ${writeStmt(t.element, 'e', where)} })`
    if (t.kind === 'record') return `encode${resolve(t, where).name}(w, ${value})`
    return `w.${PRIM_WRITE[t.kind]}(${value})`
  }
  const descriptor = (t: JuteType): string => {
    if (t.kind === 'vector') return `{ vector: ${descriptor(t.element)} }`
    if (t.kind === 'record') return `{ record: '${t.name}' }`
    return `'${t.kind}'`
  }

  const file = project.createSourceFile(outPath, '', { overwrite: true })
  const records = [...local.values()]
  for (const rec of records) {
    file.addInterface({
      kind: StructureKind.Interface,
      name: rec.name,
      isExported: true,
      docs: [rec.doc ?? `${rec.module}.${rec.name}`],
      properties: rec.fields.map((f) => ({ name: f.name, type: tsType(f.type, rec), docs: f.doc ? [f.doc] : undefined })),
    })
    file.addFunction({
      kind: StructureKind.Function,
      name: `encode${rec.name}`,
      isExported: true,
      docs: [`Write ${rec.name} in wire order.`],
      parameters: [
        { name: 'w', type: 'Writer' },
        { name: rec.fields.length ? 'v' : '_v', type: rec.name },
      ],
      returnType: 'void',
      statements: rec.fields.map((f) => writeStmt(f.type, `v.${f.name}`, rec)),
    })
    file.addFunction({
      kind: StructureKind.Function,
      name: `decode${rec.name}`,
      isExported: true,
      docs: [`Read ${rec.name}; a truncated or malformed input throws MarshallingError.`],
      parameters: [{ name: rec.fields.length ? 'r' : '_r', type: 'Reader' }],
      returnType: rec.name,
      statements: rec.fields.length
        ? [`return {\n${rec.fields.map((f) => `  ${f.name}: ${readExpr(f.type, rec)},`).join('\n')}\n}`]
        : ['return {}'],
    })
  }
  file.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['Every record of this module: fields in wire order and codec.'],
    declarations: [
      {
        name: 'recordSchemas',
        type: 'Record<string, RecordSchema>',
        initializer: `{\n${records
          .map(
            (r) =>
              `  ${r.name}: {\n    module: '${r.module}',\n    fields: [${r.fields
                .map((f) => `{ name: '${f.name}', type: ${descriptor(f.type)} }`)
                .join(', ')}],\n    encode: encode${r.name},\n    decode: decode${r.name},\n  },`,
          )
          .join('\n')}\n}`,
      },
    ],
  })

  const imports = [
    { moduleSpecifier: '../reader.js', namedImports: ['Reader'], isTypeOnly: true },
    { moduleSpecifier: '../schema.js', namedImports: ['RecordSchema'], isTypeOnly: true },
    { moduleSpecifier: '../writer.js', namedImports: ['Writer'], isTypeOnly: true },
    ...[...usedImports].map(([from, names]) => ({ moduleSpecifier: from, namedImports: [...names].sort() })),
  ]
  file.insertImportDeclarations(0, imports.map((i) => ({ kind: StructureKind.ImportDeclaration, ...i })))
  file.insertStatements(0, `// DO NOT EDIT: generated by scripts/jute-codegen.ts from ${input.sourceName}. Run npm run codegen.\n`)
  file.formatText({ indentSize: 2, convertTabsToSpaces: true, semicolons: 'remove' as never })
  return file
}
