import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: { index: 'src/index.ts', engine: 'src/engine/index.ts' },
  format: 'esm',
  platform: 'node',
  dts: true,
  clean: true,
})
