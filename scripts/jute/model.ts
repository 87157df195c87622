// The Jute IDL model (modules of records of typed fields) and the checks that need the whole model:
// one name table across every file, resolved record references, and encoded-size bounds.

/** The primitive Jute types. `byte`, `float` and `double` are unused by ZooKeeper but supported. */
export type PrimitiveKind = 'int' | 'long' | 'boolean' | 'buffer' | 'ustring' | 'byte' | 'float' | 'double'

/** Every primitive kind, for the parser. */
export const PRIMITIVE_KINDS: ReadonlySet<string> = new Set<PrimitiveKind>([
  'int',
  'long',
  'boolean',
  'buffer',
  'ustring',
  'byte',
  'float',
  'double',
])

/** A Jute field type. A record reference keeps the module it was qualified with, if any. */
export type JuteType =
  { kind: PrimitiveKind } | { kind: 'vector'; element: JuteType } | { kind: 'record'; name: string; module: string | undefined }

/** One field of a record. */
export interface Field {
  name: string
  type: JuteType
  /** Comments on the field's line, or on the lines right above it. */
  doc?: string
  line: number
}

/** One `class` of a module. (Named RecordDef so it does not shadow TypeScript's Record.) */
export interface RecordDef {
  name: string
  /** Fully qualified module name, e.g. "org.apache.zookeeper.data". */
  module: string
  fields: Field[]
  /** Comment lines right above the class. */
  doc?: string
  /** The .jute file and line that declared it, for error messages. */
  file: string
  line: number
}

/** One `module a.b.c { … }` block. */
export interface Module {
  name: string
  records: RecordDef[]
  line: number
}

/** A parsed .jute file. */
export interface JuteFile {
  file: string
  modules: Module[]
}

/** Every record of a file, in declaration order. */
export function recordsOf(file: JuteFile): RecordDef[] {
  return file.modules.flatMap((m) => m.records)
}

/** An IDL error that needs more than one line of one file to detect (collisions, unknown records). */
export class JuteModelError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JuteModelError'
  }
}

/**
 * One table of records by simple name across `files`. Generated TypeScript names records by their
 * simple name, so two records with the same simple name anywhere (even in different modules or
 * files) would collide: that is an error naming both declarations.
 */
export function indexRecords(files: readonly JuteFile[]): Map<string, RecordDef> {
  const byName = new Map<string, RecordDef>()
  for (const f of files) {
    for (const r of recordsOf(f)) {
      const other = byName.get(r.name)
      if (other) {
        throw new JuteModelError(
          `${r.file}:${r.line}: record name ${r.name} (module ${r.module}) collides with ${other.module}.${other.name} ` +
            `declared at ${other.file}:${other.line}; generated names are simple record names and must be unique`,
        )
      }
      byName.set(r.name, r)
    }
  }
  return byName
}

/** The record a reference names. Unqualified names must be in the referring record's module. */
export function resolveRef(
  t: { name: string; module: string | undefined },
  from: RecordDef,
  records: ReadonlyMap<string, RecordDef>,
): RecordDef {
  const r = records.get(t.name)
  const wantModule = t.module ?? from.module
  if (!r || r.module !== wantModule) {
    const shown = t.module ? `${t.module}.${t.name}` : t.name
    const hint = r ? ` (did you mean ${r.module}.${r.name}?)` : ''
    throw new JuteModelError(`${from.file}:${from.line}: unknown record ${shown} in class ${from.name}${hint}`)
  }
  return r
}

/**
 * Smallest number of bytes a value of this type takes on the wire. Vectors bound hostile lengths
 * with it, so a record that contains itself other than through a vector (infinite size) is an error.
 */
export function minEncodedSize(
  t: JuteType,
  from: RecordDef,
  records: ReadonlyMap<string, RecordDef>,
  visiting: Set<string> = new Set(),
): number {
  switch (t.kind) {
    case 'boolean':
    case 'byte':
      return 1
    case 'int':
    case 'float':
      return 4
    case 'long':
    case 'double':
      return 8
    case 'buffer':
    case 'ustring':
    case 'vector':
      // A length prefix; null (-1) and empty take no more.
      return 4
    case 'record': {
      const r = resolveRef(t, from, records)
      if (visiting.has(r.name)) {
        throw new JuteModelError(
          `${from.file}:${from.line}: record ${r.name} contains itself (not through a vector), so it has no finite encoding`,
        )
      }
      visiting.add(r.name)
      let n = 0
      for (const f of r.fields) n += minEncodedSize(f.type, r, records, visiting)
      visiting.delete(r.name)
      return n
    }
  }
}

/**
 * Check every reference of `file` against `records` and every vector's element size. Vectors of
 * records that may encode to zero bytes are refused: their length could not be bounded by the input.
 */
export function checkFile(file: JuteFile, records: ReadonlyMap<string, RecordDef>): void {
  const walk = (t: JuteType, rec: RecordDef, field: Field): void => {
    if (t.kind === 'record') {
      resolveRef(t, rec, records)
      minEncodedSize(t, rec, records)
    } else if (t.kind === 'vector') {
      walk(t.element, rec, field)
      if (minEncodedSize(t.element, rec, records) === 0) {
        throw new JuteModelError(
          `${rec.file}:${field.line}: vector ${field.name} of ${rec.name} has elements that can encode to 0 bytes; its length cannot be bounded`,
        )
      }
    }
  }
  for (const rec of recordsOf(file)) for (const f of rec.fields) walk(f.type, rec, f)
}
