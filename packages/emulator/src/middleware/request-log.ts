import type { MiddlewareHandler } from 'hono'
import type { EmulatorEnv } from '../app.ts'

/**
 * One line per request: method, path (no query string), status and milliseconds. Headers are never logged, so
 * the API key cannot appear.
 */
export function requestLog(log: (line: string) => void): MiddlewareHandler<EmulatorEnv> {
  return async (c, next) => {
    const start = performance.now()
    try {
      await next()
    } finally {
      const ms = Math.round(performance.now() - start)
      const status = c.get('reset') ? 'reset' : String(c.res.status)
      log(`${c.req.method} ${c.req.path} ${status} ${ms}ms`)
    }
  }
}
