// Transactions on disk and on the wire between peers: TxnHeader + the txn body as ZooKeeper lays them
// out (CreateTxn, CreateTTLTxn, DeleteTxn, SetDataTxn, MultiTxn …), with the opcode as the type.
import { Writer } from '../jute/writer.js'
import { Reader } from '../jute/reader.js'
import * as Q from '../jute/generated/quorum.generated.js'
import { OpCode } from '../protocol.js'
import { MarshallingError } from '../errors.js'
import { CONTAINER_OWNER, ownerKind, ttlOwner } from './datatree.js'
import type { Txn, TxnHeader } from './txn.js'

function typeOf(txn: Txn): number {
  switch (txn.type) {
    case 'create':
      return ownerKind(txn.owner) === 'container'
        ? OpCode.createContainer
        : ownerKind(txn.owner) === 'ttl'
          ? OpCode.createTTL
          : OpCode.create
    case 'delete':
      return OpCode.delete
    case 'setData':
      return OpCode.setData
    case 'setACL':
      return OpCode.setACL
    case 'check':
      return OpCode.check
    case 'createSession':
      return OpCode.createSession
    case 'closeSession':
      return OpCode.closeSession
    case 'multi':
      return OpCode.multi
    case 'error':
      return OpCode.error
  }
}

/** Write a txn body (no header). */
export function encodeTxnBody(w: Writer, txn: Txn, clientId: bigint): void {
  switch (txn.type) {
    case 'create': {
      const kind = ownerKind(txn.owner)
      if (kind === 'container')
        return Q.encodeCreateContainerTxn(w, { path: txn.path, data: txn.data, acl: txn.acl, parentCVersion: txn.parentCVersion })
      if (kind === 'ttl')
        return Q.encodeCreateTTLTxn(w, {
          path: txn.path,
          data: txn.data,
          acl: txn.acl,
          parentCVersion: txn.parentCVersion,
          ttl: BigInt.asUintN(64, txn.owner) & 0xffffffffffn,
        })
      // An ephemeral is always owned by the session that created it, the header's clientId.
      return Q.encodeCreateTxn(w, {
        path: txn.path,
        data: txn.data,
        acl: txn.acl,
        ephemeral: txn.owner !== 0n,
        parentCVersion: txn.parentCVersion,
      })
    }
    case 'delete':
      return Q.encodeDeleteTxn(w, { path: txn.path })
    case 'setData':
      return Q.encodeSetDataTxn(w, { path: txn.path, data: txn.data, version: txn.version })
    case 'setACL':
      return Q.encodeSetACLTxn(w, { path: txn.path, acl: txn.acl, version: txn.version })
    case 'check':
      return Q.encodeCheckVersionTxn(w, { path: txn.path, version: 0 })
    case 'createSession':
      return Q.encodeCreateSessionTxn(w, { timeOut: txn.timeout })
    case 'closeSession':
      return Q.encodeCloseSessionTxn(w, { paths2Delete: [] })
    case 'error':
      return Q.encodeErrorTxn(w, { err: txn.err })
    case 'multi': {
      const txns = txn.txns.map((t) => {
        const inner = new Writer(64)
        encodeTxnBody(inner, t, clientId)
        return { type: typeOf(t), data: inner.toBuffer() }
      })
      return Q.encodeMultiTxn(w, { txns })
    }
  }
}

/** Read a txn body of the given type. */
export function decodeTxnBody(r: Reader, type: number, clientId: bigint): Txn {
  switch (type) {
    case OpCode.create: {
      const t = Q.decodeCreateTxn(r)
      return {
        type: 'create',
        path: t.path,
        data: t.data,
        acl: t.acl,
        owner: t.ephemeral ? clientId : 0n,
        parentCVersion: t.parentCVersion,
      }
    }
    case OpCode.createContainer: {
      const t = Q.decodeCreateContainerTxn(r)
      return { type: 'create', path: t.path, data: t.data, acl: t.acl, owner: CONTAINER_OWNER, parentCVersion: t.parentCVersion }
    }
    case OpCode.createTTL: {
      const t = Q.decodeCreateTTLTxn(r)
      return { type: 'create', path: t.path, data: t.data, acl: t.acl, owner: ttlOwner(t.ttl), parentCVersion: t.parentCVersion }
    }
    case OpCode.delete:
      return { type: 'delete', path: Q.decodeDeleteTxn(r).path }
    case OpCode.setData: {
      const t = Q.decodeSetDataTxn(r)
      return { type: 'setData', path: t.path, data: t.data, version: t.version }
    }
    case OpCode.setACL: {
      const t = Q.decodeSetACLTxn(r)
      return { type: 'setACL', path: t.path, acl: t.acl, version: t.version }
    }
    case OpCode.check:
      return { type: 'check', path: Q.decodeCheckVersionTxn(r).path }
    case OpCode.createSession:
      return { type: 'createSession', timeout: Q.decodeCreateSessionTxn(r).timeOut }
    case OpCode.closeSession:
      Q.decodeCloseSessionTxn(r)
      return { type: 'closeSession' }
    case OpCode.error:
      return { type: 'error', err: Q.decodeErrorTxn(r).err }
    case OpCode.multi:
      return {
        type: 'multi',
        txns: Q.decodeMultiTxn(r).txns.map((t) => decodeTxnBody(new Reader(t.data ?? Buffer.alloc(0)), t.type, clientId)),
      }
    default:
      throw new MarshallingError(`unknown txn type ${type}`)
  }
}

/** Encode header + body. */
export function encodeTxn(w: Writer, hdr: TxnHeader, txn: Txn): void {
  Q.encodeTxnHeader(w, { clientId: hdr.clientId, cxid: hdr.cxid, zxid: hdr.zxid, time: hdr.time, type: typeOf(txn) })
  encodeTxnBody(w, txn, hdr.clientId)
}

/** Decode header + body. */
export function decodeTxn(r: Reader): { hdr: TxnHeader; txn: Txn } {
  const h = Q.decodeTxnHeader(r)
  const hdr: TxnHeader = { clientId: h.clientId, cxid: h.cxid, zxid: h.zxid, time: h.time }
  return { hdr, txn: decodeTxnBody(r, h.type, h.clientId) }
}
