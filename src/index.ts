// zookit's public API: the client, its types and errors, wire constants, ACL helpers and retries.
/**
 * The ZooKeeper client: `ZooKeeper.connect()`, its options and results, typed errors, wire
 * constants, ACL helpers and retries.
 * @module zookit
 */
export { ZooKeeper, Transaction, MAX_TTL } from './client.js'
export type { ClientOptions, CallOptions, CreateOptions, Data, WatchedEvent, Watcher, WatcherKind, WatchStreamKind } from './client.js'
export type { OpResult, OpError, ReadResult, TransactionError } from './transaction.js'
export type { SessionState } from './session/types.js'
export type { ACL, Id, Stat, ClientInfo } from './jute/generated/proto.generated.js'
export * from './errors.js'
export { OpCode, ErrorCode, CreateMode, Perms, EventType, KeeperState, WatcherType, AddWatchMode, DEFAULT_MAX_BUFFER, errorName } from './protocol.js'
export { OPEN_ACL_UNSAFE, CREATOR_ALL_ACL, READ_ACL_UNSAFE, digestId, validateACL } from './acl.js'
export { withRetry, isRetryable, type RetryOptions } from './retry.js'
export { parseConnectString } from './session/hosts.js'
export { pathProblem, parseSequence } from './paths.js'
