// The examples of driving the bundled ensemble from other languages, run as their users would:
// examples/java (JUnit 5: the ZooKeeper Java client and Curator) and examples/python (pytest with
// kazoo). Each starts `zookit ensemble --size 3 --processes --control-port 0`, kills the leader
// through the control plane, and checks that its client's session survives. Each is skipped with a
// reason when its toolchain is missing.
import t, { type Test } from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { userEnv } from '../scripts/snippets.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PYTHON = '/usr/bin/python3'
const JARS = [
  'junit-platform-console-standalone',
  'zookeeper',
  'zookeeper-jute',
  'curator-client',
  'curator-framework',
  'curator-recipes',
  'guava',
  'slf4j-api',
  'slf4j-nop',
]

const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0
// run.sh compiles with javac, or with the compiler module of a JRE when there is no JDK.
const javaMissing = !has('java', ['--describe-module', 'jdk.compiler'])
  ? 'no java with the jdk.compiler module on PATH'
  : JARS.filter((j) => !existsSync(`/usr/share/java/${j}.jar`)).map(
      (j) => `/usr/share/java/${j}.jar is missing (Debian packages junit5, libzookeeper-java, libcurator-recipes-java)`,
    )[0]
const pythonMissing = !existsSync(PYTHON)
  ? `no ${PYTHON}`
  : has(PYTHON, ['-c', 'import pytest, kazoo'])
    ? undefined
    : 'pytest or kazoo is missing for /usr/bin/python3 (Debian packages python3-pytest, python3-kazoo)'

/**
 * Run a test runner in its own process group, so that whatever it leaves behind (the zookit CLI
 * and its server processes, should it be killed mid-test) goes with the group at teardown.
 */
function runner(t: Test, cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const p = spawn(cmd, args, {
    cwd: ROOT,
    env: userEnv({ NODE: process.execPath, ...env }),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.teardown(() => {
    try {
      process.kill(-p.pid!, 'SIGKILL')
    } catch {
      // The group is gone already: everything in it exited.
    }
  })
  let out = ''
  p.stdout.on('data', (c: Buffer) => (out += c.toString()))
  p.stderr.on('data', (c: Buffer) => (out += c.toString()))
  return new Promise((resolve) => p.on('close', (code) => resolve({ code, out })))
}

t.test('JUnit 5: the Java client and Curator keep their sessions when the leader is killed', { skip: javaMissing }, async (t) => {
  const start = Date.now()
  const r = await runner(t, 'bash', ['examples/java/run.sh'], {})
  t.equal(r.code, 0, `examples/java/run.sh exits 0 (${Date.now() - start} ms)`, { output: r.out })
  t.match(r.out, /2 tests successful/)
  t.match(r.out, /0 tests failed/)
})

t.test('pytest: kazoo keeps its session when the leader is killed', { skip: pythonMissing }, async (t) => {
  const start = Date.now()
  const r = await runner(t, PYTHON, ['-m', 'pytest', '-p', 'no:cacheprovider', '-v', 'examples/python'], { PYTHONDONTWRITEBYTECODE: '1' })
  t.equal(r.code, 0, `pytest exits 0 (${Date.now() - start} ms)`, { output: r.out })
  t.match(r.out, /test_session_survives_leader_failover PASSED/)
  t.match(r.out, /test_fixture_then_expiry PASSED/)
})
