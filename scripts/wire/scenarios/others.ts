// Wire scenarios for clients other than zookit, each run as its own process through the recording
// proxy: kazoo (Python), cli_mt (the C client's shell) and zkCli.sh (the Java client's shell).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { WireRecorder } from '../../../src/testing/wire-recorder.js'
import type { Scenario } from '../scenario.js'

const PYTHON = '/usr/bin/python3'
const KAZOO_SCRIPT = fileURLToPath(new URL('./kazoo_scenario.py', import.meta.url))
const CLI_MT = '/usr/lib/zookeeper/bin/cli_mt'
const STDBUF = '/usr/bin/stdbuf'
const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh'

/** A child process whose output (stdout and stderr, interleaved as it arrives) is kept as text. */
class Program {
  readonly child: ChildProcess
  output = ''
  /** Set once the process has exited and its output is all read. */
  private closed = false
  private readonly exited: Promise<number | null>
  private readonly listeners = new Set<() => void>()

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv = {},
  ) {
    // A process group of its own, so kill() reaches what it starts too (zkCli.sh runs java as a child).
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env }, detached: true })
    const take = (chunk: Buffer) => {
      this.output += chunk.toString('utf8')
      for (const l of this.listeners) l()
    }
    this.child.stdout!.on('data', take)
    this.child.stderr!.on('data', take)
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject)
      this.child.on('close', (code, signal) => {
        this.closed = true
        if (signal) this.output += `\n(killed by ${signal})`
        for (const l of this.listeners) l()
        resolve(code)
      })
    })
    // A failure to start also ends in 'close', which waitFor() reports; finish() still sees the error.
    this.exited.catch(() => undefined)
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  /** Wait until `pattern` matches the output after offset `from`; resolves with the match's end. */
  waitFor(pattern: RegExp, from: number, ms: number, what = String(pattern)): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(this.output.slice(from))
        if (m) return done(() => resolve(from + m.index + m[0].length))
        if (this.closed) done(() => reject(this.failure(`exited while waiting for ${what}`)))
      }
      const timer = setTimeout(() => done(() => reject(this.failure(`no ${what} within ${ms} ms`))), ms)
      const done = (then: () => void) => {
        clearTimeout(timer)
        this.listeners.delete(check)
        then()
      }
      this.listeners.add(check)
      check()
    })
  }

  write(text: string): void {
    this.child.stdin!.write(text)
  }

  /** Resolve when the process exits 0 within `ms`; otherwise kill it and reject with its output. */
  async finish(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))
    const code = await Promise.race([this.exited, timedOut])
    clearTimeout(timer)
    if (code === 'timeout') {
      this.kill()
      await this.exited
      throw this.failure(`still running after ${ms} ms`)
    }
    if (code !== 0) throw this.failure(`exited with ${code}`)
  }

  kill(): void {
    if (!this.running || this.child.pid === undefined) return
    try {
      process.kill(-this.child.pid, 'SIGKILL')
    } catch {
      this.child.kill('SIGKILL')
    }
  }

  failure(why: string): Error {
    return new Error(`${this.name} ${why}; its output:\n${this.output}`)
  }
}

/** Run `body` with the program, killing it if `body` throws. */
async function supervise(p: Program, body: (p: Program) => Promise<void>): Promise<void> {
  try {
    await body(p)
  } catch (err) {
    p.kill()
    throw err
  }
}

// kazoo: the script prints CUT when it wants the connections cut, and DONE at the end.
async function kazooScenario(connectString: string, recorder: WireRecorder): Promise<void> {
  // PYTHONHASHSEED keeps any set or dict kazoo iterates in one order from run to run.
  const py = new Program('kazoo_scenario.py', PYTHON, [KAZOO_SCRIPT, connectString], { PYTHONHASHSEED: '0', PYTHONUNBUFFERED: '1' })
  await supervise(py, async () => {
    const at = await py.waitFor(/^CUT$/m, 0, 30_000, 'CUT')
    recorder.proxy.cut()
    await py.waitFor(/^DONE$/m, at, 30_000, 'DONE')
    await py.finish(10_000)
  })
}

function kazooMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`
  const probe = spawnSync(PYTHON, ['-c', 'import kazoo'], { encoding: 'utf8' })
  return probe.status === 0 ? undefined : 'kazoo is not installed for Debian python (apt-get install python3-kazoo)'
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * cli_mt's commands, each with what its completion prints (to stderr), so the next one is sent only
 * after the server answered. Commands without a completion (exists and wexists, which cli_mt runs
 * synchronously, and addauth) are followed by `myid`, which prints once the command before it returned.
 */
const ROOT_MT = '/wire-climt'
type MtStep = string | { cut: true }
const MT_STEPS: MtStep[] = [
  `create ${ROOT_MT}`,
  `create +e ${ROOT_MT}/e`,
  `create +s ${ROOT_MT}/s-`,
  `create +es ${ROOT_MT}/es-`,
  `create +c ${ROOT_MT}/c`,
  `create +t=60000 ${ROOT_MT}/ttl`,
  `create +st=60000 ${ROOT_MT}/ttl-s-`,
  `create2 ${ROOT_MT}/two`,
  `create2 +e ${ROOT_MT}/two-e`,
  `create2 +es ${ROOT_MT}/two-es-`,
  `create2 +c ${ROOT_MT}/two-c`,
  `create2 +t=60000 ${ROOT_MT}/two-ttl`,
  `create ${ROOT_MT}`,
  `create ${ROOT_MT}/missing/child`,
  `create ${ROOT_MT}/e/child`,
  `create2 ${ROOT_MT}/missing/child`,
  `ls ${ROOT_MT}`,
  `ls2 ${ROOT_MT}`,
  `ls ${ROOT_MT}/nothing`,
  `ls2 ${ROOT_MT}/nothing`,
  `get ${ROOT_MT}/e`,
  `get ${ROOT_MT}/nothing`,
  `set ${ROOT_MT}/e hello`,
  `set ${ROOT_MT}/nothing x`,
  `exists ${ROOT_MT}/e`,
  `exists ${ROOT_MT}/later`,
  `wexists ${ROOT_MT}/later2`,
  `create ${ROOT_MT}/later`,
  `create ${ROOT_MT}/later2`,
  `delete ${ROOT_MT}`,
  `delete ${ROOT_MT}/nothing`,
  `delete ${ROOT_MT}/two`,
  `sync ${ROOT_MT}`,
  `addauth digest alice:secret`,
  `config`,
  `reconfig -remove 2`,
  `get /`,
  `ls /zookeeper`,
  // Watches for the reconnect to restore (SetWatches): data, exist and child.
  `get ${ROOT_MT}/ttl`,
  `exists ${ROOT_MT}/gone`,
  `ls ${ROOT_MT}/c`,
  { cut: true },
  `get ${ROOT_MT}/ttl`,
  `ls2 /`,
  `delete ${ROOT_MT}/c`,
  `delete ${ROOT_MT}/e`,
]

/** What cli_mt prints when the command on `line` is answered (undefined: nothing, use myid). */
function mtCompletion(line: string): RegExp | undefined {
  const [cmd, ...rest] = line.split(' ')
  const path = rest.filter((w) => w.startsWith('/')).at(-1) ?? ''
  switch (cmd) {
    case 'create':
    case 'create2':
    case 'sync':
      return new RegExp(`^\\[${esc(path)}\\]: rc = -?\\d+$`, 'm')
    case 'get':
    case 'ls':
    case 'ls2':
    case 'delete':
    case 'set':
      return new RegExp(`^${esc(path)}: rc = -?\\d+`, 'm')
    case 'config':
      return /^\/zookeeper\/config: rc = -?\d+$/m
    case 'reconfig':
      return new RegExp(`^${esc(rest.join(' '))}: rc = -?\\d+$`, 'm')
    default:
      return undefined
  }
}

async function cliMtScenario(connectString: string, recorder: WireRecorder): Promise<void> {
  // cli_mt prints myid's answer with printf: line-buffer its stdout so the answer comes at once.
  const cli = new Program('cli_mt', STDBUF, ['-oL', CLI_MT, '-h', connectString])
  await supervise(cli, async () => {
    let at = await cli.waitFor(/Got a new session id: 0x[0-9a-f]+\n/, 0, 10_000, 'a session')
    for (const step of MT_STEPS) {
      if (typeof step !== 'string') {
        const cutAt = cli.output.length
        recorder.proxy.cut()
        at = await cli.waitFor(/Watcher SESSION_EVENT state = CONNECTED_STATE\n/, cutAt, 15_000, 'the reconnect')
        continue
      }
      const done = mtCompletion(step)
      cli.write(done ? `${step}\n` : `${step}\nmyid\n`)
      at = await cli.waitFor(done ?? /^session Id = [0-9a-f]+$/m, at, 10_000, `the answer to "${step}"`)
    }
    cli.write('quit\n')
    await cli.finish(10_000)
  })
}

/**
 * zkCli.sh reads its commands from stdin (JLine is off without a terminal) and runs each to its end
 * before reading the next, so the whole script goes in at once. It exits with the status of the last
 * command before quit, which is one that succeeds.
 */
const ROOT_CLI = '/wire-zkcli'
const ZKCLI_SCRIPT = [
  `create ${ROOT_CLI} root`,
  `create ${ROOT_CLI}/p persistent`,
  `create -e ${ROOT_CLI}/e ephemeral`,
  `create -s ${ROOT_CLI}/s- sequential`,
  `create -e -s ${ROOT_CLI}/es- ephemeral-sequential`,
  `create -c ${ROOT_CLI}/c`,
  `create ${ROOT_CLI}/c/child x`,
  `create ${ROOT_CLI}/c/child/grandchild x`,
  `create -t 60000 ${ROOT_CLI}/ttl ttl`,
  `create -s -t 60000 ${ROOT_CLI}/ttl-s- ttl`,
  `create ${ROOT_CLI}/p again`,
  `create ${ROOT_CLI}/missing/child x`,
  `create ${ROOT_CLI}/e/child x`,
  `ls ${ROOT_CLI}`,
  `ls -s ${ROOT_CLI}`,
  `ls -R ${ROOT_CLI}`,
  `ls -w ${ROOT_CLI}/p`,
  `ls ${ROOT_CLI}/nothing`,
  `get -s ${ROOT_CLI}/p`,
  `get -w ${ROOT_CLI}/p`,
  `get ${ROOT_CLI}/nothing`,
  `set ${ROOT_CLI}/p v1`,
  `set -v 1 ${ROOT_CLI}/p v2`,
  `set -v 9 ${ROOT_CLI}/p v3`,
  `set -s ${ROOT_CLI}/p v4`,
  `set ${ROOT_CLI}/nothing x`,
  `stat ${ROOT_CLI}/p`,
  `stat -w ${ROOT_CLI}/later`,
  `stat ${ROOT_CLI}/nothing`,
  `create ${ROOT_CLI}/later now`,
  `delete ${ROOT_CLI}`,
  `delete -v 7 ${ROOT_CLI}/p`,
  `delete ${ROOT_CLI}/nothing`,
  `delete -v 0 ${ROOT_CLI}/later`,
  `getAcl ${ROOT_CLI}/p`,
  `getAcl -s ${ROOT_CLI}/p`,
  `getAcl ${ROOT_CLI}/nothing`,
  `whoami`,
  `addauth digest alice:secret`,
  `whoami`,
  `create ${ROOT_CLI}/alice private auth::cdrwa`,
  // bob's digest is of a password nobody here has: only world's create right applies.
  `create ${ROOT_CLI}/bob private digest:bob:Oq4u2UVEVjXNzZyh3oRgQuBYeGw=:r,world:anyone:c`,
  `create ${ROOT_CLI}/bad-acl x world:nobody:cdrwa`,
  `getAcl ${ROOT_CLI}/alice`,
  `getAcl ${ROOT_CLI}/bob`,
  `get ${ROOT_CLI}/bob`,
  `create ${ROOT_CLI}/bob/child x`,
  `setAcl ${ROOT_CLI}/p world:anyone:cdrwa`,
  `setAcl -v 5 ${ROOT_CLI}/p world:anyone:cdrwa`,
  `setAcl -s ${ROOT_CLI}/p world:anyone:cdrw`,
  `setAcl -R ${ROOT_CLI}/c world:anyone:cdrwa`,
  `setAcl ${ROOT_CLI}/nothing world:anyone:cdrwa`,
  `getEphemerals ${ROOT_CLI}`,
  `getEphemerals`,
  `getAllChildrenNumber ${ROOT_CLI}`,
  `getAllChildrenNumber /`,
  `getAllChildrenNumber ${ROOT_CLI}/nothing`,
  `sync ${ROOT_CLI}`,
  `addWatch -m persistent_recursive ${ROOT_CLI}`,
  `addWatch -m persistent ${ROOT_CLI}/p`,
  `set ${ROOT_CLI}/p watched`,
  `create ${ROOT_CLI}/p/deep x`,
  `delete ${ROOT_CLI}/p/deep`,
  `removewatches ${ROOT_CLI}`,
  `removewatches ${ROOT_CLI}/p -d`,
  `removewatches ${ROOT_CLI}/p -c`,
  `removewatches ${ROOT_CLI}/none`,
  `config`,
  `config -s`,
  `deleteall ${ROOT_CLI}/c`,
  `deleteall ${ROOT_CLI}/nothing`,
  `ls ${ROOT_CLI}`,
  'quit',
]

async function zkCliScenario(connectString: string): Promise<void> {
  const cli = new Program('zkCli.sh', ZKCLI, ['-server', connectString], {
    CLIENT_JVMFLAGS: '-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto',
  })
  await supervise(cli, async () => {
    cli.child.stdin!.end(ZKCLI_SCRIPT.join('\n') + '\n')
    await cli.finish(20_000)
  })
}

const missingFile = (...files: string[]) => {
  const gone = files.find((f) => !existsSync(f))
  return gone && `${gone} is missing (apt-get install zookeeper zookeeper-bin)`
}

/** The kazoo, cli_mt and zkcli fixtures' scenarios; each is skipped where its program is not installed. */
export const otherScenarios: Scenario[] = [
  {
    name: 'kazoo',
    client: 'kazoo 2.8 (Debian python3-kazoo), scripts/wire/scenarios/kazoo_scenario.py',
    about: [
      'ensure_path, create (ephemeral, sequence, makepath, include_data; kazoo 2.8 has no containers or TTLs), versioned get/set/delete',
      'and their errors, watches and DataWatch/ChildrenWatch fed by a second client, transactions, digest auth and ACLs,',
      'Lock (with a waiter), Counter, Election, Barrier, ruok, and a cut: the second client changes things while the first',
      'is held off, then the first resumes its session and its ChildrenWatch re-reads',
    ],
    unavailable: kazooMissing,
    run: kazooScenario,
  },
  {
    name: 'cli_mt',
    client: "cli_mt, the ZooKeeper 3.8 C client's shell (Debian zookeeper-bin)",
    about: [
      'create/create2 in every mode, ls, ls2, get, set, exists, wexists, delete, sync, addauth, config, reconfig,',
      'and a cut connection resumed with SetWatches',
    ],
    unavailable: () => missingFile(CLI_MT, STDBUF),
    run: cliMtScenario,
  },
  {
    name: 'zkcli',
    client: "zkCli.sh, the ZooKeeper 3.8 Java client's shell (Debian zookeeper)",
    about: [
      'create -e/-s/-c/-t, ls -s/-R/-w, get -s/-w, set -v, stat, delete, deleteall, getAcl, setAcl (-R), addauth, whoami,',
      'getEphemerals, getAllChildrenNumber, sync, addWatch, removewatches, config',
    ],
    unavailable: () => missingFile(ZKCLI, '/usr/bin/java'),
    run: (connectString) => zkCliScenario(connectString),
  },
]
