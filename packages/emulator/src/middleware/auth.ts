import type { MiddlewareHandler } from 'hono'
import { EmulatorError } from '../errors.ts'
import { API_KEY_PATTERN } from '../ids.ts'
import type { Store } from '../storage/store.ts'
import type { EmulatorEnv } from '../app.ts'

/**
 * Project-key auth for `/v1/*` (API.md §2): `Authorization: Bearer ck_live_…|ck_test_…`, looked up by SHA-256.
 * Missing, malformed and unknown keys are all 401 `unauthorized`; the embed download answers
 * `invalid_credentials` instead, as documented for the partner endpoints. The key never reaches a message.
 */
export function auth(store: Store): MiddlewareHandler<EmulatorEnv> {
  return async (c, next) => {
    const code = c.req.path.startsWith('/v1/embed/') ? 'invalid_credentials' : 'unauthorized'
    const header = c.req.header('authorization')
    const key = header ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1] : undefined
    if (!header) {
      throw new EmulatorError(401, code, 'Missing API key: send "Authorization: Bearer <project key>"')
    }
    if (!key || !API_KEY_PATTERN.test(key)) {
      throw new EmulatorError(401, code, 'Malformed API key: expected "Authorization: Bearer ck_live_…" or "ck_test_…"')
    }
    const projectId = await store.projectForKey(key)
    if (!projectId) throw new EmulatorError(401, code, 'Unknown or revoked API key for this deployment')
    c.set('projectId', projectId)
    await next()
  }
}
