// Checks of the callbacks recipes are given: they are called much later (when leadership comes, an
// item arrives, a value changes), where a TypeError would surface far from the mistake.
import { BadArgumentsError } from '../../src/index.js'

/** Throw BadArgumentsError naming `op` and `path` unless `value` is a function. */
export function requireFunction(value: unknown, what: string, op: string, path: string): void {
  if (typeof value !== 'function')
    throw new BadArgumentsError(`${what} must be a function, not ${value === null ? 'null' : typeof value}`, { op, path })
}
