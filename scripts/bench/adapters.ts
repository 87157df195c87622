// One promise-based interface over each Node client measured by the benchmark: zookit, the peers
// node-zookeeper-client (pure JS) and zookeeper (native, wraps the C client), and the floor.
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { ZooKeeper, CreateMode } from '../../src/index.js'
import { FloorClient } from './floor.js'

/** What the workloads need of a client; the floor only reads and writes data, so the rest is optional. */
export interface BenchClient {
  get(path: string): Promise<void>
  set(path: string, data: Buffer): Promise<void>
  create?(path: string, data: Buffer, ephemeralSequential: boolean): Promise<string>
  remove?(path: string): Promise<void>
  children?(path: string): Promise<number>
  close(): Promise<void>
}

export type NodeClientName = 'zookit' | 'node-zookeeper-client' | 'zookeeper' | 'floor'

/** Where the peers are installed (npm install --prefix, not a project dependency). */
export const PEERS_DIR = process.env.ZOOKIT_BENCH_PEERS ?? fileURLToPath(new URL('./.peers/', import.meta.url))
const requirePeer = createRequire(PEERS_DIR + 'package.json')

export async function connect(name: NodeClientName, connectString: string): Promise<BenchClient> {
  switch (name) {
    case 'floor':
      return floor(connectString)
    case 'zookit':
      return zookit(connectString)
    case 'node-zookeeper-client':
      return nodeZookeeperClient(connectString)
    case 'zookeeper':
      return nativeZookeeper(connectString)
  }
}

async function zookit(cs: string): Promise<BenchClient> {
  const zk = await ZooKeeper.connect(cs, { sessionTimeout: 30_000 })
  return {
    get: async (p) => void (await zk.getData(p)),
    set: async (p, d) => void (await zk.setData(p, d)),
    create: async (p, d, eph) => (await zk.create(p, d, { mode: eph ? CreateMode.EPHEMERAL_SEQUENTIAL : CreateMode.PERSISTENT })).path,
    remove: (p) => zk.delete(p),
    children: async (p) => (await zk.getChildren(p)).length,
    close: () => zk.close(),
  }
}

async function floor(cs: string): Promise<BenchClient> {
  const c = await FloorClient.connect(cs)
  return { get: (p) => c.getData(p), set: (p, d) => c.setData(p, d), close: () => c.close() }
}

function cbPromise<T>(fn: (cb: (err: unknown, v?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v as T))))
}

async function nodeZookeeperClient(cs: string): Promise<BenchClient> {
  const lib = requirePeer('node-zookeeper-client')
  const c = lib.createClient(cs, { sessionTimeout: 30_000 })
  await new Promise<void>((resolve) => {
    c.once('connected', () => resolve())
    c.connect()
  })
  return {
    get: (p) => cbPromise<void>((cb) => c.getData(p, (e: unknown) => cb(e))),
    set: (p, d) => cbPromise<void>((cb) => c.setData(p, d, -1, (e: unknown) => cb(e))),
    create: (p, d, eph) =>
      cbPromise<string>((cb) => c.create(p, d, eph ? lib.CreateMode.EPHEMERAL_SEQUENTIAL : lib.CreateMode.PERSISTENT, cb)),
    remove: (p) => cbPromise<void>((cb) => c.remove(p, -1, (e: unknown) => cb(e))),
    children: (p) => cbPromise<string[]>((cb) => c.getChildren(p, cb)).then((k) => k.length),
    close: async () => c.close(),
  }
}

async function nativeZookeeper(cs: string): Promise<BenchClient> {
  const ZK = requirePeer('zookeeper')
  const c = new ZK({ connect: cs, timeout: 30_000, debug_level: ZK.constants.ZOO_LOG_LEVEL_ERROR, host_order_deterministic: false })
  await new Promise<void>((resolve, reject) => c.connect({}, (err: unknown) => (err ? reject(err) : resolve())))
  const rc = <T>(fn: (cb: (code: number, error: string, v?: T) => void) => void) =>
    new Promise<T>((resolve, reject) => fn((code, error, v) => (code === 0 ? resolve(v as T) : reject(new Error(`${code} ${error}`)))))
  return {
    get: (p) => rc<void>((cb) => c.a_get(p, false, (code: number, e: string) => cb(code, e))),
    set: (p, d) => rc<void>((cb) => c.a_set(p, d, -1, (code: number, e: string) => cb(code, e))),
    create: (p, d, eph) => rc<string>((cb) => c.a_create(p, d, eph ? ZK.constants.ZOO_EPHEMERAL_SEQUENTIAL : 0, cb)),
    remove: (p) => rc<void>((cb) => c.a_delete_(p, -1, (code: number, e: string) => cb(code, e))),
    children: (p) => rc<string[]>((cb) => c.a_get_children(p, false, cb)).then((k) => k.length),
    close: async () => c.close(),
  }
}
