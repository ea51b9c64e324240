import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { loadTemplateSources, toTemplateBody, type TemplateBody } from '@galley/core'
import type { GenerateOptions, TemplateInput } from '../src/index.ts'

export const FIXTURES = join(import.meta.dirname, 'fixtures')
export const REPO = resolve(import.meta.dirname, '../../..')

/** Per-case settings, kept in the case folder (`case.json`), not in the test. */
export interface CaseSettings {
  description?: string
  /** Where the case's templates are, relative to the case folder. @default 'templates' */
  templatesDir?: string
  options?: Pick<GenerateOptions, 'preflight' | 'clientModule'>
  /** Pins, as `--pin-versions` would set them from a snapshot. */
  versionNumbers?: Record<string, number>
}

export function caseNames(): string[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
}

export async function readCase(name: string): Promise<{ dir: string; settings: CaseSettings; templates: TemplateInput[] }> {
  const dir = join(FIXTURES, name)
  const settingsFile = join(dir, 'case.json')
  const settings: CaseSettings = existsSync(settingsFile) ? JSON.parse(readFileSync(settingsFile, 'utf8')) : {}
  const templatesDir = resolve(dir, settings.templatesDir ?? 'templates')
  // Source paths are relative to the project root: the repo for the repo's templates, else the case folder.
  const root = templatesDir === join(REPO, 'templates') ? REPO : dir
  const templates = (await readTemplates(templatesDir, root)).map((t) => ({ ...t, versionNumber: settings.versionNumbers?.[t.slug] ?? null }))
  return { dir, settings, templates }
}

/**
 * The generator inputs of a templates folder, read by `@galley/core`'s `loadTemplateSources` (as `galley
 * generate` reads them). A source with an error fails the test: every fixture must be a valid template.
 */
export async function readTemplates(templatesDir: string, root: string): Promise<TemplateInput[]> {
  return (await readSources(templatesDir, root)).map(({ input }) => input)
}

/** Generator inputs and the `PUT /v1/templates/:slug` body of each template in a folder. */
export async function readSources(templatesDir: string, root: string): Promise<{ input: TemplateInput; body: TemplateBody }[]> {
  const sources = await loadTemplateSources({ root, templatesDir })
  return sources.map((source) => {
    const errors = source.diagnostics.filter((d) => d.severity === 'error')
    if (!source.template || errors.length > 0) {
      throw new Error(`${source.file} does not load: ${errors.map((d) => `${d.line}:${d.column} ${d.message}`).join('; ')}`)
    }
    const t = source.template
    return {
      input: { slug: t.slug, name: t.name, description: t.description ?? null, manifest: t.manifest, sourcePath: source.file },
      body: toTemplateBody(t),
    }
  })
}

/** The repo's own templates (templates/ at the repo root): generator inputs and PUT bodies, for the e2e test. */
export async function loadRepoTemplates(): Promise<{ inputs: TemplateInput[]; bodies: Map<string, TemplateBody> }> {
  const sources = await readSources(join(REPO, 'templates'), REPO)
  return { inputs: sources.map((s) => s.input), bodies: new Map(sources.map((s) => [s.input.slug, s.body])) }
}
