// Tab completion for the shell, as zkCli's JLineZNodeCompleter does it: the word under the cursor is
// completed as a znode path (children of its parent) when it starts with "/", else as a command name.
import type { AsyncCompleter, CompleterResult } from 'node:readline'

/**
 * What completes the end of `line`: the matching candidates and the part of the line they replace
 * (the text after the last "/" for a path, the whole word for a command). `children` lists a node's
 * children and may fail, which completes nothing.
 */
export async function complete(
  line: string,
  commands: readonly string[],
  children: (path: string) => Promise<string[]>,
): Promise<CompleterResult> {
  // The word being typed: none after a space.
  const word = line.endsWith(' ') ? '' : (line.split(' ').pop() ?? '')
  if (!word.startsWith('/')) return [commands.filter((c) => c.startsWith(word)), word]
  const slash = word.lastIndexOf('/')
  const prefix = word.slice(slash + 1)
  // Only the root ends in "/": "/a/b" lists /a, "/a" and "/" list /.
  const parent = slash === 0 ? '/' : word.slice(0, slash)
  const names = await children(parent).catch((): string[] => [])
  return [names.filter((n) => n.startsWith(prefix)).sort(), prefix]
}

/** A node:readline completer over `commands` and the live tree. */
export function createCompleter(commands: readonly string[], children: (path: string) => Promise<string[]>): AsyncCompleter {
  return (line, callback) => {
    complete(line, commands, children).then(
      (result) => callback(null, result),
      () => callback(null, [[], line]),
    )
  }
}
