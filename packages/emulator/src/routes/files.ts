import { Hono } from 'hono'
import type { AppDeps, EmulatorEnv } from '../app.ts'
import { EmulatorError, notFound } from '../errors.ts'
import { UUID_PATTERN } from '../ids.ts'
import { contentDisposition } from '../serialize.ts'
import type { RenderRow } from '../storage/store.ts'

/**
 * The PDF routes: the private stream `GET /v1/embed/renders/:id/download` (project key) and the public targets of
 * `downloadUrl` (`/files/renders/<id>.pdf`, unguessable like Craftkit's bucket URL) and `shareUrl`
 * (`/share/<token>`, which serves the PDF itself rather than a viewer page).
 */
export function embedRoutes(deps: AppDeps): Hono<EmulatorEnv> {
  const app = new Hono<EmulatorEnv>()
  app.get('/renders/:id/download', async (c) => {
    const id = c.req.param('id')
    const render = UUID_PATTERN.test(id) ? await deps.store.getRender(c.get('projectId'), id) : undefined
    // Craftkit answers 404 without a documented code for "no such render" and "no asset yet" (API.md §7.2).
    if (!render || render.status !== 'succeeded') throw notFound('Render (or its PDF)')
    return sendPdf(deps, render, 'private, max-age=3600')
  })
  return app
}

export function publicRoutes(deps: AppDeps): Hono<EmulatorEnv> {
  const app = new Hono<EmulatorEnv>()
  app.get('/files/renders/:file', async (c) => {
    const m = /^(.+)\.pdf$/.exec(c.req.param('file'))
    const id = m?.[1]
    const render = id && UUID_PATTERN.test(id) ? await deps.store.getRenderById(id) : undefined
    if (!render || render.status !== 'succeeded') throw notFound('File')
    return sendPdf(deps, render, 'public, max-age=31536000, immutable')
  })
  app.get('/share/:token', async (c) => {
    const share = await deps.store.openShare(c.req.param('token'), new Date())
    const render = share ? await deps.store.getRenderById(share.render_id) : undefined
    if (!render || render.status !== 'succeeded') throw notFound('Share link (it may be revoked or expired)')
    return sendPdf(deps, render, 'private, no-store')
  })
  return app
}

function sendPdf(deps: AppDeps, render: RenderRow, cacheControl: string): Response {
  const file = deps.files.open(render.id)
  if (!file) throw new EmulatorError(500, 'internal', 'The PDF of this render is missing from the data folder')
  return new Response(file.stream, {
    status: 200,
    headers: {
      'content-type': 'application/pdf',
      'content-length': String(file.size),
      'content-disposition': contentDisposition(render),
      'cache-control': cacheControl,
    },
  })
}
