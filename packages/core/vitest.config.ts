import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // jiti transpiles a TypeScript config from cold in a few seconds on a busy 2-core CI machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
