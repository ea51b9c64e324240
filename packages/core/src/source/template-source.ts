import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import type { z } from 'zod'
import type { Diagnostic } from '../diagnostics/diagnostic.ts'
import { DATA_TYPES, type LoopDefinition, type Manifest, type PageConfig, type TEMPLATE_TYPES, type TemplateBody, type VariableDefinition } from '../manifest/types.ts'
import { closest } from '../lint/helpers.ts'
import { parseYaml, type ParsedYaml } from './parse-yaml.ts'
import { locate, textPosition, type SourceLocations } from './positions.ts'
import { isPlainValidTemplateSource } from './quick-check.ts'
import { sourceSchemas } from './schema.ts'

/** The typed model of one template.yaml. Order of the file = order of the manifest. */
export interface SourceTemplate {
  slug: string
  name: string
  description?: string | null
  templateType?: (typeof TEMPLATE_TYPES)[number]
  pageConfig?: PageConfig
  /** An inline object, or the parsed JSON of `layout: ./layout.json`. */
  layout?: unknown
  manifest: Manifest
}

/** One named sample `data` object: `templates/<slug>/fixtures/<name>.json`. */
export interface FixtureSource {
  name: string
  /** Posix path relative to the project root. */
  file: string
  data: unknown
  /** The file's text, kept to point diagnostics at the offending value. */
  text?: string
}

/** One template folder as read from disk, with what went wrong while reading it. */
export interface TemplateSource {
  /** The folder name. */
  slug: string
  /** Absolute folder. */
  dir: string
  /** Posix path relative to the project root, e.g. `templates/invoice/template.yaml`. */
  file: string
  /** Undefined when the file could not be turned into a model. */
  template?: SourceTemplate
  /** Sorted by name. */
  fixtures: FixtureSource[]
  /** Problems found while reading (YAML syntax, schema); lint adds the rest. */
  diagnostics: Diagnostic[]
  /** Positions of the nodes of `file`, by JSON path (see `locate`). */
  locations?: SourceLocations
  /** When `layout` names a file: its posix path relative to the root, and its text. */
  layoutSource?: { file: string; text: string }
}

export interface LoadTemplateSourcesOptions {
  /** Project root: diagnostics' `file` is relative to it. */
  root: string
  /** Folder holding `<slug>/template.yaml` (absolute, or relative to `root`). */
  templatesDir: string
  /** Only these folder names (slugs). */
  only?: string[]
}

/** Sizes above which a file is refused rather than parsed. */
export const SOURCE_LIMITS = {
  /** template.yaml and a layout file. */
  templateBytes: 1024 * 1024,
  /** A fixture may hold a 10,000-row loop. */
  fixtureBytes: 16 * 1024 * 1024,
} as const

export const TEMPLATE_FILE = 'template.yaml'

/**
 * Discovers `templates/<slug>/template.yaml`, parses each with positions into a `SourceTemplate`, and reads its
 * `fixtures/*.json` and optional layout file. Never throws for bad input: every problem is a diagnostic with the
 * file, line and column. Sorted by slug.
 *
 * @example
 * const sources = await loadTemplateSources({ root: process.cwd(), templatesDir: 'templates' })
 * for (const s of sources) console.log(s.slug, s.template?.manifest.variables.length, s.diagnostics.length)
 */
export async function loadTemplateSources(options: LoadTemplateSourcesOptions): Promise<TemplateSource[]> {
  const root = resolve(options.root)
  const templatesDir = resolve(root, options.templatesDir)
  let entries = listTemplateFolders(templatesDir)
  if (options.only) entries = entries.filter((name) => options.only!.includes(name))
  // Synchronous reads: for many small files they take a fifth of the time of as many fs.promises calls in flight.
  const sources = entries.map((name) => readTemplateSource(root, join(templatesDir, name), name))
  return sources.filter((s): s is TemplateSource => s !== undefined)
}

/**
 * The folders of a templates folder that may hold a template, sorted (code-unit order): not hidden (`.`), not
 * parked (`_`), not `node_modules`. Empty when the folder does not exist.
 */
export function listTemplateFolders(templatesDir: string): string[] {
  try {
    return readdirSync(templatesDir, { withFileTypes: true })
      .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && !e.name.startsWith('.') && !e.name.startsWith('_') && e.name !== 'node_modules')
      .map((e) => e.name)
      .sort(compareStrings)
  } catch {
    return []
  }
}

/** Reads one template folder; undefined when it holds no template file (not a template folder). */
export async function loadTemplateSource(root: string, dir: string, slug: string): Promise<TemplateSource | undefined> {
  return readTemplateSource(root, dir, slug)
}

function readTemplateSource(root: string, dir: string, slug: string): TemplateSource | undefined {
  const path = join(dir, TEMPLATE_FILE)
  const file = toPosix(relative(root, path))
  const source: TemplateSource = { slug, dir, file, fixtures: [], diagnostics: [] }
  const read = readText(path, SOURCE_LIMITS.templateBytes)
  if (read.kind === 'missing') {
    for (const alt of ['template.yml', 'template.json']) {
      if (readText(join(dir, alt), 1).kind !== 'missing') {
        source.diagnostics.push(sourceError('source-missing', toPosix(relative(root, join(dir, alt))), `Galley reads ${TEMPLATE_FILE}, so ${alt} is ignored and this template is not published.`, `Rename ${alt} to ${TEMPLATE_FILE}.`))
        return source
      }
    }
    return undefined
  }
  if (read.kind !== 'ok') {
    source.diagnostics.push(readDiagnostic(read, file, SOURCE_LIMITS.templateBytes, 'template'))
    source.fixtures = loadFixtures(root, dir, source.diagnostics)
    return source
  }
  // The parsed source has the same fields, in the same order, as `source` would after assigning it (its
  // `locations` are computed on first read, so they are not copied).
  const parsed = parseTemplateSource(read.text, { slug, dir, file })
  if (parsed.template && typeof parsed.template.layout === 'string') {
    const layout = loadLayoutFile(root, dir, parsed.template.layout, parsed)
    if (layout === undefined) delete parsed.template
    else parsed.template = { ...parsed.template, layout }
  }
  parsed.fixtures = loadFixtures(root, dir, parsed.diagnostics)
  return parsed
}

/**
 * Parses the text of one template.yaml into a source (no fixtures; a `layout` path is left as the string).
 * For editors and watchers that hold the text already; `loadTemplateSources` reads files and calls this.
 */
export function parseTemplateSource(text: string, options: { slug: string; dir: string; file: string }): TemplateSource {
  const source: TemplateSource = { slug: options.slug, dir: options.dir, file: options.file, fixtures: [], diagnostics: [] }
  const parsed = parseYaml(text, options.file)
  defineLazy(source, 'locations', parsed.locations)
  source.diagnostics.push(...parsed.diagnostics)
  if (parsed.value !== undefined) {
    const built = buildTemplate(parsed.value, parsed.keysAt, source)
    if (built) source.template = built
  }
  return source
}

/**
 * The body `PUT /v1/templates/:slug` takes for a source (API.md §7.1): what publish sends and what the content
 * hash is computed on.
 */
export function toTemplateBody(t: SourceTemplate): TemplateBody {
  const body: TemplateBody = { name: t.name, manifest: t.manifest }
  if (t.description !== undefined) body.description = t.description
  if (t.layout !== undefined) body.layout = t.layout
  if (t.pageConfig !== undefined) body.pageConfig = t.pageConfig
  return body
}

/**
 * Why a source cannot be published, as diagnostics: the API cannot create `templateType: pdf-overlay` templates
 * (they come from the dashboard, through `galley pull`). Lint and codegen still work on such sources.
 */
export function checkPublishable(source: TemplateSource): Diagnostic[] {
  if (source.template?.templateType !== 'pdf-overlay') return []
  const r = locate(source.locations, ['templateType'])
  return [
    {
      code: 'pdf-overlay-publish',
      severity: 'error',
      message: `"${source.template.slug}" is a PDF overlay template: the Craftkit API cannot create or republish those (its base PDF is uploaded in the dashboard), so publishing it would replace it with a synthesized canvas template.`,
      hint: 'Edit this template in the Craftkit dashboard, or remove `templateType: pdf-overlay` to publish it as a canvas template.',
      file: source.file,
      ...r,
    },
  ]
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * An own, enumerable property computed on first read (then an ordinary data property; assigning replaces it).
 * Node positions are found only for sources that report something.
 */
function defineLazy<T extends object, K extends keyof T>(target: T, key: K, compute: () => T[K]): void {
  const data = (value: unknown): PropertyDescriptor => ({ value, writable: true, enumerable: true, configurable: true })
  let computed = false
  let value: T[K]
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get(this: object) {
      if (!computed) {
        value = compute()
        computed = true
      }
      // Settles as a data property; a frozen object (or a copy made with the getter) keeps answering from here.
      Reflect.defineProperty(this, key, data(value))
      return value
    },
    set(this: object, next: unknown) {
      Object.defineProperty(this, key, data(next))
    },
  })
}

const SOFT_ISSUES = new Set(['too_big', 'too_small', 'invalid_format', 'unrecognized_keys'])

function buildTemplate(value: unknown, keysAt: ParsedYaml['keysAt'], source: TemplateSource): SourceTemplate | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const what = value === null || value === undefined ? 'empty' : Array.isArray(value) ? 'a list' : `a ${typeof value}`
    source.diagnostics.push({
      code: 'schema',
      severity: 'error',
      message: `${source.file} is ${what}, not a mapping: there is no template to publish or render.`,
      hint: 'Start the file with top-level keys: slug, name, variables, loops (see templates/charter-handover/template.yaml).',
      file: source.file,
      ...locate(source.locations, []),
    })
    return undefined
  }
  const raw = value as Record<string, unknown>
  // A valid source (the usual case) is recognised directly; anything else goes through the schema, which words the
  // issues. `isPlainValidTemplateSource` is true only when the schema would find none.
  const issues: z.core.$ZodIssue[] = []
  if (!isPlainValidTemplateSource(raw)) {
    issues.push(...(sourceSchemas().templateSourceSchema.safeParse(raw, { reportInput: true }).error?.issues ?? []))
    // zod skips a record entry keyed `__proto__`; check such fields on their own so nothing escapes the schema.
    for (const [path, fields] of fieldMaps(raw)) {
      if (fields && Object.hasOwn(fields, '__proto__')) {
        for (const issue of sourceSchemas().variableSourceSchema.safeParse(fields.__proto__, { reportInput: true }).error?.issues ?? []) {
          issues.push({ ...issue, path: [...path, '__proto__', ...issue.path] })
        }
      }
    }
  }
  for (const issue of issues) source.diagnostics.push(...issueDiagnostics(issue, source))
  // A bad slug is not soft: it ends up in URLs (`PUT /v1/templates/:slug`) and file names.
  if (issues.some((i) => !SOFT_ISSUES.has(i.code) || (i.path.length === 1 && i.path[0] === 'slug'))) return undefined

  const fields = (path: string[], map: unknown): VariableDefinition[] =>
    keysAt(path).map((key) => {
      const def = (map as Record<string, Record<string, unknown>>)[key]!
      // Key order as the API documents it; optional fields only when written.
      const v = { key } as VariableDefinition
      if (typeof def.label === 'string') v.label = def.label
      v.dataType = def.dataType as VariableDefinition['dataType']
      if (typeof def.required === 'boolean') v.required = def.required
      return v
    })
  const loopsMap = (raw.loops ?? null) as Record<string, Record<string, unknown>> | null
  const loops: LoopDefinition[] = keysAt(['loops']).map((key) => {
    const def = loopsMap![key]!
    const loop: LoopDefinition = { key, label: def.label as string, itemFields: fields(['loops', key, 'itemFields'], def.itemFields) }
    if (Array.isArray(def.previewData)) loop.previewData = def.previewData as Record<string, unknown>[]
    return loop
  })
  const t: SourceTemplate = {
    slug: raw.slug as string,
    name: raw.name as string,
    manifest: { variables: fields(['variables'], raw.variables ?? null), loops },
  }
  if (Object.hasOwn(raw, 'description')) t.description = raw.description as string | null
  if (raw.templateType !== undefined) t.templateType = raw.templateType as SourceTemplate['templateType']
  if (raw.pageConfig !== undefined) {
    const p = raw.pageConfig as Record<string, unknown>
    const page: PageConfig = {}
    for (const k of ['format', 'orientation', 'margin', 'printBackground'] as const) if (p[k] !== undefined) (page as Record<string, unknown>)[k] = p[k]
    t.pageConfig = page
  }
  if (raw.layout !== undefined) t.layout = raw.layout
  return t
}

function* fieldMaps(raw: Record<string, unknown>): Generator<[string[], Record<string, unknown> | undefined]> {
  yield [['variables'], asObject(raw.variables)]
  const loops = asObject(raw.loops)
  if (!loops) return
  for (const key of Object.keys(loops)) yield [['loops', key, 'itemFields'], asObject(asObject(loops[key])?.itemFields)]
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
}

const topLevelKeys = () => Object.keys(sourceSchemas().templateSourceSchema.shape).filter((k) => k !== '$schema')

function issueDiagnostics(issue: z.core.$ZodIssue, source: TemplateSource): Diagnostic[] {
  const path = issue.path.map(String)
  const where = path.length ? path.join(' > ') : 'the template'
  const publish = 'Craftkit rejects the template at publish (400 invalid_request)'
  const base = { code: 'schema', severity: 'error' as const, file: source.file }
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(path)
    return issue.keys.map((key) => ({
      ...base,
      message: `Unknown key "${key}" in ${where}: it is not part of a Craftkit template and would be ignored, so whatever it was meant to do will not happen.`,
      hint: `Allowed here: ${allowed}.${suggest(key, allowed.split(', '))}`,
      ...locate(source.locations, [...path, key], 'key'),
    }))
  }
  const last = path[path.length - 1]
  let message: string
  let hint: string
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    message = `${where} is missing: ${publish}.`
    hint = `Add \`${last}:\`${last === 'dataType' ? ` (one of ${DATA_TYPES.join(', ')})` : ''}.`
  } else if (issue.code === 'invalid_value' && last === 'dataType') {
    message = `Unknown dataType ${JSON.stringify(issue.input)} at ${where}: ${publish}.`
    hint = `Use one of: ${DATA_TYPES.join(', ')}.`
  } else if (issue.code === 'invalid_union' && last === 'layout') {
    message = `layout must be a file path (./layout.json) or an inline object: ${publish}.`
    hint = 'Write `layout: ./layout.json` with the JSON in this folder, or an inline mapping with `sections` or `pages`.'
  } else if (issue.code === 'too_small' && last === 'name') {
    message = `name is empty: ${publish}.`
    hint = 'Give the template a display name of 1-120 characters.'
  } else if (issue.code === 'too_big' && last === 'previewData') {
    message = `previewData has more than ${issue.maximum} rows: ${publish}.`
    hint = `Keep at most ${issue.maximum} sample rows; put bigger data sets in fixtures/*.json.`
  } else if (issue.code === 'too_big' && (last === 'name' || last === 'description' || last === 'slug')) {
    message = `${last} is longer than ${issue.maximum} characters: ${publish}.`
    hint = `Shorten it to at most ${issue.maximum} characters.`
  } else if (issue.code === 'invalid_format' && last === 'slug') {
    message = `slug ${JSON.stringify(issue.input)} is not a valid slug: ${publish}.`
    hint = 'Use kebab-case (a-z, 0-9, single hyphens), the same as the folder name.'
  } else {
    message = `${where}: ${issue.message.replace(/^Invalid input: /, '')}; ${publish}.`
    hint = 'See template.schema.json (your editor shows it through the yaml-language-server modeline).'
  }
  return [{ ...base, message, hint, ...locate(source.locations, path, 'value') }]
}

function allowedKeys(path: string[]): string {
  if (path.length === 0) return topLevelKeys().join(', ')
  if (path[0] === 'pageConfig') return 'format, orientation, margin, printBackground'
  if (path[0] === 'loops' && path.length === 2) return 'label, itemFields, previewData'
  return 'label, dataType, required'
}

function suggest(key: string, options: string[]): string {
  const close = closest(key, options)
  return close ? ` Did you mean "${close}"?` : ''
}

function loadLayoutFile(root: string, dir: string, ref: string, source: TemplateSource): unknown {
  const fail = (message: string, hint: string): undefined => {
    source.diagnostics.push({ code: 'schema', severity: 'error', message, hint, file: source.file, ...locate(source.locations, ['layout']) })
    return undefined
  }
  const path = resolve(dir, ref)
  const rel = relative(dir, path)
  if (isAbsolute(ref) || rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    return fail(`layout ${JSON.stringify(ref)} points outside the template folder: a template must be publishable from its own folder.`, 'Put the layout file in this folder and write `layout: ./layout.json`.')
  }
  const file = toPosix(relative(root, path))
  const read = readText(path, SOURCE_LIMITS.templateBytes)
  if (read.kind === 'missing') return fail(`layout file ${JSON.stringify(ref)} does not exist: the template cannot be published with its layout.`, `Create ${file}, or remove the layout line to let Craftkit synthesize one.`)
  if (read.kind !== 'ok') {
    source.diagnostics.push(readDiagnostic(read, file, SOURCE_LIMITS.templateBytes, 'layout'))
    return undefined
  }
  source.layoutSource = { file, text: read.text }
  const parsed = parseJson(read.text, file, 'layout')
  if (!parsed.ok) {
    source.diagnostics.push(parsed.diagnostic)
    return undefined
  }
  if (parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    return fail(`layout file ${JSON.stringify(ref)} must hold a JSON object (a CanvasDocument with \`sections\` or a layout with \`pages\`).`, 'Wrap the layout in an object.')
  }
  return parsed.value
}

function loadFixtures(root: string, dir: string, diagnostics: Diagnostic[]): FixtureSource[] {
  const fixturesDir = join(dir, 'fixtures')
  // Most templates have no fixtures: a failed readdir (an ENOENT error with its stack) costs more than this check.
  if (!existsSync(fixturesDir)) return []
  let names: string[]
  try {
    names = readdirSync(fixturesDir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => e.name)
  } catch {
    return []
  }
  names.sort(compareStrings)
  const fixtures: FixtureSource[] = []
  for (const name of names) {
    const path = join(fixturesDir, name)
    const file = toPosix(relative(root, path))
    const read = readText(path, SOURCE_LIMITS.fixtureBytes)
    if (read.kind !== 'ok') {
      if (read.kind !== 'missing') diagnostics.push(readDiagnostic(read, file, SOURCE_LIMITS.fixtureBytes, 'fixture'))
      continue
    }
    const parsed = parseJson(read.text, file, 'fixture')
    if (!parsed.ok) {
      diagnostics.push(parsed.diagnostic)
      continue
    }
    fixtures.push({ name: name.slice(0, -'.json'.length), file, data: parsed.value, text: read.text })
  }
  return fixtures
}

type ReadResult = { kind: 'ok'; text: string } | { kind: 'missing' } | { kind: 'too-large'; size: number } | { kind: 'unreadable'; reason: string }

function readText(path: string, limit: number): ReadResult {
  try {
    const info = statSync(path)
    if (!info.isFile()) return { kind: 'unreadable', reason: 'it is not a file' }
    if (info.size > limit) return { kind: 'too-large', size: info.size }
    let text = readFileSync(path, 'utf8')
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    return { kind: 'ok', text }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' }
    return { kind: 'unreadable', reason: code ?? String(error) }
  }
}

function readDiagnostic(read: Exclude<ReadResult, { kind: 'ok' } | { kind: 'missing' }>, file: string, limit: number, what: string): Diagnostic {
  if (read.kind === 'too-large') {
    return sourceError(
      'source-too-large',
      file,
      `The ${what} file is ${formatBytes(read.size)}, over Galley's ${formatBytes(limit)} limit: it was not read, so it is neither linted nor published.`,
      what === 'fixture' ? 'Keep fixtures to realistic sample data.' : 'A template source is small; check that this is the right file (generated data does not belong here).',
    )
  }
  return sourceError('source-unreadable', file, `The ${what} file cannot be read (${read.reason}).`, 'Check the file exists and is readable.')
}

function sourceError(code: string, file: string, message: string, hint: string): Diagnostic {
  return { code, severity: 'error', message, hint, file, line: 1, column: 1 }
}

/** JSON.parse with a positioned diagnostic for a syntax error. */
export function parseJson(text: string, file: string, what: string): { ok: true; value: unknown } | { ok: false; diagnostic: Diagnostic } {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const m = /at position (\d+)/.exec(message)
    const pos = textPosition(text, m ? Number(m[1]) : text.length)
    return {
      ok: false,
      diagnostic: {
        code: 'json-syntax',
        severity: 'error',
        message: `The ${what} is not valid JSON (${message.replace(/ in JSON at position \d+.*$/, '')}): it cannot be used.`,
        hint: 'Fix the JSON at this position (no comments, no trailing commas, double-quoted keys).',
        file,
        line: pos.line,
        column: pos.column,
      },
    }
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/')
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
