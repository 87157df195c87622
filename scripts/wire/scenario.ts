// What a wire scenario is: one client, driven through the recording proxy against real ZooKeeper.
import type { WireRecorder } from '../../src/testing/wire-recorder.js'
import type { WireStep } from '../../src/testing/wire-fixture.js'

export interface Scenario {
  /** The fixture's file name (integration/wire/<name>.wire). */
  name: string
  /** Which client, and which version of it. */
  client: string
  /** What the scenario does, for the fixture's header. */
  about: string[]
  /** Why it cannot run here (a missing package), or undefined. */
  unavailable?(): string | undefined
  /** Drive the client against `connectString` (the recording proxy)… */
  run?(connectString: string, recorder: WireRecorder): Promise<void>
  /** …or write the steps by hand (what no client would send). */
  build?(): WireStep[]
}
