// The whole project type-checks under the strict tsconfig (part of `npm test`, so CI counts it).
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url))

t.test('tsc --noEmit reports no errors', async (t) => {
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' })
  t.equal(r.status, 0, r.stdout + r.stderr)
})
