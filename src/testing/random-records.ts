// Seeded random values for any generated record (tests: round trips, fuzzing).
import { recordSchemas as proto } from '../jute/generated/proto.generated.js'
import { recordSchemas as quorum } from '../jute/generated/quorum.generated.js'
import type { JuteTypeDescriptor, RecordSchema } from '../jute/schema.js'

const schemas: Record<string, RecordSchema> = { ...proto, ...quorum }

/** Small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

const LONG_EDGES = [0n, -1n, 1n, 2n ** 63n - 1n, -(2n ** 63n), 0x100000000n]
const INT_EDGES = [0, -1, 1, 0x7fffffff, -0x80000000]
const STRINGS = ['', '/', '/a/b-0000000001', 'zoo 🦓 kïpper', 'x'.repeat(300)]

/** A random value of a descriptor. */
export function randomValue(type: JuteTypeDescriptor, rnd: () => number, depth = 0): unknown {
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!
  if (typeof type === 'object') {
    if ('vector' in type) {
      const n = depth > 2 ? 0 : Math.floor(rnd() * 4)
      return Array.from({ length: n }, () => randomValue(type.vector, rnd, depth + 1))
    }
    return randomRecord(schemas[type.record]!, rnd, depth + 1)
  }
  switch (type) {
    case 'int':
      return rnd() < 0.3 ? pick(INT_EDGES) : Math.floor(rnd() * 2 ** 32) | 0
    case 'byte':
      return Math.floor(rnd() * 256) - 128
    case 'float':
      return Math.fround((rnd() - 0.5) * 1e6)
    case 'double':
      return (rnd() - 0.5) * 1e12
    case 'long':
      return rnd() < 0.4
        ? pick(LONG_EDGES)
        : BigInt.asIntN(64, BigInt(Math.floor(rnd() * 2 ** 53)) * BigInt(Math.floor(rnd() * 4096) - 2048))
    case 'boolean':
      return rnd() < 0.5
    case 'ustring':
      return pick(STRINGS)
    case 'buffer': {
      const r = rnd()
      if (r < 0.2) return null
      if (r < 0.4) return Buffer.alloc(0)
      return Buffer.from(Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)))
    }
  }
}

export function randomRecord(schema: RecordSchema, rnd: () => number, depth = 0): Record<string, unknown> {
  const v: Record<string, unknown> = {}
  for (const f of schema.fields) v[f.name] = randomValue(f.type, rnd, depth)
  return v
}
