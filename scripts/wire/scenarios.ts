// The client scenarios the wire fixtures are recorded from, one per client nobody here needs to trust.
import type { WireRecorder } from '../../src/testing/wire-recorder.js'
import { zookitScenario } from './zookit-scenario.js'

export interface Scenario {
  /** The fixture's file name (integration/wire/<name>.wire). */
  name: string
  /** Which client, and which version of it. */
  client: string
  /** What the scenario does, for the fixture's header. */
  about: string[]
  /** Drive the client against `connectString` (the recording proxy). */
  run(connectString: string, recorder: WireRecorder): Promise<void>
}

export const scenarios: Scenario[] = [
  {
    name: 'zookit',
    client: 'the zookit client (this repository)',
    about: ['every operation and its errors, one-shot, persistent and recursive watches, multi and multiRead,', 'digest auth and ACLs, a cut connection resumed with SetWatches2'],
    run: zookitScenario,
  },
]
