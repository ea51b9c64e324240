/**
 * The entry: webpack bundles it into dist/server.mjs (webpack.build.mjs); `pnpm start` runs it.
 * Env: PORT (3000), HOST (127.0.0.1), CRAFTKIT_BASE_URL, CRAFTKIT_API_KEY, CRAFTKIT_WEBHOOK_SECRET.
 */
import { serve } from '@hono/node-server'
import { createApp } from './app'

const port = Number(process.env.PORT ?? 3000)
const hostname = process.env.HOST ?? '127.0.0.1'
const app = createApp()

const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
  console.log(`sign-off server listening on http://${hostname}:${info.port}`)
  if (!process.env.CRAFTKIT_API_KEY) console.warn('CRAFTKIT_API_KEY is not set: renders will fail (see README)')
  if (!process.env.CRAFTKIT_WEBHOOK_SECRET) console.warn('CRAFTKIT_WEBHOOK_SECRET is not set: POST /webhooks/craftkit answers 503')
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0))
  })
}
