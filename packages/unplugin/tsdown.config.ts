import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    vite: 'src/vite.ts',
    webpack: 'src/webpack.ts',
    rollup: 'src/rollup.ts',
    esbuild: 'src/esbuild.ts',
    rspack: 'src/rspack.ts',
  },
  format: 'esm',
  platform: 'node',
  dts: true,
  clean: true,
  // The bundlers are the user's (optional peers) and the engine is ours: never bundle either.
  external: [/^@galley\//, 'unplugin', 'vite', 'webpack', 'rollup', 'esbuild', /^@rspack\//, 'chokidar'],
})
