// zookit's public API: the client, its types and errors, wire constants, ACL helpers and retries.
/**
 * The ZooKeeper client: `ZooKeeper.connect()`, its options and results, typed errors, wire
 * constants, ACL helpers and retries.
 * @module zookit
 */
export { ZooKeeper } from './client.js'
export { Transaction } from './transaction.js'
export { MAX_TTL } from './write-ops.js'
export type { ClientOptions, CallOptions, CreateOptions, Data, WatchedEvent, Watcher, WatcherKind, ZooKeeperEvents } from './client.js'
export type { WatchStreamKind } from './watch-stream.js'
export { TypedEventEmitter, type EventMap, type TypedListener } from './typed-emitter.js'
export type { OpResult, OpError, ReadResult, TransactionError } from './transaction.js'
export type { SessionState } from './session/types.js'
export type { SaslCredentials } from './sasl-digest-md5.js'
export type { ACL, Id, ClientInfo } from './jute/generated/proto.generated.js'
export { Stat, type StatJSON, type StatFields } from './stat.js'
export * from './errors.js'
export {
  OpCode,
  ErrorCode,
  CreateMode,
  Perms,
  EventType,
  KeeperState,
  WatcherType,
  AddWatchMode,
  DEFAULT_MAX_BUFFER,
  errorName,
} from './protocol.js'
export { OPEN_ACL_UNSAFE, CREATOR_ALL_ACL, READ_ACL_UNSAFE, digestId, validateACL, registerACLScheme, type ACLIdCheck } from './acl.js'
export { withRetry, isRetryable, type RetryOptions } from './retry.js'
export { parseConnectString } from './session/hosts.js'
export { pathProblem, parseSequence } from './paths.js'
