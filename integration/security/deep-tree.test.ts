// A chain of nodes deeper than any call stack: every target answers getAllChildrenNumber, and the
// connection stays up (the bundled server once overflowed its stack here and dropped it).
import t from 'tap'
import { eachTarget, harness } from '../harness.js'

const DEPTH = 6000

eachTarget(t, {}, async (t, cluster) => {
  t.test(`getAllChildrenNumber over a chain ${DEPTH} deep`, async (t) => {
    const h = await harness(t, cluster)
    const zk = await h.connect()
    const paths = Array.from({ length: DEPTH }, (_, i) => '/d'.repeat(i + 1))
    // Pipelined: the server answers in order, so each parent exists before its child's create.
    await Promise.all(paths.map((p) => zk.create(p)))
    t.equal(await zk.getAllChildrenNumber('/d'), DEPTH - 1, 'as ZooKeeper 3.8 answers')
    t.equal(await zk.getAllChildrenNumber(paths.at(-1)!), 0)
    t.ok(await zk.exists(paths.at(-1)!), 'the same connection still answers')
  })
})
