// Waiting with a deadline and an AbortSignal, shared by the recipes.

/** Resolve true when `p` settles, false at the deadline; reject when aborted. */
export function until(p: Promise<unknown>, deadline: number | undefined, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined
    const onAbort = () => finish(() => reject(signal!.reason))
    const finish = (fn: () => void) => {
      if (timer) clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      fn()
    }
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    if (deadline !== undefined) timer = setTimeout(() => finish(() => resolve(false)), Math.max(0, deadline - Date.now()))
    void p.then(() => finish(() => resolve(true)))
  })
}
