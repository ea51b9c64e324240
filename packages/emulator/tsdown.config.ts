import { defineConfig } from 'tsdown'

export default defineConfig({
  // render-worker: the worker_threads entry of the render pool, loaded from beside index.mjs (src/render/pool.ts).
  entry: ['src/index.ts', 'src/render-worker.ts'],
  format: 'esm',
  platform: 'node',
  dts: true,
  clean: true,
})
