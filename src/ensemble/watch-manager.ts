// Server-side watches per connection: one-shot data/exists and child watches, persistent and
// persistent-recursive watches, triggered by the events of applied transactions.
import { EventType } from '../protocol.js'
import { parentOf } from './datatree.js'

/** How a watcher is registered at a path. */
export type WatchMode = 'standard' | 'persistent' | 'persistentRecursive'

/** Anything that can receive an event (a client connection). */
export interface WatchTarget {
  deliver(type: number, path: string): void
}

type Table = Map<string, Map<WatchTarget, WatchMode>>

/** All watches of one server. */
export class WatchManager {
  private readonly data: Table = new Map()
  private readonly child: Table = new Map()
  private recursiveCount = 0

  private static add(t: Table, path: string, w: WatchTarget, mode: WatchMode): void {
    let m = t.get(path)
    if (!m) t.set(path, (m = new Map()))
    const prev = m.get(w)
    // A standing watch is not downgraded by a one-shot registration on the same path.
    if (prev && prev !== 'standard' && mode === 'standard') return
    m.set(w, mode)
  }

  /** getData/exists with watch. */
  addData(path: string, w: WatchTarget): void {
    WatchManager.add(this.data, path, w, 'standard')
  }

  /** getChildren with watch. */
  addChild(path: string, w: WatchTarget): void {
    WatchManager.add(this.child, path, w, 'standard')
  }

  /** addWatch: persistent watches see data and child events of the path; recursive ones the subtree's data events. */
  addPersistent(path: string, w: WatchTarget, recursive: boolean): void {
    const before = this.data.get(path)?.get(w)
    if (recursive) {
      if (before !== 'persistentRecursive') this.recursiveCount++
      WatchManager.add(this.data, path, w, 'persistentRecursive')
      // ZooKeeper keeps one mode per (connection, path): the recursive mode replaces a plain one.
      const c = this.child.get(path)
      if (c?.get(w) === 'persistent') c.delete(w)
    } else {
      if (before === 'persistentRecursive') this.recursiveCount--
      WatchManager.add(this.data, path, w, 'persistent')
      WatchManager.add(this.child, path, w, 'persistent')
    }
  }

  /** Fire the watches an event triggers; one-shot ones are removed. */
  trigger(type: number, path: string): void {
    const fired = new Set<WatchTarget>()
    const fire = (t: Table, p: string, onlyRecursive: boolean) => {
      const m = t.get(p)
      if (!m) return
      for (const [w, mode] of m) {
        if (onlyRecursive && mode !== 'persistentRecursive') continue
        if (mode === 'standard') m.delete(w)
        if (fired.has(w)) continue
        fired.add(w)
        w.deliver(type, path)
      }
      if (m.size === 0) t.delete(p)
    }
    if (type === EventType.NodeChildrenChanged) {
      fire(this.child, path, false)
      return
    }
    // Node events go to data/exists watchers of the path and to recursive watchers of it or above.
    const m = this.data.get(path)
    if (m) {
      for (const [w, mode] of m) {
        if (mode === 'standard') m.delete(w)
        if (!fired.has(w)) {
          fired.add(w)
          w.deliver(type, path)
        }
      }
      if (m.size === 0) this.data.delete(path)
    }
    if (this.recursiveCount > 0 && path !== '/') {
      for (let p = parentOf(path); ; p = parentOf(p)) {
        fire(this.data, p, true)
        if (p === '/') break
      }
    }
    if (type === EventType.NodeDeleted) fire(this.child, path, false)
  }

  /** Remove a connection's watches at `path` of a kind (1 children, 2 data, 3 any, standing ones included); returns whether any existed. */
  remove(path: string, w: WatchTarget, kind: number, dryRun = false): boolean {
    const tables: [Table, (m: WatchMode) => boolean][] = []
    if (kind === 1 || kind === 3) tables.push([this.child, (m) => kind === 3 || m === 'standard'])
    if (kind === 2 || kind === 3) tables.push([this.data, (m) => kind === 3 || m === 'standard'])
    let found = false
    for (const [t, match] of tables) {
      const m = t.get(path)
      const mode = m?.get(w)
      if (!m || mode === undefined || !match(mode)) continue
      found = true
      if (dryRun) continue
      if (mode === 'persistentRecursive') this.recursiveCount--
      m.delete(w)
      if (m.size === 0) t.delete(path)
    }
    return found
  }

  /** Drop every watch of a connection (it closed). */
  removeTarget(w: WatchTarget): void {
    for (const t of [this.data, this.child]) {
      for (const [p, m] of t) {
        if (m.get(w) === 'persistentRecursive' && t === this.data) this.recursiveCount--
        m.delete(w)
        if (m.size === 0) t.delete(p)
      }
    }
  }

  /** Counts for the 4lw commands: connections watching, paths watched, total watches. */
  summary(): { connections: number; paths: number; watches: number; byPath: Map<string, number> } {
    const targets = new Set<WatchTarget>()
    const byPath = new Map<string, number>()
    let watches = 0
    for (const t of [this.data, this.child]) {
      for (const [p, m] of t) {
        byPath.set(p, (byPath.get(p) ?? 0) + m.size)
        watches += m.size
        for (const w of m.keys()) targets.add(w)
      }
    }
    return { connections: targets.size, paths: byPath.size, watches, byPath }
  }
}
