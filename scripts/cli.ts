#!/usr/bin/env node
// The `zookit` command line.
//   zookit ensemble [options]   start the bundled ensemble, print its connect string, serve until Ctrl-C
import { parseArgs } from 'node:util'
import { startEnsemble } from '../src/ensemble/index.js'

const USAGE = `usage: zookit ensemble [--size N] [--processes] [--port N] [--tick-time MS] [--data-dir DIR]
                       [--no-fsync] [--min-session-timeout MS] [--max-session-timeout MS]
                       [--super-digest user:base64sha1] [--container-check-interval MS]
  --size N       servers (default 1); 3 or 5 run Zab between them
  --processes    each server of a quorum in its own process
  --port N       client port (servers of a quorum take N, N+1, …)`

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a whole number, got ${JSON.stringify(v)}`)
  return n
}

async function ensemble(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      'tick-time': { type: 'string' },
      size: { type: 'string' },
      'data-dir': { type: 'string' },
      'no-fsync': { type: 'boolean' },
      'min-session-timeout': { type: 'string' },
      'max-session-timeout': { type: 'string' },
      'super-digest': { type: 'string' },
      'container-check-interval': { type: 'string' },
      processes: { type: 'boolean' },
    },
  })
  const e = await startEnsemble({
    port: num(values.port, 'port'),
    tickTime: num(values['tick-time'], 'tick-time'),
    size: num(values.size, 'size'),
    dataDir: values['data-dir'],
    fsync: values['no-fsync'] ? false : undefined,
    minSessionTimeout: num(values['min-session-timeout'], 'min-session-timeout'),
    maxSessionTimeout: num(values['max-session-timeout'], 'max-session-timeout'),
    superDigest: values['super-digest'],
    containerCheckInterval: num(values['container-check-interval'], 'container-check-interval'),
    processes: values.processes,
  })
  console.log(e.connectString)
  const size = e.modes().length
  const where = values['data-dir'] ? ` (data in ${values['data-dir']})` : values.processes ? ' (logs in a temporary directory)' : ' (in memory)'
  console.error(`zookit ensemble of ${size} serving on ${e.connectString}${where}; Ctrl-C to stop`)
  if (size > 1) {
    const l = e.leader()
    console.log(`leader: server ${l} (${l === undefined ? 'electing' : e.connectStringOf(l)})`)
  }
  const stop = () => void e.stop().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

const [command, ...rest] = process.argv.slice(2)
try {
  if (command === 'ensemble') await ensemble(rest)
  else {
    console.error(USAGE)
    process.exitCode = command ? 2 : 0
  }
} catch (err) {
  console.error(`zookit: ${(err as Error).message}\n${USAGE}`)
  process.exitCode = 2
}
