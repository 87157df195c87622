// The wire differential: every fixture in integration/wire/ (what real clients sent, recorded by
// scripts/wire/record.ts) is replayed over raw sockets to a fresh real ZooKeeper 3.8, a fresh bundled
// standalone server and a follower of a fresh bundled 3-node quorum. What each sent back must agree
// byte for byte, outside the fields that legitimately differ (zxid epochs, times, session ids and
// passwords), which are checked by position and length.
import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseFixture, type WireFixture } from '../src/testing/wire-fixture.js'
import { WIRE_TICK_TIME, replay, transcriptLines, type Transcript } from '../src/testing/wire-replay.js'
import { startRealZooKeeper, realZooKeeperAvailable } from '../src/testing/real-zookeeper.js'
import { startEnsemble } from '../src/ensemble/index.js'
import { ErrorCode, EventType, OpCode } from '../src/protocol.js'

const DIR = fileURLToPath(new URL('./wire/', import.meta.url))
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.wire'))
  .sort()
const skip = realZooKeeperAvailable() ? undefined : 'Debian zookeeper is not installed (apt-get install zookeeper)'

type Target = 'real' | 'ensemble' | 'quorum'

/** Replay `fixture` against a fresh server of `target`, stopped afterwards. */
async function replayOn(target: Target, fixture: WireFixture): Promise<Transcript> {
  if (target === 'real') {
    const real = await startRealZooKeeper({ tickTime: WIRE_TICK_TIME })
    try {
      return await replay(fixture, { port: real.servers[0]!.clientPort })
    } finally {
      await real.stop()
    }
  }
  const ens = await startEnsemble(target === 'quorum' ? { size: 3, tickTime: WIRE_TICK_TIME } : { tickTime: WIRE_TICK_TIME })
  try {
    // In the quorum the fixture talks to a follower, so every write is forwarded to the leader.
    const index = target === 'quorum' ? [0, 1, 2].find((i) => i !== ens.leader())! : 0
    const port = Number(ens.connectStringOf(index).split(':')[1])
    return await replay(fixture, { port })
  } finally {
    await ens.stop()
  }
}

t.test('fixtures are present and parse', async (t) => {
  t.ok(fixtures.length > 0, `${fixtures.length} fixtures in integration/wire/`)
  for (const f of fixtures) t.ok(parseFixture(readFileSync(DIR + f, 'utf8'), f).steps.length > 0, f)
})

/** What real ZooKeeper said across all fixtures, for the coverage check at the end. */
const heard: string[] = []
const sent = new Set<number>([OpCode.ping])

for (const file of fixtures) {
  t.test(file, { skip }, async (t) => {
    const fixture = parseFixture(readFileSync(DIR + file, 'utf8'), file)
    for (const step of fixture.steps) if (step.verb === 'send' && step.bytes.length >= 8) sent.add(step.bytes.readInt32BE(4))
    const [real, ensemble, quorum] = await Promise.all((['real', 'ensemble', 'quorum'] as const).map((target) => replayOn(target, fixture)))
    const expected = transcriptLines(real)
    heard.push(...expected)
    t.ok(expected.length > fixture.steps.length / 2, `real ZooKeeper answered (${expected.length} lines)`)
    for (const [target, got] of [
      ['ensemble', ensemble],
      ['quorum', quorum],
    ] as const) {
      // Four-letter words describe the server: a quorum follower's differ from a standalone one's.
      const fourLetterWords = target === 'ensemble'
      t.same(
        transcriptLines(got, { fourLetterWords }),
        transcriptLines(real, { fourLetterWords }),
        `${target}: every reply agrees with ZooKeeper's`,
      )
      t.equal(got.epochs.size, real.epochs.size > 0 ? 1 : 0, `${target}: every zxid is of one epoch`)
    }
  })
}

t.test('the fixtures cover every opcode, every error and every event type', { skip }, async (t) => {
  const internal = new Set<number>([OpCode.notification, OpCode.createSession, OpCode.error])
  const missingOps = Object.entries(OpCode).filter(([, code]) => !internal.has(code) && !sent.has(code))
  t.same(
    missingOps.map(([name]) => name),
    [],
    'every request opcode is sent by some fixture',
  )
  // Reply headers ("err -101") and multi results ("| error -101 -101").
  const errors = new Set(heard.flatMap((l) => [...l.matchAll(/(?:err|\| error) (-\d+)/g)].map((m) => Number(m[1]))))
  const wanted = [
    'NONODE',
    'NODEEXISTS',
    'BADVERSION',
    'NOAUTH',
    'NOTEMPTY',
    'NOCHILDRENFOREPHEMERALS',
    'INVALIDACL',
    'BADARGUMENTS',
    'UNIMPLEMENTED',
    'MARSHALLINGERROR',
    'RUNTIMEINCONSISTENCY',
    'AUTHFAILED',
    'NOWATCHER',
    'RECONFIGDISABLED',
  ] as const
  t.same(
    wanted.filter((name) => !errors.has(ErrorCode[name])),
    [],
    'ZooKeeper answered each of these errors somewhere',
  )
  const events = new Set(heard.flatMap((l) => [...l.matchAll(/ event -1 err 0 (\d+) /g)].map((m) => Number(m[1]))))
  t.same(
    [EventType.NodeCreated, EventType.NodeDeleted, EventType.NodeDataChanged, EventType.NodeChildrenChanged].filter((e) => !events.has(e)),
    [],
    'every watch event type was delivered',
  )
  t.ok(
    heard.some((l) => /connected .* passwd\(16\)$/.test(l)) && heard.some((l) => /connected .* passwd\(16\) (true|false)$/.test(l)),
    'handshakes with and without the readOnly byte',
  )
  t.ok(
    heard.some((l) => / connected 0 0 0 passwd\(16\)/.test(l)),
    'a session that was gone was refused (expired or bad password)',
  )
})
