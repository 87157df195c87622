// The command scripts integration/shell.test.ts runs through zkCli.sh and through `zookit shell`
// against fresh servers: each builds its own tree, so both sides see the same state. Every command of
// the shell appears with its options and its errors. HOST stands for the server's connect string.

/**
 * One run of a shell: `args` after `-server HOST` (a one-shot command, or none to read `input`), and
 * what goes to stdin.
 */
export interface ShellRun {
  name: string
  args: string[]
  input: string
  /**
   * zkCli exits without waiting for its event thread, which may not have printed the connection's
   * event yet: for one-shot runs only the lines that are not events are compared strictly.
   */
  racyEvents?: boolean
}

const lines = (...l: string[]) => l.join('\n') + '\n'

/** Every znode command with its options, its usage errors and the server's errors. */
const NODES = lines(
  // create in every mode, with data and ACLs, and each of its refusals
  'create /a hello',
  'create /a again',
  'create /a/b',
  "create /a/c 'quoted data'",
  'create /a/c/d "double quoted"',
  'create -e /a/e eph',
  'create -s /a/s- seq',
  'create -s -e /a/es- both',
  'create -c /a/cont',
  'create -t 100000 /a/ttl t',
  'create -s -t 100000 /a/ttls- t',
  'create -e -c /a/x',
  'create -t abc /a/x',
  'create -t 0 /a/x',
  'create -e -t 100 /a/x',
  'create -c -t 100 /a/x',
  'create /missing/x',
  'create a',
  'create /a/',
  'create /a//b',
  'create /a/e/child',
  'create',
  'create -x /a/x',
  'create /a/acl1 x world:anyone:rz',
  'create /a/acl2 x bad',
  'create /a/acl3 x auth::cdrwa',
  'create /a/acl4 x digest:bob:Oq4u2UVEVjXNzZyh3oRgQuBYeGw=:r,world:anyone:c',
  'create /a/acl5 x world:nobody:r',
  // ls: plain, -s, -R, -w, -?, the old trailing-watch form, and its errors
  'ls /a',
  'ls -s /a',
  'ls -R /a',
  'ls -R /',
  'ls -? /a/c',
  'ls /nothing',
  'ls -R /nothing',
  'ls',
  'ls a',
  'ls -x /',
  'ls --s /',
  'ls -sw /a/c',
  'set /a/c changed-children-watch-is-separate',
  'create /a/c/d2',
  'ls /a/c watch',
  'create /a/c/d3',
  // get and stat
  'get /a',
  'get -s /a',
  'get /a/b',
  'get /a/c',
  'get /nothing',
  'get',
  'get -w /a/b',
  'set /a/b now-set',
  'get /a/b 1',
  'set /a/b again',
  'stat /a',
  'stat /nothing',
  'stat -w /later',
  'create /later soon',
  'stat',
  'stat /later w',
  'delete /later',
  // set and its versions
  'set /a v2',
  'set -s /a v3',
  'set -v 3 /a v4',
  'set -v 3 /a v5',
  'set -v3 -s /a v6',
  'set -sv 4 /a v7',
  'set -v',
  'set /a',
  'set /nothing x',
  // delete and deleteall
  'create /d',
  'create /d/1',
  'create /d/1/2',
  'create /d/3',
  'delete /d',
  'delete -v 5 /d/3',
  'delete -v 0 /d/3',
  'delete /d/1/2 0',
  'delete /nothing',
  'delete',
  'deleteall /d',
  'deleteall /nothing',
  'deleteall',
  'deleteall /a/c -b x',
  'deleteall /a/c -b 1',
  'ls /a',
  // sync and counts
  'sync /a',
  'sync /nothing',
  'sync a',
  'sync',
  'getAllChildrenNumber /a',
  'getAllChildrenNumber /',
  'getAllChildrenNumber /nothing',
  'getAllChildrenNumber',
  'getEphemerals',
  'getEphemerals /a',
  'getEphemerals /nothing',
  'quit',
)

/** ACLs, auth, watches, config, history and redo, and the shell's own errors. */
const SESSION = lines(
  'create /z data',
  'create /z/child c',
  // ACLs
  'getAcl /z',
  'getAcl -s /z',
  'getAcl /nothing',
  'getAcl',
  'setAcl /z world:anyone:cdrwa',
  'setAcl -v 9 /z world:anyone:cdrwa',
  'setAcl -v 1 /z world:anyone:cdrwa',
  'setAcl -s /z world:anyone:cdrwa',
  'setAcl -s /z/child world:anyone:cdrw',
  'setAcl /z/child world:anyone:cdrwa',
  'setAcl /z bad',
  'setAcl /nothing world:anyone:r',
  'setAcl /z',
  'create /z/locked x world:anyone:c',
  'setAcl -R /z world:anyone:cdrwa',
  'getAcl /z/locked',
  'get /z/locked',
  'ls /z/locked',
  // auth
  'whoami',
  'addauth digest alice:secret',
  'whoami',
  'create /z/mine x auth::cdrwa',
  'getAcl /z/mine',
  'addauth',
  // watches: one-shot, persistent, recursive, and removal
  'get -w /z',
  'ls -w /z',
  'stat -w /z',
  'set /z d2',
  'create /z/w1',
  'addWatch /z',
  'create /z/w1/deep',
  'set /z/w1/deep x',
  'delete /z/w1/deep',
  'removewatches /z',
  'removewatches /z',
  'create /p',
  'addWatch -m persistent /p',
  'create /p/kid',
  'set /p x',
  'addWatch /q-missing',
  'create /q-missing',
  'removewatches /q-missing -a',
  'addWatch -m PERSISTENT_RECURSIVE /r-missing',
  'create /r-missing',
  'create /r-missing/kid',
  'removewatches /r-missing -l',
  'addWatch -m bogus /p',
  'addWatch',
  'addWatch /p /q',
  'get -w /p',
  'ls -w /p',
  'removewatches /p -d',
  'removewatches /p -c',
  'removewatches /p -a',
  'removewatches /nothing',
  'removewatches',
  'removewatches bad',
  // printwatches (zkCli's event thread reads the switch when it prints, which races with the next
  // lines, so no event fires while it is off here: src/shell/shell.test.ts checks that)
  'printwatches',
  'printwatches off',
  'printwatches',
  'printwatches on',
  // config
  'config',
  'config -s',
  'config -c',
  'config -w',
  // lines zkCli splits oddly, and commands it does not know
  '',
  '   ',
  'bogus arg',
  // history and redo
  'history',
  'redo 0',
  'redo 0x1',
  'redo 999',
  'redo -1',
  'redo',
  'history',
  'quit',
)

/** close, the shell's own commands without a client, connect, and a JVM-ending error. */
const RECONNECT = lines(
  'create /r x',
  'close',
  'ls /',
  'history',
  'printwatches',
  'close',
  'connect HOST',
  'get /r',
  'getEphemerals',
  'create -e /r/e x',
  'getEphemerals',
  'set -v x /r y',
  'get /r',
)

/** Piped input that ends without quit: zkCli exits with the last command's status, closing nothing. */
const NO_QUIT = lines('create /n x', 'get /n', 'get /nothing')

/** What the test runs, in order, on each side (against that side's own server). */
export const RUNS: ShellRun[] = [
  { name: 'znode commands', args: [], input: NODES },
  { name: 'acls, auth, watches, history', args: [], input: SESSION },
  { name: 'close, connect and a crash', args: [], input: RECONNECT },
  { name: 'input ending without quit', args: [], input: NO_QUIT },
  { name: 'one-shot ls -R', args: ['ls', '-R', '/a'], input: '', racyEvents: true },
  { name: 'one-shot create with spaces', args: ['create', '/one', 'hello world'], input: '', racyEvents: true },
  { name: 'one-shot get of a missing node', args: ['get', '/nothing'], input: '', racyEvents: true },
  { name: 'one-shot unknown command', args: ['bogus'], input: '', racyEvents: true },
]

/** A one-shot run under a chroot: `-server HOST/a`. */
export const CHROOT_RUN: ShellRun = { name: 'one-shot under a chroot', args: ['ls', '-R', '/'], input: '', racyEvents: true }
