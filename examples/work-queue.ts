// A work queue: a producer puts jobs on a Queue (persistent sequential nodes, Curator's
// DistributedQueue layout) and three consumers take them. Each job is taken by exactly one
// consumer, in FIFO order, even though the consumers race for every item.
//
// Run: npx tsx --tsconfig examples/tsconfig.json examples/work-queue.ts
import { ZooKeeper } from 'zookit'
import { Queue } from 'zookit/recipes'
import { startEnsemble } from 'zookit/ensemble'

await using ensemble = await startEnsemble()

const JOBS = 12

async function producer(): Promise<void> {
  await using zk = await ZooKeeper.connect(ensemble.connectString)
  const queue = new Queue(zk, '/queues/thumbnails')
  for (let i = 1; i <= JOBS; i++) await queue.put(JSON.stringify({ image: `photo-${i}.jpg` }))
}

async function consumer(name: string): Promise<{ name: string; images: string[] }> {
  await using zk = await ZooKeeper.connect(ensemble.connectString)
  const queue = new Queue(zk, '/queues/thumbnails')
  const done: string[] = []
  for (;;) {
    // take() waits for an item; once the queue has stayed empty for 500 ms this consumer stops.
    const item = await queue.take({ timeout: 500 })
    if (!item) return { name, images: done }
    const { image } = JSON.parse(item.toString()) as { image: string }
    done.push(image)
  }
}

const [, ...results] = await Promise.all([producer(), consumer('c1'), consumer('c2'), consumer('c3')])
for (const { name, images } of results) console.log(`${name} made ${images.length} thumbnails: ${images.join(', ')}`)

const all = results.flatMap((r) => r.images)
if (all.length !== JOBS || new Set(all).size !== JOBS) throw new Error(`expected ${JOBS} distinct jobs, got ${all.length}`)
console.log(`${JOBS} jobs, each taken once`)
