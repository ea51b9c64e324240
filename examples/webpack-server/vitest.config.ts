import { defineConfig } from 'vitest/config'

export default defineConfig({
  // No galley plugin here: the test builds the app with webpack itself and runs the built server.
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
})
