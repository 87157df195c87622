// The job board tested with vitest against a bundled ensemble started once for the file. Run from
// the repository root: npx vitest run --config examples/testing/vitest/vitest.config.ts
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ZooKeeper } from 'zookit'
import { startEnsemble, type Ensemble } from 'zookit/ensemble'
import { JobBoard } from '../job-board.mjs'

let ensemble: Ensemble
beforeAll(async () => {
  ensemble = await startEnsemble() // a random free port: test files can run in parallel
})
afterAll(() => ensemble.stop())

test('a job is claimed by one worker only', async () => {
  await using alice = await ZooKeeper.connect(ensemble.connectString)
  await using bob = await ZooKeeper.connect(ensemble.connectString)
  await new JobBoard(alice).post('resize-1', { width: 640 })
  expect(await new JobBoard(alice).claim('resize-1', 'alice')).toBe(true)
  expect(await new JobBoard(bob).claim('resize-1', 'bob')).toBe(false)
  expect(await new JobBoard(bob).owner('resize-1')).toBe('alice')
})

test("a claim goes when its worker's session expires", async () => {
  await using alice = await ZooKeeper.connect(ensemble.connectString)
  await using bob = await ZooKeeper.connect(ensemble.connectString)
  const board = new JobBoard(bob)
  await board.post('resize-2', { width: 320 })
  expect(await new JobBoard(alice).claim('resize-2', 'alice')).toBe(true)
  // What a crashed worker looks like to the others, without waiting out a session timeout.
  ensemble.expireSession(alice.sessionId)
  await board.released('resize-2')
  expect(await board.claim('resize-2', 'bob')).toBe(true)
})
