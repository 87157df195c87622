// The job board tested with jest against a bundled ensemble started once for the file. Plain ESM
// JavaScript, run with jest's native ES module support (no Babel, no transform). From the
// repository root, after `npm run build`:
//   node --experimental-vm-modules node_modules/jest/bin/jest.js --config examples/testing/jest/jest.config.mjs
import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { ZooKeeper } from 'zookit'
import { startEnsemble } from 'zookit/ensemble'
import { JobBoard } from '../job-board.mjs'

/** @type {import('zookit/ensemble').Ensemble} */
let ensemble
beforeAll(async () => {
  ensemble = await startEnsemble() // a random free port: test files can run in parallel
})
afterAll(() => ensemble.stop())

test('a job is claimed by one worker only', async () => {
  const alice = await ZooKeeper.connect(ensemble.connectString)
  const bob = await ZooKeeper.connect(ensemble.connectString)
  try {
    await new JobBoard(alice).post('resize-1', { width: 640 })
    expect(await new JobBoard(alice).claim('resize-1', 'alice')).toBe(true)
    expect(await new JobBoard(bob).claim('resize-1', 'bob')).toBe(false)
    expect(await new JobBoard(bob).owner('resize-1')).toBe('alice')
  } finally {
    // Plain JavaScript on Node 20 has no `await using`: close in finally.
    await alice.close()
    await bob.close()
  }
})

test("a claim goes when its worker's session expires", async () => {
  const alice = await ZooKeeper.connect(ensemble.connectString)
  const bob = await ZooKeeper.connect(ensemble.connectString)
  try {
    const board = new JobBoard(bob)
    await board.post('resize-2', { width: 320 })
    expect(await new JobBoard(alice).claim('resize-2', 'alice')).toBe(true)
    // What a crashed worker looks like to the others, without waiting out a session timeout.
    ensemble.expireSession(alice.sessionId)
    await board.released('resize-2')
    expect(await board.claim('resize-2', 'bob')).toBe(true)
  } finally {
    await alice.close()
    await bob.close()
  }
})
