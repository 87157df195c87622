// Watches as Java programs use them, against each target: Curator's CuratorCache and PersistentWatcher
// and the plain Java client's addWatch / removeWatches. One JVM per target runs every check
// (integration/interop/JavaWatches.java); it fails on its own at a wrong, missing or late event.
import t, { type Test } from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { eachTarget, harness } from './harness.js'

const JARS = [
  'curator-client',
  'curator-framework',
  'curator-recipes',
  'zookeeper',
  'zookeeper-jute',
  'guava',
  'slf4j-api',
  'slf4j-nop',
].map((j) => `/usr/share/java/${j}.jar`)
const SRC = fileURLToPath(new URL('./interop/JavaWatches.java', import.meta.url))
// The Java side gives up after 90 s; this only catches a JVM that does not exit.
const KILL_AFTER_MS = 110_000

function whyNot(): string | undefined {
  if (spawnSync('java', ['-version']).error) return 'java is not installed'
  const missing = JARS.filter((j) => !existsSync(j))
  if (missing.length > 0) return `missing ${missing.join(', ')} (libcurator-recipes-java, libzookeeper-java)`
  return undefined
}

/** Run the Java checks against `connectString`; resolves with the exit code and stdout+stderr. */
function runJava(t: Test, connectString: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('java', ['-cp', JARS.join(':'), SRC, connectString], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    p.stdout.on('data', (c) => (out += c))
    p.stderr.on('data', (c) => (out += c))
    const timer = setTimeout(() => p.kill('SIGKILL'), KILL_AFTER_MS)
    t.teardown(() => {
      clearTimeout(timer)
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
    })
    p.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, out })
    })
  })
}

/** Lines the run must print, in this order (the Java side checks every event; these are the landmarks). */
const LANDMARKS = [
  'cache initialized 4',
  'cache holds /c/a/b=2',
  'cache holds /c/a=1',
  'cache holds /c/x=3',
  'cache holds /c=root',
  'cache created /c/a/b/c=v',
  'cache changed /c/a/b/c=v->w',
  'cache deleted /c/a/b/c=w',
  'cache created /c/n/m/o=o0',
  'cache deleted /c/n/m/o=o0',
  'cache ends with [/c/a/b=2, /c/a=1b, /c=root2]',
  'watcher recursive NodeCreated /pr/k/deep',
  'watcher recursive NodeDeleted /pr',
  'watcher plain NodeChildrenChanged /pn',
  'watcher plain NodeDeleted /pn',
  'zk recursive NodeCreated /r/a/b/c',
  'zk recursive NodeDeleted /r/a/b/c',
  'zk persistent NodeChildrenChanged /p',
  'zk no Data watcher at /p',
  'zk recursive PersistentWatchRemoved /r',
  'zk persistent PersistentWatchRemoved /p',
  'zk data DataWatchRemoved /d',
  'zk children ChildWatchRemoved /d',
  'zk exists DataWatchRemoved /d',
  'zk once DataWatchRemoved /m',
  'zk standing PersistentWatchRemoved /m',
  'zk no Any watcher at /never',
  'no disconnects',
  'JAVA WATCHES OK',
]

/** The first landmark not found after the one before it, or undefined when all are there in order. */
function firstOutOfOrder(lines: string[], wanted: string[]): string | undefined {
  let at = 0
  for (const w of wanted) {
    const i = lines.indexOf(w, at)
    if (i < 0) return w
    at = i + 1
  }
  return undefined
}

const skip = whyNot()
if (skip) {
  t.test('Java watch interop', { skip }, async () => {})
} else {
  eachTarget(t, {}, async (t, cluster) => {
    t.test('CuratorCache, PersistentWatcher, addWatch and removeWatches from Java', async (t) => {
      const h = await harness(t, cluster)
      const started = Date.now()
      const r = await runJava(t, h.connectString)
      t.comment(`java ran ${Date.now() - started} ms`)
      const failure = r.out.split('\n').find((l) => l.startsWith('FAIL '))
      t.equal(r.code, 0, failure ?? 'the Java checks pass', { output: r.out })
      const lines = r.out.split('\n').map((l) => l.trim())
      t.equal(firstOutOfOrder(lines, LANDMARKS), undefined, 'every landmark line, in order', { output: r.out })
    })
  })
}
