import { defineConfig } from '@galley/core'

// The repo's own templates; the typed module is written inside this example (committed: see README).
export default defineConfig({
  templates: '../../templates',
  output: 'src/craftkit.gen.ts',
})
