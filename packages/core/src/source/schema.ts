import { createRequire } from 'node:module'
import type * as Zod from 'zod'
import { DATA_TYPES, LIMITS, ORIENTATIONS, SLUG_PATTERN, TEMPLATE_TYPES } from '../manifest/types.ts'

/**
 * The schema of `templates/<slug>/template.yaml`: the source of truth for both the loader's checks and the
 * shipped `template.schema.json` (generated from this by `scripts/write-template-schema.ts`), so the editor and
 * `galley lint` cannot disagree. It mirrors the create-template body (API.md §7.1) with maps instead of arrays.
 */
function buildSourceSchemas(z: typeof Zod.z) {
  const variableSourceSchema = z
    .strictObject({
      label: z.string().min(1).optional().meta({ description: 'Human label, shown in the builder and the synthesized layout.' }),
      dataType: z.enum(DATA_TYPES).meta({ description: 'What the value must be at render time (API.md §5.2).' }),
      required: z.boolean().optional().meta({ description: 'Render fails with invalid_input_data when missing.', default: false }),
    })
    .meta({ description: 'A scalar variable. Its key is a dot-path: `customer.name` nests as `{ customer: { name } }`.' })

  const fieldMap = z.record(z.string(), variableSourceSchema)

  const loopSourceSchema = z
    .strictObject({
      label: z.string().min(1).meta({ description: 'Human label of the repeating section.' }),
      itemFields: fieldMap.meta({ description: 'The fields of one row (at least one).', minProperties: 1 }),
      previewData: z
        .array(z.record(z.string(), z.unknown()))
        .max(LIMITS.previewDataRows)
        .nullable()
        .optional()
        .meta({ description: `Up to ${LIMITS.previewDataRows} sample rows for the builder preview.` }),
    })
    .meta({ description: 'A loop: rows sent as an array at the top level of data, under the literal (dot-free) loop key.' })

  const pageConfigSourceSchema = z
    .strictObject({
      format: z.string().min(1).optional().meta({ description: 'Paper format, e.g. A4 or Letter.', default: 'A4' }),
      orientation: z.enum(ORIENTATIONS).optional().meta({ default: 'portrait' }),
      margin: z.string().optional().meta({ description: 'CSS length, e.g. 20mm.' }),
      printBackground: z.boolean().optional(),
    })
    .meta({ description: 'Page settings (API.md §6.4); default A4 portrait.' })

  const templateSourceSchema = z
    .strictObject({
      $schema: z.string().optional().meta({ description: 'JSON Schema of this file, for editors.' }),
      slug: z
        .string()
        .max(LIMITS.slugLength)
        .regex(SLUG_PATTERN, 'Slug must be kebab-case: a-z, 0-9 and single hyphens')
        .meta({ description: 'URL-safe id of the template; must equal the folder name.' }),
      name: z.string().min(1).max(LIMITS.nameLength).meta({ description: `Display name, 1-${LIMITS.nameLength} characters.` }),
      description: z.string().max(LIMITS.descriptionLength).nullable().optional().meta({ description: `At most ${LIMITS.descriptionLength} characters.` }),
      templateType: z
        .enum(TEMPLATE_TYPES)
        .optional()
        .meta({ description: 'pdf-overlay marks a dashboard template (written by `galley pull`); it cannot be published.', default: 'document' }),
      pageConfig: pageConfigSourceSchema.optional(),
      variables: fieldMap.nullable().optional().meta({ description: 'Scalar variables by dot-path key; file order is manifest order.' }),
      loops: z.record(z.string(), loopSourceSchema).nullable().optional().meta({ description: 'Loops by dot-free, top-level key.' }),
      layout: z
        .union([
          z.string().min(1).meta({ description: 'Path of a JSON file in this folder, e.g. ./layout.json.' }),
          z.record(z.string(), z.unknown()).meta({ description: 'An inline CanvasDocument (`sections`) or Document-mode layout (`pages`).' }),
        ])
        .optional()
        .meta({ description: 'Optional layout; omitted = Craftkit synthesizes a canvas layout from the manifest.' }),
    })
    .meta({ title: 'Galley template source', description: 'A Craftkit template as code: templates/<slug>/template.yaml.' })
  return { variableSourceSchema, loopSourceSchema, pageConfigSourceSchema, templateSourceSchema }
}

const require = createRequire(import.meta.url)
let built: ReturnType<typeof buildSourceSchemas> | undefined

/**
 * The zod schemas of a template source, built on first use. zod takes ~100 ms to import, and a source that
 * passes the quick check (`isPlainValidTemplateSource`) never needs it, so an up-to-date `galley generate
 * --check` or a build start does not pay for it.
 */
export function sourceSchemas(): ReturnType<typeof buildSourceSchemas> {
  return (built ??= buildSourceSchemas((require('zod') as typeof Zod).z))
}

export type TemplateSourceFile = Zod.z.infer<ReturnType<typeof buildSourceSchemas>['templateSourceSchema']>

/** JSON Schema (draft-07) of template.yaml, for yaml-language-server and other editors. */
export function templateJsonSchema(): Record<string, unknown> {
  const { z } = require('zod') as typeof Zod
  const schema = z.toJSONSchema(sourceSchemas().templateSourceSchema, { target: 'draft-07', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
  return { ...schema, $id: 'https://galley.dev/schemas/template.schema.json' }
}

/** The bytes of the shipped `template.schema.json`: pretty JSON with a final newline. */
export function templateJsonSchemaText(): string {
  return `${JSON.stringify(templateJsonSchema(), null, 2)}\n`
}
