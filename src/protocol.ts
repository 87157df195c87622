// Facts of the ZooKeeper wire protocol: opcodes, special xids, error codes, create modes,
// permissions, watch/event types and session states. No logic lives here.

/**
 * Request opcodes (the `type` field of RequestHeader).
 * @enum
 */
export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const
export type OpCode = (typeof OpCode)[keyof typeof OpCode]

/** Name of an opcode, for messages and logs ("getData", "op#42" when unknown). */
export function opName(op: number): string {
  for (const [name, value] of Object.entries(OpCode)) if (value === op) return name
  return `op#${op}`
}

/** Reserved xids. Ordinary requests use xids in 1..2^31-1. */
export const Xid = {
  notification: -1,
  ping: -2,
  auth: -4,
  setWatches: -8,
} as const

/**
 * Error codes carried in ReplyHeader.err and in multi ErrorResponse records.
 * @enum
 */
export const ErrorCode = {
  OK: 0,
  SYSTEMERROR: -1,
  RUNTIMEINCONSISTENCY: -2,
  DATAINCONSISTENCY: -3,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  UNKNOWNSESSION: -12,
  NEWCONFIGNOQUORUM: -13,
  RECONFIGINPROGRESS: -14,
  APIERROR: -100,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
  INVALIDCALLBACK: -113,
  INVALIDACL: -114,
  AUTHFAILED: -115,
  SESSIONMOVED: -118,
  NOTREADONLY: -119,
  EPHEMERALONLOCALSESSION: -120,
  NOWATCHER: -121,
  REQUESTTIMEOUT: -122,
  RECONFIGDISABLED: -123,
  SESSIONCLOSEDREQUIRESASLAUTH: -124,
  QUOTAEXCEEDED: -125,
  THROTTLEDOP: -127,
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/** Name of an error code ("NONODE"), or "UNKNOWN(<n>)". */
export function errorName(code: number): string {
  for (const [name, value] of Object.entries(ErrorCode)) if (value === code) return name
  return `UNKNOWN(${code})`
}

/**
 * Create modes as sent in CreateRequest.flags.
 * @enum
 */
export const CreateMode = {
  PERSISTENT: 0,
  EPHEMERAL: 1,
  PERSISTENT_SEQUENTIAL: 2,
  EPHEMERAL_SEQUENTIAL: 3,
  CONTAINER: 4,
  PERSISTENT_WITH_TTL: 5,
  PERSISTENT_SEQUENTIAL_WITH_TTL: 6,
} as const
export type CreateMode = (typeof CreateMode)[keyof typeof CreateMode]

/** Facts about a create mode: which flags it implies. */
export function createModeInfo(mode: number): { ephemeral: boolean; sequential: boolean; container: boolean; ttl: boolean } | undefined {
  switch (mode) {
    case 0:
      return { ephemeral: false, sequential: false, container: false, ttl: false }
    case 1:
      return { ephemeral: true, sequential: false, container: false, ttl: false }
    case 2:
      return { ephemeral: false, sequential: true, container: false, ttl: false }
    case 3:
      return { ephemeral: true, sequential: true, container: false, ttl: false }
    case 4:
      return { ephemeral: false, sequential: false, container: true, ttl: false }
    case 5:
      return { ephemeral: false, sequential: false, container: false, ttl: true }
    case 6:
      return { ephemeral: false, sequential: true, container: false, ttl: true }
    default:
      return undefined
  }
}

/**
 * ACL permission bits.
 * @enum
 */
export const Perms = {
  READ: 1,
  WRITE: 2,
  CREATE: 4,
  DELETE: 8,
  ADMIN: 16,
  ALL: 31,
} as const

/**
 * Watch event types (WatcherEvent.type).
 * @enum
 */
export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const
export type EventType = (typeof EventType)[keyof typeof EventType]

/**
 * Keeper states as carried on the wire (WatcherEvent.state).
 * @enum
 */
export const KeeperState = {
  Disconnected: 0,
  SyncConnected: 3,
  AuthFailed: 4,
  ConnectedReadOnly: 5,
  SaslAuthenticated: 6,
  Expired: -112,
  Closed: 7,
} as const
export type KeeperState = (typeof KeeperState)[keyof typeof KeeperState]

/**
 * Watcher kinds for checkWatches / removeWatches (CheckWatchesRequest.type).
 * @enum
 */
export const WatcherType = {
  Children: 1,
  Data: 2,
  Any: 3,
  Persistent: 4,
  PersistentRecursive: 5,
} as const
export type WatcherType = (typeof WatcherType)[keyof typeof WatcherType]

/**
 * Modes for addWatch.
 * @enum
 */
export const AddWatchMode = {
  PERSISTENT: 0,
  PERSISTENT_RECURSIVE: 1,
} as const
export type AddWatchMode = (typeof AddWatchMode)[keyof typeof AddWatchMode]

/** Default jute.maxbuffer: largest znode payload and largest frame either side accepts. */
export const DEFAULT_MAX_BUFFER = 0xfffff

/** Protocol version sent in ConnectRequest. */
export const PROTOCOL_VERSION = 0
