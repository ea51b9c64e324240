import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // These tests spawn the built binary and start emulators (PGlite) on a shared 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
