import { Hono } from 'hono'
import { z } from 'zod'
import type { AppDeps, EmulatorEnv } from '../app.ts'
import { EmulatorError, invalidRequest, notFound, zodIssues, zodSummary } from '../errors.ts'
import { UUID_PATTERN } from '../ids.ts'
import { readJson, rejectNul } from '../middleware/body.ts'
import { renderDetail, shareCreated, shareListed } from '../serialize.ts'

const shareBodySchema = z
  .object({
    channel: z.enum(['link', 'email']).default('link'),
    recipientEmail: z.email().nullable().optional(),
    message: z.string().max(2000).nullable().optional(),
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .superRefine((b, ctx) => {
    if (b.channel === 'email' && !b.recipientEmail) {
      ctx.addIssue({ code: 'custom', path: ['recipientEmail'], message: 'Required when channel is "email"' })
    }
  })

/** `/v1/renders`: the render record and its share links (API.md §7.2). */
export function renderRoutes(deps: AppDeps): Hono<EmulatorEnv> {
  const { store } = deps
  const app = new Hono<EmulatorEnv>()

  const findRender = async (projectId: string, id: string) => {
    const render = UUID_PATTERN.test(id) ? await store.getRender(projectId, id) : undefined
    if (!render) throw notFound('Render')
    return render
  }

  app.get('/:id', async (c) => {
    const render = await findRender(c.get('projectId'), c.req.param('id'))
    return c.json(renderDetail(render, deps.urls))
  })

  app.post('/:id/shares', async (c) => {
    const raw = await readJson(c, deps.bodyLimitBytes, { optional: true })
    const parsed = shareBodySchema.safeParse(raw)
    if (!parsed.success) throw invalidRequest(`Invalid share request: ${zodSummary(parsed.error)}`, zodIssues(parsed.error))
    const projectId = c.get('projectId')
    const render = await findRender(projectId, c.req.param('id'))
    if (render.status !== 'succeeded') {
      throw new EmulatorError(409, 'not_ready', `Render is ${render.status}; a share needs a succeeded render`)
    }
    const b = parsed.data
    rejectNul({ message: b.message })
    const share = await store.createShare({
      projectId,
      renderId: render.id,
      channel: b.channel,
      recipientEmail: b.recipientEmail ?? null,
      message: b.message ?? null,
      expiresAt: b.expiresAt ? new Date(b.expiresAt) : null,
    })
    return c.json(shareCreated(share, deps.urls), 201)
  })

  app.get('/:id/shares', async (c) => {
    const projectId = c.get('projectId')
    const render = await findRender(projectId, c.req.param('id'))
    const shares = await store.listShares(projectId, render.id)
    return c.json({ shares: shares.map((s) => shareListed(s, deps.urls)) })
  })

  app.delete('/:id/shares/:shareId', async (c) => {
    const projectId = c.get('projectId')
    const render = await findRender(projectId, c.req.param('id'))
    const shareId = c.req.param('shareId')
    const revoked = UUID_PATTERN.test(shareId) ? await store.revokeShare(projectId, render.id, shareId) : undefined
    if (!revoked) throw notFound('Share (or it is already revoked)')
    return c.json({ id: revoked.id, revokedAt: new Date(revoked.revoked_at!).toISOString() })
  })

  return app
}
