import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real bundlers, dev servers and emulators (PGlite) on a shared 2-core machine: generous timeouts, and one
    // file at a time so builds never compete for the cores.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
})
