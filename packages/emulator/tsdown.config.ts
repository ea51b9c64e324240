import { defineConfig } from 'tsdown'

export default defineConfig({
  // render-worker and db-worker: the worker_threads entries of the render pool and of the database thread, loaded
  // from beside index.mjs (src/worker-file.ts).
  entry: ['src/index.ts', 'src/render-worker.ts', 'src/db-worker.ts'],
  format: 'esm',
  platform: 'node',
  dts: true,
  clean: true,
})
