// Command options read as zkCli.sh reads them (Apache Commons CLI 1.5's DefaultParser with short
// options only): options may come anywhere, "-sw" is -s -w, "-v3" is -v 3, "--" ends the options, and
// the errors carry Commons CLI's exception text, which zkCli prints as it is.
import { CliError } from './errors.js'

/** One option of a command: a letter (or "?"), whether it takes a value, and its help text. */
export interface OptionSpec {
  name: string
  hasArg: boolean
  description: string
}

/** A parsed command: its words that are not options (the command name first) and its options. */
export interface ParsedCommand {
  args: string[]
  has(name: string): boolean
  /** The first value given to `name` (Commons CLI's getOptionValue). */
  value(name: string): string | undefined
}

const unrecognized = (token: string) => new CliError(`org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: ${token}`)
const missingArgument = (name: string) =>
  new CliError(`org.apache.commons.cli.MissingArgumentException: Missing argument for option: ${name}`)

/** Java's Double.parseDouble accepts it (Commons CLI lets such a word be an option's value even after "-"). */
function isNumber(token: string): boolean {
  const t = token.trim().replace(/[fFdD]$/, '')
  return /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+)$/.test(t)
}

/** Read `tokens` (the command's words, its name first) against `specs`. */
export function parseOptions(specs: readonly OptionSpec[], tokens: readonly string[]): ParsedCommand {
  const byName = new Map(specs.map((s) => [s.name, s]))
  const values = new Map<string, (string | undefined)[]>()
  const args: string[] = []
  // The option given last that takes a value it has not had yet.
  let waiting: OptionSpec | undefined
  let onlyArgs = false

  const looksLikeOption = (token: string) => {
    if (!token.startsWith('-') || token.length === 1) return false
    const eq = token.indexOf('=')
    const name = eq < 0 ? token.slice(1) : token.slice(1, eq)
    return byName.has(name) || (name.length > 0 && byName.has(name[0]!))
  }
  const canBeValue = (token: string) => !looksLikeOption(token) || isNumber(token)
  const take = (spec: OptionSpec) => {
    if (waiting) throw missingArgument(waiting.name)
    const list = values.get(spec.name) ?? []
    list.push(undefined)
    values.set(spec.name, list)
    waiting = spec.hasArg ? spec : undefined
  }
  const give = (value: string) => {
    const list = values.get(waiting!.name)!
    list[list.length - 1] = value
    waiting = undefined
  }
  const unknown = (token: string) => {
    if (token.startsWith('-') && token.length > 1) throw unrecognized(token)
    args.push(token)
  }
  const concatenated = (token: string) => {
    for (let i = 1; i < token.length; i++) {
      const spec = byName.get(token[i]!)
      if (!spec) return unknown(token)
      take(spec)
      // "-v3": the rest of the word is the value.
      if (waiting && i + 1 < token.length) return give(token.slice(i + 1))
    }
  }
  const shortOption = (token: string) => {
    const t = token.slice(1)
    const eq = t.indexOf('=')
    if (eq < 0) {
      const spec = byName.get(t)
      if (spec) return take(spec)
      if (t.length === 1) return unknown(token)
      return concatenated(token)
    }
    // "-v=3"
    const spec = eq === 1 ? byName.get(t[0]!) : undefined
    if (!spec?.hasArg) return unknown(token)
    take(spec)
    give(t.slice(eq + 1))
  }

  for (const token of tokens) {
    if (onlyArgs) args.push(token)
    else if (token === '--') onlyArgs = true
    else if (waiting && canBeValue(token)) give(stripQuotes(token))
    // There are no long options, so every "--x" is unknown.
    else if (token.startsWith('--')) unknown(token)
    else if (token.startsWith('-') && token !== '-') shortOption(token)
    else unknown(token)
  }
  if (waiting) throw missingArgument(waiting.name)

  return {
    args,
    has: (name) => values.has(name),
    value: (name) => values.get(name)?.find((v) => v !== undefined),
  }
}

/** Commons CLI drops one pair of double quotes around an option's value. */
function stripQuotes(s: string): string {
  return s.length > 1 && s.startsWith('"') && s.endsWith('"') && !s.slice(1, -1).includes('"') ? s.slice(1, -1) : s
}

/** Commons CLI's HelpFormatter listing of `specs` (ls -? prints it): " -X   description", sorted by letter. */
export function optionHelp(usage: string, specs: readonly OptionSpec[]): string[] {
  // Java's compareToIgnoreCase: by character code, case folded.
  const key = (s: OptionSpec) => s.name.toLowerCase()
  const sorted = [...specs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
  const left = sorted.map((s) => ` -${s.name}${s.hasArg ? ' <arg>' : ''}`)
  const width = Math.max(...left.map((l) => l.length))
  return [`usage: ${usage}`, ...sorted.map((s, i) => `${left[i]!.padEnd(width)}   ${s.description}`)]
}
