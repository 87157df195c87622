// Shared by the tests that run documentation code (scripts/examples.test.ts, scripts/readme.test.ts):
// run a program as a user would, with 'zookit', 'zookit/recipes' and 'zookit/ensemble' resolved to
// this checkout's sources through examples/tsconfig.json's `paths` (tsx reads them), so nothing needs
// building first.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const EXAMPLES_TSCONFIG = path.join(ROOT, 'examples/tsconfig.json')
export const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc')

/** What a finished program left behind. */
export interface Ran {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  ms: number
  /** Killed for running past its time limit. */
  timedOut: boolean
}

/**
 * The environment a user's shell would give: ours without the test runner's own variables (tap's
 * TAP_* and its process tracking), which would change how a nested runner reports.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!/^(TAP|_TAPJS_)|^NODE_OPTIONS$/.test(k)) env[k] = v
  return { ...env, ...extra }
}

/** Run `node args…` in the repository root; never rejects, kills the program after `timeoutMs`. */
export function runNode(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Ran> {
  const start = Date.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: userEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.on('data', (b: Buffer) => (stdout += b))
    child.stderr.on('data', (b: Buffer) => (stderr += b))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, opts.timeoutMs ?? 60_000)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, ms: Date.now() - start, timedOut })
    })
  })
}

/** Run a TypeScript or JavaScript file under tsx, with the package names mapped to the sources. */
export function runWithTsx(file: string, timeoutMs?: number): Promise<Ran> {
  return runNode(['--import', 'tsx', file], { env: { TSX_TSCONFIG_PATH: EXAMPLES_TSCONFIG }, timeoutMs })
}

/** Run tsc with these arguments; resolves with its output when it reports errors, '' when clean. */
export async function tscErrors(args: string[]): Promise<string> {
  const r = await runNode([TSC, ...args], { timeoutMs: 120_000 })
  return r.code === 0 ? '' : `${r.stdout}${r.stderr}` || `tsc exited ${r.code ?? r.signal}`
}

/**
 * A fresh scratch directory inside the checkout (tmp/ is git-ignored): tsx maps `paths` only for
 * files outside node_modules, and tsc finds @types/node by walking up from here.
 */
export function scratchDir(prefix: string): string {
  const base = path.join(ROOT, 'tmp')
  mkdirSync(base, { recursive: true })
  return mkdtempSync(path.join(base, `${prefix}-`))
}

/**
 * Why a run counts as failed, or undefined when it exited 0 in time (and, unless `stderr` is false,
 * wrote nothing to stderr: test runners report there, programs should not).
 */
export function failure(r: Ran, opts: { stderr?: boolean } = {}): string | undefined {
  if (r.timedOut) return `did not exit within its time limit (a client or ensemble left open?)\n${r.stdout}${r.stderr}`
  if (r.code !== 0) return `exited ${r.code ?? r.signal}\n${r.stdout}${r.stderr}`
  if ((opts.stderr ?? true) && r.stderr.trim()) return `wrote to stderr:\n${r.stderr}`
  return undefined
}
