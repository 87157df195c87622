// Every client the client benchmark measures, and how to start its worker: the Node clients (zookit,
// the floor, node-zookeeper-client, the native zookeeper module) from compiled JS, the Java client
// from a JavaWorker compiled at bench time, and kazoo under Debian's python3. Preparing them
// (installing the npm peers, compiling) happens here, once per run.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { PEERS_DIR, type NodeClientName } from './adapters.js'

export type ClientName = NodeClientName | 'java' | 'kazoo'

/** In the order each round runs them. */
export const CLIENTS: ClientName[] = ['zookit', 'floor', 'node-zookeeper-client', 'zookeeper', 'java', 'kazoo']

/** The clients zookit is compared with (the floor is a measuring stick, not a peer). */
export const PEERS: ClientName[] = ['node-zookeeper-client', 'zookeeper', 'java', 'kazoo']

export interface ClientRunner {
  name: ClientName
  /** The name with its version, for tables and charts. */
  label: string
  command: string
  args(connectString: string, root: string, workloadArgs: string[]): string[]
}

const NPM_PEERS = ['node-zookeeper-client@1', 'zookeeper@7']
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BUILD = fileURLToPath(new URL('./.build/', import.meta.url))
const JAVA_BUILD = BUILD + 'java/'
const JAVA_SOURCE = fileURLToPath(new URL('./JavaWorker.java', import.meta.url))
const JARS = ['zookeeper', 'zookeeper-jute', 'slf4j-api', 'slf4j-nop'].map((j) => `/usr/share/java/${j}.jar`)
const KAZOO_WORKER = fileURLToPath(new URL('./kazoo_worker.py', import.meta.url))
// Debian's python3, where python3-kazoo lives, not a pyenv one that may come first on PATH.
const PYTHON = '/usr/bin/python3'

function installNpmPeers(): void {
  if (existsSync(PEERS_DIR + 'node_modules/zookeeper') && existsSync(PEERS_DIR + 'node_modules/node-zookeeper-client')) return
  mkdirSync(PEERS_DIR, { recursive: true })
  console.error(`installing peers into ${PEERS_DIR} …`)
  writeFileSync(PEERS_DIR + 'package.json', JSON.stringify({ name: 'zookit-bench-peers', private: true }))
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', ...NPM_PEERS], {
    cwd: PEERS_DIR,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}

/** Compile the project to plain JS so Node workers run without the TypeScript loader (fair RSS and CPU). */
function compileNodeWorkers(): void {
  console.error('compiling the Node workers to JS …')
  execFileSync(
    process.execPath,
    [
      ROOT + 'node_modules/typescript/bin/tsc',
      '-p',
      ROOT + 'tsconfig.json',
      '--outDir',
      BUILD,
      '--sourceMap',
      'false',
      '--declaration',
      'false',
    ],
    { stdio: 'inherit' },
  )
}

/** Compile JavaWorker.java unless its class is newer; returns why the Java client cannot run, if so. */
function compileJavaWorker(): string | undefined {
  if (spawnSync('javac', ['-version']).error) return 'javac is not installed (a JDK, e.g. openjdk-17-jdk-headless)'
  const missing = JARS.filter((j) => !existsSync(j))
  if (missing.length) return `missing ${missing.join(', ')} (libzookeeper-java, libslf4j-java)`
  const cls = JAVA_BUILD + 'JavaWorker.class'
  if (existsSync(cls) && statSync(cls).mtimeMs > statSync(JAVA_SOURCE).mtimeMs) return undefined
  console.error('compiling JavaWorker.java …')
  mkdirSync(JAVA_BUILD, { recursive: true })
  execFileSync('javac', ['-cp', JARS.join(':'), '-d', JAVA_BUILD, JAVA_SOURCE], { stdio: 'inherit' })
  return undefined
}

const npmVersion = (pkg: string) =>
  (JSON.parse(readFileSync(`${PEERS_DIR}node_modules/${pkg}/package.json`, 'utf8')) as { version: string }).version

/** Debian installs zookeeper.jar beside a zookeeper-<version>.jar link to it. */
function zookeeperJarVersion(): string {
  const versioned = readdirSync('/usr/share/java').find((f) => /^zookeeper-\d+\.\d+\.\d+\.jar$/.test(f))
  return versioned ? versioned.slice('zookeeper-'.length, -'.jar'.length) : '?'
}

/** Install and compile what the workers need; a client that cannot run here is left out with a note. */
export function prepareClients(wanted: readonly ClientName[]): ClientRunner[] {
  const node = (name: NodeClientName, label: string): ClientRunner => ({
    name,
    label,
    command: process.execPath,
    args: (cs, root, w) => [BUILD + 'scripts/bench/worker.js', name, cs, root, ...w],
  })
  const runners: ClientRunner[] = []
  if (wanted.some((n) => n === 'node-zookeeper-client' || n === 'zookeeper')) installNpmPeers()
  compileNodeWorkers()
  for (const name of wanted) {
    switch (name) {
      case 'zookit':
        runners.push(node(name, 'zookit'))
        break
      case 'floor':
        runners.push(node(name, 'floor'))
        break
      case 'node-zookeeper-client':
        runners.push(node(name, `node-zookeeper-client ${npmVersion(name)}`))
        break
      case 'zookeeper':
        runners.push(node(name, `zookeeper ${npmVersion(name)} (native)`))
        break
      case 'java': {
        const why = compileJavaWorker()
        if (why) console.error(`leaving out the Java client: ${why}`)
        else
          runners.push({
            name,
            label: `Java client ${zookeeperJarVersion()}`,
            command: 'java',
            args: (cs, root, w) => ['-cp', [...JARS, JAVA_BUILD].join(':'), 'JavaWorker', cs, root, ...w],
          })
        break
      }
      case 'kazoo': {
        const version = spawnSync(PYTHON, ['-c', 'import kazoo.version; print(kazoo.version.__version__)'], { encoding: 'utf8' })
        if (version.status !== 0) console.error(`leaving out kazoo: python3-kazoo is not installed for ${PYTHON}`)
        else
          runners.push({
            name,
            label: `kazoo ${version.stdout.trim()}`,
            command: PYTHON,
            args: (cs, root, w) => [KAZOO_WORKER, cs, root, ...w],
          })
        break
      }
    }
  }
  return runners
}
