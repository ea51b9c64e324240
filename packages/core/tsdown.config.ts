import { defineConfig } from 'tsdown'

export default defineConfig({
  // `validate` is its own entry with no dependencies, so the client can load it for a pre-flight check.
  entry: { index: 'src/index.ts', validate: 'src/validate/index.ts' },
  format: 'esm',
  platform: 'node',
  dts: true,
  clean: true,
})
