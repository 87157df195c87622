// Workload sizes travel to the Java, Python and Node workers as key=value arguments and come back whole.
import t from 'tap'
import { FIGURES, WORKLOADS, parseWorkloadArgs, workloadArgs } from './workloads.js'

t.test('workload arguments round-trip', async (t) => {
  t.same(parseWorkloadArgs(workloadArgs(WORKLOADS)), WORKLOADS)
  t.ok(workloadArgs(WORKLOADS).includes('depth=256'))
})

t.test('bad workload arguments are refused', async (t) => {
  const args = workloadArgs(WORKLOADS)
  t.throws(() => parseWorkloadArgs([...args, 'nonsense=1']), /bad workload argument nonsense=1/)
  t.throws(() => parseWorkloadArgs(args.map((a) => (a.startsWith('depth=') ? 'depth=many' : a))), /bad workload argument depth=many/)
  t.throws(() => parseWorkloadArgs(args.filter((a) => !a.startsWith('depth='))), /missing workload arguments: depth/)
})

t.test('every figure has its own key', async (t) => {
  t.equal(new Set(FIGURES.map((f) => f.key)).size, FIGURES.length)
})
