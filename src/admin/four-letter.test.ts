// FourLetterClient: every word against the bundled server, and each way a call fails against small
// TCP servers that misbehave on purpose (refuse, stay silent, cut the answer, answer nonsense).
import t, { type Test } from 'tap'
import net from 'node:net'
import { once } from 'node:events'
import { startEnsemble } from '../ensemble/index.js'
import { ZooKeeper, CreateMode, BadArgumentsError } from '../index.js'
import { freePort } from '../testing/real-zookeeper.js'
import { FourLetterClient } from './four-letter.js'
import {
  AdminAbortedError,
  AdminBadResponseError,
  AdminError,
  AdminNotServingError,
  AdminNotWhitelistedError,
  AdminTimeoutError,
  AdminUnreachableError,
} from './errors.js'

/** A TCP server that hands each connection (and the word it sent) to `onWord`; sockets it sees are tracked. */
async function fake(t: Test, onWord: (sock: net.Socket, word: string) => void): Promise<{ server: string; closed: Promise<void>[] }> {
  const closed: Promise<void>[] = []
  const srv = net.createServer((sock) => {
    closed.push(once(sock, 'close').then(() => undefined))
    sock.once('data', (c) => onWord(sock, c.toString('latin1')))
    sock.on('error', () => {})
  })
  srv.listen(0, '127.0.0.1')
  await once(srv, 'listening')
  t.teardown(() => new Promise<void>((resolve) => srv.close(() => resolve())))
  return { server: `127.0.0.1:${(srv.address() as net.AddressInfo).port}`, closed }
}

t.test('every word against the bundled server', async (t) => {
  const ens = await startEnsemble()
  t.teardown(() => ens.stop())
  const zk = await ZooKeeper.connect(ens.connectString)
  t.teardown(() => zk.close())
  await zk.create('/e', 'x', { mode: CreateMode.EPHEMERAL })
  await zk.getData('/e', { watch: () => {} })
  const admin = new FourLetterClient(ens.connectString)
  t.equal(admin.server, ens.connectString)
  t.match(await admin.ruok(), { ok: true, raw: 'imok' })
  t.match(await admin.isro(), { readOnly: false })
  const srvr = await admin.srvr()
  t.match(srvr, { mode: 'standalone', readOnly: false, nodeCount: 5 })
  t.equal(typeof srvr.zxid, 'bigint')
  t.equal(srvr.zxid, (await zk.exists('/e'))!.czxid, 'the zxid of the last write')
  t.ok((await admin.stat()).clients.length >= 2, 'the client and the asking connection')
  const cons = await admin.cons()
  t.ok(
    cons.connections.some((c) => c.session?.sessionId === zk.sessionId),
    'the session in cons',
  )
  t.match(await admin.conf(), { clientPort: Number(ens.connectString.split(':')[1]), serverId: 0, servers: [] })
  t.match((await admin.envi()).environment, { 'zookeeper.version': /zookit/ })
  t.match(await admin.mntr(), { mode: 'standalone', ephemeralsCount: 1, watchCount: 1 })
  t.match(await admin.wchs(), { connections: 1, paths: 1, watches: 1 })
  const dump = await admin.dump()
  t.same(dump.ephemerals, [{ sessionId: zk.sessionId, paths: ['/e'] }])
  t.ok(dump.sessions.some((s) => s.sessionId === zk.sessionId && typeof s.expiresAt === 'number'))
  t.match(await admin.send('ruok'), 'imok', 'send gives the text')
})

t.test('a word left out of the whitelist is AdminNotWhitelistedError', async (t) => {
  const { server } = await fake(t, (sock, word) => sock.end(`${word} is not executed because it is not in the whitelist.\n`))
  const err = await new FourLetterClient(server).mntr().catch((e: unknown) => e)
  t.type(err, AdminNotWhitelistedError)
  t.match(err, {
    code: 'NOTWHITELISTED',
    command: 'mntr',
    server,
    message: `NOTWHITELISTED (mntr ${server}): the server does not run "mntr": it is not in its 4lw.commands.whitelist`,
  })
  t.type(err, AdminError)
})

t.test('a server not serving is AdminNotServingError (isro says "null")', async (t) => {
  const { server } = await fake(t, (sock, word) =>
    sock.end(word === 'isro' ? 'null' : 'This ZooKeeper instance is not currently serving requests\n'),
  )
  const admin = new FourLetterClient(server)
  await t.rejects(admin.srvr(), AdminNotServingError)
  await t.rejects(admin.isro(), { code: 'NOTSERVING', command: 'isro' })
})

t.test('a silent server is AdminTimeoutError naming the timeout, and the socket is closed', async (t) => {
  const { server, closed } = await fake(t, () => {})
  const started = Date.now()
  const err = await new FourLetterClient(server).srvr({ timeout: 150 }).catch((e: unknown) => e)
  t.type(err, AdminTimeoutError)
  t.match(err, { code: 'TIMEOUT', timeout: 150, command: 'srvr', message: /no complete answer within 150 ms/ })
  t.ok(Date.now() - started >= 140, 'not before the timeout')
  await Promise.all(closed)
  // The client's own default applies when the call gives none; part of an answer does not count.
  const { server: slow } = await fake(t, (sock) => sock.write('Zookeeper version: 3.8'))
  await t.rejects(new FourLetterClient(slow, { timeout: 100 }).srvr(), { code: 'TIMEOUT', message: /within 100 ms/ })
})

t.test('a closed port is AdminUnreachableError with ECONNREFUSED as cause', async (t) => {
  const port = await freePort()
  const err = await new FourLetterClient(`127.0.0.1:${port}`).ruok().catch((e: unknown) => e)
  t.type(err, AdminUnreachableError)
  t.match(err, {
    code: 'UNREACHABLE',
    server: `127.0.0.1:${port}`,
    message: /could not connect \(ECONNREFUSED\)/,
    cause: { code: 'ECONNREFUSED' },
  })
})

t.test('the signal aborts, before or during the call', async (t) => {
  const { server, closed } = await fake(t, () => {})
  const admin = new FourLetterClient(server)
  const reason = new Error('enough')
  await t.rejects(admin.srvr({ signal: AbortSignal.abort(reason) }), { code: 'ABORTED', cause: reason })
  const ac = new AbortController()
  const call = admin.mntr({ signal: ac.signal })
  setTimeout(() => ac.abort('stop'), 30)
  const err = await call.catch((e: unknown) => e)
  t.type(err, AdminAbortedError)
  t.match(err, { cause: 'stop', command: 'mntr' })
  await Promise.all(closed)
})

t.test('answers that cannot be read are AdminBadResponseError', async (t) => {
  const { server: silent } = await fake(t, (sock) => sock.end())
  await t.rejects(new FourLetterClient(silent).ruok(), { code: 'BADRESPONSE', message: /closed the connection without answering/ })
  const { server: nonsense } = await fake(t, (sock) => sock.end('hello\n'))
  const err = await new FourLetterClient(nonsense).srvr().catch((e: unknown) => e)
  t.type(err, AdminBadResponseError)
  t.match(err, { message: /not a srvr answer: unexpected line "hello"/, raw: 'hello\n' })
  // A reset that follows the data at once can reach the client with it and read as a plain close.
  const { server: cut } = await fake(t, (sock) =>
    sock.write('Zookeeper version: 3.8.0\n', () => setTimeout(() => sock.resetAndDestroy(), 50)),
  )
  await t.rejects(new FourLetterClient(cut).srvr(), {
    code: 'BADRESPONSE',
    message: /failed after \d+ bytes/,
    cause: { code: 'ECONNRESET' },
  })
  const { server: big } = await fake(t, (sock) => sock.end('x'.repeat(4096)))
  await t.rejects(new FourLetterClient(big, { maxAnswerBytes: 1024 }).envi(), { code: 'BADRESPONSE', message: /longer than 1024 bytes/ })
})

t.test('bad arguments are BadArgumentsErrors', async (t) => {
  t.throws(() => new FourLetterClient('http://x:1'), BadArgumentsError)
  t.throws(() => new FourLetterClient('127.0.0.1:0'), /port must be in 1\.\.65535/)
  t.throws(() => new FourLetterClient(2181 as unknown as string), BadArgumentsError)
  t.throws(() => new FourLetterClient('127.0.0.1:2181', { timeout: -1 }), /timeout must be/)
  t.equal(new FourLetterClient('[::1]').server, '[::1]:2181', 'IPv6, port 2181 by default')
  const admin = new FourLetterClient('127.0.0.1:1')
  await t.rejects(admin.srvr({ timeout: 0 }), BadArgumentsError)
  await t.rejects(admin.srvr({ signal: 'no' as unknown as AbortSignal }), BadArgumentsError)
  await t.rejects(admin.send('SRVR'), /four lower-case letters/)
})
