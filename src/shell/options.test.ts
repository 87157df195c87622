// Command options as Commons CLI 1.5's DefaultParser reads them for zkCli (the cases zkCli.sh was
// seen to print: unknown options, a missing value, grouped letters, values glued to their letter).
import t from 'tap'
import { CliError } from './errors.js'
import { optionHelp, parseOptions, type OptionSpec } from './options.js'

const SET: OptionSpec[] = [
  { name: 's', hasArg: false, description: 'stats' },
  { name: 'v', hasArg: true, description: 'version' },
]
const words = (line: string) => line.split(' ')

t.test('options may come anywhere; the rest are arguments, the command first', async (t) => {
  const p = parseOptions(SET, words('set /a -s data'))
  t.same(p.args, ['set', '/a', 'data'])
  t.ok(p.has('s'))
  t.notOk(p.has('v'))
  t.equal(p.value('v'), undefined)
})

t.test('values: separate, glued, after "=", grouped letters, negative numbers', async (t) => {
  t.equal(parseOptions(SET, words('set -v 3 /a x')).value('v'), '3')
  t.equal(parseOptions(SET, words('set -v3 /a x')).value('v'), '3', '-v3')
  t.equal(parseOptions(SET, words('set -v=3 /a x')).value('v'), '3', '-v=3')
  const grouped = parseOptions(SET, words('set -sv 4 /a x'))
  t.ok(grouped.has('s'))
  t.equal(grouped.value('v'), '4', '-sv 4 is -s -v 4')
  t.equal(parseOptions(SET, words('set -sv4 /a x')).value('v'), '4', '-sv4')
  t.equal(parseOptions(SET, words('set -v -1 /a x')).value('v'), '-1', 'a negative number is a value, not an option')
  t.equal(parseOptions(SET, words('set -v -x /a x')).value('v'), '-x', 'a word naming no option is a value too')
  t.equal(parseOptions(SET, ['set', '-v', '"7"', '/a', 'x']).value('v'), '7', 'one pair of double quotes is dropped')
  t.equal(parseOptions(SET, words('set -v 1 -v 2 /a x')).value('v'), '1', 'the first value wins')
})

t.test('"--" ends the options; "-" is an argument', async (t) => {
  t.same(parseOptions(SET, words('set -- -s -v')).args, ['set', '-s', '-v'])
  t.same(parseOptions(SET, words('ls - /')).args, ['ls', '-', '/'])
})

t.test('errors carry Commons CLI exception text', async (t) => {
  const fails = (line: string, message: string) => t.throws(() => parseOptions(SET, words(line)), new CliError(message), line)
  fails('set -x /a b', 'org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x')
  fails('set --s /a b', 'org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: --s')
  fails('set -sx /a b', 'org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -sx')
  fails('set -s=1 /a b', 'org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -s=1')
  fails('set -v', 'org.apache.commons.cli.MissingArgumentException: Missing argument for option: v')
  fails('set -v -s /a b', 'org.apache.commons.cli.MissingArgumentException: Missing argument for option: v')
})

t.test("optionHelp is HelpFormatter's listing, as ls -? prints it", async (t) => {
  const ls: OptionSpec[] = ['?:help', 's:stat', 'w:watch', 'R:recurse'].map((d) => ({
    name: d[0]!,
    hasArg: false,
    description: d.slice(2),
  }))
  t.same(optionHelp('ls [options] path', ls), ['usage: ls [options] path', ' -?   help', ' -R   recurse', ' -s   stat', ' -w   watch'])
})
