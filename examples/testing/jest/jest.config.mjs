// jest for the job board example, on jest's native ES modules (node --experimental-vm-modules).
// In your own project 'zookit' comes from node_modules and needs no mapping. Here it maps to a build
// of this checkout: dist/ after `npm run build`, or the directory ZOOKIT_DIST names (the examples
// test builds into a private one, so that it never races another test rebuilding dist/).
import { fileURLToPath } from 'node:url'

const dist = process.env.ZOOKIT_DIST ?? fileURLToPath(new URL('../../../dist', import.meta.url))

/** @type {import('jest').Config} */
export default {
  rootDir: fileURLToPath(new URL('.', import.meta.url)),
  testMatch: ['<rootDir>/*.spec.mjs'],
  // No Babel: the test and the package are ES modules as they are.
  transform: {},
  moduleNameMapper: {
    '^zookit$': `${dist}/src/index.js`,
    '^zookit/recipes$': `${dist}/recipes/index.js`,
    '^zookit/ensemble$': `${dist}/src/ensemble/index.js`,
  },
}
