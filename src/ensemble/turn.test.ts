// The turn budget (turn.ts) and a server that was busy: a run of costly requests from one client is
// answered a budget's worth per turn of the event loop, so timers (Zab's ticks, session expiry) and
// other sockets get theirs in between; and a server whose loop was held up hears the pings that came
// meanwhile before it judges which sessions expired.
import t from 'tap'
import { Writer } from '../jute/writer.js'
import * as P from '../jute/generated/proto.generated.js'
import { OpCode } from '../protocol.js'
import { startEnsemble } from './index.js'
import { TURN_BUDGET_MS, nextTurn, turnSpent } from './turn.js'
import { ZooKeeper } from '../index.js'
import { RawClient, frame, pingFrame, replies } from '../testing/raw-client.js'

const portOf = (connectString: string) => Number(connectString.split(':')[1])

/** Hold the event loop for `ms`, as a costly request would. */
function busy(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until);
}

t.test('the first call of a turn starts it; the budget runs out; work waits for the next turn, once', async (t) => {
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(turnSpent('clients'), false, 'a new turn has budget')
  busy(TURN_BUDGET_MS + 1)
  t.equal(turnSpent('clients'), true, 'spent after TURN_BUDGET_MS of work')
  t.equal(turnSpent('peers'), false, "the peers' share is a budget of its own")
  let runs = 0
  const work = () => runs++
  nextTurn(work)
  nextTurn(work)
  t.equal(runs, 0, 'not in this turn')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(runs, 1, 'once, in the next')
  t.equal(turnSpent('clients'), false, 'with a fresh budget')
})

t.test('a run of costly requests from one client leaves room for timers between them, and answers all in order', async (t) => {
  const ens = await startEnsemble()
  t.teardown(() => ens.stop())
  const zk = await ZooKeeper.connect(ens.connectString)
  t.teardown(() => zk.close())
  // A tree of 20,000 nodes: each getAllChildrenNumber of / walks all of it.
  await zk.create('/wide', null)
  for (let batch = 0; batch < 10; batch++) {
    const tx = zk.transaction()
    for (let i = 0; i < 2000; i++) tx.create(`/wide/${batch}-${i}`, null)
    await tx.commit()
  }
  const client = await RawClient.connect(t, portOf(ens.connectString))
  await client.handshake()
  const conn = client.on(ens.servers[0]!)
  const count = 300
  const requests = Array.from({ length: count }, (_, i) =>
    frame((w: Writer) => {
      P.encodeRequestHeader(w, { xid: i + 1, type: OpCode.getAllChildrenNumber })
      P.encodeGetAllChildrenNumberRequest(w, { path: '/' })
    }),
  )
  // A timer that counts how often it got to run while the server answered.
  const sentBefore = conn.sent
  const answeredWhenTimersRan: number[] = []
  const timer = setInterval(() => answeredWhenTimersRan.push(conn.sent - sentBefore), 1)
  t.teardown(() => clearInterval(timer))
  client.socket.write(Buffer.concat(requests))
  await client.next(count)
  clearInterval(timer)
  const during = answeredWhenTimersRan.filter((n) => n > 0 && n < count)
  t.ok(during.length >= 10, `timers ran ${during.length} times while the ${count} requests were answered`)
  t.same(
    replies(client.frames).map((r) => [r.xid, r.err]),
    requests.map((_, i) => [i + 1, 0]),
    'every request answered, in order',
  )
})

t.test('a server held up for longer than a session timeout hears the ping that came meanwhile before it expires anyone', async (t) => {
  const ens = await startEnsemble({ tickTime: 100 })
  t.teardown(() => ens.stop())
  const server = ens.servers[0]!
  const client = await RawClient.connect(t, portOf(ens.connectString))
  await client.handshake(300)
  const conn = client.on(server)
  const { sessionId } = conn
  // The ping reaches the kernel now; the server reads it only once its loop comes round again.
  client.socket.write(pingFrame())
  busy(1200)
  await client.next(1)
  t.match(replies(client.frames), [{ xid: -2, err: 0 }], 'the ping is answered')
  t.ok(server.tracker.sessions.has(sessionId), 'the session lives on')
  t.equal(conn.closed, false, 'on its connection')
  // And it expires as usual once the client falls silent.
  await new Promise((resolve) => client.socket.once('close', resolve))
  t.notOk(server.tracker.sessions.has(sessionId), 'expired once silent for its timeout')
})
