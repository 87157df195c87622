// Reads a TAP stream on stdin (tap --reporter=tap), echoes it, and ends with the plain line CI reads:
// "N passed, N failed" (plus skipped), counting every leaf assertion across all subtests.
import { Parser } from 'tap-parser'

const parser = new Parser({ flat: true })
const failures: string[] = []
parser.on('assert', (a: { ok: boolean; name: string; skip?: unknown; todo?: unknown; fullname?: string }) => {
  if (!a.ok && !a.skip && !a.todo) failures.push(a.fullname || a.name)
})
parser.on('complete', (r: { pass: number; fail: number; skip: number; todo: number; ok: boolean; bailout?: unknown }) => {
  if (failures.length) {
    process.stdout.write('\nFailed:\n')
    for (const f of failures) process.stdout.write(`  - ${f}\n`)
  }
  if (r.bailout) process.stdout.write(`bailed out: ${String(r.bailout)}\n`)
  process.stdout.write(`\n${r.pass} passed, ${r.fail} failed, ${r.skip + r.todo} skipped\n`)
  process.exitCode = r.ok && r.fail === 0 ? 0 : 1
})
process.stdin.on('data', (chunk) => {
  process.stdout.write(chunk)
  parser.write(chunk)
})
process.stdin.on('end', () => parser.end())
