// Whole-subtree walks as ZooKeeper's ZKUtil does them for zkCli's ls -R, setAcl -R and deleteall:
// the order nodes are visited (and so printed) and how deletes are batched into multis.
import { NoNodeError, type Watcher, type ZooKeeper } from '../index.js'

const childPath = (parent: string, child: string) => (parent === '/' ? `/${child}` : `${parent}/${child}`)

/**
 * ZKUtil.visitSubTreeDFS: `visit` the root (after reading it, which fails if it is missing), then for
 * each node all its children in sorted order before descending into each. With `watch`, the root gets
 * a data watch and every node a child watch. A node deleted meanwhile is skipped.
 */
export async function visitSubTree(
  zk: ZooKeeper,
  root: string,
  watch: Watcher | undefined,
  visit: (path: string) => Promise<void> | void,
): Promise<void> {
  await zk.getData(root, { watch })
  await visit(root)
  const descend = async (path: string): Promise<void> => {
    let children: string[]
    try {
      children = (await zk.getChildren(path, { watch })).sort()
    } catch (err) {
      if (err instanceof NoNodeError) return
      throw err
    }
    for (const c of children) await visit(childPath(path, c))
    for (const c of children) await descend(childPath(path, c))
  }
  await descend(root)
}

/** ZKUtil.listSubTreeBFS: the root, then every node below it level by level (children in server order). */
export async function listSubTree(zk: ZooKeeper, root: string): Promise<string[]> {
  const tree = [root]
  for (let i = 0; i < tree.length; i++) {
    const node = tree[i]!
    for (const c of await zk.getChildren(node)) tree.push(childPath(node, c))
  }
  return tree
}

/** ZKUtil's limit on delete multis in flight at once. */
const IN_FLIGHT = 10

/**
 * ZKUtil.deleteInBatch: delete `tree` deepest first, `batchSize` deletes per multi, up to ten multis in
 * flight; after a multi fails no further one is sent. Resolves with whether every multi succeeded.
 */
export async function deleteInBatches(zk: ZooKeeper, tree: readonly string[], batchSize: number): Promise<boolean> {
  let ok = true
  const flying = new Set<Promise<void>>()
  let batch = zk.transaction()
  let size = 0
  for (let i = tree.length - 1; i >= 0; i--) {
    batch.delete(tree[i]!)
    size++
    // A batch size below 1 never fills, so everything goes in one multi, as in ZKUtil.
    if (size === batchSize || i === 0) {
      if (!ok) break
      while (flying.size >= IN_FLIGHT) await Promise.race(flying)
      const sent: Promise<void> = batch.commit().then(
        () => undefined,
        () => {
          ok = false
        },
      )
      const tracked = sent.finally(() => flying.delete(tracked))
      flying.add(tracked)
      batch = zk.transaction()
      size = 0
    }
  }
  await Promise.all(flying)
  return ok
}
