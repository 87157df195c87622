// vitest for the job board example. In your own project 'zookit' comes from node_modules and none of
// this is needed; here the aliases point the package's names at this checkout's sources, which vite
// compiles on the fly (no build step).
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const repo = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^zookit$/, replacement: repo('src/index.ts') },
      { find: /^zookit\/recipes$/, replacement: repo('recipes/index.ts') },
      { find: /^zookit\/ensemble$/, replacement: repo('src/ensemble/index.ts') },
    ],
  },
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.spec.ts'],
  },
})
