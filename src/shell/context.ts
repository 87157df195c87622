// What a shell command is and what it gets to work with, and the helpers every command shares:
// turning client errors into zkCli's lines, checking paths as the Java client does, reading ACLs.
import { Perms, type ACL, type AddWatchMode, type Stat, type Watcher, type ZooKeeper } from '../index.js'
import { CliError } from './errors.js'
import { statLines } from './format.js'
import { javaParseInt, javaPathProblem } from './java-lang.js'
import { cliMessage, keeperFailure } from './messages.js'
import { parseOptions, type OptionSpec, type ParsedCommand } from './options.js'

/** A command's view of the shell. */
export interface CommandContext {
  /** The current client. */
  readonly zk: ZooKeeper
  /** The shell's watcher: what a -w sets, printing each event as zkCli's default watcher does. */
  readonly watcher: Watcher
  /** A line on stdout. */
  out(line: string): void
  /** A line on stderr. */
  err(line: string): void
  /** Text on stdout without a line end (setAcl -R prints its failures so). */
  write(text: string): void
  /** The version `version` reports. */
  readonly version: string
  /** What zkCli's command objects keep from one run to the next (they are created once per shell). */
  readonly kept: KeptState
}

/**
 * State zkCli carries across runs of a command: addWatch's mode stays what the last -m set, so a
 * plain "addWatch /x" after "addWatch -m persistent /y" adds a persistent watch, not a recursive one.
 */
export interface KeptState {
  addWatchMode: AddWatchMode
}

/** A command of the shell: its name and usage (as zkCli's help lists them) and how it runs. */
export interface ShellCommand {
  name: string
  /** Everything after the name in the usage line, e.g. "[-s] [-w] path". */
  usage: string
  /** Parse `words` (the name first) and run; failures are thrown as CliError or JavaCrash. */
  run(ctx: CommandContext, words: string[]): Promise<void>
}

/** An option without a value. */
export const flag = (name: string, description: string): OptionSpec => ({ name, hasArg: false, description })
/** An option that takes a value. */
export const valued = (name: string, description: string): OptionSpec => ({ name, hasArg: true, description })

/** Print a Stat as zkCli's StatPrinter does. */
export const printStat = (ctx: CommandContext, stat: Stat) => statLines(stat).forEach((l) => ctx.out(l))

/** The -v option as zkCli reads it, with Integer.parseInt (so a word that is no number ends the JVM); -1 without it. */
export const versionOf = (parsed: ParsedCommand) => (parsed.has('v') ? javaParseInt(parsed.value('v')!) : -1)

/** The usage line of `cmd`, which zkCli's parse errors print. */
export const usageOf = (cmd: ShellCommand) => `${cmd.name} ${cmd.usage}`

/** Parse `words`; a usage error (CliError with the usage line) when fewer than `min` words remain. */
export function parseAtLeast(cmd: ShellCommand, specs: readonly OptionSpec[], words: string[], min: number): ParsedCommand {
  const parsed = parseOptions(specs, words)
  if (parsed.args.length < min) throw new CliError(usageOf(cmd))
  return parsed
}

/** Refuse `path` as the Java client does before sending anything (zkCli's MalformedPathException). */
export function checkPath(path: string, sequential = false): void {
  const problem = javaPathProblem(path, sequential)
  if (problem) throw new CliError(problem)
}

/** Run a client call; a ZooKeeper error becomes the line zkCli prints for it. */
export async function zkCall<T>(call: () => Promise<T>, path?: string): Promise<T> {
  try {
    return await call()
  } catch (err) {
    const { code, path: where } = keeperFailure(err, path)
    throw new CliError(cliMessage(code, where))
  }
}

const PERM_LETTERS: Record<string, number> = { r: Perms.READ, w: Perms.WRITE, c: Perms.CREATE, d: Perms.DELETE, a: Perms.ADMIN }

/**
 * zkCli's AclParser: "scheme:id:perms,…", the id running to the last ':'. Malformed entries and
 * unknown rights are reported on stderr and skipped, as zkCli does.
 */
export function parseAcl(ctx: CommandContext, text: string): ACL[] {
  // Java's String.split drops trailing empty pieces (all of them for ",,"), unless nothing matched.
  const pieces = text.split(',')
  if (pieces.length > 1) while (pieces.length > 0 && pieces[pieces.length - 1] === '') pieces.pop()
  const acl: ACL[] = []
  for (const piece of pieces) {
    const first = piece.indexOf(':')
    const last = piece.lastIndexOf(':')
    if (first < 0 || first === last) {
      ctx.err(`${piece} does not have the form scheme:id:perm`)
      continue
    }
    let perms = 0
    for (const letter of piece.slice(last + 1)) {
      const bit = PERM_LETTERS[letter]
      if (bit === undefined) ctx.err(`Unknown perm type: ${letter}`)
      else perms |= bit
    }
    acl.push({ perms, id: { scheme: piece.slice(0, first), id: piece.slice(first + 1, last) } })
  }
  return acl
}
