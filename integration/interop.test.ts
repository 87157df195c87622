// Clients nobody here wrote, against each target: zkCli.sh (the Java client), kazoo and Curator.
// Each is skipped with a reason when its Debian package is missing.
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { eachTarget, harness } from './harness.js'

const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh'
const PYTHON = '/usr/bin/python3'
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
const CURATOR_SRC = fileURLToPath(new URL('./interop/CuratorSmoke.java', import.meta.url))

/** Run a command to completion; resolves with its exit code and output. */
function run(cmd: string, args: string[], input?: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    p.stdout.on('data', (c) => (out += c))
    p.stderr.on('data', (c) => (out += c))
    p.on('close', (code) => resolve({ code, out }))
    p.stdin.end(input ?? '')
  })
}

const kazooMissing =
  spawnSync(PYTHON, ['-c', 'import kazoo']).status === 0 ? undefined : 'python3-kazoo is not installed (for /usr/bin/python3)'

eachTarget(t, {}, async (t, cluster) => {
  t.test('zkCli.sh', { skip: existsSync(ZKCLI) ? undefined : 'Debian zookeeper is not installed' }, async (t) => {
    const h = await harness(t, cluster)
    const server = cluster.hosts[0]!
    const create = await run(ZKCLI, ['-server', server, 'create', `${h.root}/cli`, 'hello'])
    t.match(create.out, `Created ${h.root}/cli`)
    const get = await run(ZKCLI, ['-server', server, 'get', '-s', `${h.root}/cli`])
    t.match(get.out, /hello/)
    t.match(get.out, /dataVersion = 0/)
    t.match(get.out, /numChildren = 0/)
    const zk = await h.connect()
    t.equal((await zk.getData('/cli')).data.toString(), 'hello', 'our client reads what zkCli wrote')
  })

  t.test('kazoo', { skip: kazooMissing }, async (t) => {
    const h = await harness(t, cluster)
    const script = `
import sys
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1]); zk.start(timeout=15)
zk.ensure_path("/k/a/b"); zk.set("/k/a", b"v1")
data, stat = zk.get("/k/a"); print("get", data.decode(), stat.version, stat.numChildren)
lock = zk.Lock("/k/lock", "me")
with lock: print("contenders", lock.contenders())
t = zk.transaction(); t.create("/k/t1", b"x"); t.check("/k/a", 1); print("txn", t.commit())
c = zk.Counter("/k/counter"); c += 3; print("counter", c.value)
zk.stop(); print("KAZOO OK")
`
    const r = await run(PYTHON, ['-c', script, h.connectString])
    t.match(r.out, 'get v1 1 1')
    t.match(r.out, "contenders ['me']")
    t.match(r.out, "txn ['/k/t1', True]")
    t.match(r.out, 'counter 3')
    t.match(r.out, 'KAZOO OK', r.out)
  })

  t.test('Curator', { skip: JARS.every((j) => existsSync(j)) ? undefined : 'libcurator-recipes-java is not installed' }, async (t) => {
    const h = await harness(t, cluster)
    const r = await run('java', ['-cp', JARS.join(':'), CURATOR_SRC, h.connectString])
    t.match(r.out, 'data y')
    t.match(r.out, /mutex nodes \[_c_[0-9a-f-]{36}-lock-0000000000\]/)
    t.match(r.out, 'leader true')
    t.match(r.out, 'counter 5')
    t.match(r.out, 'CURATOR OK', r.out)
  })
})
