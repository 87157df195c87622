// Re-records the wire fixtures in integration/wire/: each client scenario runs through a recording
// proxy in front of a fresh real ZooKeeper 3.8, and what the client sent is written as a fixture.
//   npx tsx scripts/wire/record.ts [scenario …]     (default: every scenario)
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startRealZooKeeper } from '../../src/testing/real-zookeeper.js'
import { WireRecorder } from '../../src/testing/wire-recorder.js'
import { formatFixture, type WireFixture } from '../../src/testing/wire-fixture.js'
import { WIRE_TICK_TIME } from '../../src/testing/wire-replay.js'
import { scenarios, type Scenario } from './scenarios.js'

const OUT = fileURLToPath(new URL('../../integration/wire/', import.meta.url))

/** Run a client scenario through a recording proxy in front of a fresh real ZooKeeper. */
async function recordScenario(scenario: Scenario, header: string[]): Promise<WireFixture> {
  const real = await startRealZooKeeper({ tickTime: WIRE_TICK_TIME })
  const recorder = await WireRecorder.start({ host: '127.0.0.1', port: real.servers[0]!.clientPort })
  try {
    await scenario.run!(recorder.proxy.address, recorder)
  } finally {
    await recorder.close()
    await real.stop()
  }
  return recorder.fixture(header)
}

const wanted = process.argv.slice(2)
const unknown = wanted.filter((w) => !scenarios.some((s) => s.name === w))
if (unknown.length) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`)
  process.exit(2)
}
for (const scenario of scenarios.filter((s) => !wanted.length || wanted.includes(s.name))) {
  const missing = scenario.unavailable?.()
  if (missing) {
    console.log(`${scenario.name}: skipped (${missing}); its fixture is left as it was`)
    continue
  }
  const header = [
    `wire fixture "${scenario.name}": ${scenario.client}`,
    `${scenario.build ? 'written' : 'recorded'} by scripts/wire/record.ts${scenario.build ? '' : ` against ZooKeeper 3.8 (Debian) with tickTime ${WIRE_TICK_TIME}`}; replayed by integration/wire.test.ts`,
    ...scenario.about.map((l) => `  ${l}`),
  ]
  const fixture = scenario.build ? { header, steps: scenario.build() } : await recordScenario(scenario, header)
  const file = `${OUT}${scenario.name}.wire`
  writeFileSync(file, formatFixture(fixture))
  console.log(`${scenario.name}: ${fixture.steps.length} steps → ${file}`)
}
