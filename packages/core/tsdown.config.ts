import { defineConfig } from 'tsdown'

export default defineConfig({
  // `validate` is its own entry with no dependencies, so the client can load it for a pre-flight check;
  // `find-config` too, for the build plugin's up-to-date check (@galley/cli/stamp).
  entry: { index: 'src/index.ts', validate: 'src/validate/index.ts', 'find-config': 'src/config/find-config.ts' },
  format: 'esm',
  platform: 'node',
  dts: true,
  clean: true,
})
