// Prep of malformed multis: ZooKeeper 3.8.0 reads the whole request before preparing any op, so a
// read op (alone or mixed, in either order), an op type a multi cannot carry, or a short body fails
// the multi as a whole with MARSHALLINGERROR (a txn of its own). What a well-formed multi prepares to
// is in datatree.test.ts.
import t from 'tap'
import { DataTree } from './datatree.js'
import { prepWrite, type RequestContext } from './prep.js'
import { DEFAULT_PROVIDERS } from './acl.js'
import { Writer } from '../jute/writer.js'
import { Reader } from '../jute/reader.js'
import * as P from '../jute/generated/proto.generated.js'
import { ErrorCode, OpCode } from '../protocol.js'

const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]
const ctx: RequestContext = {
  sessionId: 0x55n,
  ids: [],
  address: '127.0.0.1',
  ttlEnabled: true,
  maxBuffer: 0xfffff,
  enforceQuota: true,
  providers: DEFAULT_PROVIDERS,
}

type Part = (w: Writer) => void
const op =
  (type: number, rec: Part): Part =>
  (w) => {
    P.encodeMultiHeader(w, { type, done: false, err: -1 })
    rec(w)
  }
const end: Part = (w) => P.encodeMultiHeader(w, { type: -1, done: true, err: -1 })
const create = (path: string) => op(OpCode.create, (w) => P.encodeCreateRequest(w, { path, data: null, acl: OPEN, flags: 0 }))
const getData = (path: string) => op(OpCode.getData, (w) => P.encodeGetDataRequest(w, { path, watch: false }))
const getChildren = (path: string) => op(OpCode.getChildren, (w) => P.encodeGetChildrenRequest(w, { path, watch: false }))
const deleteOp = (type: number, path: string) => op(type, (w) => P.encodeDeleteRequest(w, { path, version: -1 }))

function prepMulti(...parts: Part[]) {
  const tree = new DataTree()
  const w = new Writer()
  for (const p of parts) p(w)
  return prepWrite(tree, OpCode.multi, new Reader(w.toBuffer()), ctx)
}

const MARSHALLING = { type: 'error', err: ErrorCode.MARSHALLINGERROR }

t.test('a read op in a multi fails it as a whole, in either order', async (t) => {
  t.same(prepMulti(getData('/'), create('/a'), end), MARSHALLING, '[getData, create]')
  t.same(prepMulti(create('/a'), getData('/'), end), MARSHALLING, '[create, getData]')
  t.same(prepMulti(getData('/'), end), MARSHALLING, 'reads only')
  t.same(prepMulti(getChildren('/'), getData('/'), end), MARSHALLING, 'reads only')
  // The failing create would abort the multi, but the request does not even read.
  t.same(prepMulti(create('/'), getData('/'), end), MARSHALLING, 'an op that would fail, then a read')
})

t.test('op types a multi cannot carry fail it as a whole', async (t) => {
  const unknown = op(99, (w) => w.ustring('/a'))
  t.same(prepMulti(unknown, end), MARSHALLING, 'type 99')
  t.same(prepMulti(create('/a'), unknown, end), MARSHALLING, 'create, then type 99')
  t.same(
    prepMulti(
      op(OpCode.exists, (w) => P.encodeExistsRequest(w, { path: '/', watch: false })),
      end,
    ),
    MARSHALLING,
    'exists',
  )
  t.same(prepMulti(deleteOp(OpCode.deleteContainer, '/none'), end), MARSHALLING, 'deleteContainer')
  t.same(prepMulti(op(OpCode.multi, end), end), MARSHALLING, 'a nested multi')
})

t.test('a short multi body fails it as a whole', async (t) => {
  t.same(prepMulti(op(OpCode.create, (w) => w.ustring('/a'))), MARSHALLING, 'cut op record')
  t.same(prepMulti(create('/a')), MARSHALLING, 'no end header')
  t.same(prepMulti(), MARSHALLING, 'no bytes at all')
})

t.test('well-formed multis still prepare: empty, aborted, and bytes after the end header', async (t) => {
  t.same(prepMulti(end), { type: 'multi', txns: [] })
  t.same(prepMulti(create('/a'), deleteOp(OpCode.delete, '/none'), create('/b'), end), {
    type: 'multi',
    txns: [
      { type: 'error', err: ErrorCode.OK },
      { type: 'error', err: ErrorCode.NONODE },
      { type: 'error', err: ErrorCode.RUNTIMEINCONSISTENCY },
    ],
  })
  const txn = prepMulti(create('/a'), end, (w) => w.int(7))
  t.equal(txn.type === 'multi' && txn.txns[0]!.type, 'create')
})

t.test('a write sent alone still decodes by its opcode', async (t) => {
  const tree = new DataTree()
  const body = (fill: Part) => {
    const w = new Writer()
    fill(w)
    return new Reader(w.toBuffer())
  }
  // A client's deleteContainer: ZooKeeper 3.8 reads its whole body as a path, which never validates.
  t.same(
    prepWrite(
      tree,
      OpCode.deleteContainer,
      body((w) => P.encodeDeleteRequest(w, { path: '/none', version: -1 })),
      ctx,
    ),
    { type: 'error', err: ErrorCode.BADARGUMENTS },
  )
  t.same(
    prepWrite(
      tree,
      OpCode.setACL,
      body((w) => P.encodeSetACLRequest(w, { path: '/', acl: OPEN, version: -1 })),
      ctx,
    ),
    { type: 'setACL', path: '/', acl: OPEN, version: 1 },
  )
  t.same(
    prepWrite(
      tree,
      OpCode.create,
      body((w) => w.ustring('/cut')),
      ctx,
    ),
    MARSHALLING,
    'a short body',
  )
  t.same(
    prepWrite(
      tree,
      OpCode.getData,
      body((w) => P.encodeGetDataRequest(w, { path: '/', watch: false })),
      ctx,
    ),
    { type: 'error', err: ErrorCode.UNIMPLEMENTED },
  )
})
