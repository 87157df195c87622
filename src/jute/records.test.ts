// Every generated record round-trips through encode/decode for random values (seeded), including
// edge values; every truncation of an encoding fails with MarshallingError only.
import t from 'tap'
import { Writer } from './writer.js'
import { Reader } from './reader.js'
import { recordSchemas as proto } from './generated/proto.generated.js'
import { recordSchemas as quorum } from './generated/quorum.generated.js'
import type { RecordSchema } from './schema.js'
import { MarshallingError } from '../errors.js'
import { prng, randomRecord } from '../testing/random-records.js'

const schemas: Record<string, RecordSchema> = { ...proto, ...quorum }

const rnd = prng(0x200b1e)

t.test('every record round-trips', async (t) => {
  t.ok(Object.keys(schemas).length >= 60, `${Object.keys(schemas).length} records`)
  for (const [name, schema] of Object.entries(schemas)) {
    for (let i = 0; i < 20; i++) {
      const value = randomRecord(schema, rnd)
      const w = new Writer(8)
      schema.encode(w, value)
      const r = new Reader(w.toBuffer())
      const back = schema.decode(r)
      if (r.remaining !== 0) t.fail(`${name}: ${r.remaining} byte(s) left after decode`)
      t.same(back, value, `${name} #${i}`, { diagnostic: false })
    }
  }
})

t.test('every truncation fails with MarshallingError', async (t) => {
  let checked = 0
  for (const [name, schema] of Object.entries(schemas)) {
    const w = new Writer()
    schema.encode(w, randomRecord(schema, rnd))
    const full = w.toBuffer()
    for (let cut = 0; cut < full.length; cut++) {
      try {
        schema.decode(new Reader(full.subarray(0, cut)))
        // Some prefixes are themselves valid encodings (e.g. a record of only vectors); that is fine.
      } catch (err) {
        if (!(err instanceof MarshallingError)) t.fail(`${name} cut at ${cut}: ${String(err)}`)
      }
      checked++
    }
  }
  t.ok(checked > 1000, `${checked} truncations checked`)
})

t.test('null buffers stay null; empty stay empty', async (t) => {
  const w = new Writer()
  proto.GetDataResponse!.encode(w, { data: null, stat: randomRecord(proto.Stat!, rnd) })
  t.equal(proto.GetDataResponse!.decode(new Reader(w.toBuffer())).data, null)
  w.reset()
  proto.GetDataResponse!.encode(w, { data: Buffer.alloc(0), stat: randomRecord(proto.Stat!, rnd) })
  t.same(proto.GetDataResponse!.decode(new Reader(w.toBuffer())).data, Buffer.alloc(0))
})
