// Reads tap's TAP output on stdin, echoes it, and ends with the plain line CI reads:
// "N passed, N failed, N skipped", counting every assertion across all subtests (from tap's own
// closing count line, which tap-parser cannot give for nested output), plus the failing test names.
import { Parser } from 'tap-parser'

const parser = new Parser()
const failures: string[] = []
const watch = (p: Parser, prefix: string) => {
  p.on('child', (c: Parser) => watch(c, prefix))
  p.on('assert', (a: { ok: boolean; name: string; skip?: unknown; todo?: unknown; fullname?: string }) => {
    if (!a.ok && !a.skip && !a.todo) failures.push(a.fullname || a.name)
  })
}
watch(parser, '')
let text = ''
process.stdin.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk)
  parser.write(chunk)
  text += chunk.toString()
  if (text.length > 1 << 20) text = text.slice(-(1 << 16))
})
process.stdin.on('end', () => {
  parser.end()
  // tap ends with a line like "# { total: 1780, pass: 1776, fail: 2, skip: 4 }".
  const m = [...text.matchAll(/^# \{ total: (\d+)(.*)\}$/gm)].pop()
  const field = (name: string) => Number(new RegExp(`${name}: (\\d+)`).exec(m?.[2] ?? '')?.[1] ?? 0)
  const passed = field('pass')
  // .ci/run stops the servers tests left running, and says so: a failure of its own.
  const leftovers = /^# zookit: left behind (\d+)/m.exec(text)
  if (leftovers) failures.push(`tests left ${leftovers[1]} ZooKeeper server(s) running`)
  const failed = (m ? field('fail') : Math.max(1, failures.length)) + (leftovers ? 1 : 0)
  const skipped = field('skip') + field('todo')
  if (failures.length) {
    process.stdout.write('\nFailed:\n')
    for (const f of [...new Set(failures)]) process.stdout.write(`  - ${f}\n`)
  }
  if (!m) process.stdout.write('\ntap did not finish (no closing count line)\n')
  process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`)
  process.exitCode = m && failed === 0 ? 0 : 1
})
