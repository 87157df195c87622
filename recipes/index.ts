// zookit/recipes: coordination recipes built only on the public client API, with Curator's layouts.
/**
 * Coordination recipes (locks, leader election, barriers, queues, counters, caches, service
 * discovery) built on the public client API, with Apache Curator's node layouts.
 * @module zookit/recipes
 */
export { Mutex, LOCK_NAME, type AcquireOptions, type MutexEvents } from './lock.js'
export { Semaphore, SemaphoreMutex, LEASE_NAME, type Lease } from './semaphore.js'
export { ReadWriteLock, LockSide, READ_LOCK_NAME, WRITE_LOCK_NAME } from './rw-lock.js'
export { LeaderLatch, LATCH_NAME, type LeaderLatchEvents } from './leader-latch.js'
export { Barrier, DoubleBarrier } from './barrier.js'
export { Queue, QUEUE_PREFIX } from './queue.js'
export { DistributedAtomicLong, SharedCount, type AtomicValue } from './counter.js'
export { NodeCache, ConfigWatcher, type NodeSnapshot, type NodeCacheEvents, type ConfigWatcherEvents } from './node-cache.js'
export { ServiceDiscovery, type ServiceInstance, type ServiceWatch, type ServiceWatchEvents } from './discovery.js'
export { LeaderSelector, type TakeLeadership, type LeaderSelectorOptions } from './leader-selector.js'
export { MultiLock, type Lockable } from './multi-lock.js'
export { PersistentNode, type PersistentNodeEvents } from './persistent-node.js'
export { PriorityQueue, LockingQueue, priorityToString } from './queue.js'
export { TreeCache, type CachedNode, type TreeCacheEvents } from './tree-cache.js'
export {
  connectionStateOf,
  ConnectionStateManager,
  nextConnectionState,
  isConnectedState,
  isErrorState,
  type ConnectionState,
  type ConnectionStateErrorPolicy,
  type ConnectionStateEvents,
  type ErrorPolicyOptions,
} from './connection-state.js'
