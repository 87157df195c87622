// Recipes use only the public client API: no recipe source imports from src/ other than its entry
// point (test files may use test helpers).
import t from 'tap'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const root = fileURLToPath(new URL('.', import.meta.url))
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n)
    if (statSync(p).isDirectory()) return n === 'testing' ? [] : sources(p)
    return n.endsWith('.ts') && !n.endsWith('.test.ts') ? [p] : []
  })
}

t.test('recipes import only the public API', async (t) => {
  const files = sources(root)
  t.ok(files.length >= 10, `${files.length} recipe sources`)
  for (const f of files) {
    const specs = [...readFileSync(f, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!)
    const bad = specs.filter((s) => s.includes('/src/') && !/\/src\/index\.js$/.test(s))
    t.same(bad, [], path.relative(root, f))
  }
})
