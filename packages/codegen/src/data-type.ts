import { manifestToJsonSchema, type DataType, type JsonSchema, type LoopDefinition, type Manifest, type VariableDefinition } from '@galley/core'
import type { compile as Compile, Options as CompileOptions } from 'json-schema-to-typescript'
import { loadJsonSchemaToTypescript } from './libraries.ts'
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
  // The placeholder schemas are built here and hold no `$ref`: never read files or URLs on their behalf, and skip
  // the dereferencer's walk of every node below the root (10-15% of a cold compile). Each excluded path is one
  // that cannot hold a reference.
  $refOptions: { resolve: { external: false }, dereference: { excludedPathMatcher: (path: string) => path !== '#' } },
}

interface KeyInfo {
  key: string
  doc: string | undefined
  /** The keys of the object below this key (a nested object, or a loop's rows). */
  child: KeyNode | undefined
}

/** The real keys of one object of the schema, by placeholder: `K<i>` is `entries[i]`. */
interface KeyNode {
  entries: KeyInfo[]
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
 * `K1`, … in each object) before compiling and put back afterwards with `propertyKey`, so that quoting
 * (`'a-b'`, `'__proto__'`) and JSDoc (from labels, with `*\/` escaped) are decided here, once, and not by the
 * library's defaults.
 */
export async function compileDataType(manifest: Manifest): Promise<string> {
  return (await compileDataTypes([manifest]))[0]!
}

/**
 * `compileDataType` for many manifests: each becomes one property of a single schema, compiled in one call.
 *
 * json-schema-to-typescript pays a fixed cost per call (cloning, dereferencing, validation) and per schema
 * object it visits (its normalizer alone walks the whole schema once per rule, about 20 times). So the schema
 * it gets is as small as the types allow: with the real keys replaced by per-object placeholders, equal
 * sub-schemas (every optional text field, the same nested object or loop row in two templates) are one shared
 * object, a DAG rather than a tree, as dereferenced `$ref`s are. Every stage of json-schema-to-typescript visits
 * a shared schema once (it tracks visited objects) and prints it inline wherever it is used, so the printed
 * types are the same as from the tree, for a fraction of the work.
 */
export async function compileDataTypes(manifests: readonly Manifest[], options: { share?: boolean } = {}): Promise<string[]> {
  const interner = new SchemaInterner(options.share !== false)
  const keyTrees: KeyNode[] = []
  const properties: Record<string, object> = {}
  manifests.forEach((manifest, i) => {
    const { schema, keys } = objectSchema(manifestToJsonSchema(manifest), fieldsByPath(manifest.variables), '', interner, new Map(manifest.loops.map((l) => [l.key, l])))
    properties[`B${i}`] = schema
    keyTrees.push(keys)
  })
  const schema = { type: 'object', properties, required: Object.keys(properties), additionalProperties: false }
  const text = await loadJsonSchemaToTypescript().compile(schema as Parameters<typeof Compile>[0], 'Data', COMPILE_OPTIONS)
  const batch = parseCompiled(text, keyTrees)
  return batch.map((node) => printObject(node, ''))
}

/**
 * Hash-consing of placeholder schemas: one object per distinct sub-schema. A schema's identity is its content,
 * with children named by the id of their (already interned) object, so each lookup is a short string.
 */
class SchemaInterner {
  /** `false` (tests only): every schema its own object, the plain tree. */
  constructor(readonly share: boolean) {}
  readonly #byContent = new Map<string, { schema: object; id: number }>()
  readonly #ids = new Map<object, number>()

  intern(content: string, make: () => object): object {
    let entry = this.share ? this.#byContent.get(content) : undefined
    if (!entry) {
      if (!this.share) content = String(this.#byContent.size)
      entry = { schema: make(), id: this.#byContent.size }
      this.#byContent.set(content, entry)
      this.#ids.set(entry.schema, entry.id)
    }
    return entry.schema
  }

  id(schema: object): number {
    return this.#ids.get(schema)!
  }
}

/** Rewrites a schema for compiling: per-object placeholder keys, `tsType` for URLs and dates, no annotations. */
function objectSchema(
  schema: JsonSchema,
  fields: Map<string, VariableDefinition>,
  prefix: string,
  interner: SchemaInterner,
  loops: Map<string, LoopDefinition> | undefined,
): { schema: object; keys: KeyNode } {
  const keys: KeyNode = { entries: [] }
  const children: { schema: object; required: boolean }[] = []
  const requiredKeys = new Set(schema.required ?? [])
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix + key
    const loop = loops?.get(key)
    let compiled: object
    if (child.type === 'array' && loop) {
      const items = objectSchema(child.items ?? {}, fieldsByPath(loop.itemFields), '', interner, undefined)
      keys.entries.push({ key, doc: `${loop.label ?? `\`${key}\``} (loop of up to 10,000 rows)`, child: items.keys })
      compiled = interner.intern(`a${interner.id(items.schema)}`, () => ({ type: 'array', items: items.schema }))
    } else if (child.type === 'object') {
      const nested = objectSchema(child, fields, `${path}.`, interner, undefined)
      keys.entries.push({ key, doc: undefined, child: nested.keys })
      compiled = nested.schema
    } else {
      const field = fields.get(path)
      keys.entries.push({ key, doc: field ? leafDoc(field, path) : undefined, child: undefined })
      compiled = leafSchema(child, interner)
    }
    children.push({ schema: compiled, required: requiredKeys.has(key) })
  }
  const content = `o${children.map((c) => `${interner.id(c.schema)}${c.required ? '!' : '?'}`).join(',')}`
  const compiled = interner.intern(content, () => {
    const properties: Record<string, object> = {}
    const required: string[] = []
    children.forEach((c, i) => {
      properties[`K${i}`] = c.schema
      if (c.required) required.push(`K${i}`)
    })
    return { type: 'object', properties, required, additionalProperties: false }
  })
  return { schema: compiled, keys }
}

function leafSchema(schema: JsonSchema, interner: SchemaInterner): object {
  if (schema.format === 'uri') return interner.intern('url', () => ({ type: 'string', tsType: URL_TYPE }))
  if (schema.format === 'date' || schema.format === 'date-time') return interner.intern('date', () => ({ type: 'string', tsType: DATE_TYPE }))
  const type = typeof schema.type === 'string' ? schema.type : 'string'
  return interner.intern(`t:${type}`, () => ({ type }))
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
 * Reads json-schema-to-typescript's unformatted output back into one tree per batch entry, putting the real
 * keys back by position (`K<i>` of an object is entry `i` of its key node). With `format: false` it prints one
 * member per line and nested objects as `K3?: {` … `}` or `}[]`; anything else is a bug here, so it throws.
 */
function parseCompiled(text: string, keyTrees: readonly KeyNode[]): ObjectNode[] {
  const lines = text.split('\n')
  if (lines[0] !== 'export interface Data {') throw unexpected(text, lines[0])
  const batch: ObjectNode[] = []
  const stack: { node: ObjectNode; keys: KeyNode; property: PropertyNode | undefined }[] = []
  let done = false
  for (let l = 1; l < lines.length; l++) {
    const line = lines[l]!
    if (line === '') continue
    if (done) throw unexpected(text, line)
    const top = stack[stack.length - 1]
    if (!top) {
      const entry = /^B(\d+): \{$/.exec(line)
      if (entry && Number(entry[1]) === batch.length && batch.length < keyTrees.length) {
        const node: ObjectNode = { properties: [] }
        stack.push({ node, keys: keyTrees[batch.length]!, property: undefined })
        batch.push(node)
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
      const index = top.node.properties.length
      const info = top.keys.entries[index]
      if (!info || Number(member[1]) !== index) throw unexpected(text, line)
      const property: PropertyNode = { info, optional: member[2] === '?', type: member[3]!, array: false }
      top.node.properties.push(property)
      if (member[3] === '{') {
        if (!info.child) throw unexpected(text, line)
        const node: ObjectNode = { properties: [] }
        property.type = node
        stack.push({ node, keys: info.child, property })
      } else if (info.child) throw unexpected(text, line)
      continue
    }
    const close = /^\}(\[\])?$/.exec(line)
    if (close) {
      if (top.node.properties.length !== top.keys.entries.length) throw unexpected(text, line)
      stack.pop()
      if (top.property) top.property.array = close[1] === '[]'
      else if (close[1]) throw unexpected(text, line)
      continue
    }
    throw unexpected(text, line)
  }
  if (!done || stack.length !== 0 || batch.length !== keyTrees.length) throw unexpected(text, '<end of output>')
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
