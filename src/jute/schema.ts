// Descriptors of generated records, so tests and tools can walk any record without knowing it.
import type { Reader } from './reader.js'
import type { Writer } from './writer.js'

/** The type of one field, as the IDL declares it. */
export type JuteTypeDescriptor =
  'int' | 'long' | 'boolean' | 'buffer' | 'ustring' | 'byte' | 'float' | 'double' | { vector: JuteTypeDescriptor } | { record: string }

/** A generated record: its module, fields in wire order, and its codec. */
export interface RecordSchema {
  module: string
  fields: { name: string; type: JuteTypeDescriptor }[]
  encode: (w: Writer, v: any) => void
  decode: (r: Reader) => any
}
