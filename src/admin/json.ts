// JSON that keeps large integers exact: the AdminServer writes session ids and zxids as bare 64-bit
// numbers, which JSON.parse would round (Node 20's JSON.parse cannot show a reviver the source text).

/** A parsed JSON value; integers beyond Number.MAX_SAFE_INTEGER are bigints. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue }

/** A JSON object as parsed by parseJson. */
export type JsonObject = { [key: string]: JsonValue }

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y
const SPACE = /[ \t\n\r]*/y

/** Parse JSON text; throws SyntaxError naming the offset of the first mistake. */
export function parseJson(text: string): JsonValue {
  let at = 0
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${at} of ${text.length}`)
  }
  const skip = () => {
    SPACE.lastIndex = at
    SPACE.exec(text)
    at = SPACE.lastIndex
  }
  const match = (re: RegExp): string | undefined => {
    re.lastIndex = at
    const m = re.exec(text)
    if (!m) return undefined
    at = re.lastIndex
    return m[0]
  }
  const value = (depth: number): JsonValue => {
    // Answers nest a few levels; a deep one is not an answer, and recursion must not blow the stack.
    if (depth > 64) fail('nested too deeply')
    skip()
    const c = text[at]
    if (c === '{') {
      at++
      const out: JsonObject = {}
      skip()
      if (text[at] === '}') {
        at++
        return out
      }
      for (;;) {
        skip()
        const key = match(STRING) ?? fail('expected a string key')
        skip()
        if (text[at] !== ':') fail('expected ":"')
        at++
        // A key named __proto__ must become a plain property, not the object's prototype.
        Object.defineProperty(out, JSON.parse(key) as string, {
          value: value(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        })
        skip()
        if (text[at] === '}') return (at++, out)
        if (text[at] !== ',') fail('expected "," or "}"')
        at++
      }
    }
    if (c === '[') {
      at++
      const out: JsonValue[] = []
      skip()
      if (text[at] === ']') {
        at++
        return out
      }
      for (;;) {
        out.push(value(depth + 1))
        skip()
        if (text[at] === ']') return (at++, out)
        if (text[at] !== ',') fail('expected "," or "]"')
        at++
      }
    }
    if (c === '"') return JSON.parse(match(STRING) ?? fail('bad string')) as string
    if (text.startsWith('true', at)) return ((at += 4), true)
    if (text.startsWith('false', at)) return ((at += 5), false)
    if (text.startsWith('null', at)) return ((at += 4), null)
    const num = match(NUMBER) ?? fail('unexpected character')
    const n = Number(num)
    return /^-?\d+$/.test(num) && !Number.isSafeInteger(n) ? BigInt(num) : n
  }
  const out = value(0)
  skip()
  if (at !== text.length) fail('unexpected text after the value')
  return out
}
