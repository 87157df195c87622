// The job board tested with Node's own runner (node:test) against a bundled ensemble started once
// for the file. Run from the repository root:
//   TSX_TSCONFIG_PATH=examples/tsconfig.json node --import tsx --test examples/testing/node-test/job-board.spec.ts
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { ZooKeeper } from 'zookit'
import { startEnsemble, type Ensemble } from 'zookit/ensemble'
import { JobBoard } from '../job-board.mjs'

let ensemble: Ensemble
before(async () => {
  ensemble = await startEnsemble() // a random free port: tests can run in parallel
})
after(() => ensemble.stop())

test('a job is claimed by one worker only', async () => {
  await using alice = await ZooKeeper.connect(ensemble.connectString)
  await using bob = await ZooKeeper.connect(ensemble.connectString)
  await new JobBoard(alice).post('resize-1', { width: 640 })
  assert.equal(await new JobBoard(alice).claim('resize-1', 'alice'), true)
  assert.equal(await new JobBoard(bob).claim('resize-1', 'bob'), false)
  assert.equal(await new JobBoard(bob).owner('resize-1'), 'alice')
})

test("a claim goes when its worker's session expires", async () => {
  await using alice = await ZooKeeper.connect(ensemble.connectString)
  await using bob = await ZooKeeper.connect(ensemble.connectString)
  const board = new JobBoard(bob)
  await board.post('resize-2', { width: 320 })
  assert.equal(await new JobBoard(alice).claim('resize-2', 'alice'), true)
  // What a crashed worker looks like to the others, without waiting out a session timeout.
  ensemble.expireSession(alice.sessionId)
  await board.released('resize-2')
  assert.equal(await board.claim('resize-2', 'bob'), true)
})
