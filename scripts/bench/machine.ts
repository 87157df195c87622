// What a benchmark section says about where it ran: the machine line (cores, CPU, OS, runtimes),
// the load average, and the version a real ZooKeeper server reports. Shared by the client and the
// ensemble benchmarks.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import { fourLetterWord } from '../../src/testing/real-zookeeper.js'

/** The first line a command prints (to either stream), or undefined when it cannot run. */
function firstLine(command: string, args: string[]): string | undefined {
  const r = spawnSync(command, args, { encoding: 'utf8' })
  return r.status === 0 ? `${r.stdout}${r.stderr}`.trim().split('\n')[0] : undefined
}

/** "2 cores (CPU model), Debian … (Linux …), Node v20…, OpenJDK 17…, Python 3…" */
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

/** The 1-minute load average now. */
export function loadAverage(): number {
  return os.loadavg()[0]!
}

/** "3.8.0": the version a real ZooKeeper server on `port` reports in `srvr`. */
export async function zooKeeperVersion(port: number): Promise<string> {
  const srvr = await fourLetterWord('127.0.0.1', port, 'srvr')
  return /Zookeeper version: ([^-,\s]+)/.exec(srvr)?.[1] ?? '?'
}
