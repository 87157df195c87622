// Lines split into words as zkCli's ZooKeeperMain does, oddities included.
import t from 'tap'
import { splitLine } from './line.js'

t.test('words, and quoted spans without their quotes', async (t) => {
  t.same(splitLine('create /a hello'), ['create', '/a', 'hello'])
  t.same(splitLine("create /a 'hello world'"), ['create', '/a', 'hello world'])
  t.same(splitLine('create "/q q" "a b" '), ['create', '/q q', 'a b'])
  t.same(splitLine("create /a it's"), ['create', '/a', "it's"], 'a quote inside a word stays')
  t.same(splitLine('create /a ""'), ['create', '/a', ''], 'an empty quoted word')
  t.same(splitLine('  ls \t /  '), ['ls', '/'])
})

t.test('what zkCli does with odd lines', async (t) => {
  t.same(splitLine('   '), [' '], 'blanks give a command named " "')
  t.same(splitLine(''), [])
  t.same(splitLine('get "/a'), ['get', '/a'], 'an unmatched quote is skipped')
  t.same(splitLine('set /a "x'), ['set', '/a', 'x'])
})
