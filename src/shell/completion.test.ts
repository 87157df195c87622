// Tab completion as zkCli's JLineZNodeCompleter does it: znode paths from the parent's children,
// command names otherwise; and the node:readline completer that wraps it.
import t from 'tap'
import { complete, createCompleter } from './completion.js'

const COMMANDS = ['close', 'config', 'connect', 'create', 'get', 'getAcl', 'ls']
const TREE: Record<string, string[]> = { '/': ['zookeeper', 'alpha', 'alpine', 'beta'], '/alpha': ['kid', 'kin', 'other'] }
const asked: string[] = []
const children = async (path: string) => {
  asked.push(path)
  const kids = TREE[path]
  if (!kids) throw new Error(`no node ${path}`)
  return kids
}

t.test('a word starting with "/" completes from its parent’s children, sorted', async (t) => {
  asked.length = 0
  t.same(await complete('ls /al', COMMANDS, children), [['alpha', 'alpine'], 'al'])
  t.same(await complete('ls /', COMMANDS, children), [['alpha', 'alpine', 'beta', 'zookeeper'], ''], 'the root lists everything')
  t.same(await complete('get -s /alpha/ki', COMMANDS, children), [['kid', 'kin'], 'ki'])
  t.same(await complete('ls /alpha/', COMMANDS, children), [['kid', 'kin', 'other'], ''])
  t.same(asked, ['/', '/', '/alpha', '/alpha'], 'the parent of the typed path is listed')
  t.same(await complete('ls /nothing/x', COMMANDS, children), [[], 'x'], 'a missing parent completes nothing')
  t.same(await complete('ls /zz', COMMANDS, children), [[], 'zz'])
})

t.test('any other word completes as a command name', async (t) => {
  t.same(await complete('c', COMMANDS, children), [['close', 'config', 'connect', 'create'], 'c'])
  t.same(await complete('con', COMMANDS, children), [['config', 'connect'], 'con'])
  t.same(await complete('', COMMANDS, children), [COMMANDS, ''])
  t.same(await complete('get', COMMANDS, children), [['get', 'getAcl'], 'get'])
  // After a space the word being typed is empty, so zkCli offers every command again.
  t.same(await complete('ls ', COMMANDS, children), [COMMANDS, ''])
  t.same(await complete('ls -s', COMMANDS, children), [[], '-s'])
})

t.test('createCompleter answers through readline’s callback', async (t) => {
  const completer = createCompleter(COMMANDS, children)
  const result = await new Promise((resolve) => completer('ls /be', (err, r) => resolve([err, r])))
  t.same(result, [null, [['beta'], 'be']])
  const failing = createCompleter(COMMANDS, () => Promise.reject(new Error('closed')))
  t.same(
    await new Promise((resolve) => failing('ls /be', (err, r) => resolve([err, r]))),
    [null, [[], 'be']],
    'a failing listing completes nothing',
  )
})
