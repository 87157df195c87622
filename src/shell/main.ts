// `zookit shell`: zkCli.sh's command line (-server, -timeout, -r, -waitforconnection, then an optional
// one-shot command), and the line loop: a readline prompt with Tab completion and history on a
// terminal, plain lines without a prompt when stdin is piped, as Debian's zkCli.sh reads them.
import readline from 'node:readline'
import { createCompleter } from './completion.js'
import { JavaCrash } from './errors.js'
import { javaParseInt } from './java-lang.js'
import { Shell, ShellExit, commandUsages, type ShellOutput } from './shell.js'

/** What `zookit shell` was asked for. */
export interface ShellArgs {
  server: string
  /** The -timeout word, read as Java's Integer.parseInt when the shell connects. */
  timeout: string
  readOnly: boolean
  waitForConnection: boolean
  /** A one-shot command and its arguments, or undefined for the interactive shell. */
  command: string[] | undefined
}

/**
 * Read the arguments as zkCli's parseOptions does: options until the first word not starting with
 * "-", which begins the command; unknown options are skipped, an option missing its value is
 * reported and the defaults kept.
 */
export function parseShellArgs(argv: readonly string[], warn: (line: string) => void): ShellArgs {
  const args: ShellArgs = { server: 'localhost:2181', timeout: '30000', readOnly: false, waitForConnection: false, command: undefined }
  for (let i = 0; i < argv.length; i++) {
    const opt = argv[i]!
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`Error: no argument found for option ${opt}`)
      return argv[++i]!
    }
    try {
      if (opt === '-server') args.server = value()
      else if (opt === '-timeout') args.timeout = value()
      else if (opt === '-r') args.readOnly = true
      else if (opt === '-waitforconnection') args.waitForConnection = true
      else if (opt === '-client-configuration') {
        value()
        warn('zookit shell: -client-configuration is not supported; ignored')
      }
    } catch (err) {
      warn((err as Error).message)
      return args
    }
    if (!opt.startsWith('-')) {
      args.command = argv.slice(i)
      return args
    }
  }
  return args
}

/** The streams the shell reads and writes. */
export interface ShellStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean }
  output: NodeJS.WritableStream & { isTTY?: boolean }
  error: NodeJS.WritableStream
}

/** Run `zookit shell` with `argv` (the words after "shell"); resolves with the exit code. */
export async function runShell(
  argv: readonly string[],
  version: string,
  streams: ShellStreams = { input: process.stdin, output: process.stdout, error: process.stderr },
): Promise<number> {
  let onOutput = () => {}
  const io: ShellOutput = {
    stdout: (text) => {
      streams.output.write(text)
      onOutput()
    },
    stderr: (text) => void streams.error.write(text),
  }
  const args = parseShellArgs(argv, (line) => io.stderr(`${line}\n`))
  io.stdout(`Connecting to ${args.server}\n`)
  let shell: Shell | undefined
  try {
    shell = new Shell(io, {
      timeout: javaParseInt(args.timeout),
      readOnly: args.readOnly,
      waitForConnection: args.waitForConnection,
      version: `zookit ${version}`,
    })
    await shell.connect(args.server)
    if (args.command) {
      await shell.processCmd(args.command)
      return await shell.finish()
    }
    io.stdout('Welcome to ZooKeeper!\n')
    const interrupted = await readLines(shell, streams, (hook) => (onOutput = hook))
    const code = await shell.finish()
    return interrupted ? 130 : code
  } catch (err) {
    if (err instanceof ShellExit) {
      await shell?.finish()
      return err.code
    }
    if (!(err instanceof JavaCrash)) throw err
    io.stderr(`${err.line}\n`)
    await shell?.finish()
    return 1
  }
}

/**
 * Feed lines to the shell one at a time until end of input; true when Ctrl-C ended it. On a terminal
 * there is a prompt, Tab completion and history, and output arriving while the prompt waits is
 * followed by a fresh prompt (`setOutputHook` installs that).
 */
async function readLines(shell: Shell, streams: ShellStreams, setOutputHook: (hook: () => void) => void): Promise<boolean> {
  const terminal = Boolean(streams.input.isTTY && streams.output.isTTY)
  const commands = commandUsages().map(([name]) => name)
  const rl = readline.createInterface({
    input: streams.input,
    output: terminal ? streams.output : undefined,
    terminal,
    crlfDelay: Infinity,
    historySize: 1000,
    completer: terminal ? createCompleter(commands, (path) => shell.children(path)) : undefined,
  })
  let interrupted = false
  let waiting = false
  if (terminal) {
    rl.on('SIGINT', () => {
      interrupted = true
      rl.close()
    })
    setOutputHook(() => {
      // An event printed while the prompt waits: show the prompt (and what was typed) again under it.
      if (!waiting) return
      rl.setPrompt(shell.prompt)
      rl.prompt(true)
    })
  }
  const prompt = () => {
    if (!terminal) return
    rl.setPrompt(shell.prompt)
    rl.prompt()
    waiting = true
  }
  prompt()
  try {
    for await (const line of rl) {
      waiting = false
      await shell.executeLine(line)
      prompt()
    }
    // Ctrl-D or Ctrl-C at the prompt: end its line, so the terminal's own prompt starts afresh.
    if (terminal) streams.output.write('\n')
  } finally {
    waiting = false
    rl.close()
  }
  return interrupted
}
