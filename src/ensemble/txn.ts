// Transactions: what the request pipeline decides and every server applies. A txn carries all its
// effects (final paths, versions, times) so replaying it needs no other input.
import type { ACL } from '../jute/generated/proto.generated.js'

/** Header of a transaction: who asked, which request, its zxid and the leader's clock. */
export interface TxnHeader {
  clientId: bigint
  cxid: number
  zxid: bigint
  time: bigint
}

/** One state change. */
export type Txn =
  | { type: 'create'; path: string; data: Buffer | null; acl: ACL[]; owner: bigint; parentCVersion: number }
  | { type: 'delete'; path: string }
  | { type: 'setData'; path: string; data: Buffer | null; version: number }
  | { type: 'setACL'; path: string; acl: ACL[]; version: number }
  | { type: 'check'; path: string }
  | { type: 'createSession'; timeout: number }
  | { type: 'closeSession' }
  | { type: 'multi'; txns: Txn[] }
  | { type: 'error'; err: number }
