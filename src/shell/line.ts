// Splitting a shell line into words as zkCli.sh does (ZooKeeperMain's argument pattern): words are
// runs of non-space, or "…" / '…' quoted spans whose quotes are dropped. Nothing is unescaped.

/** Java's \s: space, tab, LF, VT, FF, CR (not the Unicode spaces JavaScript's \s also takes). */
const SPACE = '[ \\t\\n\\x0B\\f\\r]'
const NOT_SPACE = '[^ \\t\\n\\x0B\\f\\r]'

/*
 * A word starts with anything but a quote, then runs to the next space; or it is a whole quoted span.
 * The first alternative also matches a lone space after other spaces, so a line of blanks yields a
 * command named " ", which zkCli then reports as not found: kept, being what zkCli prints.
 */
const WORD = new RegExp(`${SPACE}*([^"']${NOT_SPACE}*|"[^"]*"|'[^']*')${SPACE}*`, 'g')
const QUOTED = /^(['"])(.*)\1$/

/** The words of `line`; an unmatched quote is skipped over, as Java's Matcher.find() does. */
export function splitLine(line: string): string[] {
  const words: string[] = []
  for (const m of line.matchAll(WORD)) {
    const word = m[1]!
    words.push(QUOTED.test(word) ? word.slice(1, -1) : word)
  }
  return words
}
