// Znode path rules (as ZooKeeper's PathUtils enforces them), chroot joining and sequence suffixes.
import { BadArgumentsError } from './errors.js'

/** Why `path` is not a valid znode path, or undefined when it is. */
export function pathProblem(path: unknown, sequential = false): string | undefined {
  if (typeof path !== 'string') return 'path must be a string'
  if (path.length === 0) return 'path must not be empty'
  if (path[0] !== '/') return 'path must start with /'
  if (path.length === 1) return sequential ? 'a sequential node needs a name prefix or a parent' : undefined
  // A sequential create may end with '/': the server appends the counter.
  if (path.endsWith('/') && !sequential) return 'path must not end with /'
  // One pass over the segments, then one over the characters, without splitting: this runs on every call.
  const end = sequential && path.endsWith('/') ? path.length - 1 : path.length
  for (let start = 1; start <= end;) {
    let stop = path.indexOf('/', start)
    if (stop < 0 || stop > end) stop = end
    const length = stop - start
    if (length === 0) return 'empty node name (//)'
    if (path.charCodeAt(start) === 0x2e && (length === 1 || (length === 2 && path.charCodeAt(start + 1) === 0x2e))) {
      return `relative segment "${path.slice(start, stop)}" is not allowed`
    }
    start = stop + 1
  }
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i)
    if (c === 0) return `null character at index ${i}`
    if ((c > 0x00 && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || (c >= 0xfff0 && c <= 0xffff)) {
      return `invalid character \\u${c.toString(16).padStart(4, '0')} at index ${i}`
    }
  }
  return undefined
}

/** Throw BadArgumentsError naming op and path unless `path` is valid. */
export function validatePath(path: string, op: string, sequential = false): void {
  const problem = pathProblem(path, sequential)
  if (problem) throw new BadArgumentsError(problem, { op, path: typeof path === 'string' ? path : String(path) })
}

/** Client path → server path under `chroot`. */
export function withChroot(chroot: string | undefined, path: string): string {
  if (!chroot) return path
  return path === '/' ? chroot : chroot + path
}

/** Server path → client path (strip `chroot`); paths outside the chroot are returned unchanged. */
export function withoutChroot(chroot: string | undefined, path: string): string {
  if (!chroot) return path
  if (path === chroot) return '/'
  if (path.startsWith(chroot + '/')) return path.slice(chroot.length)
  return path
}

/** Parent of a path ("/a/b" → "/a", "/a" → "/"). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/')
  return i <= 0 ? '/' : path.slice(0, i)
}

/** Last segment of a path. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

/** The 10-digit sequence suffix of a sequential node name, or undefined. */
export function parseSequence(name: string): number | undefined {
  const m = /(\d{10})$/.exec(name)
  return m ? Number(m[1]) : undefined
}
