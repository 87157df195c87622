// Type-level tests of the typed events, checked by tsc (scripts/typecheck.test.ts runs it over the
// whole project): the plain lines must compile, and each `@ts-expect-error` line must not — tsc
// reports an `@ts-expect-error` that meets no error. Never run.
import { once, on } from 'node:events'
import type { SessionState, ZooKeeper } from '../../src/index.js'
import type { ConfigWatcher, LeaderLatch, Mutex, NodeCache, PersistentNode, ServiceWatch, TreeCache } from '../../recipes/index.js'

export function clientEvents(zk: ZooKeeper): void {
  zk.on('connected', () => {})
    .on('disconnected', () => {})
    .once('expired', () => {})
  zk.on('state', (next, previous) => {
    const states: SessionState[] = [next, previous]
    void states
  })
  zk.on('error', (err: unknown) => void err)
  zk.off('closed', () => {})
  // Still a node:events EventEmitter: events.once() and events.on() take it.
  void once(zk, 'connected')
  void on(zk, 'state')

  // @ts-expect-error a misspelt event name
  zk.on('conected', () => {})
  // @ts-expect-error Node's own name for it does not exist here either
  zk.once('connect', () => {})
  // @ts-expect-error 'state' listeners get SessionStates, not numbers
  zk.on('state', (next: number) => void next)
  // @ts-expect-error 'connected' listeners get no arguments
  zk.on('connected', (how: string) => void how)
  // @ts-expect-error emitting a misspelt event
  zk.emit('expierd')
  // @ts-expect-error emitting 'state' without its arguments
  zk.emit('state')
  // @ts-expect-error counting listeners of an event that does not exist
  zk.listenerCount('connection')
}

export function recipeEvents(
  latch: LeaderLatch,
  mutex: Mutex,
  cache: NodeCache,
  config: ConfigWatcher<{ port: number }>,
  tree: TreeCache,
  node: PersistentNode,
  service: ServiceWatch<{ zone: string }>,
): void {
  latch.on('isLeader', () => {}).on('notLeader', () => {})
  mutex
    .on('suspended', () => {})
    .on('reconnected', () => {})
    .on('lost', () => {})
  cache.on('change', (snapshot) => void snapshot?.stat.mzxid)
  config.on('change', (value) => void value.port)
  tree.on('added', (path: string, added) => void [path, added.data])
  node.on('ready', (path: string) => void path)
  service.on('change', (instances) => void instances.map((i) => i.payload?.zone))

  // @ts-expect-error LeaderLatch says 'isLeader', not 'leader'
  latch.on('leader', () => {})
  // @ts-expect-error misspelt
  latch.on('isleader', () => {})
  // @ts-expect-error Mutex says 'suspended'
  mutex.on('suspend', () => {})
  // @ts-expect-error Mutex says 'lost'
  mutex.once('lose', () => {})
  // @ts-expect-error a NodeCache 'change' carries a snapshot, not a Buffer
  cache.on('change', (data: Buffer) => void data)
  // @ts-expect-error a ConfigWatcher<{ port: number }> changes to { port: number }, not a string
  config.on('change', (value: string) => void value)
  // @ts-expect-error TreeCache says 'removed'
  tree.on('deleted', () => {})
  // @ts-expect-error a PersistentNode 'ready' carries its path
  node.on('ready', (path: number) => void path)
  // @ts-expect-error a ServiceWatch emits 'change'
  service.on('changed', () => {})
}
