// README.md's TypeScript and JavaScript snippets work as shown: each type-checks on its own against
// the package's types, each JavaScript one parses in plain Node (no `await using`, no types), and
// each runs to a clean exit. Snippets that connect to a server at 127.0.0.1:2181 get a bundled
// ensemble's address in its place; those that start their own ensemble run unchanged.
import t from 'tap'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { startEnsemble } from '../src/ensemble/index.js'
import { EXAMPLES_TSCONFIG, ROOT, failure, runNode, runWithTsx, scratchDir, tscErrors } from './snippets.js'

/** The address README snippets use for "your ZooKeeper". */
const PLACEHOLDER = "'127.0.0.1:2181'"

interface Snippet {
  line: number
  lang: 'ts' | 'js'
  code: string
}

/** Fenced blocks tagged ts/typescript or js/javascript/mjs, with the line their code starts on. */
function snippets(markdown: string): Snippet[] {
  const out: Snippet[] = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript|js|javascript|mjs)\s*$/.exec(lines[i]!)
    if (!open) continue
    const start = i + 1
    while (i + 1 < lines.length && !lines[i + 1]!.startsWith('```')) i++
    out.push({ line: start + 1, lang: open[1]!.startsWith('t') ? 'ts' : 'js', code: lines.slice(start, i + 1).join('\n') })
    i++
  }
  return out
}

const found = snippets(readFileSync(path.join(ROOT, 'README.md'), 'utf8'))
const dir = scratchDir('readme')
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
// One module per snippet, named after its README line so that errors point back to it.
const files = found.map((s) => {
  const file = path.join(dir, `README.md-line-${s.line}.${s.lang === 'ts' ? 'ts' : 'mjs'}`)
  writeFileSync(file, `${s.code}\nexport {}\n`)
  return { ...s, file }
})

t.test('README has TypeScript and plain JavaScript snippets', async (t) => {
  t.ok(files.filter((f) => f.lang === 'ts').length >= 4, 'TypeScript snippets')
  t.ok(
    files.some((f) => f.lang === 'js'),
    'a plain JavaScript snippet',
  )
})

t.test('each snippet type-checks against the package types', async (t) => {
  const tsconfig = path.join(dir, 'tsconfig.json')
  // Strict as the examples, except that a snippet may show a value it does not go on to use.
  writeFileSync(
    tsconfig,
    JSON.stringify({ extends: EXAMPLES_TSCONFIG, compilerOptions: { noUnusedLocals: false }, include: ['*.ts', '*.mjs'] }),
  )
  t.equal(await tscErrors(['-p', tsconfig, '--noEmit']), '')
})

t.test('plain Node parses each JavaScript snippet', async (t) => {
  for (const f of files.filter((f) => f.lang === 'js')) {
    const r = await runNode(['--check', f.file])
    t.equal(failure(r), undefined, `README.md line ${f.line}`)
  }
})

t.test('each snippet runs to a clean exit', async (t) => {
  await using ensemble = await startEnsemble()
  const runs = await Promise.all(
    files.map(async (f) => {
      const code = readFileSync(f.file, 'utf8')
      if (code.includes(PLACEHOLDER)) writeFileSync(f.file, code.replaceAll(PLACEHOLDER, `'${ensemble.connectString}'`))
      return [f, await runWithTsx(f.file, 60_000)] as const
    }),
  )
  for (const [f, r] of runs) t.equal(failure(r), undefined, `README.md line ${f.line} (${r.ms} ms)`)
})
