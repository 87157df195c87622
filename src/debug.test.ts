import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { hex } from './debug.js'

// debug.ts loads `debug` with require(); this checks the logger still reaches stderr under DEBUG.
t.test('a logger prints under its zookit: namespace when DEBUG names it, and only then', async (t) => {
  const module = fileURLToPath(new URL('./debug.ts', import.meta.url))
  const script = `const { logger } = await import(${JSON.stringify(module)}); logger('probe')('hello %d', 42)`
  const run = (debug: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, DEBUG: debug, DEBUG_COLORS: 'no' },
      encoding: 'utf8',
    })
  const on = run('zookit:probe')
  t.equal(on.status, 0, on.stderr)
  t.match(on.stderr, /zookit:probe hello 42/)
  const off = run('zookit:other')
  t.equal(off.status, 0, off.stderr)
  t.notMatch(off.stderr, /hello/)
})

t.test('hex shows at most max bytes and the full length when cut', async (t) => {
  t.equal(hex(Buffer.from([1, 2, 3])), '010203')
  t.equal(hex(Buffer.from([1, 2, 3]), 2), '0102…(3 bytes)')
  t.equal(hex(null), 'null')
})
