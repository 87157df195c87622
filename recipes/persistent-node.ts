// PersistentNode: keeps a node (typically ephemeral) in place: created on start, created again when
// it is deleted and after every reconnect (Curator's PersistentNode). With a client made with
// `renewExpiredSession: true` it also comes back in the new session after an expiry.
import { CreateMode, NodeExistsError, TypedEventEmitter, type ZooKeeper } from '../src/index.js'
import { connectionStateOf, isConnectedState, type ConnectionState } from './connection-state.js'
import { reportError } from './internal/wait.js'

/**
 * A node kept in place: created again when deleted and after every reconnect. Emits 'ready' (path)
 * each time it is in place, 'error' when an attempt fails.
 */
/** The events of a PersistentNode. */
export interface PersistentNodeEvents {
  /** The node is in place (after start, a re-creation or a reconnect): its path. */
  ready: [path: string]
  /** Putting it back failed; the next reconnect tries again. */
  error: [err: unknown]
}

export class PersistentNode extends TypedEventEmitter<PersistentNodeEvents> {
  private running = false
  // CONNECTED or RECONNECTED: the node may be gone (a new session) or its deletion missed; put it back.
  private readonly onConnection = (state: ConnectionState) => {
    if (isConnectedState(state)) void this.ensure()
  }

  /**
   * @param path the node (parents are created as needed)
   * @param data its data
   * @param mode its create mode (default EPHEMERAL)
   */
  constructor(
    private readonly zk: ZooKeeper,
    readonly path: string,
    private data: Buffer | string = Buffer.alloc(0),
    private readonly mode: CreateMode = CreateMode.EPHEMERAL,
  ) {
    super()
  }

  /** Create the node and keep it there until close(). */
  async start(): Promise<void> {
    this.running = true
    connectionStateOf(this.zk).on('change', this.onConnection)
    await this.ensure()
  }

  /** Change the data (kept on re-creation too). */
  async setData(data: Buffer | string): Promise<void> {
    this.data = data
    await this.zk.setData(this.path, data)
  }

  private async ensure(): Promise<void> {
    if (!this.running) return
    try {
      try {
        await this.zk.createAll(this.path, this.data, { mode: this.mode })
      } catch (err) {
        if (!(err instanceof NodeExistsError)) throw err
      }
      // Watch for deletion so the node comes back.
      const stat = await this.zk.exists(this.path, { watch: (e) => e.type === 'deleted' && void this.ensure() })
      if (!stat) return void this.ensure()
      this.emit('ready', this.path)
    } catch (err) {
      // Connection trouble: the next CONNECTED or RECONNECTED will try again.
      reportError(this, err)
    }
  }

  /** Stop keeping the node, and delete it. */
  async close(): Promise<void> {
    this.running = false
    connectionStateOf(this.zk).off('change', this.onConnection)
    await this.zk.delete(this.path).catch(() => {})
  }

  /** close(), for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}
