// The rest of zkCli.sh's commands (ACLs, auth, watches, config, close, version) and the table of
// every command the shell runs through the client; history, redo, connect and quit live in shell.ts.
import { AddWatchMode, ErrorCode, ZooKeeperError, type ACL, type WatcherKind } from '../index.js'
import { checkPath, flag, parseAcl, parseAtLeast, printStat, usageOf, valued, versionOf, zkCall, type ShellCommand } from './context.js'
import { CliError, JavaCrash } from './errors.js'
import { aclLines } from './format.js'
import { javaPathProblem } from './java-lang.js'
import { cliMessage, keeperMessage } from './messages.js'
import { NODE_COMMANDS } from './node-commands.js'
import { parseOptions } from './options.js'
import { visitSubTree } from './tree.js'

const getAcl: ShellCommand = {
  name: 'getAcl',
  usage: '[-s] path',
  async run(ctx, words) {
    const parsed = parseAtLeast(getAcl, [flag('s', 'stats')], words, 2)
    const path = parsed.args[1]!
    checkPath(path)
    const { acl, stat } = await zkCall(() => ctx.zk.getACL(path), path)
    for (const entry of acl) aclLines(entry).forEach((l) => ctx.out(l))
    if (parsed.has('s')) printStat(ctx, stat)
  },
}

const SETACL_OPTIONS = [flag('s', 'stats'), valued('v', 'version'), flag('R', 'recursive')]
const setAcl: ShellCommand = {
  name: 'setAcl',
  usage: '[-s] [-v version] [-R] path acl',
  async run(ctx, words) {
    const parsed = parseAtLeast(setAcl, SETACL_OPTIONS, words, 3)
    const [, path, text] = parsed.args as [string, string, string]
    const acl = parseAcl(ctx, text)
    const version = versionOf(parsed)
    checkPath(path)
    if (parsed.has('R')) {
      // Each node's failure is printed as it comes, with no line end, and the walk goes on.
      const setOne = async (p: string) => {
        if (acl.length === 0) return ctx.write(keeperMessage(ErrorCode.INVALIDACL, null))
        try {
          await ctx.zk.setACL(p, acl, { version })
        } catch (err) {
          if (!(err instanceof ZooKeeperError)) throw err
          ctx.write(keeperMessage(err.code, err.path ?? p))
        }
      }
      return zkCall(() => visitSubTree(ctx.zk, path, undefined, setOne), path)
    }
    if (acl.length === 0) throw new CliError(cliMessage(ErrorCode.INVALIDACL, null))
    const stat = await zkCall(() => ctx.zk.setACL(path, acl as ACL[], { version }), path)
    if (parsed.has('s')) printStat(ctx, stat)
  },
}

const addauth: ShellCommand = {
  name: 'addauth',
  usage: 'scheme auth',
  async run(ctx, words) {
    const [, scheme, auth] = parseAtLeast(addauth, [], words, 2).args as [string, string, string | undefined]
    // Like the Java client's addAuthInfo, this does not wait: a refusal shows as an AuthFailed event,
    // and calls sent after it fail with it.
    void ctx.zk.addAuth(scheme, auth === undefined ? Buffer.alloc(0) : Buffer.from(auth, 'utf8')).catch(() => undefined)
  },
}

const whoami: ShellCommand = {
  name: 'whoami',
  usage: '',
  async run(ctx) {
    const identities = await zkCall(() => ctx.zk.whoAmI())
    ctx.out('Auth scheme: User')
    for (const i of identities) ctx.out(`${i.authScheme}: ${i.user}`)
  },
}

const addWatch: ShellCommand = {
  name: 'addWatch',
  usage: '[-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE',
  async run(ctx, words) {
    const parsed = parseOptions([valued('m', '')], words)
    if (parsed.args.length !== 2) throw new CliError(usageOf(addWatch))
    if (parsed.has('m')) {
      const name = parsed.value('m')!.toUpperCase()
      if (name !== 'PERSISTENT' && name !== 'PERSISTENT_RECURSIVE') throw new CliError(usageOf(addWatch))
      ctx.kept.addWatchMode = AddWatchMode[name]
    }
    const mode = ctx.kept.addWatchMode
    const path = parsed.args[1]!
    // zkCli's addWatch does not catch the client's path check, so a bad path ends the JVM.
    const problem = javaPathProblem(path)
    if (problem) throw new JavaCrash('java.lang.IllegalArgumentException', problem)
    await zkCall(() => ctx.zk.addWatch(path, mode, ctx.watcher), path)
  },
}

const REMOVE_OPTIONS = [
  flag('c', 'child watcher type'),
  flag('d', 'data watcher type'),
  flag('a', 'any watcher type'),
  flag('l', 'remove locally when there is no server connection'),
]
const removewatches: ShellCommand = {
  name: 'removewatches',
  usage: 'path [-c|-d|-a] [-l]',
  async run(ctx, words) {
    const parsed = parseAtLeast(removewatches, REMOVE_OPTIONS, words, 2)
    const path = parsed.args[1]!
    // -c wins over -d, which wins over -a; none means any.
    const kind: WatcherKind = parsed.has('c') ? 'children' : parsed.has('d') ? 'data' : 'any'
    checkPath(path)
    await zkCall(() => ctx.zk.removeWatches(path, kind, { local: parsed.has('l') }), path)
  },
}

/** ConfigUtils.getClientConfigStr: "<version> host:port,…" from the servers' client addresses. */
export function clientConfig(config: string): string {
  let version = ''
  const clients: string[] = []
  for (const raw of config.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    const eq = line.search(/[=:]/)
    const key = (eq < 0 ? line : line.slice(0, eq)).trim()
    const value = eq < 0 ? '' : line.slice(eq + 1).trim()
    if (key === 'version') version = value
    if (!key.startsWith('server.')) continue
    // "host:quorumPort:electionPort[:role];[clientHost:]clientPort": no client part, no address.
    const client = value.split(';')[1]?.trim()
    if (client === undefined) clients.push('')
    else clients.push(client.includes(':') ? client : `0.0.0.0:${client}`)
  }
  return `${version} ${clients.join(',')}`
}

const CONFIG_OPTIONS = [flag('s', 'stats'), flag('w', 'watch'), flag('c', 'client connection string')]
const config: ShellCommand = {
  name: 'config',
  usage: '[-c] [-w] [-s]',
  async run(ctx, words) {
    const parsed = parseOptions(CONFIG_OPTIONS, words)
    const watch = parsed.has('w') ? ctx.watcher : undefined
    const { data, stat } = await zkCall(() => ctx.zk.getConfig({ watch }))
    const text = data.toString('utf8')
    ctx.out(parsed.has('c') ? clientConfig(text) : text)
    if (parsed.has('s')) printStat(ctx, stat)
  },
}

const close: ShellCommand = {
  name: 'close',
  usage: '',
  async run(ctx) {
    await ctx.zk.close()
  },
}

const version: ShellCommand = {
  name: 'version',
  usage: '',
  async run(ctx) {
    ctx.out(`ZooKeeper CLI version: ${ctx.version}`)
  },
}

/** Every command that runs through the client, by name. */
export const COMMANDS: ReadonlyMap<string, ShellCommand> = new Map(
  [...NODE_COMMANDS, getAcl, setAcl, addauth, whoami, addWatch, removewatches, config, close, version].map((c) => [c.name, c]),
)
