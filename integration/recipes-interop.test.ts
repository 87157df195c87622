// zookit recipes and Apache Curator on the same paths: a Java service and a Node service exclude each
// other with Mutex / InterProcessMutex and agree on one leader with LeaderLatch.
import t from 'tap'
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { eachTarget, harness } from './harness.js'
import { Mutex, LeaderLatch } from '../recipes/index.js'

const JARS = [
  'curator-client',
  'curator-framework',
  'curator-recipes',
  'zookeeper',
  'zookeeper-jute',
  'guava',
  'slf4j-api',
  'slf4j-nop',
].map((j) => `/usr/share/java/${j}.jar`)
const SRC = fileURLToPath(new URL('./interop/CuratorPeer.java', import.meta.url))
const skip = JARS.every((j) => existsSync(j)) ? undefined : 'libcurator-recipes-java is not installed'

/** A Curator peer process with a line-based conversation. */
class Peer {
  private lines: string[] = []
  private waiters: { want: string; resolve: () => void }[] = []
  readonly proc: ChildProcessWithoutNullStreams
  constructor(connectString: string, base: string) {
    this.proc = spawn('java', ['-cp', JARS.join(':'), SRC, connectString, base])
    let buf = ''
    this.proc.stdout.on('data', (c: Buffer) => {
      buf += c.toString()
      let i
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim()
        buf = buf.slice(i + 1)
        this.lines.push(line)
        this.waiters = this.waiters.filter((w) => (line.startsWith(w.want) ? (w.resolve(), false) : true))
      }
    })
  }
  /** Resolve when a line starting with `want` arrives (or has arrived since the last say()). */
  expect(want: string): Promise<string> {
    const seen = this.lines.find((l) => l.startsWith(want))
    if (seen) {
      this.lines = this.lines.filter((l) => l !== seen)
      return Promise.resolve(seen)
    }
    return new Promise((resolve) =>
      this.waiters.push({
        want,
        resolve: () =>
          resolve(
            this.lines.splice(
              this.lines.findIndex((l) => l.startsWith(want)),
              1,
            )[0]!,
          ),
      }),
    )
  }
  say(cmd: string): void {
    this.proc.stdin.write(cmd + '\n')
  }
  stop(): void {
    this.proc.kill('SIGKILL')
  }
}

eachTarget(t, {}, async (t, cluster) => {
  t.test('Mutex excludes a Curator InterProcessMutex on the same path, both ways', { skip }, async (t) => {
    const h = await harness(t, cluster)
    const zk = await h.connect()
    const peer = new Peer(h.connectString, '/shared')
    t.teardown(() => peer.stop())
    await peer.expect('READY')
    peer.say('lock')
    await peer.expect('HELD')
    const mine = new Mutex(zk, '/shared/lock')
    t.equal(await mine.acquire({ timeout: 300 }), false, 'zookit waits while Curator holds the lock')
    const acquiring = mine.acquire({ timeout: 20_000 })
    peer.say('release')
    await peer.expect('RELEASED')
    t.equal(await acquiring, true, 'zookit gets it once Curator releases')
    peer.say('try 300')
    t.equal(await peer.expect('GOT'), 'GOT false', 'Curator waits while zookit holds it')
    peer.say('try 20000')
    await mine.release()
    t.equal(await peer.expect('GOT'), 'GOT true', 'Curator gets it once zookit releases')
    peer.say('quit')
    await peer.expect('BYE')
  })

  t.test('LeaderLatch and Curator LeaderLatch agree on one leader', { skip }, async (t) => {
    const h = await harness(t, cluster)
    const zk = await h.connect()
    const peer = new Peer(h.connectString, '/shared')
    t.teardown(() => peer.stop())
    await peer.expect('READY')
    peer.say('latch')
    await peer.expect('LEADER')
    const latch = new LeaderLatch(zk, '/shared/latch', 'node')
    await latch.start()
    t.equal(await latch.await({ timeout: 300 }), false, 'zookit does not lead while Curator does')
    t.same(
      (await latch.participants()).map((p) => [p.id, p.isLeader]),
      [
        ['java', true],
        ['node', false],
      ],
    )
    peer.say('unlatch')
    t.equal(await latch.await({ timeout: 20_000 }), true, 'zookit leads once Curator leaves')
    peer.say('latch')
    await peer.expect('LATCHED')
    await latch.close()
    await peer.expect('LEADER')
    t.pass('Curator leads again once zookit leaves')
    peer.say('quit')
    await peer.expect('BYE')
  })
})
