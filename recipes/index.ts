// zookit/recipes: coordination recipes built only on the public client API, with Curator's layouts.
export { Mutex, LOCK_NAME, type AcquireOptions } from './lock.js'
export { LeaderLatch, LATCH_NAME } from './leader-latch.js'
