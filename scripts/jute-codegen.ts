// Entry point of the Jute code generator: jute/*.jute → src/jute/generated/*.generated.ts, built in an
// in-memory ts-morph project. `--check` writes nothing and exits 1 with a diff summary if the
// checked-in output differs from a fresh generation.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { IndentationText, NewLineKind, Project, QuoteKind, ts } from 'ts-morph'
import { buildModule, DEFAULT_RUNTIME, type RuntimeImports } from './jute/emit.js'
import { checkFile, indexRecords, type JuteFile } from './jute/model.js'
import { parseJute } from './jute/parse.js'

/** The repository root (parent of scripts/). */
export const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** One generated file: the IDL it comes from and where it goes, both relative to the root. */
export interface Output {
  jute: string
  out: string
}

/** Every output. A file may import records of another (quorum's ACL and Id come from proto). */
export const OUTPUTS: readonly Output[] = [
  { jute: 'jute/zookeeper.jute', out: 'src/jute/generated/proto.generated.ts' },
  { jute: 'jute/quorum.jute', out: 'src/jute/generated/quorum.generated.ts' },
]

/**
 * Generate every output from IDL sources (jute path → text) in an in-memory project; returns output
 * path → file text. Throws JuteSyntaxError / JuteModelError on bad IDL.
 */
export function generate(
  sources: ReadonlyMap<string, string>,
  outputs: readonly Output[] = OUTPUTS,
  runtime: RuntimeImports = DEFAULT_RUNTIME,
): Map<string, string> {
  const parsed: JuteFile[] = outputs.map((o) => {
    const text = sources.get(o.jute)
    if (text === undefined) throw new Error(`no source text for ${o.jute}`)
    return parseJute(text, o.jute)
  })
  // One name table over all files: generated names are simple record names, so they must be unique.
  const records = indexRecords(parsed)
  for (const f of parsed) checkFile(f, records)

  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: {
      indentationText: IndentationText.TwoSpaces,
      quoteKind: QuoteKind.Single,
      newLineKind: NewLineKind.LineFeed,
      useTrailingCommas: true,
    },
  })
  const files = outputs.map((o) => project.createSourceFile(`/${o.out}`, '', { overwrite: true }))
  const result = new Map<string, string>()
  outputs.forEach((o, k) => {
    const file = files[k]!
    const outputOf = new Map<string, string>()
    outputs.forEach((other, j) => {
      // ts-morph drops the .ts extension; NodeNext ESM needs the emitted .js name.
      if (j !== k) outputOf.set(other.jute, `${file.getRelativePathAsModuleSpecifierTo(files[j]!)}.js`)
    })
    file.set(buildModule({ sourceName: o.jute, jute: parsed[k]!, records, outputOf, runtime }))
    file.formatText({
      indentSize: 2,
      tabSize: 2,
      convertTabsToSpaces: true,
      semicolons: ts.SemicolonPreference.Remove,
      insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: true,
      ensureNewLineAtEndOfFile: true,
    })
    result.set(o.out, file.getFullText())
  })
  return result
}

/** Generate from the .jute files under `root`. */
export function generateAll(root: string = ROOT, outputs: readonly Output[] = OUTPUTS): Map<string, string> {
  const sources = new Map(outputs.map((o) => [o.jute, readFileSync(path.join(root, o.jute), 'utf8')]))
  return generate(sources, outputs)
}

/**
 * A short line diff of `before` → `after`: counts and the first changed lines, "-" for lines only in
 * `before`, "+" for lines only in `after`, each with its line number.
 */
export function diffSummary(before: string, after: string, maxLines = 20): string {
  const a = before.split('\n')
  const b = after.split('\n')
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--
    endB--
  }
  const ops: string[] = []
  const midA = a.slice(start, endA)
  const midB = b.slice(start, endB)
  if (midA.length * midB.length <= 4_000_000) {
    // Longest common subsequence of the differing middle, then walk it to list removals and additions.
    const n = midA.length
    const m = midB.length
    const lcs = new Uint32Array((n + 1) * (m + 1))
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * (m + 1) + j] =
          midA[i] === midB[j] ? lcs[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!)
      }
    }
    let i = 0
    let j = 0
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) {
        i++
        j++
      } else if (i < n && (j === m || lcs[(i + 1) * (m + 1) + j]! >= lcs[i * (m + 1) + j + 1]!)) {
        // Removals before additions, as diff tools show a changed line.
        ops.push(`- ${String(start + i + 1).padStart(5)}: ${midA[i]}`)
        i++
      } else {
        ops.push(`+ ${String(start + j + 1).padStart(5)}: ${midB[j]}`)
        j++
      }
    }
  } else {
    for (let i = 0; i < midA.length; i++) ops.push(`- ${String(start + i + 1).padStart(5)}: ${midA[i]}`)
    for (let j = 0; j < midB.length; j++) ops.push(`+ ${String(start + j + 1).padStart(5)}: ${midB[j]}`)
  }
  const removed = ops.filter((o) => o.startsWith('-')).length
  const added = ops.length - removed
  const shown = ops.slice(0, maxLines)
  if (ops.length > maxLines) shown.push(`… ${ops.length - maxLines} more changed line(s)`)
  return [`${removed} line(s) removed, ${added} added; first difference at line ${start + 1}`, ...shown].join('\n')
}

/** Run the generator; returns the process exit code. */
export function main(argv: readonly string[], root: string = ROOT): number {
  const check = argv.includes('--check')
  let generated: Map<string, string>
  try {
    generated = generateAll(root)
  } catch (err) {
    console.error(`jute-codegen: ${(err as Error).message}`)
    return 1
  }
  let stale = 0
  let written = 0
  for (const [rel, text] of generated) {
    const abs = path.join(root, rel)
    const current = existsSync(abs) ? readFileSync(abs, 'utf8') : undefined
    if (current === text) continue
    if (check) {
      stale++
      if (current === undefined) console.error(`${rel}: missing (run npm run codegen)`)
      else console.error(`${rel}: differs from a fresh generation (run npm run codegen)\n${diffSummary(current, text)}\n`)
    } else {
      writeFileSync(abs, text)
      written++
      console.log(`wrote ${rel}`)
    }
  }
  if (stale === 0 && written === 0) console.log(`generated code is up to date (${generated.size} file(s))`)
  return stale ? 1 : 0
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.exitCode = main(process.argv.slice(2))
}
