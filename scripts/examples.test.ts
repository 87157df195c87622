// Every program in examples/ runs as shown and exits cleanly, the examples type-check against the
// package's types, and the job board's test suites pass under node:test, vitest and jest. The
// examples import 'zookit', 'zookit/recipes' and 'zookit/ensemble' as user code does; see
// examples/README.md for how those names reach this checkout.
import t from 'tap'
import { readdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { EXAMPLES_TSCONFIG, ROOT, TSC, failure, runNode, runWithTsx, tscErrors } from './snippets.js'

const programs = readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.ts'))
  .sort()

t.test('the examples type-check (programs, the job board and its suites, runner configs)', async (t) => {
  t.equal(await tscErrors(['-p', EXAMPLES_TSCONFIG, '--noEmit']), '')
})

t.test('every example program exits 0 without writing to stderr', async (t) => {
  t.ok(programs.length >= 5, `${programs.length} programs: ${programs.join(', ')}`)
  // In parallel: each starts its own bundled ensemble on a port the OS picks.
  const runs = await Promise.all(programs.map(async (f) => [f, await runWithTsx(path.join('examples', f), 30_000)] as const))
  for (const [f, r] of runs) {
    t.equal(failure(r), undefined, `${f} (${r.ms} ms)`)
    t.ok(r.stdout.trim(), `${f} says what it did`)
  }
})

t.test('node:test runs the job board suite', async (t) => {
  const r = await runNode(['--import', 'tsx', '--test', 'examples/testing/node-test/job-board.spec.ts'], {
    env: { TSX_TSCONFIG_PATH: EXAMPLES_TSCONFIG },
  })
  t.equal(failure(r, { stderr: false }), undefined, 'exits 0')
  t.match(r.stdout, /^# pass 2$/m, 'both tests pass')
  t.match(r.stdout, /^# fail 0$/m, 'none fails')
})

t.test('vitest runs the job board suite', async (t) => {
  const vitest = path.join(ROOT, 'node_modules/vitest/vitest.mjs')
  const r = await runNode([vitest, 'run', '--config', 'examples/testing/vitest/vitest.config.ts'])
  t.equal(failure(r, { stderr: false }), undefined, 'exits 0')
  t.match(r.stdout, /Tests\s+2 passed/, 'both tests pass')
})

t.test('jest (native ES modules) runs the job board suite against a build of the package', async (t) => {
  // jest runs no TypeScript without a transform, so it gets a build of the package like the one npm
  // publishes (tsconfig.build.json), written to a directory of its own: another test may be
  // rebuilding dist/ at the same moment (npm pack's prepack).
  const dist = path.join(ROOT, 'node_modules/.cache', `zookit-examples-${process.pid}`)
  t.teardown(() => rmSync(dist, { recursive: true, force: true }))
  const built = await runNode([TSC, '-p', 'tsconfig.build.json', '--outDir', dist], { timeoutMs: 120_000 })
  t.equal(failure(built), undefined, 'the package builds')
  const jest = path.join(ROOT, 'node_modules/jest/bin/jest.js')
  const r = await runNode(['--experimental-vm-modules', jest, '--config', 'examples/testing/jest/jest.config.mjs'], {
    env: { ZOOKIT_DIST: dist },
  })
  t.equal(failure(r, { stderr: false }), undefined, 'exits 0')
  t.match(r.stderr, /Tests:\s+2 passed, 2 total/, 'both tests pass')
})
