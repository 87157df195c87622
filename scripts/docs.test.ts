// The API reference builds without a single TypeDoc warning (typedoc.config.mjs treats warnings as
// errors): every export of zookit, zookit/recipes and zookit/ensemble is documented, every type a
// public signature names is exported or listed as deliberately not, and every {@link} resolves.
import t from 'tap'
import { rmSync } from 'node:fs'
import path from 'node:path'
import { ROOT, failure, runNode, scratchDir } from './snippets.js'

t.test('typedoc builds the API reference with no warnings', async (t) => {
  // The whole HTML output, to a scratch directory: some checks only run while writing it.
  const out = scratchDir('docs')
  t.teardown(() => rmSync(out, { recursive: true, force: true }))
  const typedoc = path.join(ROOT, 'node_modules/typedoc/bin/typedoc')
  const r = await runNode([typedoc, '--out', out], { timeoutMs: 120_000 })
  t.equal(failure(r), undefined, 'typedoc exits 0 with nothing on stderr')
  t.notMatch(r.stdout, /\[(warning|error)\]/, 'no warnings or errors')
})
