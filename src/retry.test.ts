// Backoff bounds and growth, the retryable-error predicate, and withRetry over p-retry.
import t from 'tap'
import { Backoff, DEFAULT_RECONNECT_DELAY, backoffDelay, isRetryable, withRetry } from './retry.js'
import {
  AbortedError,
  ClientClosedError,
  ConnectionLossError,
  NoNodeError,
  NodeExistsError,
  OperationTimeoutError,
  SessionExpiredError,
  SessionMovedError,
  BadVersionError,
} from './errors.js'
import { hex } from './debug.js'

t.test('backoffDelay: min·2^attempt times a jitter in [1, 2), capped at max', async (t) => {
  t.equal(
    backoffDelay(0, 100, 10_000, () => 0),
    100,
  )
  t.equal(
    backoffDelay(0, 100, 10_000, () => 0.5),
    150,
  )
  t.equal(
    backoffDelay(3, 100, 10_000, () => 0),
    800,
  )
  t.equal(
    backoffDelay(30, 100, 10_000, () => 0.99),
    10_000,
  )
  t.equal(
    backoffDelay(1, 100, 10_000, () => 0, 3),
    300,
    'custom factor',
  )
  for (let i = 0; i < 200; i++) {
    const d = backoffDelay(i % 12, 10, 1000)
    if (d < 10 || d > 1000) t.fail(`delay ${d} out of bounds`)
  }
  t.equal(backoffDelay(0, 500, 100), 100, 'max wins when below min')
})

t.test('Backoff grows until reset', async (t) => {
  const b = new Backoff({ min: 10, max: 100 }, () => 0)
  t.same([b.next(), b.next(), b.next(), b.next(), b.next()], [10, 20, 40, 80, 100])
  t.equal(b.attempts, 5)
  b.reset()
  t.equal(b.next(), 10)
  t.same(DEFAULT_RECONNECT_DELAY, { min: 10, max: 2000, factor: 2 })
})

t.test('what is retryable', async (t) => {
  t.ok(isRetryable(new ConnectionLossError()))
  t.ok(isRetryable(new OperationTimeoutError()))
  t.ok(isRetryable(new SessionMovedError()))
  for (const e of [
    new NoNodeError(),
    new NodeExistsError(),
    new BadVersionError(),
    new SessionExpiredError(),
    new ClientClosedError(),
    new AbortedError(),
    new Error('x'),
    'str',
  ]) {
    t.notOk(isRetryable(e), String(e))
  }
})

t.test('withRetry retries retryable errors, then succeeds', async (t) => {
  let calls = 0
  const retried: number[] = []
  const v = await withRetry(
    async (attempt) => {
      calls++
      if (attempt < 3) throw new ConnectionLossError()
      return `ok@${attempt}`
    },
    { minDelay: 1, maxDelay: 2, onRetry: (_e, n) => retried.push(n) },
  )
  t.equal(v, 'ok@3')
  t.equal(calls, 3)
  t.same(retried, [1, 2])
})

t.test('withRetry stops at once on a non-retryable error and rethrows it unchanged', async (t) => {
  let calls = 0
  const err = new NodeExistsError('there', { op: 'create', path: '/x' })
  const got = await withRetry(
    async () => {
      calls++
      throw err
    },
    { minDelay: 1 },
  ).catch((e: unknown) => e)
  t.equal(got, err)
  t.equal(calls, 1)
  const odd = await withRetry(async () => Promise.reject('a string'), { minDelay: 1 }).catch((e: unknown) => e)
  t.equal(odd, 'a string', 'even non-Error values')
})

t.test('withRetry gives up after `retries` with the last error', async (t) => {
  let calls = 0
  const got = await withRetry(
    async () => {
      calls++
      throw new OperationTimeoutError(`try ${calls}`)
    },
    { retries: 2, minDelay: 1, maxDelay: 1 },
  ).catch((e: unknown) => e)
  t.equal(calls, 3)
  t.match(got, { name: 'OperationTimeoutError', message: /try 3/ })
})

t.test('withRetry honours a custom predicate and an AbortSignal', async (t) => {
  let calls = 0
  const v = await withRetry(
    async () => {
      if (++calls < 2) throw new NoNodeError()
      return 'created meanwhile'
    },
    { minDelay: 1, isRetryable: (e) => e instanceof NoNodeError },
  )
  t.equal(v, 'created meanwhile')
  const ac = new AbortController()
  const got = await withRetry(
    async () => {
      ac.abort()
      throw new ConnectionLossError()
    },
    { minDelay: 1, signal: ac.signal },
  ).catch((e: unknown) => e)
  t.type(got, AbortedError)
})

t.test('hex truncates long buffers for logs', async (t) => {
  t.equal(hex(Buffer.from([1, 0xab])), '01ab')
  t.equal(hex(Buffer.alloc(40, 0xff), 4), 'ffffffff…(40 bytes)')
  t.equal(hex(null), 'null')
})
