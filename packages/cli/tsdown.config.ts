import { defineConfig } from 'tsdown'

export default defineConfig({
  // stamp: the build plugin's up-to-date check, loaded before (and most often instead of) the engine.
  entry: { index: 'src/index.ts', engine: 'src/engine/index.ts', stamp: 'src/engine/build-stamp.ts' },
  format: 'esm',
  platform: 'node',
  dts: true,
  clean: true,
})
