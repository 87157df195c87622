// How a write is answered once the pipeline applied it: the reply record for its opcode, or its error,
// with ZooKeeper 3.8's quirks (a passing lone check gets no reply at all).
import * as P from '../jute/generated/proto.generated.js'
import { OpCode } from '../protocol.js'
import { encodeMultiResponse } from '../jute/quirks.js'
import { multiResults } from './multi.js'
import type { ApplyResult } from './datatree.js'
import type { Txn } from './txn.js'
import type { ClientConnection } from './client-connection.js'

/** Answer the write `xid` of `conn`, which committed as `txn` with `result`. */
export function answerWrite(conn: ClientConnection, xid: number, type: number, zxid: bigint, txn: Txn, result: ApplyResult): void {
  if (txn.type === 'error') conn.refused(xid)
  if (type === OpCode.closeSession) return conn.reply(xid, zxid, 0)
  if (type === OpCode.multi) {
    if (txn.type === 'error') return conn.reply(xid, zxid, txn.err)
    return conn.reply(xid, zxid, 0, (w) => encodeMultiResponse(w, multiResults(txn, result)))
  }
  if (result.err !== 0) return conn.reply(xid, zxid, result.err)
  // ZooKeeper 3.8 fails to write the reply of a check that passed (a SetDataResponse without a
  // Stat), so the client hears nothing; a failed check is answered with its error.
  if (type === OpCode.check) return
  conn.reply(xid, zxid, 0, (w) => {
    switch (type) {
      case OpCode.create:
        return P.encodeCreateResponse(w, { path: result.path! })
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        return P.encodeCreate2Response(w, { path: result.path!, stat: result.stat! })
      case OpCode.setData:
        return P.encodeSetDataResponse(w, { stat: result.stat! })
      case OpCode.setACL:
        return P.encodeSetACLResponse(w, { stat: result.stat! })
    }
  })
}

/** Answer a sync of `conn` once this server caught up to `zxid`. */
export function answerSync(conn: ClientConnection, xid: number, zxid: bigint, path: string): void {
  conn.reply(xid, zxid, 0, (w) => P.encodeSyncResponse(w, { path }))
}
