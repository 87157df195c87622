// zookit/admin: typed clients of ZooKeeper's admin commands, over the client port's four-letter words
// and over the AdminServer's HTTP endpoint, with the same results and the same errors.
/**
 * Typed clients of ZooKeeper's admin commands: {@link FourLetterClient} sends the four-letter words
 * (`ruok`, `srvr`, `stat`, `mntr`, `cons`, `conf`, `envi`, `wchs`, `dump`, `isro`) to the client
 * port, {@link AdminServerClient} asks the AdminServer over HTTP. Both resolve to the same typed
 * results (numbers as numbers, zxids and session ids as bigints, the mode as a {@link ServerMode}),
 * each with the answer as received in `raw`, and fail with {@link AdminError} subclasses.
 * @module zookit/admin
 */
export { FourLetterClient, type FourLetterClientOptions } from './four-letter.js'
export { AdminServerClient, type AdminServerClientOptions } from './http.js'
export type { JsonAnswer } from './parse-json.js'
export type { JsonObject, JsonValue } from './json.js'
export { DEFAULT_ADMIN_TIMEOUT } from './call.js'
export {
  AdminError,
  AdminNotWhitelistedError,
  AdminNotServingError,
  AdminCommandError,
  AdminTimeoutError,
  AdminAbortedError,
  AdminUnreachableError,
  AdminHttpError,
  AdminBadResponseError,
  type AdminErrorCode,
  type AdminErrorContext,
} from './errors.js'
export type {
  ServerMode,
  AdminCallOptions,
  AdminCommands,
  RawAnswer,
  RuokResult,
  IsroResult,
  MinAvgMax,
  SrvrResult,
  ProposalSizes,
  ClientConnection,
  StatResult,
  ConnectionSession,
  ConnectionInfo,
  ConsResult,
  QuorumMember,
  ConfResult,
  EnviResult,
  MntrResult,
  WchsResult,
  SessionExpiry,
  SessionEphemerals,
  ConnectionExpiry,
  DumpResult,
} from './types.js'
