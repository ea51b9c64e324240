import galley from '@galley/unplugin/vite'
import { getRequestListener } from '@hono/node-server'
import type { Hono } from 'hono'
import { defineConfig, type Plugin } from 'vite'

/**
 * `vite dev`: every request goes to the hono app in src/app.ts, loaded through Vite's SSR module graph, so a
 * template change (which regenerates src/craftkit.gen.ts) is picked up on the next request.
 */
function honoDevServer(entry: string): Plugin {
  return {
    name: 'example:hono-dev-server',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        server
          .ssrLoadModule(entry)
          .then((mod) => getRequestListener((request) => (mod as { app: Hono }).app.fetch(request))(req, res))
          .catch(next)
      })
    },
  }
}

export default defineConfig({
  appType: 'custom',
  plugins: [
    // dev.emulator: `vite dev` starts the local Craftkit emulator, publishes the templates and sets
    // CRAFTKIT_BASE_URL / CRAFTKIT_API_KEY for server code. Set CRAFTKIT_BASE_URL yourself to use another
    // deployment in dev (the embedded emulator then stays off). Production builds never start it.
    galley({ dev: { emulator: !process.env.CRAFTKIT_BASE_URL } }),
    honoDevServer('/src/app.ts'),
  ],
  build: {
    ssr: 'src/server.ts',
    outDir: 'dist',
    emptyOutDir: true,
    target: 'node20',
  },
})
