import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Type tests of the public API: `*.test-d.ts` are type-checked by tsc, never run.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    // Each file starts its own emulator (a fresh PGlite folder takes a few seconds on a busy machine).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
