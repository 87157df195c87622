// The checked-in generated code is exactly what the generator produces from jute/*.jute, and the
// parser reports malformed IDL with file:line.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { generateAll } from '../jute-codegen.js'
import { parseJute } from './parse.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

t.test('generated files are up to date (run npm run codegen)', async (t) => {
  const generated = generateAll()
  t.equal(generated.size, 2)
  for (const [rel, text] of generated) {
    t.equal(readFileSync(root + rel, 'utf8'), text, `${rel} matches its .jute source`)
  }
})

t.test('parser: records, vectors, qualified refs and docs', async (t) => {
  const f = parseJute(`
    module a.b {
      // a doc
      class R {
        int x; // the x
        vector<vector<ustring>> names;
        a.b.S s;
      }
      class S { long y; }
    }`, 'x.jute')
  const r = f.modules[0]!.records[0]!
  t.equal(r.name, 'R')
  t.equal(r.doc, 'a doc')
  t.equal(r.fields[0]!.doc, 'the x')
  t.same(r.fields[1]!.type, { kind: 'vector', element: { kind: 'vector', element: { kind: 'ustring' } } })
  t.same(r.fields[2]!.type, { kind: 'record', name: 'S', module: 'a.b' })
})

t.test('parser errors name file and line', async (t) => {
  t.throws(() => parseJute('module m {\n class C {\n int x\n }\n}', 'bad.jute'), /bad\.jute:4: expected ';'/)
  t.throws(() => parseJute('module m {\n klass C {}\n}', 'bad.jute'), /bad\.jute:2: expected 'class' or '}'/)
  t.throws(() => parseJute('module m {\n class C {\n int x;\n int x;\n }\n}', 'bad.jute'), /bad\.jute:4: duplicate field x/)
  t.throws(() => parseJute('module m { class C { int x; }', 'bad.jute'), /end of file/)
  t.throws(() => parseJute('module m { class C { int @; } }', 'bad.jute'), /unexpected character/)
})
