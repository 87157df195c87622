#!/usr/bin/env node
// The `zookit` command line.
//   zookit ensemble [--port N] [--tick-time MS]   start the bundled ensemble and print its connect string
import { parseArgs } from 'node:util'
import { startEnsemble } from '../src/ensemble/index.js'

async function ensemble(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      'tick-time': { type: 'string' },
      size: { type: 'string' },
    },
  })
  const e = await startEnsemble({
    port: values.port ? Number(values.port) : undefined,
    tickTime: values['tick-time'] ? Number(values['tick-time']) : undefined,
    size: values.size ? Number(values.size) : undefined,
  })
  console.log(e.connectString)
  console.error(`zookit ensemble serving on ${e.connectString} (Ctrl-C to stop)`)
  const stop = () => void e.stop().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

const [command, ...rest] = process.argv.slice(2)
switch (command) {
  case 'ensemble':
    await ensemble(rest)
    break
  default:
    console.error('usage: zookit ensemble [--port N] [--tick-time MS]')
    process.exitCode = command ? 2 : 0
}
