import type { IncomingMessage, ServerResponse } from 'node:http'
import { Hono } from 'hono'
import { EmulatorError, toErrorResponse } from './errors.ts'
import { auth } from './middleware/auth.ts'
import { faults, type FaultRates } from './middleware/faults.ts'
import { requestLog } from './middleware/request-log.ts'
import type { RenderQueue } from './queue.ts'
import { embedRoutes, publicRoutes } from './routes/files.ts'
import { renderRoutes } from './routes/renders.ts'
import { templateRoutes } from './routes/templates.ts'
import type { BaseUrls } from './serialize.ts'
import type { PdfFiles } from './storage/files.ts'
import type { Store } from './storage/store.ts'

/** Hono env of the emulator: node bindings when served over HTTP (absent under `app.request()`). */
export interface EmulatorEnv {
  Bindings: { incoming?: IncomingMessage; outgoing?: ServerResponse }
  Variables: { projectId: string; reset: boolean }
}

/** What the routes share. */
export interface AppDeps {
  store: Store
  queue: RenderQueue
  files: PdfFiles
  urls: BaseUrls
  bodyLimitBytes: number
  faults?: { rates: FaultRates; seed: number }
  /** Request log; undefined = quiet. */
  log?: (line: string) => void
  /** Unexpected errors (with stacks) go here, never into a response. */
  logError: (line: string) => void
}

/**
 * The emulator's hono app: `GET /health`, the `/v1` API of Craftkit (API.md §7) behind project-key auth and the
 * optional fault injector, and the public PDF routes. Errors become Craftkit's envelope in one `onError`.
 */
export function createApp(deps: AppDeps): Hono<EmulatorEnv> {
  const app = new Hono<EmulatorEnv>()
  if (deps.log) app.use('*', requestLog(deps.log))
  app.get('/health', (c) => c.json({ status: 'ok' }))
  if (deps.faults) app.use('/v1/*', faults(deps.faults.rates, deps.faults.seed))
  app.use('/v1/*', auth(deps.store))
  app.route('/v1/templates', templateRoutes(deps))
  app.route('/v1/renders', renderRoutes(deps))
  app.route('/v1/embed', embedRoutes(deps))
  app.route('/', publicRoutes(deps))
  app.notFound((c) => toErrorResponse(c, new EmulatorError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}`)))
  app.onError((error, c) => {
    // Unexpected errors are logged with their stack (never sent); expected ones are the client's business.
    if (!(error instanceof EmulatorError)) {
      deps.logError(`${c.req.method} ${c.req.path}: ${error instanceof Error && error.stack ? error.stack : String(error)}`)
    } else if (error.status === 500) {
      deps.logError(`${c.req.method} ${c.req.path}: ${error.message}`)
    }
    return toErrorResponse(c, error)
  })
  return app
}
