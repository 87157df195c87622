// Every TypeScript and JavaScript file in the repository is as Prettier writes it (.prettierrc.json),
// so diffs show changes, not taste. `npm run format` rewrites them; generated code is left to its
// generators (.prettierignore).
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as prettier from 'prettier'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '*.ts', '*.mjs', '*.js'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\0')
  .filter(Boolean)

t.test('every source file is formatted', async (t) => {
  t.ok(tracked.length > 200, `${tracked.length} files checked`)
  const ignore = path.join(root, '.prettierignore')
  const unformatted: string[] = []
  for (const file of tracked) {
    const filepath = path.join(root, file)
    const info = await prettier.getFileInfo(filepath, { ignorePath: ignore })
    if (info.ignored) continue
    const options = { ...(await prettier.resolveConfig(filepath)), filepath }
    if (!(await prettier.check(readFileSync(filepath, 'utf8'), options))) unformatted.push(file)
  }
  t.same(unformatted, [], 'run `npm run format` to fix these')
})

t.test('the check notices a file that is not formatted', async (t) => {
  const options = { ...(await prettier.resolveConfig(path.join(root, 'src/index.ts'))), filepath: 'x.ts' }
  t.notOk(await prettier.check('const  a = {b:1};\n', options))
  t.ok(await prettier.check('const a = { b: 1 }\n', options))
})
