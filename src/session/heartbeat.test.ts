// Heartbeat timing with a ManualClock: ping after timeout/3 without sends, dead after 2/3 without
// receipts, and how sends and receipts push those deadlines.
import t from 'tap'
import { Heartbeat } from './heartbeat.js'
import { ManualClock } from '../clock.js'

function setup(timeout = 3000) {
  const clock = new ManualClock(10_000)
  const log: string[] = []
  const hb = new Heartbeat(clock, timeout, {
    ping: () => log.push(`ping@${clock.now() - 10_000}`),
    dead: (silent) => log.push(`dead@${clock.now() - 10_000} silent=${silent}`),
  })
  return { clock, log, hb }
}

t.test('fractions of the negotiated timeout', async (t) => {
  const { hb } = setup(30_000)
  t.equal(hb.readTimeout, 20_000)
  t.equal(hb.pingAfter, 10_000)
})

t.test('an idle but answering link pings every timeout/3 and stays up', async (t) => {
  const { clock, log, hb } = setup()
  hb.start()
  clock.advance(999)
  t.same(log, [])
  clock.advance(1)
  t.same(log, ['ping@1000'])
  hb.received() // the ping reply
  clock.advance(1000)
  hb.received()
  clock.advance(1000)
  t.same(log, ['ping@1000', 'ping@2000', 'ping@3000'])
  hb.stop()
  clock.advance(10_000)
  t.equal(log.length, 3, 'nothing after stop()')
  t.equal(clock.pending, 0)
})

t.test('sends postpone the ping', async (t) => {
  const { clock, log, hb } = setup()
  hb.start()
  clock.advance(900)
  hb.sent()
  hb.received()
  clock.advance(900)
  t.same(log, [], 'sent 900 ms ago: no ping yet')
  clock.advance(100)
  t.same(log, ['ping@1900'])
})

t.test('silence for 2/3 of the timeout is death, pings or not', async (t) => {
  const { clock, log, hb } = setup()
  hb.start()
  clock.advance(1999)
  t.same(log, ['ping@1000'])
  clock.advance(1)
  t.same(log, ['ping@1000', 'dead@2000 silent=2000'])
  clock.advance(10_000)
  t.equal(log.length, 2, 'reported once, then stopped')
})

t.test('busy sending without receiving still times out', async (t) => {
  const { clock, log, hb } = setup()
  hb.start()
  for (let i = 0; i < 30; i++) {
    clock.advance(100)
    hb.sent()
  }
  t.same(log, ['dead@2000 silent=2000'], 'no pings needed while sending, but the reads count')
  t.equal(hb.lastReceived, 10_000)
})
