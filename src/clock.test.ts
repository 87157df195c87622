// ManualClock ordering (due time, then creation), timers made while firing, cancel; systemClock basics.
import t from 'tap'
import { ManualClock, systemClock } from './clock.js'

t.test('timers fire in due order, ties in creation order, with now() at their due time', async (t) => {
  const c = new ManualClock(100)
  const log: string[] = []
  c.setTimeout(() => log.push(`b@${c.now()}`), 20)
  c.setTimeout(() => log.push(`a@${c.now()}`), 10)
  c.setTimeout(() => log.push(`b2@${c.now()}`), 20)
  c.setTimeout(() => log.push(`late@${c.now()}`), 50)
  t.equal(c.nextDue, 10)
  c.advance(30)
  t.same(log, ['a@110', 'b@120', 'b2@120'])
  t.equal(c.now(), 130)
  t.equal(c.pending, 1)
  c.advance(20)
  t.same(log.slice(-1), ['late@150'])
  t.equal(c.nextDue, undefined)
})

t.test('timers set while firing run in the same advance when due', async (t) => {
  const c = new ManualClock()
  const log: number[] = []
  const tick = () => {
    log.push(c.now())
    if (c.now() < 50) c.setTimeout(tick, 10)
  }
  c.setTimeout(tick, 10)
  c.setTimeout(() => log.push(-c.now()), 0)
  c.advance(35)
  t.same(log, [-0, 10, 20, 30])
  c.advance(100)
  t.same(log, [-0, 10, 20, 30, 40, 50])
})

t.test('cancel, twice or after firing, is harmless', async (t) => {
  const c = new ManualClock()
  let fired = 0
  const a = c.setTimeout(() => fired++, 5)
  const b = c.setTimeout(() => fired++, 5)
  a.cancel()
  a.cancel()
  c.advance(5)
  b.cancel()
  t.equal(fired, 1)
  t.equal(c.pending, 0)
  c.setTimeout(() => fired++, -5)
  c.advance(0)
  t.equal(fired, 2, 'a negative delay is due now')
})

t.test('systemClock timers fire and cancel', async (t) => {
  const start = systemClock.now()
  await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 5))
  t.ok(systemClock.now() >= start)
  let fired = false
  systemClock.setTimeout(() => (fired = true), 1).cancel()
  await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 5))
  t.notOk(fired)
})
