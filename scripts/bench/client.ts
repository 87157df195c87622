// Client benchmark: zookit against node-zookeeper-client and the native `zookeeper` package, all on
// the same real ZooKeeper 3.8 in one run; prints each figure and zookit's ratio to the best peer.
//   npm run bench            (installs the peers into scripts/bench/.peers on first use)
import { spawnSync, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startRealZooKeeper } from '../../src/testing/real-zookeeper.js'
import { ZooKeeper } from '../../src/index.js'
import { CLIENTS, PEERS_DIR, type ClientName } from './adapters.js'

const PEERS = ['node-zookeeper-client@1', 'zookeeper@7']
const root = fileURLToPath(new URL('../../', import.meta.url))
const BUILD = fileURLToPath(new URL('./.build/', import.meta.url))
const worker = BUILD + 'scripts/bench/worker.js'

/** Compile the project to plain JS so workers run without the TypeScript loader (fair RSS and CPU). */
function build(): void {
  console.error('compiling workers to JS …')
  execFileSync(
    process.execPath,
    [
      root + 'node_modules/typescript/bin/tsc',
      '-p',
      root + 'tsconfig.json',
      '--outDir',
      BUILD,
      '--sourceMap',
      'false',
      '--declaration',
      'false',
    ],
    { stdio: 'inherit' },
  )
}

/** Higher is better for these; lower for the rest. */
const HIGHER = new Set(['pipeGetOps', 'pipeSetOps', 'ephCreateDeletePairs'])
const LABELS: Record<string, string> = {
  connectMs: 'connect (ms, mean)',
  seqGetP50us: 'sequential getData p50 (µs)',
  seqGetP99us: 'sequential getData p99 (µs)',
  pipeGetOps: 'pipelined getData, 256 outstanding (ops/s)',
  cpuPerGetUs: 'client CPU per getData (µs)',
  pipeSetOps: 'pipelined setData, 256 outstanding (ops/s)',
  cpuPerSetUs: 'client CPU per setData (µs)',
  ephCreateDeletePairs: 'ephemeral-sequential create+delete (pairs/s)',
  getChildren10kMs: 'getChildren of 10,000 children (ms, p50)',
  peakRssMB: 'peak RSS (MB)',
}

function installPeers(): void {
  if (existsSync(PEERS_DIR + 'node_modules/zookeeper') && existsSync(PEERS_DIR + 'node_modules/node-zookeeper-client')) return
  mkdirSync(PEERS_DIR, { recursive: true })
  console.error(`installing peers into ${PEERS_DIR} …`)
  writeFileSync(PEERS_DIR + 'package.json', JSON.stringify({ name: 'zookit-bench-peers', private: true }))
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', ...PEERS], {
    cwd: PEERS_DIR,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}

async function main(): Promise<void> {
  installPeers()
  build()
  const zk = await startRealZooKeeper({ size: 1 })
  try {
    const benchRoot = '/bench'
    const setup = await ZooKeeper.connect(zk.connectString)
    await setup.createAll(`${benchRoot}/data`, Buffer.alloc(100, 1))
    await setup.createAll(`${benchRoot}/eph`)
    await setup.createAll(`${benchRoot}/many`)
    const creates: Promise<unknown>[] = []
    for (let i = 0; i < 10_000; i++) creates.push(setup.create(`${benchRoot}/many/child-${String(i).padStart(5, '0')}`))
    await Promise.all(creates)
    await setup.close()

    const results: Partial<Record<ClientName, Record<string, number>>> = {}
    for (const name of CLIENTS) {
      const r = spawnSync(process.execPath, [worker, name, zk.connectString, benchRoot], {
        encoding: 'utf8',
        timeout: 300_000,
        env: { ...process.env, ZOOKIT_BENCH_PEERS: PEERS_DIR },
      })
      if (r.status !== 0) {
        console.error(`${name} failed:\n${r.stderr}`)
        continue
      }
      results[name] = JSON.parse(r.stdout.trim().split('\n').pop()!)
    }
    print(results)
  } finally {
    await zk.stop()
  }
}

function print(results: Partial<Record<ClientName, Record<string, number>>>): void {
  const names = CLIENTS.filter((n) => results[n])
  const fmt = (v: number | undefined) => (v === undefined ? '-' : v >= 100 ? Math.round(v).toString() : v.toFixed(2))
  console.log(`| metric | ${names.join(' | ')} | zookit vs best peer |`)
  console.log(`| --- | ${names.map(() => '---').join(' | ')} | --- |`)
  for (const key of Object.keys(LABELS)) {
    const ours = results.zookit?.[key]
    const peers = names
      .filter((n) => n !== 'zookit')
      .map((n) => results[n]![key]!)
      .filter((v) => v !== undefined)
    const best = peers.length ? (HIGHER.has(key) ? Math.max(...peers) : Math.min(...peers)) : undefined
    // Ratio > 1 always means zookit is better.
    const ratio = ours === undefined || best === undefined ? '-' : `${(HIGHER.has(key) ? ours / best : best / ours).toFixed(2)}×`
    console.log(`| ${LABELS[key]} | ${names.map((n) => fmt(results[n]![key])).join(' | ')} | ${ratio} |`)
  }
  const nzc = results['node-zookeeper-client']?.cpuPerGetUs
  if (nzc && results.zookit)
    console.log(`\nzookit CPU per getData / node-zookeeper-client's: ${(results.zookit.cpuPerGetUs! / nzc).toFixed(2)} (target ≤ 0.5)`)
}

await main()
