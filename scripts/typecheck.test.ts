// The whole project type-checks under the strict tsconfig (part of `npm test`, so CI counts it),
// type-level tests included: scripts/type-tests/ holds `@ts-expect-error` lines (misspelt event
// names, wrong listeners) that must keep failing to compile.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'

const root = fileURLToPath(new URL('..', import.meta.url))
const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url))

t.test('tsc --noEmit reports no errors', async (t) => {
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' })
  t.equal(r.status, 0, r.stdout + r.stderr)
})

t.test('the type-level tests are part of the checked program', async (t) => {
  const r = spawnSync(process.execPath, [tsc, '--listFilesOnly', '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' })
  t.match(r.stdout, /scripts\/type-tests\/events\.ts/)
  const expected = readFileSync(fileURLToPath(new URL('./type-tests/events.ts', import.meta.url)), 'utf8').match(/@ts-expect-error/g) ?? []
  t.ok(expected.length >= 10, `${expected.length} lines that must not compile`)
})
