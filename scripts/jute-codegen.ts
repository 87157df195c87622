// Entry point of the Jute code generator: jute/*.jute → src/jute/generated/*.generated.ts.
// `--check` regenerates in memory and fails if the checked-in output differs.
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { Project } from 'ts-morph'
import { parseJute } from './jute/parse.js'
import { emitModule } from './jute/emit.js'
import type { RecordDef } from './jute/model.js'

const root = fileURLToPath(new URL('..', import.meta.url))

/** The outputs, in dependency order: later ones may import records of earlier ones. */
export const OUTPUTS = [
  { jute: 'jute/zookeeper.jute', out: 'src/jute/generated/proto.generated.ts', specifier: './proto.generated.js' },
  { jute: 'jute/quorum.jute', out: 'src/jute/generated/quorum.generated.ts', specifier: './quorum.generated.js' },
]

/** Generate every output in memory; returns relative path → text. */
export function generateAll(): Map<string, string> {
  const project = new Project({ useInMemoryFileSystem: true })
  const imported = new Map<string, { record: RecordDef; from: string }>()
  const result = new Map<string, string>()
  for (const o of OUTPUTS) {
    const src = path.join(root, o.jute)
    if (!existsSync(src)) continue
    const jute = parseJute(readFileSync(src, 'utf8'), o.jute)
    const file = emitModule(project, `/${o.out}`, { sourceName: o.jute, jute, imported: new Map(imported) })
    result.set(o.out, file.getFullText())
    for (const m of jute.modules) for (const r of m.records) imported.set(r.name, { record: r, from: o.specifier })
  }
  return result
}

function main(argv: string[]): number {
  const check = argv.includes('--check')
  const generated = generateAll()
  let stale = 0
  for (const [rel, text] of generated) {
    const abs = path.join(root, rel)
    const current = existsSync(abs) ? readFileSync(abs, 'utf8') : undefined
    if (current === text) continue
    if (check) {
      stale++
      console.error(`${rel} is out of date with its .jute source: run npm run codegen`)
    } else {
      writeFileSync(abs, text)
      console.log(`wrote ${rel}`)
    }
  }
  if (check && stale === 0) console.log(`generated code is up to date (${generated.size} file(s))`)
  return stale ? 1 : 0
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.exitCode = main(process.argv.slice(2))
}
