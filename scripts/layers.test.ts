// The import graph of src/ and recipes/ (type-only imports included): no cycles anywhere, and every
// arrow points down the layers that docs/ARCHITECTURE.md draws. A new file lands in the layer its
// directory names (a new top-level file of src/ counts as the client's unless listed otherwise).
import t from 'tap'
import ts from 'typescript'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Each layer, and the layers below it that it may import (it may always import itself). */
const LAYERS: { name: string; files: (f: string) => boolean; uses: string[] }[] = [
  {
    name: 'foundation',
    files: (f) =>
      [
        'src/protocol.ts',
        'src/errors.ts',
        'src/debug.ts',
        'src/clock.ts',
        'src/typed-emitter.ts',
        'src/java-date.ts',
        'src/stat.ts',
        'src/arguments.ts',
        'src/paths.ts',
        'src/retry.ts',
        'src/sasl-digest-md5.ts',
      ].includes(f),
    uses: [],
  },
  { name: 'codec', files: (f) => f.startsWith('src/jute/'), uses: ['foundation'] },
  { name: 'transport', files: (f) => f.startsWith('src/transport/'), uses: ['foundation', 'codec'] },
  { name: 'session', files: (f) => f.startsWith('src/session/'), uses: ['foundation', 'codec', 'transport'] },
  { name: 'client', files: (f) => /^src\/[^/]+\.ts$/.test(f) && f !== 'src/cli.ts', uses: ['foundation', 'codec', 'transport', 'session'] },
  { name: 'recipes', files: (f) => f.startsWith('recipes/'), uses: ['client', 'foundation', 'codec', 'session'] },
  { name: 'zab', files: (f) => f.startsWith('src/ensemble/zab/'), uses: [] },
  {
    name: 'ensemble launchers',
    files: (f) => /^src\/ensemble\/(index|options|peer-process|control-plane|control-routes|admin-calls|launch\/.*)\.ts$/.test(f),
    uses: ['server', 'zab', 'foundation', 'codec', 'transport'],
  },
  { name: 'server', files: (f) => f.startsWith('src/ensemble/'), uses: ['zab', 'foundation', 'codec', 'transport'] },
  { name: 'admin client', files: (f) => f.startsWith('src/admin/'), uses: ['foundation', 'codec'] },
  { name: 'shell', files: (f) => f.startsWith('src/shell/'), uses: ['client', 'admin client', 'foundation', 'codec', 'session'] },
  {
    name: 'tools',
    files: (f) => f === 'src/cli.ts' || f.startsWith('src/testing/'),
    uses: ['ensemble launchers', 'server', 'shell', 'admin client', 'client', 'session', 'transport', 'codec', 'foundation', 'tools'],
  },
]

const layerOf = (f: string) => LAYERS.find((l) => l.files(f))

function sources(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(path.join(root, dir))) {
    const rel = `${dir}/${name}`
    if (statSync(path.join(root, rel)).isDirectory()) out.push(...sources(rel))
    else if (rel.endsWith('.ts') && !rel.endsWith('.test.ts') && !rel.endsWith('.test-helper.ts') && !rel.endsWith('.d.ts')) out.push(rel)
  }
  return out
}

/** The project files a file imports, as paths relative to the repository. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(path.join(root, file), 'utf8'), true, true)
  return importedFiles
    .map((i) => i.fileName)
    .filter((n) => n.startsWith('.'))
    .map((n) => path.posix.normalize(path.posix.join(path.posix.dirname(file), n)).replace(/\.js$/, '.ts'))
}

const files = [...sources('src'), ...sources('recipes')]
const graph = new Map(files.map((f) => [f, importsOf(f)]))

/** Strongly connected components of more than one file (Tarjan). */
function cycles(g: Map<string, string[]>): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string) => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1) found.push(component.sort())
  }
  for (const v of g.keys()) if (!index.has(v)) visit(v)
  return found
}

t.test('the checks see the whole tree', async (t) => {
  t.ok(files.length > 100, `${files.length} source files`)
  t.ok([...graph.values()].flat().length > 300, 'and their imports')
  for (const f of files) t.ok(layerOf(f), `${f} belongs to a layer`)
})

t.test('no import cycles in src/ or recipes/', async (t) => {
  t.same(cycles(graph), [])
  // The check finds a cycle when there is one.
  t.same(
    cycles(
      new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', ['a']],
        ['d', ['a']],
      ]),
    ),
    [['a', 'b', 'c']],
  )
})

/** Every import that points up a layer or across to a layer not listed as usable. */
function upwardImports(g: Map<string, string[]>): string[] {
  const found: string[] = []
  for (const [from, deps] of g) {
    const a = layerOf(from)
    if (!a) continue
    for (const to of deps) {
      const b = layerOf(to)
      if (!b) found.push(`${from} imports ${to}, which is outside src/ and recipes/`)
      else if (b !== a && !a.uses.includes(b.name)) found.push(`${from} (${a.name}) imports ${to} (${b.name})`)
    }
  }
  return found
}

t.test('every import points down the layers', async (t) => {
  t.same(upwardImports(graph), [])
  // The check finds an upward arrow and a crossing from the server to the client.
  t.same(
    upwardImports(
      new Map([
        ['src/jute/reader.ts', ['src/client.ts']],
        ['src/ensemble/server.ts', ['src/session/session.ts']],
        ['src/client.ts', ['src/jute/reader.ts']],
      ]),
    ),
    [
      'src/jute/reader.ts (codec) imports src/client.ts (client)',
      'src/ensemble/server.ts (server) imports src/session/session.ts (session)',
    ],
  )
})
