import { defineConfig } from 'tsdown'

export default defineConfig({
  // impact-worker: the worker thread of startImpactAnalysis (src/impact.ts), loaded from beside the bundle.
  entry: ['src/index.ts', 'src/impact-worker.ts'],
  format: 'esm',
  platform: 'node',
  dts: true,
  clean: true,
})
