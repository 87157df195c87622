// JSON as ZooKeeper's AdminServer writes it: Jackson's default pretty printer (two-space indents,
// `"key" : value`, arrays on one line as `[ a, b ]`), Java doubles that keep their `.0`, and longs
// written exactly (session ids pass 2^53, so they travel as bigint).

/** A number Java holds as a double: written with a decimal point even when whole (`0.0`). */
export class JavaDouble {
  constructor(readonly value: number) {}

  /** As Java's Double.toString writes it, for the values these commands produce. */
  toString(): string {
    const v = this.value
    if (Number.isNaN(v)) return 'NaN'
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity'
    const abs = Math.abs(v)
    if (abs !== 0 && (abs < 1e-3 || abs >= 1e7)) {
      // Java switches to computerized scientific notation outside [10^-3, 10^7): "1.0E7".
      const [mantissa, exponent] = v.toExponential().split('e') as [string, string]
      return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`
    }
    return Number.isInteger(v) ? v.toFixed(1) : String(v)
  }
}

/** What a command response may hold. Objects keep their insertion order, as Java's LinkedHashMap. */
export type JsonValue = string | number | bigint | boolean | null | JavaDouble | JsonValue[] | { [key: string]: JsonValue }

/** `value` as the AdminServer's JSON (no newline at the end, as Jackson leaves it). */
export function jacksonJson(value: JsonValue): string {
  return write(value, 0)
}

function write(v: JsonValue, depth: number): string {
  if (v === null) return 'null'
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v)
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : JSON.stringify(String(v))
  if (v instanceof JavaDouble) return Number.isFinite(v.value) ? v.toString() : JSON.stringify(v.toString())
  // Arrays do not indent (Jackson's fixed-space indenter); an object inside one indents by its depth.
  if (Array.isArray(v)) return v.length ? `[ ${v.map((e) => write(e, depth)).join(', ')} ]` : '[ ]'
  const keys = Object.keys(v)
  if (!keys.length) return '{ }'
  const pad = '  '.repeat(depth + 1)
  const body = keys.map((k) => `${pad}${JSON.stringify(k)} : ${write(v[k]!, depth + 1)}`).join(',\n')
  return `{\n${body}\n${'  '.repeat(depth)}}`
}
