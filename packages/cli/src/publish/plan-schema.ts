/**
 * @module The plan file (`galley plan --out plan.json`, `--json`): a versioned, documented format. The zod schema
 * is the source of truth; `plan.schema.json` at the package root is generated from it (a test keeps them equal).
 * Only `publish --plan` needs the schema at run time and loads this module on demand (zod costs ~100 ms to
 * import); the plain constants live in plan-format.ts, and the `Plan` types are erased.
 */
import { z } from 'zod'
import { PLAN_ACTIONS, PLAN_FORMAT_VERSION, PLAN_SCHEMA_ID } from './plan-format.ts'

export { PLAN_ACTIONS, PLAN_FORMAT_VERSION, PLAN_SCHEMA_ID, type PlanAction } from './plan-format.ts'

const changeValue = z.union([z.string(), z.boolean(), z.null()])

export const manifestChangeSchema = z
  .object({
    kind: z.enum(['added', 'removed', 'type-changed', 'required-changed', 'label-changed', 'preview-changed', 'order-changed']),
    target: z.enum(['variable', 'loop', 'item-field']),
    key: z.string().describe('Variable key, loop key or item field key; "*" for order-changed.'),
    loop: z.string().optional().describe('The loop of an item-field change.'),
    before: changeValue.optional(),
    after: changeValue.optional(),
    breaking: z.boolean(),
    breakingReason: z.string().optional(),
  })
  .strict()

export const planTemplateSchema = z
  .object({
    slug: z.string(),
    action: z.enum(PLAN_ACTIONS),
    file: z.string().nullable().describe('The source file (posix, relative to the project root); null for remote-only.'),
    contentHash: z
      .string()
      .nullable()
      .describe('sha256 of the canonical body the source would publish; publish --plan refuses when the source changed since.'),
    remote: z
      .object({
        id: z.string(),
        templateType: z.string(),
        versionNumber: z.number().int().nullable(),
        updatedAt: z.string(),
      })
      .strict()
      .nullable()
      .describe('The remote template as the plan saw it; null when it does not exist. publish --plan refuses when it moved.'),
    changedFields: z.array(z.enum(['name', 'description', 'manifest', 'pageConfig', 'layout'])),
    unverifiedFields: z
      .array(z.enum(['pageConfig', 'layout']))
      .describe('Fields that could not be compared: the API does not return them and no publish record vouches for the remote version.'),
    unverifiedReason: z.enum(['no-record', 'remote-moved']).optional(),
    changes: z.array(manifestChangeSchema).describe('Variable-level manifest diff (remote -> source).'),
    breaking: z.boolean(),
    blocked: z.string().optional().describe('Why this template cannot be published (e.g. a pdf-overlay source).'),
  })
  .strict()

export const impactCallSiteSchema = z
  .object({
    project: z.string().describe("The consuming project's tsconfig.json (posix, relative to the project root)."),
    file: z.string().describe('The file of the call site (posix, relative to the project root).'),
    line: z.number().int().describe('1-based.'),
    column: z.number().int().describe('1-based.'),
    slug: z.string(),
    symbol: z.string().describe('The generated function or type used there, e.g. renderCharterHandover, CharterHandoverData, render.'),
    message: z.string().describe('What breaks, in one sentence.'),
  })
  .strict()

export const planImpactSchema = z
  .object({
    projects: z.array(
      z
        .object({
          project: z.string().describe('tsconfig.json of the consuming project (posix, relative to the project root).'),
          modules: z.array(z.string()).describe('The generated modules it includes or imports.'),
          files: z.number().int().describe('Files of the project.'),
          checkedFiles: z.number().int().describe('Files checked: those that reach a generated module through imports and name a changed template (or the generic render or TemplateDataMap).'),
        })
        .strict(),
    ),
    callSites: z.array(impactCallSiteSchema).describe('Uses of the changed templates that the change breaks, sorted by project, file, line, column.'),
  })
  .strict()
  .describe('`galley plan --impact`: what the created, updated and pruned templates break in consuming projects (DESIGN §12).')

export const planSchema = z
  .object({
    $schema: z.string().optional(),
    formatVersion: z.literal(PLAN_FORMAT_VERSION),
    createdAt: z.string().describe('ISO date-time the plan was made.'),
    target: z
      .object({
        name: z.string(),
        id: z.string(),
        baseUrl: z.string(),
        embedded: z.boolean(),
      })
      .strict(),
    summary: z
      .object({
        create: z.number().int(),
        update: z.number().int(),
        unchanged: z.number().int(),
        remoteOnly: z.number().int(),
        breaking: z.number().int(),
        unverified: z.number().int(),
        blocked: z.number().int(),
      })
      .strict(),
    templates: z.array(planTemplateSchema).describe('Sorted by slug.'),
    impact: planImpactSchema.optional(),
  })
  .strict()

export type Plan = z.infer<typeof planSchema>
export type PlanTemplate = z.infer<typeof planTemplateSchema>
export type PlanImpact = z.infer<typeof planImpactSchema>
export type ImpactCallSite = z.infer<typeof impactCallSiteSchema>

/** The JSON Schema (draft 2020-12) of a plan file, as shipped in `plan.schema.json`. */
export function planJsonSchema(): Record<string, unknown> {
  const { $schema, ...schema } = z.toJSONSchema(planSchema, { target: 'draft-2020-12' }) as Record<string, unknown>
  return {
    $schema,
    $id: PLAN_SCHEMA_ID,
    title: 'Galley plan',
    description: 'What `galley publish` would do on one target, per template (`galley plan --json` / `--out`). See the @galley/cli README.',
    ...schema,
  }
}
