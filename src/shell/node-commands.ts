// zkCli.sh's commands on znodes: ls, get, stat, set, create, delete, deleteall, sync,
// getAllChildrenNumber, getEphemerals. Each parses, checks and prints as its Java command class does.
import { CreateMode, ErrorCode, MAX_TTL, OPEN_ACL_UNSAFE, OperationTimeoutError, ZooKeeperError, type CreateOptions } from '../index.js'
import {
  checkPath,
  flag,
  parseAcl,
  parseAtLeast,
  printStat,
  usageOf,
  valued,
  versionOf,
  zkCall,
  type CommandContext,
  type ShellCommand,
} from './context.js'
import { CliError } from './errors.js'
import { javaList } from './format.js'
import { javaParseInt, javaParseLong } from './java-lang.js'
import { cliMessage, keeperMessage } from './messages.js'
import { optionHelp, parseOptions, type OptionSpec, type ParsedCommand } from './options.js'
import { deleteInBatches, listSubTree, visitSubTree } from './tree.js'

/**
 * ls, get and stat still take zkCli 3.4's trailing "watch" word: the third word is rewritten to -w
 * (whatever it was) and the line parsed again, after a deprecation note.
 */
function withLegacyWatch(
  parsed: ParsedCommand,
  words: string[],
  specs: readonly OptionSpec[],
  note: string,
  ctx: CommandContext,
): ParsedCommand {
  if (parsed.args.length <= 2) return parsed
  const rewritten = [...words]
  rewritten[2] = '-w'
  ctx.err(note)
  return parseOptions(specs, rewritten)
}

/** get and stat: a path (the old trailing "watch" word allowed), checked, and the watcher if -w. */
function readWatched(cmd: ShellCommand, specs: readonly OptionSpec[], words: string[], note: string, ctx: CommandContext) {
  const parsed = withLegacyWatch(parseAtLeast(cmd, specs, words, 2), words, specs, note, ctx)
  const path = parsed.args[1]!
  checkPath(path)
  return { parsed, path, watch: parsed.has('w') ? ctx.watcher : undefined }
}

const LS_OPTIONS = [flag('?', 'help'), flag('s', 'stat'), flag('w', 'watch'), flag('R', 'recurse')]
const ls: ShellCommand = {
  name: 'ls',
  usage: '[-s] [-w] [-R] path',
  async run(ctx, words) {
    let parsed = parseOptions(LS_OPTIONS, words)
    if (parsed.has('?')) optionHelp('ls [options] path', LS_OPTIONS).forEach((l) => ctx.out(l))
    parsed = withLegacyWatch(parsed, words, LS_OPTIONS, "'ls path [watch]' has been deprecated. Please use 'ls [-w] path' instead.", ctx)
    // ls checks its path only when it runs, so "ls -?" prints the help before this.
    if (parsed.args.length < 2) throw new CliError(usageOf(ls))
    const path = parsed.args[1]!
    const watch = parsed.has('w') ? ctx.watcher : undefined
    checkPath(path)
    if (parsed.has('R')) return zkCall(() => visitSubTree(ctx.zk, path, watch, (p) => ctx.out(p)), path)
    if (parsed.has('s')) {
      const { children, stat } = await zkCall(() => ctx.zk.getChildrenWithStat(path, { watch }), path)
      ctx.out(javaList(children.sort()))
      return printStat(ctx, stat)
    }
    const children = await zkCall(() => ctx.zk.getChildren(path, { watch }), path)
    ctx.out(javaList(children.sort()))
  },
}

const GET_OPTIONS = [flag('s', 'stats'), flag('w', 'watch')]
const get: ShellCommand = {
  name: 'get',
  usage: '[-s] [-w] path',
  async run(ctx, words) {
    const { parsed, path, watch } = readWatched(
      get,
      GET_OPTIONS,
      words,
      "'get path [watch]' has been deprecated. Please use 'get [-s] [-w] path' instead.",
      ctx,
    )
    const r = await zkCall(() => ctx.zk.getData(path, { watch }), path)
    // Java prints a node without data (null, not zero bytes) as "null".
    ctx.out(r.nullData ? 'null' : r.data.toString('utf8'))
    if (parsed.has('s')) printStat(ctx, r.stat)
  },
}

const STAT_OPTIONS = [flag('w', 'watch')]
const stat: ShellCommand = {
  name: 'stat',
  usage: '[-w] path',
  async run(ctx, words) {
    const { path, watch } = readWatched(
      stat,
      STAT_OPTIONS,
      words,
      "'stat path [watch]' has been deprecated. Please use 'stat [-w] path' instead.",
      ctx,
    )
    const s = await zkCall(() => ctx.zk.exists(path, { watch }), path)
    if (!s) throw new CliError(cliMessage(ErrorCode.NONODE, path))
    printStat(ctx, s)
  },
}

const SET_OPTIONS = [flag('s', 'stats'), valued('v', 'version')]
const set: ShellCommand = {
  name: 'set',
  usage: '[-s] [-v version] path data',
  async run(ctx, words) {
    const parsed = parseAtLeast(set, SET_OPTIONS, words, 3)
    const [, path, data] = parsed.args as [string, string, string]
    const version = versionOf(parsed)
    checkPath(path)
    const s = await zkCall(() => ctx.zk.setData(path, data, { version }), path)
    if (parsed.has('s')) printStat(ctx, s)
  },
}

const CREATE_OPTIONS = [flag('e', 'ephemeral'), flag('s', 'sequential'), flag('c', 'container'), valued('t', 'ttl')]
const create: ShellCommand = {
  name: 'create',
  usage: '[-s] [-e] [-c] [-t ttl] path [data] [acl]',
  async run(ctx, words) {
    const parsed = parseAtLeast(create, CREATE_OPTIONS, words, 2)
    const [e, s, c, t] = ['e', 's', 'c', 't'].map((o) => parsed.has(o))
    if (c && (e || s)) throw new CliError('-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.')
    let ttl = 0n
    if (t) {
      try {
        ttl = javaParseLong(parsed.value('t')!)
      } catch {
        throw new CliError('-t argument must be a long value')
      }
    }
    if (t && e) throw new CliError('TTLs cannot be used with Ephemeral znodes')
    if (t && c) throw new CliError('TTLs cannot be used with Container znodes')
    const mode = e
      ? s
        ? CreateMode.EPHEMERAL_SEQUENTIAL
        : CreateMode.EPHEMERAL
      : s
        ? t
          ? CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL
          : CreateMode.PERSISTENT_SEQUENTIAL
        : c
          ? CreateMode.CONTAINER
          : t
            ? CreateMode.PERSISTENT_WITH_TTL
            : CreateMode.PERSISTENT
    if (t && (ttl <= 0n || ttl > BigInt(MAX_TTL))) throw new CliError(`ttl must be positive and cannot be larger than: ${MAX_TTL}`)

    const [, path, data, aclText] = parsed.args as [string, string, string | undefined, string | undefined]
    const acl = aclText === undefined ? OPEN_ACL_UNSAFE : parseAcl(ctx, aclText)
    checkPath(path, s)
    // Java refuses an empty ACL itself, with no path in the message.
    if (acl.length === 0) {
      ctx.err(keeperMessage(ErrorCode.INVALIDACL, null))
      throw new CliError(cliMessage(ErrorCode.INVALIDACL, null))
    }
    const opts: CreateOptions = { mode, acl, ...(t ? { ttl: Number(ttl) } : {}) }
    try {
      const r = await ctx.zk.create(path, data ?? null, opts)
      ctx.err(`Created ${r.path}`)
    } catch (err) {
      if (!(err instanceof ZooKeeperError)) throw err
      if (err.code === ErrorCode.EPHEMERALONLOCALSESSION) ctx.err('Unable to create ephemeral node on a local session')
      if (err.code === ErrorCode.INVALIDACL) ctx.err(keeperMessage(err.code, err.path ?? path))
      throw new CliError(cliMessage(err.code, err.path ?? path))
    }
  },
}

const DELETE_OPTIONS = [valued('v', 'version')]
const del: ShellCommand = {
  name: 'delete',
  usage: '[-v version] path',
  async run(ctx, words) {
    const parsed = parseAtLeast(del, DELETE_OPTIONS, words, 2)
    // The old "delete path version" form is only warned about: the version word is ignored.
    if (parsed.args.length > 2) ctx.err("'delete path [version]' has been deprecated. Please use 'delete [-v version] path' instead.")
    const path = parsed.args[1]!
    const version = versionOf(parsed)
    checkPath(path)
    await zkCall(() => ctx.zk.delete(path, { version }), path)
  },
}

const DELETEALL_OPTIONS = [valued('b', 'batch size')]
const deleteall: ShellCommand = {
  name: 'deleteall',
  usage: 'path [-b batch size]',
  async run(ctx, words) {
    const parsed = parseAtLeast(deleteall, DELETEALL_OPTIONS, words, 2)
    let batchSize = 1000
    if (parsed.has('b')) {
      try {
        batchSize = javaParseInt(parsed.value('b')!)
      } catch {
        throw new CliError('-b argument must be an int value')
      }
    }
    const path = parsed.args[1]!
    checkPath(path)
    const tree = await zkCall(() => listSubTree(ctx.zk, path), path)
    if (!(await deleteInBatches(ctx.zk, tree, batchSize))) ctx.err('Failed to delete some node(s) in the subtree!')
  },
}

/** zkCli waits 30 s for a sync. */
const SYNC_TIMEOUT_MS = 30_000

const sync: ShellCommand = {
  name: 'sync',
  usage: 'path',
  async run(ctx, words) {
    const path = parseAtLeast(sync, [], words, 2).args[1]!
    checkPath(path)
    try {
      await ctx.zk.sync(path, { timeout: SYNC_TIMEOUT_MS })
      ctx.out('Sync is OK')
    } catch (err) {
      // zkCli reports the TimeoutException it got, whose message is null.
      if (err instanceof OperationTimeoutError) throw new CliError('null')
      if (!(err instanceof ZooKeeperError)) throw err
      ctx.out(`Sync has failed. rc=${err.code}`)
    }
  },
}

const getAllChildrenNumber: ShellCommand = {
  name: 'getAllChildrenNumber',
  usage: 'path',
  async run(ctx, words) {
    const parsed = parseOptions([], words)
    if (parsed.args.length < 2) throw new CliError(usageOf(getAllChildrenNumber))
    const path = parsed.args[1]!
    checkPath(path)
    ctx.out(String(await zkCall(() => ctx.zk.getAllChildrenNumber(path), path)))
  },
}

const getEphemerals: ShellCommand = {
  name: 'getEphemerals',
  usage: 'path',
  async run(ctx, words) {
    const path = parseOptions([], words).args[1]
    if (path !== undefined) checkPath(path)
    ctx.out(javaList(await zkCall(() => ctx.zk.getEphemerals(path ?? '/'), path)))
  },
}

/** The znode commands. */
export const NODE_COMMANDS: readonly ShellCommand[] = [
  ls,
  get,
  stat,
  set,
  create,
  del,
  deleteall,
  sync,
  getAllChildrenNumber,
  getEphemerals,
]
