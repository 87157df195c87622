// The machine line every benchmark section of BENCHMARKS.md starts with: cores, CPU, OS, runtimes.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'

/** The first line a command prints (to either stream), or undefined when it cannot run. */
function firstLine(command: string, args: string[]): string | undefined {
  const r = spawnSync(command, args, { encoding: 'utf8' })
  return r.status === 0 ? `${r.stdout}${r.stderr}`.trim().split('\n')[0] : undefined
}

/** "2 cores (CPU model), OS (Linux release), Node vX, OpenJDK Y, Python Z" */
export function machine(): string {
  const cpus = os.cpus()
  const release = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : ''
  const osName = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(release)?.[1] ?? os.type()
  const runtimes = [
    `Node ${process.version}`,
    firstLine('java', ['-version'])?.replace(/^openjdk version "([^"]+)".*/, 'OpenJDK $1'),
    firstLine('/usr/bin/python3', ['--version']),
  ].filter(Boolean)
  return `${cpus.length} cores (${cpus[0]?.model ?? 'unknown CPU'}), ${osName} (Linux ${os.release()}), ${runtimes.join(', ')}`
}
