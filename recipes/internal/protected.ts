// Curator-compatible "protected" ephemeral-sequential creation: the node name carries a random
// `_c_<uuid>-` prefix so that, after a connection loss mid-create, the creator can find its own node
// instead of leaking it (and instead of creating a second one).
import { randomUUID } from 'node:crypto'
import { ConnectionLossError, CreateMode, NoNodeError, type ZooKeeper } from '../../src/index.js'
import { deleteQuietly } from './delete.js'
import { abortedBy, throwIfAborted } from './wait.js'

/** Curator's marker for protected nodes. */
export const PROTECTED_PREFIX = '_c_'

/** A fresh protected prefix, `_c_<uuid>-`, as Curator builds it. */
export function protectedPrefix(): string {
  return `${PROTECTED_PREFIX}${randomUUID()}-`
}

/** The node name without its protected prefix (Curator's `ZKPaths.getNodeFromPath` + prefix strip). */
export function withoutProtectedPrefix(name: string): string {
  // `_c_` + 36-char uuid + `-` = 40 characters
  if (name.startsWith(PROTECTED_PREFIX) && name.length > 40 && name[39] === '-') return name.slice(40)
  return name
}

/** The sequence number after `marker` in `name` ("…-lock-0000000007" → 7); -1 when absent. */
export function sequenceAfter(name: string, marker: string): number {
  const at = name.lastIndexOf(marker)
  if (at < 0) return -1
  const digits = name.slice(at + marker.length)
  return /^\d{10}$/.test(digits) ? Number(digits) : -1
}

/** Children of `dir` that carry `marker`, sorted by their sequence number (Curator's sort order). */
export function sortBySequence(children: string[], marker: string): string[] {
  return children.filter((c) => sequenceAfter(c, marker) >= 0).sort((a, b) => sequenceAfter(a, marker) - sequenceAfter(b, marker))
}

/**
 * Create `dir/_c_<uuid>-<name>NNNNNNNNNN` (ephemeral sequential, parents created as containers when
 * missing). On connection loss the create is retried only after looking for a node with our prefix:
 * if the first attempt reached the server, that node is returned.
 */
export async function createProtectedSequential(
  zk: ZooKeeper,
  dir: string,
  name: string,
  data: Buffer = Buffer.alloc(0),
  opts: { signal?: AbortSignal; mode?: CreateMode } = {},
): Promise<string> {
  const prefix = protectedPrefix()
  const mode = opts.mode ?? CreateMode.EPHEMERAL_SEQUENTIAL
  for (;;) {
    throwIfAborted(opts.signal, { op: 'create', path: dir })
    try {
      await zk.createAll(dir, undefined, { mode: CreateMode.CONTAINER, parentMode: CreateMode.CONTAINER })
      // The create itself is not abortable: an abort after it was sent could leave a node we do not
      // know about. Abort is honoured once we know the node's path.
      const { path } = await zk.create(`${dir}/${prefix}${name}`, data, { mode })
      if (opts.signal?.aborted) {
        await deleteQuietly(zk, path)
        throw abortedBy(opts.signal, { op: 'create', path })
      }
      return path
    } catch (err) {
      // The parent is a container: the server may reap it between createAll and create. Go again.
      if (err instanceof NoNodeError) continue
      if (!(err instanceof ConnectionLossError)) throw err
      const found = await findByPrefix(zk, dir, prefix)
      if (found) return found
    }
  }
}

/** The child of `dir` whose name starts with `prefix`, as a full path; retries through connection loss. */
async function findByPrefix(zk: ZooKeeper, dir: string, prefix: string): Promise<string | undefined> {
  for (;;) {
    try {
      const child = (await zk.getChildren(dir)).find((c) => c.startsWith(prefix))
      return child === undefined ? undefined : `${dir}/${child}`
    } catch (err) {
      if (err instanceof ConnectionLossError) {
        await zk.waitForConnected()
        continue
      }
      if (err instanceof NoNodeError) return undefined
      throw err
    }
  }
}
