import { Hono } from 'hono'
import { LIMITS, parseTemplateBody, SLUG_PATTERN, validateData } from '@galley/core'
import { z } from 'zod'
import type { AppDeps, EmulatorEnv } from '../app.ts'
import { clip, EmulatorError, invalidRequest, templateNotFound, zodIssues, zodSummary } from '../errors.ts'
import { readJson, rejectNul } from '../middleware/body.ts'
import { publishedTemplate, renderCreated, templateDetail, templateSummary } from '../serialize.ts'
import { slugify, type TemplateType } from '../storage/store.ts'

/**
 * Templates created through the API carry `templateType: "document"`: the body has no type field and a
 * pdf-overlay needs a base PDF that no API endpoint uploads (API.md §6.3).
 */
const API_TEMPLATE_TYPE: TemplateType = 'document'

/** The render body (API.md §7.1). `data` is checked against the manifest separately (`invalid_input_data`). */
const renderBodySchema = z.object({
  data: z.custom<Record<string, unknown>>(isPlainObject, { message: 'Expected object' }),
  jobId: z.string().min(1).max(LIMITS.jobIdLength).optional(),
  options: z
    .object({
      versionNumber: z.number().int().positive().optional(),
      // Accepted and ignored: every render is asynchronous (API.md §8).
      sync: z.boolean().optional(),
      filename: z.string().min(1).max(200).optional(),
    })
    .optional(),
})

/** Longest `Idempotency-Key` header accepted; undocumented (API.md §12), so the same bound as `jobId`. */
const IDEMPOTENCY_KEY_MAX = LIMITS.jobIdLength

export function templateRoutes(deps: AppDeps): Hono<EmulatorEnv> {
  const { store } = deps
  const app = new Hono<EmulatorEnv>()

  app.get('/', async (c) => {
    const rows = await store.listTemplates(c.get('projectId'))
    return c.json({ templates: rows.map(templateSummary) })
  })

  app.post('/', async (c) => {
    const raw = await readJson(c, deps.bodyLimitBytes)
    const parsed = parseTemplateBody(raw)
    if (!parsed.ok) throw new EmulatorError(400, parsed.code, parsed.message, parsed.issues)
    const { slug, ...body } = parsed.body
    rejectNul({ name: body.name, description: body.description })
    const result = await store.createTemplate(
      c.get('projectId'),
      body,
      slug !== undefined ? { explicit: slug } : { derived: slugify(body.name) },
      API_TEMPLATE_TYPE,
    )
    return c.json(publishedTemplate(result.template, result.version), 201)
  })

  app.get('/:slug', async (c) => {
    const slug = c.req.param('slug')
    const template = await store.getTemplate(c.get('projectId'), slug)
    if (!template) throw templateNotFound(slug)
    const version =
      template.current_version_number === null ? undefined : await store.getVersion(template.id, template.current_version_number)
    return c.json(templateDetail(template, version))
  })

  app.put('/:slug', async (c) => {
    const slug = c.req.param('slug')
    const raw = await readJson(c, deps.bodyLimitBytes)
    if (slug.length > LIMITS.slugLength || !SLUG_PATTERN.test(slug)) {
      throw invalidRequest(`Invalid slug "${clip(slug)}" in the URL: kebab-case a-z, 0-9, at most ${LIMITS.slugLength} characters`, {
        formErrors: [],
        fieldErrors: { slug: [`Slug must be kebab-case: a-z, 0-9 and single hyphens, at most ${LIMITS.slugLength} characters`] },
      })
    }
    const parsed = parseTemplateBody(raw)
    if (!parsed.ok) throw new EmulatorError(400, parsed.code, parsed.message, parsed.issues)
    // The URL slug is canonical; a `slug` in the body is ignored (API.md §7.1).
    const { slug: _ignored, ...body } = parsed.body
    rejectNul({ name: body.name, description: body.description })
    const result = await store.putTemplate(c.get('projectId'), slug, body, API_TEMPLATE_TYPE)
    return c.json(publishedTemplate(result.template, result.version), result.created ? 201 : 200)
  })

  app.delete('/:slug', async (c) => {
    const slug = c.req.param('slug')
    const deleted = await store.deleteTemplate(c.get('projectId'), slug)
    if (!deleted) throw templateNotFound(slug)
    return c.json({ id: deleted.id, slug: deleted.slug, deletedAt: new Date(deleted.deleted_at!).toISOString() })
  })

  // Order of checks (API.md §15): auth -> JSON -> envelope -> template -> published -> version pin ->
  // idempotency replay -> data validation -> insert (unique key decides concurrent submits) -> 202.
  app.post('/:slug/render', async (c) => {
    const projectId = c.get('projectId')
    const slug = c.req.param('slug')
    const raw = await readJson(c, deps.bodyLimitBytes)
    const parsed = renderBodySchema.safeParse(raw)
    if (!parsed.success) throw invalidRequest(`Invalid render request: ${zodSummary(parsed.error)}`, zodIssues(parsed.error))
    const body = parsed.data
    const headerKey = c.req.header('idempotency-key')
    if (headerKey !== undefined && (headerKey.length === 0 || headerKey.length > IDEMPOTENCY_KEY_MAX)) {
      throw invalidRequest(`Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX} characters`, {
        formErrors: [`Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX} characters`],
        fieldErrors: {},
      })
    }
    const key = headerKey ?? body.jobId ?? null
    rejectNul({ jobId: body.jobId, 'options.filename': body.options?.filename })

    const template = await store.getTemplate(projectId, slug)
    if (!template) throw templateNotFound(slug)
    if (template.current_version_number === null) {
      throw new EmulatorError(409, 'no_published_version', `Template "${clip(slug)}" has no published version`)
    }
    const versionNumber = body.options?.versionNumber ?? template.current_version_number
    const version = await store.getVersion(template.id, versionNumber)
    if (!version) {
      throw new EmulatorError(404, 'version_not_found', `Template "${clip(slug)}" has no version ${versionNumber}`)
    }
    if (key !== null) {
      const existing = await store.findRenderByKey(projectId, key)
      if (existing) return c.json(renderCreated(existing, deps.urls), 200)
    }
    const validated = validateData(version.manifest, body.data)
    if (!validated.ok) {
      const fields = Object.keys(validated.issues.fieldErrors)
      throw new EmulatorError(
        400,
        'invalid_input_data',
        `data does not match the manifest of "${clip(slug)}" v${versionNumber}${fields.length ? `: ${fields.slice(0, 5).join(', ')}` : ''}`,
        validated.issues,
      )
    }
    const { render, created } = await store.createRender({
      projectId,
      templateId: template.id,
      versionId: version.id,
      idempotencyKey: key,
      data: validated.data,
      filename: body.options?.filename ?? null,
    })
    if (created) deps.queue.enqueue(render.id)
    return c.json(renderCreated(render, deps.urls), created ? 202 : 200)
  })

  return app
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
