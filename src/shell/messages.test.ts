// The lines zkCli prints for failed calls: CliWrapperException's wording, else KeeperException's.
import t from 'tap'
import { ErrorCode, NoNodeError } from '../index.js'
import { cliMessage, keeperFailure, keeperMessage } from './messages.js'

t.test('CliWrapperException wording', async (t) => {
  t.equal(cliMessage(ErrorCode.NONODE, '/x'), 'Node does not exist: /x')
  t.equal(cliMessage(ErrorCode.NODEEXISTS, '/x'), 'Node already exists: /x')
  t.equal(cliMessage(ErrorCode.NOTEMPTY, '/x'), 'Node not empty: /x')
  t.equal(cliMessage(ErrorCode.NOCHILDRENFOREPHEMERALS, '/x'), 'Ephemerals cannot have children: /x')
  t.equal(cliMessage(ErrorCode.BADVERSION, '/x'), 'version No is not valid : /x')
  t.equal(cliMessage(ErrorCode.NOAUTH, '/x'), 'Insufficient permission : /x')
  t.equal(cliMessage(ErrorCode.INVALIDACL, null), 'Acl is not valid : null', 'the client-side check has no path')
  t.equal(cliMessage(ErrorCode.BADARGUMENTS, '/x'), 'Arguments are not valid : /x')
  t.equal(cliMessage(ErrorCode.NOWATCHER, '/x'), 'KeeperErrorCode = No such watcher for /x', 'others are KeeperException messages')
})

t.test('KeeperException.getMessage()', async (t) => {
  t.equal(keeperMessage(ErrorCode.CONNECTIONLOSS, '/'), 'KeeperErrorCode = ConnectionLoss for /')
  t.equal(keeperMessage(ErrorCode.INVALIDACL, null), 'KeeperErrorCode = InvalidACL')
  t.equal(keeperMessage(ErrorCode.NOTEMPTY, '/a'), 'KeeperErrorCode = Directory not empty for /a')
  t.equal(
    keeperMessage(ErrorCode.REQUESTTIMEOUT, '/a'),
    'KeeperErrorCode = Unknown error REQUESTTIMEOUT for /a',
    'a code 3.8 has no text for',
  )
})

t.test('keeperFailure takes code and path from zookit errors and rethrows the rest', async (t) => {
  t.same(keeperFailure(new NoNodeError('gone', { op: 'getData', path: '/x' })), { code: ErrorCode.NONODE, path: '/x' })
  t.same(keeperFailure(new NoNodeError('gone'), '/y'), { code: ErrorCode.NONODE, path: '/y' })
  t.throws(() => keeperFailure(new TypeError('bug')), TypeError)
})
