// The `envi` four-letter word and the AdminServer's `environment`: ZooKeeper's Environment.list()
// keys, in its order. The bundled server runs on Node, not a JVM, so each Java property is answered
// with its nearest Node counterpart (java.version says so plainly).
import os from 'node:os'
import path from 'node:path'
import v8 from 'node:v8'
import { VERSION } from './version.js'

/** Java's names for Node's platform and architecture names. */
const OS_NAMES: Record<string, string> = {
  linux: 'Linux',
  darwin: 'Mac OS X',
  win32: 'Windows',
  freebsd: 'FreeBSD',
  sunos: 'SunOS',
  aix: 'AIX',
}
const ARCHES: Record<string, string> = { x64: 'amd64', arm64: 'aarch64', ia32: 'x86', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' }

function userName(): string {
  try {
    return os.userInfo().username
  } catch {
    // No passwd entry for this uid (some containers): Java falls back to "?" as well.
    return '?'
  }
}

const mb = (bytes: number) => `${Math.floor(bytes / (1024 * 1024))}MB`

/** [key, value] pairs in the order ZooKeeper 3.8 lists them. */
export function environment(): [string, string][] {
  const heap = v8.getHeapStatistics()
  return [
    ['zookeeper.version', VERSION],
    ['host.name', os.hostname()],
    ['java.version', `none (zookit on Node ${process.version})`],
    ['java.vendor', 'zookit'],
    // Node's installation prefix, where a JVM would give its java.home.
    ['java.home', path.dirname(path.dirname(process.execPath))],
    ['java.class.path', process.argv[1] ?? ''],
    ['java.library.path', process.env.NODE_PATH ?? ''],
    ['java.io.tmpdir', os.tmpdir()],
    // What ZooKeeper prints when the JVM has no such property.
    ['java.compiler', '<NA>'],
    ['os.name', OS_NAMES[process.platform] ?? process.platform],
    ['os.arch', ARCHES[process.arch] ?? process.arch],
    ['os.version', os.release()],
    ['user.name', userName()],
    ['user.home', os.homedir()],
    ['user.dir', process.cwd()],
    // The JVM's free/max/total memory become V8's heap: unused, its limit, and its current size.
    ['os.memory.free', mb(heap.total_heap_size - heap.used_heap_size)],
    ['os.memory.max', mb(heap.heap_size_limit)],
    ['os.memory.total', mb(heap.total_heap_size)],
  ]
}
