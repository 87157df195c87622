// The package as `npm install` gives it: pack the project, install the tarball into an empty project,
// and use it from there as ESM, CommonJS and TypeScript (strict, skipLibCheck off, nodenext and
// bundler resolution), and as the `zookit` command.
import t from 'tap'
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { fourLetterWord } from '../src/testing/real-zookeeper.js'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc')
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version

// Packing builds the whole project, and installing reaches for the npm cache or registry.
t.setTimeout(300_000)

const dir = mkdtempSync(path.join(tmpdir(), 'zookit-package-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const app = path.join(dir, 'app')

/** What a newcomer's program does first: a server, a client, a lock, a look at the server. */
const USE = `
const ensemble = await startEnsemble()
const zk = await ZooKeeper.connect(ensemble.connectString)
await zk.create('/hello', Buffer.from('world'))
const { data } = await zk.getData('/hello')
const lock = new Mutex(zk, '/locks/a')
if (!(await lock.acquire({ timeout: 5000 }))) throw new Error('no lock')
await lock.release()
const { mode } = await new FourLetterClient(ensemble.connectString).srvr({ timeout: 5000 })
if (mode !== 'standalone') throw new Error('srvr says ' + mode)
await zk.close()
await ensemble.stop()
console.log('OK ' + data.toString())
`

let files: string[] = []

t.before(async () => {
  // prepack builds dist/ from a clean slate.
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 64 << 20 })
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[]
  files = packed!.files.map((f) => f.path)
  writeFileSync(path.join(dir, 'package.json'), '{}')
  await run('mkdir', ['-p', app])
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(dir, packed!.filename)], {
    cwd: app,
    maxBuffer: 64 << 20,
  })
})

t.test('the tarball holds the library, the CLI and their types, nothing else', async (t) => {
  t.ok(files.includes('dist/src/index.js') && files.includes('dist/src/index.d.ts'), 'the client')
  t.ok(files.includes('dist/recipes/index.js') && files.includes('dist/src/ensemble/index.js'), 'recipes and ensemble')
  t.ok(files.includes('dist/src/admin/index.js') && files.includes('dist/src/admin/index.d.ts'), 'admin')
  t.ok(files.includes('dist/src/cli.js'), 'the CLI')
  const stray = files.filter(
    (f) => /\.test\.|test-helper|\.map$|(^|\/)(integration|bench|testing|scripts)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')),
  )
  t.same(stray, [], 'no tests, benchmarks, test tools, sources or source maps')
  const outside = files.filter((f) => !f.startsWith('dist/') && !['package.json', 'README.md', 'CHANGELOG.md'].includes(f))
  t.same(outside, [], 'nothing outside dist/ but the manifest and the docs')
})

t.test('an ES module consumer runs', async (t) => {
  writeFileSync(
    path.join(app, 'esm.mjs'),
    `import { ZooKeeper } from 'zookit'\nimport { startEnsemble } from 'zookit/ensemble'\nimport { Mutex } from 'zookit/recipes'\nimport { FourLetterClient } from 'zookit/admin'\n${USE}`,
  )
  const { stdout } = await run(process.execPath, ['esm.mjs'], { cwd: app })
  t.equal(stdout.trim(), 'OK world')
})

t.test('a CommonJS consumer runs (require of an ES module, Node 20.19+)', async (t) => {
  writeFileSync(
    path.join(app, 'cjs.cjs'),
    `const { ZooKeeper } = require('zookit')\nconst { startEnsemble } = require('zookit/ensemble')\nconst { Mutex } = require('zookit/recipes')\nconst { FourLetterClient } = require('zookit/admin')\nasync function main() {${USE}}\nmain().catch((e) => { console.error(e); process.exit(1) })\n`,
  )
  const { stdout } = await run(process.execPath, ['cjs.cjs'], { cwd: app })
  t.equal(stdout.trim(), 'OK world')
})

for (const resolution of ['nodenext', 'bundler'] as const) {
  t.test(`a TypeScript consumer type-checks strictly with moduleResolution ${resolution}`, async (t) => {
    const sub = path.join(app, `ts-${resolution}`)
    await run('mkdir', ['-p', sub])
    writeFileSync(
      path.join(sub, 'main.ts'),
      `import { ZooKeeper, NoNodeError, type Stat } from 'zookit'\nimport { startEnsemble } from 'zookit/ensemble'\nimport { Mutex } from 'zookit/recipes'\nimport { FourLetterClient, AdminError, type SrvrResult } from 'zookit/admin'\n${USE}\nexport const used: [typeof NoNodeError, Stat | undefined, typeof AdminError, SrvrResult | undefined] = [NoNodeError, undefined, AdminError, undefined]\n`,
    )
    const compilerOptions = {
      strict: true,
      skipLibCheck: false,
      target: 'ES2022',
      module: resolution === 'nodenext' ? 'nodenext' : 'esnext',
      moduleResolution: resolution,
      types: ['node'],
      typeRoots: [path.join(ROOT, 'node_modules/@types')],
      outDir: 'out',
    }
    writeFileSync(path.join(sub, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['main.ts'] }))
    writeFileSync(path.join(sub, 'package.json'), JSON.stringify({ type: 'module' }))
    await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: sub }).catch((err: { stdout?: string }) => {
      throw new Error(`tsc failed:\n${err.stdout}`)
    })
    const { stdout } = await run(process.execPath, ['out/main.js'], { cwd: sub })
    t.equal(stdout.trim(), 'OK world', 'and the compiled program runs')
  })
}

t.test('npx zookit --version prints the version', async (t) => {
  const { stdout } = await run('npx', ['--no-install', 'zookit', '--version'], { cwd: app })
  t.equal(stdout.trim(), VERSION)
})

t.test('the installed zookit ensemble --port 0 serves, answers ruok and stops on SIGINT', async (t) => {
  // The bin npx resolves to, run as a shell runs it. (Through npx itself, a terminal's Ctrl-C also
  // stops npm and its sh wrapper, which report the signal rather than the CLI's exit status.)
  const cli = spawn(path.join(app, 'node_modules/.bin/zookit'), ['ensemble', '--port', '0'], {
    cwd: app,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)))
  t.teardown(() => {
    if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL')
  })
  const connectString = await new Promise<string>((resolve, reject) => {
    let out = ''
    cli.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /127\.0\.0\.1:\d+/.exec(out)
      if (m) resolve(m[0])
    })
    cli.on('exit', (code) => reject(new Error(`zookit ensemble exited (${code}) before printing a connect string: ${out}`)))
  })
  const port = Number(connectString.split(':')[1])
  t.equal(await fourLetterWord('127.0.0.1', port, 'ruok'), 'imok')
  cli.kill('SIGINT')
  t.equal(await exited, 0, 'exits 0 on SIGINT')
})
