// `zookit ensemble` from the shell: prints a connect string that serves, stops cleanly on SIGTERM,
// and rejects a bad option with a clear message.
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ZooKeeper } from '../src/index.js'

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url))

t.test('serves on the printed connect string and stops on SIGTERM', async (t) => {
  const p = spawn(process.execPath, ['--import', 'tsx', cli, 'ensemble', '--tick-time', '200'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => p.kill('SIGKILL'))
  const connectString = await new Promise<string>((resolve, reject) => {
    let out = ''
    p.stdout.on('data', (c: Buffer) => {
      out += c
      if (out.includes('\n')) resolve(out.split('\n')[0]!)
    })
    p.on('exit', (code) => reject(new Error(`exited with ${code}`)))
  })
  t.match(connectString, /^127\.0\.0\.1:\d+$/)
  const zk = await ZooKeeper.connect(connectString)
  t.equal((await zk.create('/from-cli', 'x')).path, '/from-cli')
  await zk.close()
  const exit = new Promise<number | null>((r) => p.once('exit', r))
  p.kill('SIGTERM')
  t.equal(await exit, 0)
})

t.test('a bad option is refused with a message', async (t) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'ensemble', '--port', 'abc'], { encoding: 'utf8' })
  t.equal(r.status, 2)
  t.match(r.stderr, /--port needs a whole number/)
})

t.test('--size 3 prints the connect string of three servers and the leader', async (t) => {
  const p = spawn(process.execPath, ['--import', 'tsx', cli, 'ensemble', '--size', '3'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => p.kill('SIGKILL'))
  const lines = await new Promise<string[]>((resolve, reject) => {
    let out = ''
    p.stdout.on('data', (c: Buffer) => {
      out += c
      const l = out.split('\n')
      if (l.length >= 3) resolve(l.slice(0, 2))
    })
    p.on('exit', (code) => reject(new Error(`exited with ${code}`)))
  })
  t.match(lines[0], /^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/)
  t.match(lines[1], /^leader: server [0-2] \(127\.0\.0\.1:\d+\)$/)
  const zk = await ZooKeeper.connect(lines[0]!)
  t.equal((await zk.create('/q', 'x')).path, '/q')
  await zk.close()
  const exit = new Promise<number | null>((r) => p.once('exit', r))
  p.kill('SIGTERM')
  t.equal(await exit, 0)
})
