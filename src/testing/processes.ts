// Test helpers for servers run as child processes: find a parent's peer processes (Linux /proc),
// tell whether a process is gone, and poll for a condition with a deadline.
import { existsSync, readdirSync, readFileSync } from 'node:fs'

/** Whether this machine has a Linux-style /proc, which the helpers below read. */
export const procAvailable = existsSync('/proc/self/stat')

/** The fields of /proc/<pid>/stat after the command name (which may itself hold spaces). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/** The pids of `parentPid`'s children that run the ensemble's peer-process module. */
export function peerProcessesOf(parentPid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      if (statFields(pid)?.[1] !== String(parentPid)) return false
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('peer-process')
      } catch {
        return false
      }
    })
}

/** True once `pid` has exited (a zombie waiting to be reaped counts as exited). */
export function processGone(pid: number): boolean {
  const state = statFields(pid)?.[0]
  return state === undefined || state === 'Z'
}

/** Resolve once `check()` holds, checking every 25 ms; reject naming `what` after `timeoutMs`. */
export async function pollUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
