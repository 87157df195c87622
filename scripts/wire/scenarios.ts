// Every client scenario the wire fixtures are recorded from.
import type { Scenario } from './scenario.js'
import { zookitScenarios } from './scenarios/zookit.js'
import { rawScenarios } from './scenarios/raw.js'
import { otherScenarios } from './scenarios/others.js'
import { javaScenarios } from './scenarios/java.js'

export type { Scenario }
export const scenarios: Scenario[] = [...zookitScenarios, ...rawScenarios, ...javaScenarios, ...otherScenarios]
