import { hasRequiredLeaf, manifestShape, type ShapeBranch, type ShapeNode } from '../manifest/shape.ts'
import { LIMITS, type DataType, type Manifest } from '../manifest/types.ts'

/** The subset of draft-07 JSON Schema that manifests produce. */
export interface JsonSchema {
  $schema?: string
  type?: 'object' | 'array' | 'string' | 'number' | 'boolean'
  description?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean
  items?: JsonSchema
  maxItems?: number
  format?: string
  pattern?: string
}

/**
 * The draft-07 JSON Schema of a manifest's `data`, as `GET /v1/templates/:slug` returns it in `jsonSchema`:
 * scalars nested by dot-path, loop keys as literal top-level array properties (API.md §5.4). Labels become
 * `description`. `additionalProperties: false` states that unknown keys do not reach the template (the server
 * strips them rather than rejecting them).
 */
export function manifestToJsonSchema(manifest: Manifest): JsonSchema {
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...branchSchema(manifestShape(manifest)) }
}

function branchSchema(branch: ShapeBranch): JsonSchema {
  const properties: Record<string, JsonSchema> = {}
  const required: string[] = []
  for (const [key, node] of branch.children) {
    Object.defineProperty(properties, key, { value: nodeSchema(node), enumerable: true, writable: true, configurable: true })
    if (node.kind === 'leaf' ? node.field.required === true : hasRequiredLeaf(node)) required.push(key)
  }
  const schema: JsonSchema = { type: 'object', properties }
  if (required.length > 0) schema.required = required
  schema.additionalProperties = false
  return schema
}

function nodeSchema(node: ShapeNode): JsonSchema {
  if (node.kind === 'branch') return branchSchema(node)
  if (node.kind === 'loop') {
    return withDescription(
      { type: 'array', items: branchSchema(node.item), maxItems: LIMITS.loopRows },
      node.loop.label,
    )
  }
  return withDescription(scalarSchema(node.field.dataType), node.field.label)
}

/** JSON Schema per dataType. Coercions (numeric strings, "true") are validator behaviour, not schema. */
export function scalarSchema(dataType: DataType): JsonSchema {
  switch (dataType) {
    case 'number':
    case 'currency':
      return { type: 'number' }
    case 'boolean':
      return { type: 'boolean' }
    case 'date':
      return { type: 'string', format: 'date' }
    case 'datetime':
      return { type: 'string', format: 'date-time' }
    case 'image':
    case 'url':
      return { type: 'string', format: 'uri', pattern: '^https?://' }
    case 'email':
      return { type: 'string', format: 'email' }
    default:
      return { type: 'string' }
  }
}

function withDescription(schema: JsonSchema, description: string | undefined): JsonSchema {
  return description === undefined ? schema : { description, ...schema }
}
