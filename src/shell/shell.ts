// The shell's engine, as zkCli.sh's ZooKeeperMain runs it: one client at a time, its events printed
// as "WATCHER::" blocks, numbered history with redo, connect/close/quit, and each line dispatched to
// its command with zkCli's error lines and exit codes. No terminal handling here (see main.ts).
import { AddWatchMode, EventType, KeeperState, ZooKeeper, type SessionState, type Watcher } from '../index.js'
import { COMMANDS } from './commands.js'
import type { CommandContext, KeptState } from './context.js'
import { CliError, JavaCrash } from './errors.js'
import { eventLine } from './format.js'
import { javaDecode } from './java-lang.js'
import { splitLine } from './line.js'

/** Where the shell writes: raw text to stdout and stderr. */
export interface ShellOutput {
  stdout(text: string): void
  stderr(text: string): void
}

/** How the shell connects (zkCli's -timeout, -r and -waitforconnection). */
export interface ShellOptions {
  /** Session timeout, ms. */
  timeout: number
  readOnly?: boolean
  /** Wait for each connection, as -waitforconnection does; failing ends the shell. */
  waitForConnection?: boolean
  /** What `version` reports. */
  version: string
}

/** Thrown by quit: the shell ends with `code`, its client already closed. */
export class ShellExit extends Error {
  override readonly name = 'ShellExit'
  constructor(readonly code: number) {
    super(`exit ${code}`)
  }
}

/** The words zkCli treats as commands of the shell itself rather than of the client. */
const SHELL_COMMANDS: Record<string, string> = {
  connect: 'host:port',
  history: '',
  redo: 'cmdno',
  printwatches: 'on|off',
  quit: '',
  help: '',
}

/** Java's ZooKeeper.States names, as the prompt shows them. */
const STATE_NAMES: Record<SessionState, string> = {
  connecting: 'CONNECTING',
  disconnected: 'CONNECTING',
  connected: 'CONNECTED',
  expired: 'CLOSED',
  closed: 'CLOSED',
  authFailed: 'AUTH_FAILED',
}

/** The session event zkCli's default watcher prints for each state the client enters. */
const STATE_EVENTS: Partial<Record<SessionState, number>> = {
  connected: KeeperState.SyncConnected,
  disconnected: KeeperState.Disconnected,
  expired: KeeperState.Expired,
  closed: KeeperState.Closed,
  authFailed: KeeperState.AuthFailed,
}

const REMOVED_EVENTS = new Set<number>([EventType.DataWatchRemoved, EventType.ChildWatchRemoved, EventType.PersistentWatchRemoved])

/**
 * How long calls wait for a first connection before failing with ConnectionLoss: zkCli's client
 * fails them as soon as an attempt fails, which for a refused connection is at once.
 */
const FIRST_CONNECT_MS = 2000

/** Every command name with its usage, sorted as zkCli's help lists them. */
export function commandUsages(): [string, string][] {
  const all: [string, string][] = [
    ...Object.entries(SHELL_COMMANDS),
    ...[...COMMANDS.values()].map((c): [string, string] => [c.name, c.usage]),
  ]
  return all.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/** zkCli's usage text, which it prints on stderr for an unknown command (and `help` prints). */
export function usageText(): string {
  return ['ZooKeeper -server host:port cmd args', ...commandUsages().map(([name, usage]) => `\t${name} ${usage}`)].join('\n') + '\n'
}

/** One zkCli session: the current client, the history, and the exit code of the last command. */
export class Shell {
  /** The connect string of the current client, as typed. */
  host = ''
  /** Lines run so far (the prompt's number and the next history index). */
  commandCount = 0
  /** Exit code of the last command (0, 1, or 127 for an unknown command). */
  exitCode = 0
  printWatches = true
  private readonly history = new Map<number, string>()
  /** The last line's words: zkCli re-runs them for a line with no words it can find. */
  private current: string[] | undefined
  private zk: ZooKeeper | undefined
  private readonly kept: KeptState = { addWatchMode: AddWatchMode.PERSISTENT_RECURSIVE }
  /** Set while the shell ends without zkCli's close: nothing more is printed. */
  private quiet = false

  constructor(
    private readonly io: ShellOutput,
    private readonly opts: ShellOptions,
  ) {}

  /** "[zk: host:port(CONNECTED) 3] " */
  get prompt(): string {
    return `[zk: ${this.host}(${this.zk ? STATE_NAMES[this.zk.state] : 'CLOSED'}) ${this.commandCount}] `
  }

  /** Whether the current client can still be used (zkCli's States.isAlive()). */
  get alive(): boolean {
    const s = this.zk?.state
    return s !== undefined && s !== 'closed' && s !== 'expired' && s !== 'authFailed'
  }

  /** Children of `path` for completion; none when not connected or on any error. */
  async children(path: string): Promise<string[]> {
    if (this.zk?.state !== 'connected') return []
    return this.zk.getChildren(path, { timeout: 3000 }).catch(() => [])
  }

  /** zkCli's connectToZK: close the current client if it lives, then start one for `host`. */
  async connect(host: string): Promise<void> {
    if (this.zk && this.alive) await this.zk.close()
    this.host = host
    let zk: ZooKeeper
    try {
      zk = new ZooKeeper(host, {
        sessionTimeout: this.opts.timeout,
        readOnly: this.opts.readOnly,
        initialConnectTimeout: Math.min(this.opts.timeout, FIRST_CONNECT_MS),
      })
    } catch (err) {
      throw new JavaCrash('java.lang.IllegalArgumentException', (err as Error).message)
    }
    zk.on('state', (next) => {
      const state = STATE_EVENTS[next]
      if (state !== undefined) this.printEvent({ keeperState: state, eventType: EventType.None, path: null })
    })
    this.zk = zk
    if (this.opts.waitForConnection) {
      try {
        await zk.waitForConnected({ timeout: this.opts.timeout })
      } catch {
        await zk.close()
        throw new JavaCrash(
          'java.io.IOException',
          'org.apache.zookeeper.KeeperException$ConnectionLossException: KeeperErrorCode = ConnectionLoss',
        )
      }
    }
  }

  /** Run one typed line (zkCli's executeLine): empty lines are skipped, others numbered. */
  async executeLine(line: string): Promise<void> {
    if (line === '') return
    const words = splitLine(line)
    if (words.length > 0) this.current = words
    this.history.set(this.commandCount, line)
    if (!this.current)
      throw new JavaCrash(
        'java.lang.NullPointerException',
        'Cannot invoke "java.util.List.toArray(Object[])" because "this.cmdArgs" is null',
      )
    await this.processCmd(this.current)
    this.commandCount++
  }

  /** Run `words` (zkCli's processCmd): a command error is printed and kept as the exit code. */
  async processCmd(words: string[]): Promise<void> {
    try {
      await this.processZKCmd(words)
      this.exitCode = 0
    } catch (err) {
      if (err instanceof JavaCrash || err instanceof ShellExit) throw err
      const failure = err instanceof CliError ? err : new CliError((err as Error).message)
      this.exitCode = failure.exitCode
      this.io.stderr(`${failure.message}\n`)
    }
  }

  /** End without zkCli's close (end of input, one-shot, crash): the client goes quietly. */
  async finish(): Promise<number> {
    this.quiet = true
    await this.zk?.close()
    return this.exitCode
  }

  private async processZKCmd(words: string[]): Promise<void> {
    const cmd = words[0]!
    if (!Object.hasOwn(SHELL_COMMANDS, cmd) && !COMMANDS.has(cmd)) {
      this.io.stderr(usageText())
      throw new CliError(`Command not found: Command not found ${cmd}`, 127)
    }
    if (cmd === 'quit') {
      if (this.alive) await this.zk!.close()
      throw new ShellExit(this.exitCode)
    } else if (cmd === 'redo' && words.length >= 2) {
      await this.redo(words[1]!)
    } else if (cmd === 'history') {
      for (let i = Math.max(0, this.commandCount - 10); i <= this.commandCount; i++) this.out(`${i} - ${this.history.get(i) ?? 'null'}`)
    } else if (cmd === 'printwatches') {
      if (words.length === 1) this.out(`printwatches is ${this.printWatches ? 'on' : 'off'}`)
      else this.printWatches = words[1] === 'on'
    } else if (cmd === 'connect') {
      await this.connect(words[1] ?? this.host)
    } else if (cmd === 'help') {
      return this.io.stderr(usageText())
    }
    // As in zkCli, the shell's own commands also end here, saying so when the client is gone.
    if (!this.zk || !this.alive) return this.out('Not connected')
    await COMMANDS.get(cmd)?.run(this.context(this.zk), words)
  }

  private async redo(index: string): Promise<void> {
    const i = javaDecode(index)
    if (this.commandCount <= i || i < 0) throw new CliError('Command index out of range')
    const line = this.history.get(i)!
    const words = splitLine(line)
    if (words.length > 0) this.current = words
    if (this.current![0] === 'redo') throw new CliError('No redoing redos')
    this.history.set(this.commandCount, line)
    await this.processCmd(this.current!)
  }

  private context(zk: ZooKeeper): CommandContext {
    return {
      zk,
      watcher: this.watcherFor(zk),
      out: (line) => this.out(line),
      err: (line) => this.io.stderr(`${line}\n`),
      write: (text) => this.io.stdout(text),
      version: this.opts.version,
      kept: this.kept,
    }
  }

  private readonly watchers = new WeakMap<ZooKeeper, Watcher>()

  /** One watcher per client (the client dedupes by callback, as Java's watch sets do by watcher). */
  private watcherFor(zk: ZooKeeper): Watcher {
    let w = this.watchers.get(zk)
    if (!w) {
      let lastRemoved: string | undefined
      w = (e) => {
        // Session events come from the 'state' listener, once per change.
        if (e.eventType === EventType.None) return
        // One removal tells each watcher once per event type, however many registrations it had.
        if (REMOVED_EVENTS.has(e.eventType)) {
          const key = `${e.eventType} ${e.path}`
          if (key === lastRemoved) return
          lastRemoved = key
          queueMicrotask(() => (lastRemoved = undefined))
        }
        this.printEvent({ keeperState: e.keeperState, eventType: e.eventType, path: e.path })
      }
      this.watchers.set(zk, w)
    }
    return w
  }

  private printEvent(event: { keeperState: number; eventType: number; path: string | null }): void {
    if (this.quiet || !this.printWatches) return
    this.io.stdout(`\nWATCHER::\n\n${eventLine(event)}\n`)
  }

  private out(line: string): void {
    this.io.stdout(`${line}\n`)
  }
}
