import { manifestToJsonSchema, type DataType, type JsonSchema, type LoopDefinition, type Manifest, type VariableDefinition } from '@galley/core'
import { compile, type Options as CompileOptions } from 'json-schema-to-typescript'
import { escapeJsDoc, propertyKey } from './naming.ts'

/** TypeScript for an `image`/`url` value: the server accepts http(s) URLs only and rejects `data:` URIs. */
export const URL_TYPE = '`http://${string}` | `https://${string}`'
/** TypeScript for a `date`/`datetime` value: an ISO string, or a Date that JSON serializes to one. */
export const DATE_TYPE = 'string | Date'

// One format, no banner, no Prettier: the module printer owns every byte (STYLE §8). Bounded arrays would become
// tuples; the 10,000-row cap is a server limit, not a shape.
const COMPILE_OPTIONS: Partial<CompileOptions> = {
  bannerComment: '',
  format: false,
  additionalProperties: false,
  ignoreMinAndMaxItems: true,
  declareExternallyReferenced: true,
  unknownAny: true,
  // The schemas have no `$ref`: never read files or URLs on their behalf (and skip that crawl, ~5% faster).
  $refOptions: { resolve: { external: false } },
}

interface KeyInfo {
  key: string
  doc: string | undefined
}

/** What json-schema-to-typescript printed, as a tree: a type text or an object of properties. */
interface ObjectNode {
  properties: PropertyNode[]
}

interface PropertyNode {
  info: KeyInfo
  optional: boolean
  type: string | ObjectNode
  array: boolean
}

/**
 * The TypeScript type of a manifest's `data` (an object type literal, printed at indentation 0), compiled from
 * the manifest's JSON Schema (`manifestToJsonSchema` in `@galley/core`, the schema the server publishes) by
 * json-schema-to-typescript.
 *
 * Property names never pass through json-schema-to-typescript: each key is replaced by a placeholder (`K0`,
 * `K1`, …) before compiling and put back afterwards with `propertyKey`, so that quoting (`'a-b'`, `'__proto__'`)
 * and JSDoc (from labels, with `*\/` escaped) are decided here, once, and not by the library's defaults.
 */
export async function compileDataType(manifest: Manifest): Promise<string> {
  return (await compileDataTypes([manifest]))[0]!
}

/**
 * `compileDataType` for many manifests: each becomes one property of a single schema, compiled in one call.
 * json-schema-to-typescript pays a fixed cost per call (cloning, dereferencing, validation, normalization), so
 * small batches compile about 15% faster than one call each; the printed types are the same.
 */
export async function compileDataTypes(manifests: readonly Manifest[]): Promise<string[]> {
  const keys: KeyInfo[] = []
  const properties: Record<string, object> = {}
  manifests.forEach((manifest, i) => {
    properties[`B${i}`] = objectSchema(manifestToJsonSchema(manifest), fieldsByPath(manifest.variables), '', keys, new Map(manifest.loops.map((l) => [l.key, l])))
  })
  const schema = { type: 'object', properties, required: Object.keys(properties), additionalProperties: false }
  const text = await compile(schema as Parameters<typeof compile>[0], 'Data', COMPILE_OPTIONS)
  const batch = parseCompiled(text, keys)
  if (batch.length !== manifests.length) throw unexpected(text, `<${batch.length} types for ${manifests.length} manifests>`)
  return batch.map((node) => printObject(node, ''))
}

/** Rewrites a schema for compiling: placeholder keys, `tsType` for URLs and dates, no annotations. */
function objectSchema(
  schema: JsonSchema,
  fields: Map<string, VariableDefinition>,
  prefix: string,
  keys: KeyInfo[],
  loops: Map<string, LoopDefinition> | undefined,
): object {
  const properties: Record<string, object> = {}
  const required: string[] = []
  const requiredKeys = new Set(schema.required ?? [])
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const placeholder = `K${keys.length}`
    const path = prefix + key
    let doc: string | undefined
    let compiled: object
    const loop = loops?.get(key)
    if (child.type === 'array' && loop) {
      doc = `${loop.label ?? `\`${key}\``} (loop of up to 10,000 rows)`
      keys.push({ key, doc })
      compiled = { type: 'array', items: objectSchema(child.items ?? {}, fieldsByPath(loop.itemFields), '', keys, undefined) }
    } else if (child.type === 'object') {
      keys.push({ key, doc: undefined })
      compiled = objectSchema(child, fields, `${path}.`, keys, undefined)
    } else {
      const field = fields.get(path)
      doc = field ? leafDoc(field, path) : undefined
      keys.push({ key, doc })
      compiled = leafSchema(child)
    }
    properties[placeholder] = compiled
    if (requiredKeys.has(key)) required.push(placeholder)
  }
  return { type: 'object', properties, required, additionalProperties: false }
}

function leafSchema(schema: JsonSchema): object {
  if (schema.format === 'uri') return { type: 'string', tsType: URL_TYPE }
  if (schema.format === 'date' || schema.format === 'date-time') return { type: 'string', tsType: DATE_TYPE }
  return { type: schema.type ?? 'string' }
}

/** Fields by dot-path; a later declaration of one path wins, as in the validator's shape. */
function fieldsByPath(fields: readonly VariableDefinition[]): Map<string, VariableDefinition> {
  return new Map(fields.map((f) => [f.key, f]))
}

const DATA_TYPE_NOTES: Record<DataType, string> = {
  text: '`text`',
  longtext: '`longtext`',
  number: '`number`: a number; numeric strings are coerced',
  currency: '`currency`: a number',
  date: '`date`: a Date or an ISO 8601 string',
  datetime: '`datetime`: a Date or an ISO 8601 string',
  boolean: '`boolean`',
  image: '`image`: an http(s) URL; `data:` URIs are rejected',
  url: '`url`: an http(s) URL',
  email: '`email`: an email address',
}

function leafDoc(field: VariableDefinition, path: string): string {
  const title = field.label ?? `\`${path}\``
  return `${title} (${DATA_TYPE_NOTES[field.dataType] ?? `\`${field.dataType}\``})`
}

/**
 * Reads json-schema-to-typescript's unformatted output back into one tree per batch entry. With
 * `format: false` it prints one member per line and nested objects as `K3?: {` … `}` or `}[]`; anything else is
 * a bug here, so it throws.
 */
function parseCompiled(text: string, keys: KeyInfo[]): ObjectNode[] {
  const lines = text.split('\n')
  if (lines[0] !== 'export interface Data {') throw unexpected(text, lines[0])
  const batch: ObjectNode[] = []
  const stack: { node: ObjectNode; property: PropertyNode | undefined }[] = []
  let done = false
  for (const line of lines.slice(1)) {
    if (line === '') continue
    if (done) throw unexpected(text, line)
    const top = stack[stack.length - 1]
    if (!top) {
      const entry = /^B(\d+): \{$/.exec(line)
      if (entry && Number(entry[1]) === batch.length) {
        const node: ObjectNode = { properties: [] }
        batch.push(node)
        stack.push({ node, property: undefined })
        continue
      }
      if (line === '}') {
        done = true
        continue
      }
      throw unexpected(text, line)
    }
    const member = /^K(\d+)(\?)?: (.*)$/.exec(line)
    if (member) {
      const info = keys[Number(member[1])]
      if (!info) throw unexpected(text, line)
      const property: PropertyNode = { info, optional: member[2] === '?', type: member[3]!, array: false }
      top.node.properties.push(property)
      if (member[3] === '{') {
        const node: ObjectNode = { properties: [] }
        property.type = node
        stack.push({ node, property })
      }
      continue
    }
    const close = /^\}(\[\])?$/.exec(line)
    if (close) {
      stack.pop()
      if (top.property) top.property.array = close[1] === '[]'
      else if (close[1]) throw unexpected(text, line)
      continue
    }
    throw unexpected(text, line)
  }
  if (!done || stack.length !== 0) throw unexpected(text, '<end of output>')
  return batch
}

function unexpected(text: string, line: string | undefined): Error {
  return new Error(`@galley/codegen: unexpected json-schema-to-typescript output at ${JSON.stringify(line)} in:\n${text}`)
}

function printObject(node: ObjectNode, indent: string): string {
  // `{}` would accept any non-null value; an object that takes no keys is `Record<string, never>`.
  if (node.properties.length === 0) return 'Record<string, never>'
  const inner = `${indent}  `
  let out = '{\n'
  for (const p of node.properties) {
    if (p.info.doc !== undefined) out += `${inner}/** ${escapeJsDoc(p.info.doc).replace(/\n/g, `\n${inner} * `)} */\n`
    let type = typeof p.type === 'string' ? p.type : printObject(p.type, inner)
    if (p.array) type = typeof p.type === 'string' ? `(${type})[]` : `${type}[]`
    out += `${inner}${propertyKey(p.info.key)}${p.optional ? '?' : ''}: ${type};\n`
  }
  return `${out}${indent}}`
}
