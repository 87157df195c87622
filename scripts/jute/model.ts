// The Jute IDL model: modules of records of typed fields, as parsed from jute/*.jute.

/** A Jute field type. */
export type JuteType =
  | { kind: 'int' | 'long' | 'boolean' | 'buffer' | 'ustring' | 'byte' | 'float' | 'double' }
  | { kind: 'vector'; element: JuteType }
  | { kind: 'record'; name: string; module: string | undefined }

/** One field of a record. */
export interface Field {
  name: string
  type: JuteType
  /** The trailing `//` comment on the field's line, if any. */
  doc?: string
  line: number
}

/** One `class` of a module. */
export interface RecordDef {
  name: string
  module: string
  fields: Field[]
  /** Comment lines right above the class. */
  doc?: string
  line: number
}

/** One `module a.b.c { … }` block. */
export interface Module {
  name: string
  records: RecordDef[]
}

/** A parsed .jute file. */
export interface JuteFile {
  file: string
  modules: Module[]
}

/** Smallest number of bytes a value of this type takes on the wire (for vector length sanity checks). */
export function minEncodedSize(t: JuteType, records: Map<string, RecordDef>): number {
  switch (t.kind) {
    case 'int':
    case 'float':
      return 4
    case 'long':
    case 'double':
      return 8
    case 'boolean':
    case 'byte':
      return 1
    case 'buffer':
    case 'ustring':
    case 'vector':
      return 4
    case 'record': {
      const r = records.get(t.name)
      if (!r) return 1
      return r.fields.reduce((n, f) => n + minEncodedSize(f.type, records), 0) || 1
    }
  }
}
