// Tree operations on servers that run in processes of their own: each request goes over the IPC
// channel with a number and its answer comes back with it. A server that exits, or stays silent
// (a SIGSTOP, say), fails its calls with a clear error instead of leaving them pending.
import { TreeDumpError } from './tree-dump.js'
import { ADMIN_TIMEOUT_MS, LeaderUnavailableError, type TreeAdminReply, type TreeAdminRequest } from './tree-admin.js'

/** A peer process's answer to one request. @internal */
export interface AdminAnswer {
  rid: number
  reply?: TreeAdminReply
  error?: { name: string; message: string }
}

interface Waiting {
  server: number
  resolve(r: TreeAdminReply): void
  reject(e: Error): void
  timer: NodeJS.Timeout
}

/** Give an error from a child its class back, so callers (the control plane) can tell them apart. */
function revive(e: { name: string; message: string }): Error {
  if (e.name === 'TreeDumpError') return new TreeDumpError(e.message)
  if (e.name === 'LeaderUnavailableError') return new LeaderUnavailableError(e.message)
  return new Error(e.message)
}

/** The requests sent to peer processes and not answered yet. @internal */
export class AdminCalls {
  private next = 1
  private readonly waiting = new Map<number, Waiting>()

  /**
   * Send `req` to server `i` with `send` (false when it cannot be sent: the server is down); resolve
   * with its answer.
   */
  call(i: number, send: (rid: number) => boolean, req: TreeAdminRequest): Promise<TreeAdminReply> {
    const rid = this.next++
    // The child keeps its own deadline; this one is for a child that cannot answer at all.
    const ms = (req.op === 'caughtUp' ? req.timeoutMs : ADMIN_TIMEOUT_MS) + 5_000
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.settle(rid, undefined, new LeaderUnavailableError(`server ${i} did not answer a ${req.op} request within ${ms} ms`)),
        ms,
      )
      this.waiting.set(rid, { server: i, resolve, reject, timer })
      if (!send(rid)) this.settle(rid, undefined, new LeaderUnavailableError(`server ${i} is down`))
    })
  }

  /** An answer arrived from a child. */
  answer(m: AdminAnswer): void {
    this.settle(m.rid, m.reply, m.error && revive(m.error))
  }

  /** Server i exited: its calls fail. */
  serverGone(i: number): void {
    for (const [rid, w] of this.waiting)
      if (w.server === i) this.settle(rid, undefined, new LeaderUnavailableError(`server ${i} exited before answering`))
  }

  private settle(rid: number, reply: TreeAdminReply | undefined, err: Error | undefined): void {
    const w = this.waiting.get(rid)
    if (!w) return
    this.waiting.delete(rid)
    clearTimeout(w.timer)
    if (err) w.reject(err)
    else if (reply) w.resolve(reply)
    else w.reject(new Error(`server ${w.server} sent an empty answer`))
  }
}
