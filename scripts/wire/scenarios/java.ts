// The Java clients' scenarios for the wire fixtures: Apache ZooKeeper's own client (3.8) and Curator
// (5.4), each a Java program beside this file, run in source-file mode against the recording proxy.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { WireRecorder } from '../../../src/testing/wire-recorder.js'
import type { Scenario } from '../scenario.js'

const ZOOKEEPER_JARS = ['zookeeper', 'zookeeper-jute', 'slf4j-api', 'slf4j-nop']
const CURATOR_JARS = ['curator-client', 'curator-framework', 'curator-recipes', 'guava', ...ZOOKEEPER_JARS]
/** A program that has not finished by then has hung (each waits at most 10 s for any one thing). */
const PROGRAM_TIMEOUT_MS = 90_000

const jarPath = (name: string) => `/usr/share/java/${name}.jar`
const source = (file: string) => fileURLToPath(new URL(`./${file}`, import.meta.url))

/** Why `jars` cannot be run here, or undefined when java and every jar are installed. */
function javaMissing(jars: string[]): string | undefined {
  if (spawnSync('java', ['-version']).status !== 0) return 'java is not installed (apt-get install default-jre-headless)'
  const missing = jars.map(jarPath).filter((j) => !existsSync(j))
  return missing.length ? `missing ${missing.join(', ')} (apt-get install zookeeper libcurator-recipes-java)` : undefined
}

/**
 * Run a Java program against `connectString`; `onLine` sees each line it prints as it prints it.
 * Resolves when it exits 0; rejects with everything it printed otherwise.
 */
function runJava(file: string, jars: string[], connectString: string, onLine: (line: string) => void = () => undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-cp', jars.map(jarPath).join(':'), source(file), connectString], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    let pending = ''
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      output += chunk
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop()!
      for (const line of lines) onLine(line.trim())
    })
    child.stderr.on('data', (chunk: string) => (output += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), PROGRAM_TIMEOUT_MS)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(new Error(`${file} did not start: ${err.message}`))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve()
      else reject(new Error(`${file} exited with ${signal ?? code}:\n${output}`))
    })
  })
}

/** The Java client: when it prints CUT, cut every connection so that it reconnects. */
function javaClientScenario(connectString: string, recorder: WireRecorder): Promise<void> {
  return runJava('JavaClientScenario.java', ZOOKEEPER_JARS, connectString, (line) => {
    if (line === 'CUT') recorder.proxy.cut()
  })
}

export const javaScenarios: Scenario[] = [
  {
    name: 'java-client',
    client: 'Apache ZooKeeper 3.8 Java client (org.apache.zookeeper.ZooKeeper), scripts/wire/scenarios/JavaClientScenario.java',
    about: [
      'creates in every mode with create2 Stats, the errors of each op, one-shot, persistent and recursive watches,',
      'removeWatches and checkWatches with their errors, multi, multiRead, digest auth, whoAmI, getEphemerals,',
      'getAllChildrenNumber, sync, getConfig; a cut connection held down while a second session makes changes,',
      'then resumed with auth and SetWatches2, firing what was missed',
    ],
    unavailable: () => javaMissing(ZOOKEEPER_JARS),
    run: javaClientScenario,
  },
  {
    name: 'curator',
    client: 'Apache Curator 5.4 (framework and recipes) on the ZooKeeper 3.8 Java client, scripts/wire/scenarios/CuratorScenario.java',
    about: [
      'ExponentialBackoffRetry, no namespace, EnsembleTracker on: CuratorCache over a nested tree (creates,',
      'updates, deletes), PersistentWatcher, two InterProcessMutex contending, two LeaderLatch, SharedCount,',
      'DistributedAtomicLong, transactions that commit and abort',
    ],
    unavailable: () => javaMissing(CURATOR_JARS),
    run: (connectString) => runJava('CuratorScenario.java', CURATOR_JARS, connectString),
  },
]
