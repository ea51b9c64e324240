import { defineConfig } from 'tsdown'

export default defineConfig({
  // impact-worker: the worker thread of startImpactAnalysis (src/impact.ts), loaded from beside the bundle.
  // hashes: the fast up-to-date check alone, for build starts that should not load the generator's code.
  entry: ['src/index.ts', 'src/impact-worker.ts', 'src/hashes.ts'],
  format: 'esm',
  platform: 'node',
  dts: true,
  clean: true,
})
