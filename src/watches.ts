// Client-side watch registry: who is told about which server-side event, following ZooKeeper's
// ZKWatchManager rules, and which watches to restore after a reconnect.
import { EventType, KeeperState } from './protocol.js'
import type { RawWatcherEvent, WatchSet } from './session/types.js'
import { parentOf } from './paths.js'

/** Kinds of registration. One-shot: data, exist, child. Standing: persistent, persistentRecursive. */
export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive'

/** A watcher callback, given the raw event with its server-side path. */
export type RawWatcher = (event: RawWatcherEvent) => void

const ALL_KINDS: WatchKind[] = ['data', 'exist', 'child', 'persistent', 'persistentRecursive']

/** Registrations by kind and server path. */
export class WatchRegistry {
  private readonly byKind: Record<WatchKind, Map<string, Set<RawWatcher>>> = {
    data: new Map(),
    exist: new Map(),
    child: new Map(),
    persistent: new Map(),
    persistentRecursive: new Map(),
  }

  /** Register `w` for `path`. */
  add(kind: WatchKind, path: string, w: RawWatcher): void {
    const m = this.byKind[kind]
    let set = m.get(path)
    if (!set) m.set(path, (set = new Set()))
    set.add(w)
  }

  /** Remove `w` (or all watchers when undefined) of the given kinds at `path`; returns how many went. */
  remove(kinds: WatchKind[], path: string, w?: RawWatcher): number {
    let n = 0
    for (const kind of kinds) {
      const set = this.byKind[kind].get(path)
      if (!set) continue
      if (w) {
        if (set.delete(w)) n++
      } else {
        n += set.size
        set.clear()
      }
      if (set.size === 0) this.byKind[kind].delete(path)
    }
    return n
  }

  /** The watchers of one kind at `path`. */
  list(kind: WatchKind, path: string): RawWatcher[] {
    return [...(this.byKind[kind].get(path) ?? [])]
  }

  /** Whether any watcher of these kinds (optionally `w`) is registered at `path`. */
  has(kinds: WatchKind[], path: string, w?: RawWatcher): boolean {
    return kinds.some((k) => {
      const set = this.byKind[k].get(path)
      return set !== undefined && (w ? set.has(w) : set.size > 0)
    })
  }

  /**
   * The watchers an event reaches, one-shot ones removed as they fire (ZooKeeper's rules):
   * created/dataChanged → data + exist; childrenChanged → child; deleted → data + exist + child;
   * persistent → every event on its path; persistentRecursive → events on the path and below, except
   * childrenChanged.
   */
  materialize(e: RawWatcherEvent): Set<RawWatcher> {
    const out = new Set<RawWatcher>()
    const take = (kind: WatchKind) => {
      const set = this.byKind[kind].get(e.path)
      if (!set) return
      for (const w of set) out.add(w)
      this.byKind[kind].delete(e.path)
    }
    switch (e.type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        take('data')
        take('exist')
        break
      case EventType.NodeChildrenChanged:
        take('child')
        break
      case EventType.NodeDeleted:
        take('data')
        take('exist')
        take('child')
        break
    }
    for (const w of this.byKind.persistent.get(e.path) ?? []) out.add(w)
    if (e.type !== EventType.NodeChildrenChanged) {
      for (let p = e.path; ; p = parentOf(p)) {
        for (const w of this.byKind.persistentRecursive.get(p) ?? []) out.add(w)
        if (p === '/') break
      }
    }
    return out
  }

  /** Every watcher, for session-level events (expired, closed); one-shot and standing alike. */
  all(): Set<RawWatcher> {
    const out = new Set<RawWatcher>()
    for (const kind of ALL_KINDS) for (const set of this.byKind[kind].values()) for (const w of set) out.add(w)
    return out
  }

  /** Forget everything (after expiry or close). */
  clear(): void {
    for (const kind of ALL_KINDS) this.byKind[kind].clear()
  }

  /** Paths to re-register on reconnect. */
  watchSet(): WatchSet {
    return {
      data: [...this.byKind.data.keys()],
      exist: [...this.byKind.exist.keys()],
      child: [...this.byKind.child.keys()],
      persistent: [...this.byKind.persistent.keys()],
      persistentRecursive: [...this.byKind.persistentRecursive.keys()],
    }
  }
}

/** The session-level event watchers get when the session ends. */
export function sessionEndEvent(state: 'expired' | 'closed' | 'authFailed'): RawWatcherEvent {
  const s = state === 'expired' ? KeeperState.Expired : state === 'closed' ? KeeperState.Closed : KeeperState.AuthFailed
  return { type: EventType.None, state: s, path: '' }
}
