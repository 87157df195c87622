#!/usr/bin/env node
// The `zookit` command: reads the command line (parseCommandLine, pure, so tests need no process),
// prints help or the version, and runs the bundled ensemble until a signal stops it.
import { existsSync, readFileSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { startEnsemble, type Ensemble, type EnsembleOptions, type PeerTls, type SaslOptions } from './ensemble/index.js'
import { startControlPlane, type ControlPlane } from './ensemble/control-plane.js'
import { ZOOKEEPER_WORDS } from './ensemble/four-letter.js'
import type { ClientAuth, SecureClientOptions } from './ensemble/secure-listener.js'
import { generateTestCerts, type TestCerts } from './ensemble/test-certs.js'
import { jaasDigestUsers } from './ensemble/jaas.js'

/** A command line that cannot be run as written; the CLI exits 2 with its message. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** ZooKeeper's own client port (zkServer.sh's default); a quorum takes it and the ports after it. */
export const DEFAULT_PORT = 2181

/** What `zookit help` can explain. */
export type HelpTopic = 'zookit' | 'ensemble' | 'shell'

/** What a command line asks for. */
export type Command =
  /** `zookit shell …`: the words after "shell", read as zkCli.sh reads its own (src/shell/main.ts). */
  | { kind: 'shell'; args: string[] }
  /** `asked` is false for a bare `zookit`: the usage goes to stderr and the exit code is 2. */
  | { kind: 'help'; topic: HelpTopic; asked: boolean }
  | { kind: 'version' }
  | EnsembleCommand

/** `zookit ensemble …`: the options, and what is read from files (or generated) only when it starts. */
export interface EnsembleCommand {
  kind: 'ensemble'
  options: EnsembleOptions
  control?: ControlOptions
  tls?: TlsFlags
  sasl?: SaslFlags
  quorumTls?: QuorumTlsFlags
}

/** `--sasl-user`, `--jaas` and `--session-require-client-sasl-auth`; the JAAS file is read when the ensemble starts. */
export interface SaslFlags {
  /** The users given with --sasl-user, name → password. */
  users: Record<string, string>
  jaasFile?: string
  enforce: boolean
}

/** `--quorum-tls` and its files: all three given, or none (test certificates generated when the ensemble starts). */
export interface QuorumTlsFlags {
  keyFile?: string
  certFile?: string
  caFile?: string
}

/** `--secure-port` and the `--tls-*` options: files are read (or test certificates made) when the ensemble starts. */
export interface TlsFlags {
  port: number
  keyFile?: string
  certFile?: string
  caFile?: string
  clientAuth?: ClientAuth
  only: boolean
}

/** `--control-port` and `--control-token`: serve the HTTP control plane (src/ensemble/control-plane.ts). */
export interface ControlOptions {
  port: number
  token?: string
}

/** One option of a command; it takes a value when `value` names one (for the help). */
interface OptionSpec {
  flag: `--${string}`
  short?: `-${string}`
  value?: string
  /** Given more than once, every value counts (otherwise the last one wins). */
  repeatable?: true
  help: string
}

const HELP_OPTION: OptionSpec = { flag: '--help', short: '-h', help: 'show this help and exit' }

const ENSEMBLE_OPTIONS: readonly OptionSpec[] = [
  { flag: '--size', value: 'N', help: 'servers: 1 (standalone, the default), or 3 or 5 running Zab' },
  { flag: '--port', value: 'PORT', help: `client port (default ${DEFAULT_PORT}; a quorum takes PORT, PORT+1, …); 0 picks free ports` },
  {
    flag: '--admin-port',
    value: 'PORT',
    help: 'serve ZooKeeper\'s AdminServer (/commands) on 127.0.0.1:PORT (a quorum: PORT, PORT+1, …; 0 picks free ports); prints "admin I: URL"',
  },
  {
    flag: '--secure-port',
    value: 'PORT',
    help: 'also serve TLS clients on PORT (secureClientPort; a quorum: PORT, PORT+1, …; 0 picks free ports); prints "secure: HOSTS"',
  },
  {
    flag: '--tls-key',
    value: 'FILE',
    help: "the server's private key, PEM (with --tls-cert; without both, test certificates are generated)",
  },
  { flag: '--tls-cert', value: 'FILE', help: "the server's certificate chain, PEM" },
  { flag: '--tls-ca', value: 'FILE', help: 'CA certificates, PEM, that client certificates must chain to' },
  { flag: '--client-auth', value: 'need|want|none', help: 'whether TLS clients must show a certificate (ssl.clientAuth; default need)' },
  { flag: '--secure-only', help: 'serve TLS clients only: no plain client port' },
  {
    flag: '--quorum-tls',
    help: 'run the peer links of a quorum over mutual TLS (sslQuorum); without the --quorum-tls-* files, test certificates are generated',
  },
  { flag: '--quorum-tls-key', value: 'FILE', help: "every peer's private key, PEM (with --quorum-tls-cert and --quorum-tls-ca)" },
  { flag: '--quorum-tls-cert', value: 'FILE', help: "every peer's certificate, PEM, signed by --quorum-tls-ca" },
  { flag: '--quorum-tls-ca', value: 'FILE', help: 'the CA, PEM, that a peer certificate must chain to' },
  {
    flag: '--sasl-user',
    value: 'NAME:PASSWORD',
    repeatable: true,
    help: 'a SASL DIGEST-MD5 user, as user_NAME in a JAAS Server section (repeatable; ps shows it, unlike --jaas)',
  },
  {
    flag: '--jaas',
    value: 'FILE',
    help: "take SASL DIGEST-MD5 users from the Server section of a JAAS file, as ZooKeeper's java.security.auth.login.config",
  },
  {
    flag: '--session-require-client-sasl-auth',
    help: 'refuse sessions that have not logged in with SASL (zookeeper.sessionRequireClientSASLAuth; needs --sasl-user or --jaas)',
  },
  { flag: '--processes', help: 'each server of a quorum in its own process (logs in a temporary dir unless --data-dir)' },
  { flag: '--data-dir', value: 'DIR', help: 'keep transaction logs and snapshots in DIR (default: in memory)' },
  { flag: '--no-fsync', help: 'do not fsync the log before acknowledging a write' },
  { flag: '--tick-time', value: 'MS', help: 'ZooKeeper tickTime in ms (default 2000)' },
  { flag: '--min-session-timeout', value: 'MS', help: 'shortest session timeout granted (default 2 ticks)' },
  { flag: '--max-session-timeout', value: 'MS', help: 'longest session timeout granted (default 20 ticks)' },
  {
    flag: '--super-digest',
    value: 'USER:BASE64SHA1',
    help: "digest id with super rights (ZooKeeper's DigestAuthenticationProvider.superDigest)",
  },
  { flag: '--container-check-interval', value: 'MS', help: 'how often empty containers and expired TTL nodes go (default 60000)' },
  { flag: '--enforce-quota', help: 'refuse writes over a hard quota with QUOTAEXCEEDED (zookeeper.enforceQuota; default: only logged)' },
  {
    flag: '--4lw-commands-whitelist',
    value: 'WORDS',
    help: "four-letter words answered, comma-separated, or * (default *; srvr always; ZooKeeper's default is srvr alone)",
  },
  { flag: '--max-client-cnxns', value: 'N', help: "connections from one IP address at a time (default 60, ZooKeeper's; 0: no limit)" },
  {
    flag: '--global-outstanding-limit',
    value: 'N',
    help: 'requests in process above which busy connections are not read (default 1000, as zookeeper.globalOutstandingLimit)',
  },
  {
    flag: '--sessionless-cnxn-timeout',
    value: 'MS',
    help: 'close a connection that sent no ConnectRequest after MS (default 10000, zookeeper.nio.sessionlessCnxnTimeout)',
  },
  {
    flag: '--control-port',
    value: 'PORT',
    help: 'serve the HTTP control plane on 127.0.0.1:PORT (0 picks a free port); prints "control: URL"',
  },
  { flag: '--control-token', value: 'TOKEN', help: 'the control plane wants "Authorization: Bearer TOKEN" (401 otherwise)' },
  HELP_OPTION,
]

const GLOBAL_OPTIONS: readonly OptionSpec[] = [HELP_OPTION, { flag: '--version', short: '-v', help: "print zookit's version and exit" }]

const COMMANDS = [
  { name: 'ensemble', help: 'start the bundled ZooKeeper-compatible ensemble on 127.0.0.1 and serve until Ctrl-C' },
  {
    name: 'shell [-server H:P] [CMD ARGS]',
    help: "zkCli.sh's shell on zookit's client: its commands, options and output (CMD ARGS: run one, exit)",
  },
  { name: 'help [COMMAND]', help: "show this help, or one command's" },
]

const HINT = "run 'zookit --help' for usage"

/** setTimeout's ceiling: a longer interval would silently become 1 ms. */
const MAX_MS = 2 ** 31 - 1

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([left]) => left.length))
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n')
}

function optionRows(specs: readonly OptionSpec[]): [string, string][] {
  return specs.map((o) => [`${o.short ? `${o.short}, ` : ''}${o.flag}${o.value ? ` ${o.value}` : ''}${o.repeatable ? ' …' : ''}`, o.help])
}

const ENSEMBLE_USAGE = `usage: zookit ensemble [options]

Starts the bundled ensemble on 127.0.0.1, prints its connect string (and, for a quorum, its
leader; with --control-port, a line "control: URL"), and serves until SIGINT (Ctrl-C), SIGTERM
or POST URL/ensemble/stop.

Options:
${table(optionRows(ENSEMBLE_OPTIONS))}`

const USAGE = `usage: zookit <command> [options]

Commands:
${table(COMMANDS.map((c): [string, string] => [c.name, c.help]))}

Options:
${table(optionRows(GLOBAL_OPTIONS))}

zookit ensemble options:
${table(optionRows(ENSEMBLE_OPTIONS.filter((o) => o !== HELP_OPTION)))}`

const SHELL_USAGE = `usage: zookit shell [-server host:port[/chroot]] [-timeout ms] [-r] [-waitforconnection] [cmd args]

An interactive shell with zkCli.sh's (ZooKeeper 3.8) commands, options, messages and output, on
zookit's client. The options are zkCli's (default server localhost:2181, session timeout 30000 ms;
-r allows a read-only server). With a command, runs it alone and exits with its status, as
'zkCli.sh -server host:port cmd args' does. On a terminal: a prompt, Tab completion of commands
and znode paths, and history (arrow keys; 'history' and 'redo N'). Commands piped to stdin run
one after another without a prompt. 'help' in the shell lists its commands.`

/** The usage text of `zookit` or of one of its commands. */
export function usage(topic: HelpTopic): string {
  return topic === 'ensemble' ? ENSEMBLE_USAGE : topic === 'shell' ? SHELL_USAGE : USAGE
}

/** The options of a command line as read: every value of each, in order (true for a switch). */
class SeenOptions {
  constructor(private readonly values: ReadonlyMap<string, readonly (string | true)[]>) {}

  has(flag: string): boolean {
    return this.values.has(flag)
  }

  /** The value of `flag`, the last one winning; undefined if absent (or a switch). */
  text(flag: string): string | undefined {
    const v = this.values.get(flag)?.at(-1)
    return typeof v === 'string' ? v : undefined
  }

  /** Every value of a repeatable `flag`, in the order given. */
  all(flag: string): string[] {
    return (this.values.get(flag) ?? []).filter((v): v is string => typeof v === 'string')
  }
}

/**
 * Read `args` (everything after `zookit ensemble`) against `specs`: `--name value`, `--name=value`
 * or a bare switch.
 */
function readOptions(args: readonly string[], specs: readonly OptionSpec[]): SeenOptions {
  const seen = new Map<string, (string | true)[]>()
  const add = (flag: string, value: string | true) => seen.set(flag, [...(seen.get(flag) ?? []), value])
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (!arg.startsWith('-') || arg === '-') throw new UsageError(`unexpected argument '${arg}'`)
    const eq = arg.indexOf('=')
    const name = eq < 0 ? arg : arg.slice(0, eq)
    const spec = specs.find((o) => o.flag === name || o.short === name)
    if (!spec) throw new UsageError(`unknown option '${name}'`)
    if (!spec.value) {
      if (eq >= 0) throw new UsageError(`${spec.flag} takes no value`)
      add(spec.flag, true)
      continue
    }
    // `--port --size 3` means a forgotten value, not a port named "--size".
    const value = eq >= 0 ? arg.slice(eq + 1) : args[i + 1]?.startsWith('--') ? undefined : args[++i]
    if (value === undefined || value === '') throw new UsageError(`${spec.flag} needs a value (${spec.value})`)
    add(spec.flag, value)
  }
  return new SeenOptions(seen)
}

/** A whole decimal number from `min` to `max`, or a UsageError saying what `flag` needs. */
function wholeNumber(flag: string, raw: string, min: number, max: number, what: string): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN
  if (!(n >= min && n <= max)) throw new UsageError(`${flag} must be ${what}, got '${raw}'`)
  return n
}

function milliseconds(seen: SeenOptions, flag: string): number | undefined {
  const raw = seen.text(flag)
  return raw === undefined ? undefined : wholeNumber(flag, raw, 1, MAX_MS, `a positive number of milliseconds (at most ${MAX_MS})`)
}

/** `--4lw-commands-whitelist` as ZooKeeper reads 4lw.commands.whitelist: comma-separated, `*` for every word. */
function fourLetterWords(raw: string | undefined): string[] | '*' | undefined {
  if (raw === undefined) return undefined
  const words = raw
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w !== '')
  if (words.includes('*')) return '*'
  const unknown = words.find((w) => !ZOOKEEPER_WORDS.has(w))
  if (unknown !== undefined)
    throw new UsageError(
      `--4lw-commands-whitelist: '${unknown}' is not a four-letter word of ZooKeeper 3.8 (${[...ZOOKEEPER_WORDS].join(', ')})`,
    )
  return words
}

function ensembleCommand(args: readonly string[]): Command {
  const seen = readOptions(args, ENSEMBLE_OPTIONS)
  if (seen.has('--help')) return { kind: 'help', topic: 'ensemble', asked: true }
  const text = (flag: string) => seen.text(flag)

  const rawSize = text('--size')
  const size = rawSize === undefined ? 1 : ['1', '3', '5'].includes(rawSize) ? Number(rawSize) : undefined
  if (size === undefined) throw new UsageError(`--size must be 1, 3 or 5, got '${rawSize}'`)
  const rawPort = text('--port')
  const port = rawPort === undefined ? DEFAULT_PORT : wholeNumber('--port', rawPort, 0, 65535, 'a port from 0 to 65535')
  if (port + size - 1 > 65535)
    throw new UsageError(`--port ${port} leaves no room for ${size} servers (they take ${port} to ${port + size - 1})`)
  const rawAdminPort = text('--admin-port')
  const adminPort = rawAdminPort === undefined ? undefined : wholeNumber('--admin-port', rawAdminPort, 0, 65535, 'a port from 0 to 65535')
  if (adminPort && adminPort + size - 1 > 65535)
    throw new UsageError(`--admin-port ${adminPort} leaves no room for ${size} servers (they take ${adminPort} to ${adminPort + size - 1})`)
  const processes = seen.has('--processes')
  if (processes && size === 1) throw new UsageError('--processes needs a quorum (--size 3 or 5)')

  const minSessionTimeout = milliseconds(seen, '--min-session-timeout')
  const maxSessionTimeout = milliseconds(seen, '--max-session-timeout')
  if (minSessionTimeout !== undefined && maxSessionTimeout !== undefined && minSessionTimeout > maxSessionTimeout) {
    throw new UsageError(`--min-session-timeout ${minSessionTimeout} is above --max-session-timeout ${maxSessionTimeout}`)
  }
  const superDigest = text('--super-digest')
  if (superDigest !== undefined && !/^[^:]+:[A-Za-z0-9+/]+=*$/.test(superDigest)) {
    throw new UsageError(`--super-digest must look like USER:BASE64SHA1, got '${superDigest}'`)
  }

  const rawMaxClientCnxns = text('--max-client-cnxns')
  const rawOutstanding = text('--global-outstanding-limit')
  const options: EnsembleOptions = {
    size,
    port,
    adminPort,
    processes,
    dataDir: text('--data-dir'),
    // Left undefined, each kind of server keeps its own default.
    fsync: seen.has('--no-fsync') ? false : undefined,
    tickTime: milliseconds(seen, '--tick-time'),
    minSessionTimeout,
    maxSessionTimeout,
    superDigest,
    containerCheckInterval: milliseconds(seen, '--container-check-interval'),
    fourLetterWords: fourLetterWords(text('--4lw-commands-whitelist')),
    maxClientCnxns:
      rawMaxClientCnxns === undefined
        ? undefined
        : wholeNumber('--max-client-cnxns', rawMaxClientCnxns, 0, MAX_MS, 'a whole number (0: no limit)'),
    globalOutstandingLimit:
      rawOutstanding === undefined ? undefined : wholeNumber('--global-outstanding-limit', rawOutstanding, 0, MAX_MS, 'a whole number'),
    sessionlessConnectionTimeout: milliseconds(seen, '--sessionless-cnxn-timeout'),
    enforceQuota: seen.has('--enforce-quota') ? true : undefined,
  }
  const tls = tlsFlags(seen, size)
  const sasl = saslFlags(seen)
  const quorumTls = quorumTlsFlags(seen, size)
  const rawControl = text('--control-port')
  const token = text('--control-token')
  if (token !== undefined && rawControl === undefined) throw new UsageError('--control-token needs --control-port')
  const control: ControlOptions | undefined =
    rawControl === undefined
      ? undefined
      : { port: wholeNumber('--control-port', rawControl, 0, 65535, 'a port from 0 to 65535'), ...(token !== undefined ? { token } : {}) }
  return {
    kind: 'ensemble',
    options,
    ...(control ? { control } : {}),
    ...(tls ? { tls } : {}),
    ...(sasl ? { sasl } : {}),
    ...(quorumTls ? { quorumTls } : {}),
  }
}

/** The SASL options, checked together; undefined when no user is given. */
function saslFlags(seen: SeenOptions): SaslFlags | undefined {
  const users = new Map<string, string>()
  for (const raw of seen.all('--sasl-user')) {
    const colon = raw.indexOf(':')
    // The value is never echoed: it holds a password.
    if (colon < 0) throw new UsageError("--sasl-user must be NAME:PASSWORD (the value has no ':')")
    if (colon === 0) throw new UsageError("--sasl-user must be NAME:PASSWORD (no name before the ':')")
    const name = raw.slice(0, colon)
    if (users.has(name)) throw new UsageError(`--sasl-user: ${name} is given twice`)
    users.set(name, raw.slice(colon + 1))
  }
  const jaasFile = seen.text('--jaas')
  const enforce = seen.has('--session-require-client-sasl-auth')
  if (users.size === 0 && jaasFile === undefined) {
    if (enforce) throw new UsageError('--session-require-client-sasl-auth needs users to log in: --sasl-user NAME:PASSWORD or --jaas FILE')
    return undefined
  }
  // fromEntries keeps a user named __proto__ as a user.
  return { users: Object.fromEntries(users), ...(jaasFile !== undefined ? { jaasFile } : {}), enforce }
}

/** The quorum TLS options, checked together; undefined without --quorum-tls. */
function quorumTlsFlags(seen: SeenOptions, size: number): QuorumTlsFlags | undefined {
  const files = ['--quorum-tls-key', '--quorum-tls-cert', '--quorum-tls-ca'] as const
  if (!seen.has('--quorum-tls')) {
    const stray = files.find((f) => seen.has(f))
    if (stray) throw new UsageError(`${stray} needs --quorum-tls`)
    return undefined
  }
  if (size === 1) throw new UsageError('--quorum-tls needs a quorum (--size 3 or 5): a single server has no peer links')
  const [keyFile, certFile, caFile] = files.map((f) => seen.text(f))
  const given = files.filter((f) => seen.has(f))
  if (given.length > 0 && given.length < files.length) {
    const missing = files.filter((f) => !seen.has(f))
    throw new UsageError(
      `${given.join(' and ')} ${given.length > 1 ? 'need' : 'needs'} ${missing.join(' and ')} (all three, or none for test certificates)`,
    )
  }
  return given.length === 0 ? {} : { keyFile, certFile, caFile }
}

/** The TLS options of `zookit ensemble`, checked together; undefined without --secure-port. */
function tlsFlags(seen: SeenOptions, size: number): TlsFlags | undefined {
  const text = (flag: string) => seen.text(flag)
  const rawPort = text('--secure-port')
  if (rawPort === undefined) {
    const stray = ['--tls-key', '--tls-cert', '--tls-ca', '--client-auth', '--secure-only'].find((f) => seen.has(f))
    if (stray) throw new UsageError(`${stray} needs --secure-port`)
    return undefined
  }
  const port = wholeNumber('--secure-port', rawPort, 0, 65535, 'a port from 0 to 65535')
  if (port && port + size - 1 > 65535)
    throw new UsageError(`--secure-port ${port} leaves no room for ${size} servers (they take ${port} to ${port + size - 1})`)
  const keyFile = text('--tls-key')
  const certFile = text('--tls-cert')
  if ((keyFile === undefined) !== (certFile === undefined))
    throw new UsageError(
      `${keyFile === undefined ? '--tls-cert needs --tls-key' : '--tls-key needs --tls-cert'} (or neither, for test certificates)`,
    )
  const clientAuth = text('--client-auth')
  if (clientAuth !== undefined && !['need', 'want', 'none'].includes(clientAuth))
    throw new UsageError(`--client-auth must be need, want or none, got '${clientAuth}'`)
  return {
    port,
    keyFile,
    certFile,
    caFile: text('--tls-ca'),
    clientAuth: clientAuth as ClientAuth | undefined,
    only: seen.has('--secure-only'),
  }
}

/** The text of a file a flag names; a UsageError naming the flag when it cannot be read. */
function readFlagFile(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (err) {
    throw new UsageError(`${flag}: cannot read ${file}: ${(err as Error).message}`, { cause: err })
  }
}

/** The secureClient option of `flags`: the files read, or the test certificates `generated` when none are given. */
function secureClientOf(flags: TlsFlags, generated: TestCerts | undefined): SecureClientOptions {
  const settings = { port: flags.port, clientAuth: flags.clientAuth, only: flags.only }
  const ca = flags.caFile === undefined ? generated?.ca : readFlagFile('--tls-ca', flags.caFile)
  if (flags.keyFile === undefined || flags.certFile === undefined)
    return { ...settings, key: generated!.server.key, cert: generated!.server.cert, ca }
  return { ...settings, key: readFlagFile('--tls-key', flags.keyFile), cert: readFlagFile('--tls-cert', flags.certFile), ca }
}

/** The quorumTls option of `flags`: the three files read, or the test certificates `generated`. */
function quorumTlsOf(flags: QuorumTlsFlags, generated: TestCerts | undefined): PeerTls {
  if (flags.keyFile === undefined || flags.certFile === undefined || flags.caFile === undefined)
    return { key: generated!.server.key, cert: generated!.server.cert, ca: generated!.ca }
  return {
    key: readFlagFile('--quorum-tls-key', flags.keyFile),
    cert: readFlagFile('--quorum-tls-cert', flags.certFile),
    ca: readFlagFile('--quorum-tls-ca', flags.caFile),
  }
}

/** The sasl option of `flags`: the --sasl-user users and those of the JAAS file's Server section. */
function saslOf(flags: SaslFlags): SaslOptions {
  if (flags.jaasFile === undefined) return { users: flags.users, enforce: flags.enforce }
  let fromFile: Record<string, string>
  try {
    fromFile = jaasDigestUsers(readFlagFile('--jaas', flags.jaasFile))
  } catch (err) {
    if (err instanceof UsageError) throw err
    throw new UsageError(`--jaas ${flags.jaasFile}: ${(err as Error).message}`, { cause: err })
  }
  const twice = Object.keys(flags.users).find((name) => Object.hasOwn(fromFile, name))
  if (twice !== undefined) throw new UsageError(`--sasl-user: ${twice} is also a user in --jaas ${flags.jaasFile}`)
  return { users: Object.fromEntries([...Object.entries(fromFile), ...Object.entries(flags.users)]), enforce: flags.enforce }
}

/**
 * The options the ensemble starts with: the files the flags name read, and test certificates
 * generated (one CA for the client port and the peers) where TLS is asked for without files.
 * A UsageError when a file cannot be read or is not what its flag needs.
 */
async function startOptions(command: EnsembleCommand): Promise<{ options: EnsembleOptions; certs?: TestCerts }> {
  const { tls, quorumTls, sasl } = command
  const options: EnsembleOptions = { ...command.options, ...(sasl ? { sasl: saslOf(sasl) } : {}) }
  const generate = (tls && tls.keyFile === undefined) || (quorumTls && quorumTls.keyFile === undefined)
  const certs = generate ? await generateTestCerts() : undefined
  try {
    if (tls) options.secureClient = secureClientOf(tls, certs)
    if (quorumTls) options.quorumTls = quorumTlsOf(quorumTls, certs)
  } catch (err) {
    certs?.remove()
    throw err
  }
  return { options, ...(certs ? { certs } : {}) }
}

/** What `argv` (the arguments after `zookit`) asks for; a UsageError if it cannot be run. */
export function parseCommandLine(argv: readonly string[]): Command {
  const [first, ...rest] = argv
  if (first === undefined) return { kind: 'help', topic: 'zookit', asked: false }
  if (first === 'ensemble') return ensembleCommand(rest)
  // The shell reads its own words (zkCli's single-dash options); only a leading --help/-h is ours.
  if (first === 'shell')
    return rest[0] === '--help' || rest[0] === '-h' ? { kind: 'help', topic: 'shell', asked: true } : { kind: 'shell', args: rest }
  if (first === '--help' || first === '-h' || first === '--version' || first === '-v') {
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}' after '${first}'`)
    return first === '--help' || first === '-h' ? { kind: 'help', topic: 'zookit', asked: true } : { kind: 'version' }
  }
  if (first === 'help') {
    const [topic, ...extra] = rest
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}' after 'help ${topic}'`)
    if (topic === undefined) return { kind: 'help', topic: 'zookit', asked: true }
    if (topic === 'ensemble' || topic === 'shell') return { kind: 'help', topic, asked: true }
    throw new UsageError(`unknown command '${topic}'`)
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option '${first}'`)
  throw new UsageError(`unknown command '${first}'`)
}

/**
 * The version in zookit's package.json: the nearest one named "zookit" above `moduleUrl`, which is
 * the package root both for dist/src/cli.js in an installed package and for src/cli.ts in a checkout.
 */
export function packageVersion(moduleUrl: string = import.meta.url): string {
  const start = path.dirname(fileURLToPath(moduleUrl))
  for (let dir = start; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json')
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown }
      if (manifest.name === 'zookit' && typeof manifest.version === 'string') return manifest.version
    }
    if (path.dirname(dir) === dir) throw new Error(`no package.json of zookit in ${start} or above it`)
  }
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/** How long a stop may take before the CLI gives up on it (orphaned server processes clean up). */
const STOP_DEADLINE_MS = 10_000

/** Start the ensemble, say where it serves, and stop it at the first stop signal; the exit code. */
async function serve(command: EnsembleCommand): Promise<number> {
  const controlOptions = command.control
  let started: Awaited<ReturnType<typeof startOptions>>
  try {
    started = await startOptions(command)
  } catch (err) {
    // A file a flag names is missing or wrong: as a mistake on the command line.
    console.error(`zookit: ${(err as Error).message}${err instanceof UsageError ? `; ${HINT}` : ''}`)
    return err instanceof UsageError ? 2 : 1
  }
  const { options, certs } = started
  let ensemble: Ensemble
  try {
    ensemble = await startEnsemble(options)
  } catch (err) {
    certs?.remove()
    const message = (err as Error).message
    const hint = /EADDRINUSE/.test(message) ? ' (is a ZooKeeper already there? --port 0 picks free ports)' : ''
    console.error(`zookit: ${message}${hint}`)
    return 1
  }
  console.log(ensemble.connectString)
  if (ensemble.secureConnectString) console.log(`secure: ${ensemble.secureConnectString}`)
  // One line a test can read: where a TLS client finds the CA and a certificate the servers accept.
  if (certs) console.log(`tls: ${certs.dir} (ca.pem, client.pem, client-key.pem; removed at exit)`)
  const size = ensemble.modes().length
  if (size > 1) {
    const l = ensemble.leader()
    console.log(`leader: server ${l} (${l === undefined ? 'electing' : ensemble.connectStringOf(l)})`)
  }
  // One line per server a test can read: "admin 0: http://127.0.0.1:PORT/commands".
  if (options.adminPort !== undefined)
    for (let i = 0; i < size; i++) console.log(`admin ${i}: http://127.0.0.1:${ensemble.adminPortOf(i)}/commands`)
  let stopAsked!: () => void
  const stop = new Promise<void>((resolve) => (stopAsked = resolve))
  let control: ControlPlane | undefined
  if (controlOptions) {
    try {
      control = await startControlPlane(ensemble, { port: controlOptions.port, token: controlOptions.token, onStop: stopAsked })
    } catch (err) {
      console.error(`zookit: ${(err as Error).message}`)
      await ensemble.stop()
      certs?.remove()
      return 1
    }
    // One line a test can read: "control: http://127.0.0.1:PORT".
    console.log(`control: ${control.url}`)
  }
  const where = options.dataDir
    ? `data in ${options.dataDir}`
    : options.processes
      ? 'logs in a temporary directory, removed at exit'
      : 'in memory'
  console.error(`zookit ensemble of ${size} serving on ${ensemble.connectString} (${where}); Ctrl-C to stop`)

  // The listeners stay for good: one Ctrl-C can arrive twice (the terminal signals the whole process
  // group, and a wrapper such as npm forwards its own copy); the second must not kill a stop under way.
  for (const s of STOP_SIGNALS) process.on(s, () => stopAsked())
  await stop
  const deadline = setTimeout(() => {
    console.error(`zookit: the servers did not stop within ${STOP_DEADLINE_MS / 1000} s; exiting anyway`)
    process.exit(1)
  }, STOP_DEADLINE_MS)
  deadline.unref()
  await control?.close()
  await ensemble.stop()
  certs?.remove()
  clearTimeout(deadline)
  return 0
}

/** Run one command line; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let command: Command
  try {
    command = parseCommandLine(argv)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    console.error(`zookit: ${err.message}; ${HINT}`)
    return 2
  }
  switch (command.kind) {
    case 'help':
      if (command.asked) console.log(usage(command.topic))
      else console.error(usage(command.topic))
      return command.asked ? 0 : 2
    case 'version':
      console.log(packageVersion())
      return 0
    case 'ensemble':
      return serve(command)
    case 'shell':
      // Loaded only here, so the other commands do not pay for it.
      return (await import('./shell/main.js')).runShell(command.args, packageVersion())
  }
}

// Run only as the program itself (through a bin symlink too), not when a test imports this module.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2)).catch((err: Error) => {
    console.error(`zookit: ${err.message}`)
    return 1
  })
}
