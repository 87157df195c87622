// SharedCount (a 4-byte int) and DistributedAtomicLong (an 8-byte long), stored big-endian in one
// znode as Apache Curator does, updated by versioned compare-and-set.
import { BadVersionError, NodeExistsError, NoNodeError, type ZooKeeper } from '../src/index.js'
import { requireFunction } from './internal/arguments.js'

/** Outcome of an atomic operation (Curator's AtomicValue). */
export interface AtomicValue {
  /** Whether the value was changed; false when every try met a concurrent change. */
  succeeded: boolean
  /** The value before the change (0 when it did not succeed). */
  preValue: bigint
  /** The value written (0 when it did not succeed). */
  postValue: bigint
}

/** A 64-bit counter with optimistic concurrency; interoperates with Curator's DistributedAtomicLong. */
export class DistributedAtomicLong {
  /**
   * @param path the counter node (8 bytes, big-endian, created on first write)
   * @param maxTries compare-and-set attempts before update() reports failure
   */
  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
    private readonly maxTries = 100,
  ) {}

  private async read(): Promise<{ value: bigint; version: number } | undefined> {
    try {
      const { data, stat } = await this.zk.getData(this.path)
      return { value: data.length >= 8 ? data.readBigInt64BE(0) : 0n, version: stat.version }
    } catch (err) {
      if (err instanceof NoNodeError) return undefined
      throw err
    }
  }

  /** The current value (0 while the node does not exist). */
  async get(): Promise<bigint> {
    return (await this.read())?.value ?? 0n
  }

  /** Apply `fn` to the value with a CAS loop; fails (succeeded false) after maxTries conflicts. */
  async update(fn: (v: bigint) => bigint): Promise<AtomicValue> {
    for (let i = 0; i < this.maxTries; i++) {
      const cur = await this.read()
      const pre = cur?.value ?? 0n
      const post = BigInt.asIntN(64, fn(pre))
      const bytes = Buffer.alloc(8)
      bytes.writeBigInt64BE(post)
      try {
        if (cur) await this.zk.setData(this.path, bytes, { version: cur.version })
        else
          await this.zk.createAll(this.path, bytes).then((r) => {
            if (!r.created) throw new NodeExistsError('created concurrently', { op: 'create', path: this.path })
          })
        return { succeeded: true, preValue: pre, postValue: post }
      } catch (err) {
        if (!(err instanceof BadVersionError) && !(err instanceof NodeExistsError)) throw err
      }
    }
    return { succeeded: false, preValue: 0n, postValue: 0n }
  }

  /** Add 1. */
  increment(): Promise<AtomicValue> {
    return this.update((v) => v + 1n)
  }
  /** Subtract 1. */
  decrement(): Promise<AtomicValue> {
    return this.update((v) => v - 1n)
  }
  /** Add `delta` (negative to subtract); the result wraps at 64 bits as Java's long does. */
  add(delta: bigint): Promise<AtomicValue> {
    return this.update((v) => v + delta)
  }
  /** Set only if the current value is `expected`. */
  async compareAndSet(expected: bigint, value: bigint): Promise<AtomicValue> {
    const cur = await this.get()
    if (cur !== expected) return { succeeded: false, preValue: cur, postValue: cur }
    return this.update((v) => (v === expected ? value : v))
  }
}

/** A shared 32-bit count with a version, as Curator's SharedCount keeps it. */
export class SharedCount {
  /**
   * @param path the count node (4 bytes, big-endian)
   * @param seed the value start() creates the node with
   */
  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
    private readonly seed = 0,
  ) {}

  /** Create the node with the seed value if missing. */
  async start(): Promise<void> {
    const b = Buffer.alloc(4)
    b.writeInt32BE(this.seed)
    await this.zk.createAll(this.path, b)
  }

  /** Current value and the version to pass to trySetCount. */
  async getVersionedValue(): Promise<{ value: number; version: number }> {
    const { data, stat } = await this.zk.getData(this.path)
    return { value: data.length >= 4 ? data.readInt32BE(0) : 0, version: stat.version }
  }

  /** Set only if nobody changed it since `version`; false when someone did. */
  async trySetCount(version: number, value: number): Promise<boolean> {
    const b = Buffer.alloc(4)
    b.writeInt32BE(value)
    try {
      await this.zk.setData(this.path, b, { version })
      return true
    } catch (err) {
      if (err instanceof BadVersionError) return false
      throw err
    }
  }

  /**
   * Follow the value: `listener(value)` now and after each change, until the returned function is
   * called (or, with `using stop = count.watch(…)`, until the end of the scope).
   */
  watch(listener: (value: number) => void): (() => void) & Disposable {
    requireFunction(listener, 'listener', 'SharedCount.watch', this.path)
    let stopped = false
    const loop = async () => {
      while (!stopped) {
        let fired!: () => void
        const changed = new Promise<void>((r) => (fired = r))
        const { data } = await this.zk.getData(this.path, { watch: () => fired() })
        if (!stopped) listener(data.readInt32BE(0))
        await changed
      }
    }
    void loop().catch(() => {})
    const stop = () => {
      stopped = true
    }
    return Object.assign(stop, { [Symbol.dispose]: stop })
  }
}
