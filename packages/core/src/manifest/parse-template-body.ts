import { createRequire } from 'node:module'
import type * as Zod from 'zod'
import { DATA_TYPES, LIMITS, ORIENTATIONS, SLUG_PATTERN, type TemplateBody } from './types.ts'

/**
 * The create/PUT template body as Craftkit validates it (API.md §7.1, §5). Where the docs are silent (is a
 * variable `label` required? extra fields?) this accepts what the docs show and strips the rest, like the
 * server's zod schemas do.
 */
function buildBodySchemas(z: typeof Zod.z) {
  const variableSchema = z.object({
    key: z.string().min(1),
    label: z.string().optional(),
    dataType: z.enum(DATA_TYPES),
    required: z.boolean().optional(),
  })

  const loopSchema = z.object({
    key: z.string().min(1),
    label: z.string().min(1),
    itemFields: z.array(variableSchema).min(1),
    previewData: z.array(z.record(z.string(), z.unknown())).max(LIMITS.previewDataRows).optional(),
  })

  const manifestSchema = z.object({
    variables: z.array(variableSchema),
    loops: z.array(loopSchema),
  })

  const pageConfigSchema = z.object({
    format: z.string().min(1).optional(),
    orientation: z.enum(ORIENTATIONS).optional(),
    margin: z.string().optional(),
    printBackground: z.boolean().optional(),
  })

  const templateBodySchema = z.object({
    name: z.string().min(1).max(LIMITS.nameLength),
    slug: z.string().max(LIMITS.slugLength).regex(SLUG_PATTERN, 'Slug must be kebab-case: a-z, 0-9 and single hyphens').optional(),
    description: z.string().max(LIMITS.descriptionLength).nullable().optional(),
    manifest: manifestSchema,
    layout: z.record(z.string(), z.unknown()).optional(),
    pageConfig: pageConfigSchema.optional(),
  })
  return { manifestSchema, pageConfigSchema, templateBodySchema }
}

const require = createRequire(import.meta.url)
let built: ReturnType<typeof buildBodySchemas> | undefined

/** The zod schemas of a template body, built on first use (zod takes ~100 ms to import; only the emulator needs them). */
export function templateBodySchemas(): ReturnType<typeof buildBodySchemas> {
  return (built ??= buildBodySchemas((require('zod') as typeof Zod).z))
}

export type ParseTemplateBodyResult =
  | { ok: true; body: TemplateBody & { slug?: string } }
  | {
      ok: false
      code: 'invalid_request' | 'invalid_loop_key'
      message: string
      issues: { formErrors: string[]; fieldErrors: Record<string, string[]> }
    }

/**
 * Checks a `POST /v1/templates` or `PUT /v1/templates/:slug` body: the envelope first (400 `invalid_request`),
 * then the loop-key rule (400 `invalid_loop_key`: a loop key may not contain a dot, API.md §5.4).
 */
export function parseTemplateBody(input: unknown): ParseTemplateBodyResult {
  const parsed = templateBodySchemas().templateBodySchema.safeParse(input)
  if (!parsed.success) {
    const flat = (require('zod') as typeof Zod).z.flattenError(parsed.error)
    const fieldErrors: Record<string, string[]> = {}
    for (const issue of parsed.error.issues) {
      const key = issue.path.map(String).join('.') || '(root)'
      ;(fieldErrors[key] ??= []).push(issue.message)
    }
    return {
      ok: false,
      code: 'invalid_request',
      message: `Invalid request body: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`)
        .join('; ')}`,
      issues: { formErrors: flat.formErrors, fieldErrors },
    }
  }
  const dotted = parsed.data.manifest.loops.filter((l) => l.key.includes('.'))
  if (dotted.length > 0) {
    const fieldErrors: Record<string, string[]> = {}
    parsed.data.manifest.loops.forEach((l, i) => {
      if (l.key.includes('.')) fieldErrors[`manifest.loops.${i}.key`] = [`Loop key "${l.key}" must not contain a dot`]
    })
    return {
      ok: false,
      code: 'invalid_loop_key',
      message: `Loop keys must be dot-free and top-level: ${dotted.map((l) => `"${l.key}"`).join(', ')}`,
      issues: { formErrors: [], fieldErrors },
    }
  }
  return { ok: true, body: parsed.data as TemplateBody & { slug?: string } }
}
