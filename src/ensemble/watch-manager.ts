// Server-side watches per connection: one-shot data/exists and child watches, persistent and
// persistent-recursive watches, triggered by the events of applied transactions. The rules are
// ZooKeeper 3.8's (WatchManager, DataTree), quirks included: the wire differential holds us to them.
import type { ACL } from '../jute/generated/proto.generated.js'
import { EventType, Perms } from '../protocol.js'
import { parentOf } from '../paths.js'
import { permitted, type AuthId } from './acl.js'

/** How a watcher is registered at a path. */
export type WatchMode = 'standard' | 'persistent' | 'persistentRecursive'

/** Anything that can receive an event (a client connection), with the identities its READ is checked by. */
export interface WatchTarget {
  readonly ids: AuthId[]
  readonly address: string
  deliver(type: number, path: string): void
}

type Table = Map<string, Map<WatchTarget, WatchMode>>

/**
 * One of ZooKeeper's two watch managers (data watches, child watches): each (connection, path) has
 * one registration whose mode is whatever was set last, so a one-shot watch set after a persistent
 * one turns it back into a one-shot, and a persistent watch swallows a one-shot set before it.
 */
class WatchTable {
  private readonly paths: Table = new Map()
  /** The paths each connection watches here, so a closing connection costs only its own watches. */
  private readonly byTarget = new Map<WatchTarget, Set<string>>()
  private recursive = 0

  set(path: string, w: WatchTarget, mode: WatchMode): void {
    let m = this.paths.get(path)
    if (!m) this.paths.set(path, (m = new Map()))
    const before = m.get(w)
    if (before === 'persistentRecursive') this.recursive--
    if (mode === 'persistentRecursive') this.recursive++
    m.set(w, mode)
    let mine = this.byTarget.get(w)
    if (!mine) this.byTarget.set(w, (mine = new Set()))
    mine.add(path)
  }

  /** Drop one registration; whether there was one. */
  delete(path: string, w: WatchTarget): boolean {
    const m = this.paths.get(path)
    const mode = m?.get(w)
    if (!m || mode === undefined) return false
    if (mode === 'persistentRecursive') this.recursive--
    m.delete(w)
    if (m.size === 0) this.paths.delete(path)
    this.forget(path, w)
    return true
  }

  private forget(path: string, w: WatchTarget): void {
    const mine = this.byTarget.get(w)
    mine?.delete(path)
    if (mine?.size === 0) this.byTarget.delete(w)
  }

  /** checkWatches as ZooKeeper 3.8 answers it: whether any connection, not only the asking one, watches `path` here. */
  watched(path: string): boolean {
    return (this.paths.get(path)?.size ?? 0) > 0
  }

  /**
   * Deliver `type` at `path` to the watchers it concerns: those at the path itself, and recursive
   * ones at any ancestor (never for NodeChildrenChanged). One-shot registrations end. Each
   * connection gets the event once; `skip` holds connections already told. Returns who was told.
   * As in ZooKeeper since CVE-2024-23944, a watcher without READ on `acl` is not told, and its
   * one-shot watch ends all the same.
   */
  trigger(type: number, path: string, acl: ACL[], skip?: Set<WatchTarget>): Set<WatchTarget> {
    const told = new Set<WatchTarget>()
    for (let p = path; ; p = parentOf(p)) {
      const m = this.paths.get(p)
      if (m) {
        for (const [w, mode] of m) {
          if (mode === 'persistentRecursive') {
            if (type !== EventType.NodeChildrenChanged) told.add(w)
          } else if (p === path) {
            told.add(w)
            if (mode === 'standard') {
              m.delete(w)
              this.forget(p, w)
            }
          }
        }
        if (m.size === 0) this.paths.delete(p)
      }
      // Ancestors matter only while someone watches recursively.
      if (p === '/' || this.recursive === 0) break
    }
    for (const w of told) if (!skip?.has(w) && permitted(acl, Perms.READ, w.ids, w.address)) w.deliver(type, path)
    return told
  }

  removeTarget(w: WatchTarget): void {
    for (const p of [...(this.byTarget.get(w) ?? [])]) this.delete(p, w)
  }

  entries(): Table {
    return this.paths
  }
}

/** All watches of one server, split as ZooKeeper's DataTree splits them. */
export class WatchManager {
  private readonly data = new WatchTable()
  private readonly child = new WatchTable()

  /** getData/exists with watch. */
  addData(path: string, w: WatchTarget): void {
    this.data.set(path, w, 'standard')
  }

  /** getChildren with watch. */
  addChild(path: string, w: WatchTarget): void {
    this.child.set(path, w, 'standard')
  }

  /** addWatch (and SetWatches2): the mode goes into both tables. */
  addPersistent(path: string, w: WatchTarget, recursive: boolean): void {
    const mode = recursive ? 'persistentRecursive' : 'persistent'
    this.child.set(path, w, mode)
    this.data.set(path, w, mode)
  }

  /**
   * Fire the watches an event of an applied txn triggers, table by table as ZooKeeper's DataTree
   * does. `acl` is what a watcher must be able to read: the node's, or the parent's for NodeChildrenChanged.
   */
  trigger(type: number, path: string, acl: ACL[]): void {
    if (type === EventType.NodeChildrenChanged) {
      this.child.trigger(type, path, acl)
      return
    }
    const told = this.data.trigger(type, path, acl)
    // A deleted node's child watchers hear NodeDeleted too, unless its data watch already told them.
    if (type === EventType.NodeDeleted) this.child.trigger(type, path, acl, told)
  }

  /**
   * removeWatches (or, with dryRun, checkWatches) of a kind: 1 children, 2 data, 3 any. Standing
   * watches go too. Returns whether there was a match.
   */
  remove(path: string, w: WatchTarget, kind: number, dryRun = false): boolean {
    const tables = kind === 1 ? [this.child] : kind === 2 ? [this.data] : [this.child, this.data]
    let found = false
    for (const t of tables) found = (dryRun ? t.watched(path) : t.delete(path, w)) || found
    return found
  }

  /** Drop every watch of a connection (it closed). */
  removeTarget(w: WatchTarget): void {
    this.data.removeTarget(w)
    this.child.removeTarget(w)
  }

  /**
   * The data (and exists) watches by path with the connections that set them, persistent ones
   * included: ZooKeeper's wchs, wchc and wchp report this table alone, not the child watches.
   */
  dataWatchers(): Map<string, WatchTarget[]> {
    return new Map([...this.data.entries()].map(([p, m]) => [p, [...m.keys()]]))
  }

  /** wchs: connections with data watches, paths they watch, and the watches (child watches aside). */
  dataSummary(): { connections: number; paths: number; watches: number } {
    const who = new Set<WatchTarget>()
    let watches = 0
    for (const m of this.data.entries().values()) {
      watches += m.size
      for (const w of m.keys()) who.add(w)
    }
    return { connections: who.size, paths: this.data.entries().size, watches }
  }

  /** Counts for the 4lw commands: connections watching, paths watched, total watches. */
  summary(): { connections: number; paths: number; watches: number; byPath: Map<string, number> } {
    const targets = new Set<WatchTarget>()
    const byPath = new Map<string, number>()
    let watches = 0
    for (const t of [this.data, this.child]) {
      for (const [p, m] of t.entries()) {
        byPath.set(p, (byPath.get(p) ?? 0) + m.size)
        watches += m.size
        for (const w of m.keys()) targets.add(w)
      }
    }
    return { connections: targets.size, paths: byPath.size, watches, byPath }
  }
}
