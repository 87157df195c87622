// The `zookit` command run as a shell runs it, for the CLI's tests: to its end, or left running with
// its stdout lines read as they come.
import type { Test } from 'tap'
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url))

/** Run the CLI to its end, as `zookit …` typed in a shell. */
export function runCli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** A CLI left running: its stdout lines as they come, and its exit. */
export interface RunningCli {
  proc: ChildProcessWithoutNullStreams
  /** Resolve with the first `count` stdout lines; reject if the CLI exits before printing them. */
  lines(count: number): Promise<string[]>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Start `zookit …args`; the test kills it at its end if it still runs. */
export function startCli(t: Test, args: string[], env: NodeJS.ProcessEnv = process.env): RunningCli {
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env })
  let out = ''
  let err = ''
  proc.stdout.on('data', (c: Buffer) => void (out += c.toString()))
  proc.stderr.on('data', (c: Buffer) => void (err += c.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  )
  t.teardown(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
  })
  const lines = (count: number) =>
    new Promise<string[]>((resolve, reject) => {
      const check = () => {
        const got = out.split('\n')
        if (got.length <= count) return
        proc.stdout.off('data', check)
        resolve(got.slice(0, count))
      }
      proc.stdout.on('data', check)
      void exited.then(({ code, signal }) => reject(new Error(`the CLI exited (${signal ?? code}) after printing:\n${out}${err}`)))
      check()
    })
  return { proc, lines, exited }
}
