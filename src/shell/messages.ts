// The line zkCli.sh prints for a failed ZooKeeper call: its CliWrapperException wording for the
// common codes, else KeeperException.getMessage() ("KeeperErrorCode = NoNode for /x").
import { ErrorCode, ZooKeeperError } from '../index.js'

/** KeeperException.getCodeMessage() of ZooKeeper 3.8. */
const CODE_MESSAGES: Record<number, string> = {
  [ErrorCode.OK]: 'ok',
  [ErrorCode.SYSTEMERROR]: 'SystemError',
  [ErrorCode.RUNTIMEINCONSISTENCY]: 'RuntimeInconsistency',
  [ErrorCode.DATAINCONSISTENCY]: 'DataInconsistency',
  [ErrorCode.CONNECTIONLOSS]: 'ConnectionLoss',
  [ErrorCode.MARSHALLINGERROR]: 'MarshallingError',
  [ErrorCode.NEWCONFIGNOQUORUM]: 'NewConfigNoQuorum',
  [ErrorCode.RECONFIGINPROGRESS]: 'ReconfigInProgress',
  [ErrorCode.UNIMPLEMENTED]: 'Unimplemented',
  [ErrorCode.OPERATIONTIMEOUT]: 'OperationTimeout',
  [ErrorCode.BADARGUMENTS]: 'BadArguments',
  [ErrorCode.APIERROR]: 'APIError',
  [ErrorCode.NONODE]: 'NoNode',
  [ErrorCode.NOAUTH]: 'NoAuth',
  [ErrorCode.BADVERSION]: 'BadVersion',
  [ErrorCode.NOCHILDRENFOREPHEMERALS]: 'NoChildrenForEphemerals',
  [ErrorCode.NODEEXISTS]: 'NodeExists',
  [ErrorCode.INVALIDACL]: 'InvalidACL',
  [ErrorCode.AUTHFAILED]: 'AuthFailed',
  [ErrorCode.NOTEMPTY]: 'Directory not empty',
  [ErrorCode.SESSIONEXPIRED]: 'Session expired',
  [ErrorCode.INVALIDCALLBACK]: 'Invalid callback',
  [ErrorCode.SESSIONMOVED]: 'Session moved',
  [ErrorCode.NOTREADONLY]: 'Not a read-only call',
  [ErrorCode.EPHEMERALONLOCALSESSION]: 'Ephemeral node on local session',
  [ErrorCode.NOWATCHER]: 'No such watcher',
  [ErrorCode.RECONFIGDISABLED]: 'Reconfig is disabled',
  [ErrorCode.SESSIONCLOSEDREQUIRESASLAUTH]: 'Session closed because client failed to authenticate',
  [ErrorCode.QUOTAEXCEEDED]: 'Quota has exceeded',
  [ErrorCode.THROTTLEDOP]: 'Op throttled due to high load',
}

/** Java's Code enum names, for the codes getCodeMessage() has no text for ("Unknown error REQUESTTIMEOUT"). */
const codeName = (code: number) => Object.keys(ErrorCode).find((k) => ErrorCode[k as keyof typeof ErrorCode] === code) ?? String(code)

/** KeeperException.getMessage(): "KeeperErrorCode = <text>", then " for <path>" when there is a path. */
export function keeperMessage(code: number, path: string | null | undefined): string {
  const text = CODE_MESSAGES[code] ?? `Unknown error ${codeName(code)}`
  return `KeeperErrorCode = ${text}${path ? ` for ${path}` : ''}`
}

/** CliWrapperException's wording: friendlier lines for the codes users meet, the KeeperException message otherwise. */
export function cliMessage(code: number, path: string | null | undefined): string {
  const p = String(path ?? null)
  switch (code) {
    case ErrorCode.NONODE:
      return `Node does not exist: ${p}`
    case ErrorCode.NOCHILDRENFOREPHEMERALS:
      return `Ephemerals cannot have children: ${p}`
    case ErrorCode.NODEEXISTS:
      return `Node already exists: ${p}`
    case ErrorCode.NOTEMPTY:
      return `Node not empty: ${p}`
    case ErrorCode.NOTREADONLY:
      return `Not a read-only call: ${p}`
    case ErrorCode.INVALIDACL:
      return `Acl is not valid : ${p}`
    case ErrorCode.NOAUTH:
      return `Insufficient permission : ${p}`
    case ErrorCode.BADARGUMENTS:
      return `Arguments are not valid : ${p}`
    case ErrorCode.BADVERSION:
      return `version No is not valid : ${p}`
    case ErrorCode.RECONFIGINPROGRESS:
      return 'Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)'
    case ErrorCode.NEWCONFIGNOQUORUM:
      return 'No quorum of new config is connected and up-to-date with the leader of last commmitted config - try invoking reconfiguration after new servers are connected and synced'
    case ErrorCode.QUOTAEXCEEDED:
      return `Quota has exceeded : ${p}`
    default:
      return keeperMessage(code, path)
  }
}

/** The code and path of a failed call, when it is a ZooKeeper error; anything else is rethrown. */
export function keeperFailure(err: unknown, fallbackPath?: string): { code: number; path: string | undefined } {
  if (err instanceof ZooKeeperError) return { code: err.code, path: err.path ?? fallbackPath }
  throw err
}
