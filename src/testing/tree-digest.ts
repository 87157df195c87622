// A digest of a server's whole tree (paths, data, ACLs, versions, owners), so tests can tell whether
// replicas agree without comparing trees node by node.
import { createHash } from 'node:crypto'
import type { ZooKeeperServer } from '../ensemble/server.js'

/** SHA-256 over every node of `s`'s tree, in path order. */
export function treeDigest(s: ZooKeeperServer): string {
  const h = createHash('sha256')
  for (const path of [...s.tree.nodes.keys()].sort()) {
    const n = s.tree.nodes.get(path)!
    h.update(
      `${path}\0${n.data?.toString('hex') ?? '-'}\0${JSON.stringify(n.acl)}\0${n.version}/${n.cversion}/${n.aversion}/${n.ephemeralOwner}\n`,
    )
  }
  return h.digest('hex')
}

/**
 * Sync every client (one per server) until all servers have applied the same zxid, then digest
 * their trees: the zxid and the digests, or undefined if they never met at one zxid in `attempts`.
 */
export async function replicaDigests(
  servers: readonly ZooKeeperServer[],
  clients: readonly { sync(path: string): Promise<unknown> }[],
  attempts = 20,
): Promise<{ zxid: bigint; digests: string[] } | undefined> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    await Promise.all(clients.map((c) => c.sync('/')))
    const zxids = servers.map((s) => s.tree.lastZxid)
    if (zxids.every((z) => z === zxids[0])) return { zxid: zxids[0]!, digests: servers.map(treeDigest) }
  }
  return undefined
}
