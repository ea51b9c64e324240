import { canonicalManifest, GalleyError, type Manifest } from '@galley/core'
import type { TemplateInput } from './generate.ts'

/** The `format` of a snapshot file; a later incompatible layout gets a new one. */
export const SNAPSHOT_FORMAT = 'galley.remote-snapshot/1'

/**
 * The published templates of a target, as `galley generate --from remote` read them. Written so that a build
 * can repeat offline (`--from snapshot`) and pin the versions it was generated from. The text is deterministic
 * (templates sorted by slug, fixed key order, no timestamps, no URLs or keys), so it can be committed and
 * reviewed.
 */
export interface RemoteSnapshot {
  format: typeof SNAPSHOT_FORMAT
  /** The target's name (`embedded`, an environment name, or `env`); never its URL or key. */
  target: string
  templates: RemoteTemplate[]
}

export interface RemoteTemplate {
  slug: string
  name: string
  description: string | null
  /** The published version the manifest belongs to (`currentVersionNumber`). */
  versionNumber: number
  /** Canonical (`canonicalManifest`), so its hash equals the hash of the source it was published from. */
  manifest: Manifest
}

/** What fetching reads from a client: `@galley/client`'s `client.templates` satisfies it. */
export interface TemplateReader {
  templates: {
    list(): Promise<unknown>
    get(slug: string): Promise<unknown>
  }
}

export interface FetchSnapshotOptions {
  /** Recorded in the snapshot. */
  target: string
  /**
   * Requests in flight at once while reading each template.
   * @default 8
   */
  concurrency?: number
  /** Only these slugs (all when omitted). */
  slugs?: readonly string[]
}

export interface FetchSnapshotResult {
  snapshot: RemoteSnapshot
  /** Templates that were listed but cannot be generated (no published version). */
  skipped: { slug: string; reason: string }[]
}

/**
 * Reads every published template of a target: `GET /v1/templates`, then `GET /v1/templates/:slug` for each
 * (the list carries no manifests), a bounded number at a time.
 */
export async function fetchRemoteSnapshot(client: TemplateReader, options: FetchSnapshotOptions): Promise<FetchSnapshotResult> {
  const listed = await client.templates.list()
  const summaries = (Array.isArray(listed) ? listed : isRecord(listed) && Array.isArray(listed.templates) ? listed.templates : null) as unknown[] | null
  if (summaries === null) throw new GalleyError('remote-invalid-response', 'The template list of the target is not an array of templates.')
  let slugs = summaries.map((s) => (isRecord(s) && typeof s.slug === 'string' ? s.slug : null)).filter((s): s is string => s !== null)
  if (options.slugs) {
    const wanted = new Set(options.slugs)
    slugs = slugs.filter((s) => wanted.has(s))
  }
  const templates: RemoteTemplate[] = []
  const skipped: FetchSnapshotResult['skipped'] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < slugs.length) {
      const slug = slugs[next++]!
      const detail = await client.templates.get(slug)
      const template = toRemoteTemplate(detail, slug)
      if (typeof template === 'string') skipped.push({ slug, reason: template })
      else templates.push(template)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, slugs.length)) }, worker))
  templates.sort((a, b) => compare(a.slug, b.slug))
  skipped.sort((a, b) => compare(a.slug, b.slug))
  return { snapshot: { format: SNAPSHOT_FORMAT, target: options.target, templates }, skipped }
}

function toRemoteTemplate(detail: unknown, slug: string): RemoteTemplate | string {
  if (!isRecord(detail)) return 'the target returned no template'
  if (detail.published === false || detail.manifest === null || detail.manifest === undefined) return 'it has no published version'
  if (typeof detail.currentVersionNumber !== 'number') return 'it has no current version number'
  return {
    slug,
    name: typeof detail.name === 'string' ? detail.name : slug,
    description: typeof detail.description === 'string' ? detail.description : null,
    versionNumber: detail.currentVersionNumber,
    manifest: canonicalManifest(readManifest(detail.manifest, `template "${slug}" of the target`)),
  }
}

/** The snapshot as JSON text: two-space indentation, fixed key order, a final newline. */
export function serializeSnapshot(snapshot: RemoteSnapshot): string {
  const ordered: RemoteSnapshot = {
    format: snapshot.format,
    target: snapshot.target,
    templates: [...snapshot.templates]
      .sort((a, b) => compare(a.slug, b.slug))
      .map((t) => ({ slug: t.slug, name: t.name, description: t.description, versionNumber: t.versionNumber, manifest: canonicalManifest(t.manifest) })),
  }
  return `${JSON.stringify(ordered, null, 2)}\n`
}

/**
 * Reads a snapshot file's text.
 * @throws GalleyError `snapshot-invalid` naming the file and what is wrong.
 */
export function parseSnapshot(text: string, file: string): RemoteSnapshot {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw invalid(file, `it is not JSON (${(error as Error).message})`)
  }
  if (!isRecord(json) || json.format !== SNAPSHOT_FORMAT) throw invalid(file, `its "format" is not "${SNAPSHOT_FORMAT}"`)
  if (typeof json.target !== 'string') throw invalid(file, '"target" is not a string')
  if (!Array.isArray(json.templates)) throw invalid(file, '"templates" is not an array')
  const templates = json.templates.map((t, i): RemoteTemplate => {
    const where = `templates[${i}]`
    if (!isRecord(t) || typeof t.slug !== 'string' || typeof t.name !== 'string') throw invalid(file, `${where} has no string "slug" and "name"`)
    if (typeof t.versionNumber !== 'number' || !Number.isInteger(t.versionNumber)) throw invalid(file, `${where}.versionNumber is not an integer`)
    if (t.description !== null && typeof t.description !== 'string') throw invalid(file, `${where}.description is neither a string nor null`)
    return { slug: t.slug, name: t.name, description: t.description, versionNumber: t.versionNumber, manifest: readManifest(t.manifest, `${file}: ${where}.manifest`) }
  })
  return { format: SNAPSHOT_FORMAT, target: json.target, templates }
}

export interface SnapshotTemplatesOptions {
  /** Posix path of the templates folder relative to the project root: sources are named `<dir>/<slug>/template.yaml`. */
  templatesDir: string
  /** Pin each render function to the snapshot's version. @default false */
  pinVersions?: boolean
}

/**
 * The snapshot's templates as generator input. Each `sourcePath` is where the template's source lives (or
 * would live after `galley pull`), so a module generated from a target is byte-identical to one generated from
 * the sources that were published to it.
 */
export function snapshotTemplates(snapshot: RemoteSnapshot, options: SnapshotTemplatesOptions): TemplateInput[] {
  const dir = options.templatesDir.replace(/\/+$/, '')
  return snapshot.templates.map((t) => ({
    slug: t.slug,
    name: t.name,
    description: t.description,
    manifest: t.manifest,
    sourcePath: `${dir === '' || dir === '.' ? '' : `${dir}/`}${t.slug}/template.yaml`,
    versionNumber: options.pinVersions ? t.versionNumber : null,
  }))
}

function readManifest(value: unknown, where: string): Manifest {
  const fail = (what: string) => new GalleyError('snapshot-invalid', `The manifest of ${where} is not a Craftkit manifest: ${what}.`)
  if (!isRecord(value) || !Array.isArray(value.variables)) throw fail('"variables" is not an array')
  const loops = value.loops ?? []
  if (!Array.isArray(loops)) throw fail('"loops" is not an array')
  const field = (f: unknown, at: string) => {
    if (!isRecord(f) || typeof f.key !== 'string' || typeof f.dataType !== 'string') throw fail(`${at} has no string "key" and "dataType"`)
    return f as unknown as Manifest['variables'][number]
  }
  return {
    variables: value.variables.map((v, i) => field(v, `variables[${i}]`)),
    loops: loops.map((l, i) => {
      if (!isRecord(l) || typeof l.key !== 'string' || !Array.isArray(l.itemFields)) throw fail(`loops[${i}] has no string "key" and "itemFields" array`)
      return { ...(l as unknown as Manifest['loops'][number]), itemFields: l.itemFields.map((f, j) => field(f, `loops[${i}].itemFields[${j}]`)) }
    }),
  }
}

function invalid(file: string, what: string): GalleyError {
  return new GalleyError('snapshot-invalid', `The snapshot ${file} cannot be read: ${what}.`, {
    hint: 'Write it again with `galley generate --from remote` (it is generated; do not edit it).',
  })
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
