import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative, resolve } from 'node:path'
import type { Manifest, VariableDefinition } from '@galley/core'
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

export function readCase(name: string): { dir: string; settings: CaseSettings; templates: TemplateInput[] } {
  const dir = join(FIXTURES, name)
  const settingsFile = join(dir, 'case.json')
  const settings: CaseSettings = existsSync(settingsFile) ? JSON.parse(readFileSync(settingsFile, 'utf8')) : {}
  const templatesDir = resolve(dir, settings.templatesDir ?? 'templates')
  // Source paths are relative to the project root: the repo for the repo's templates, else the case folder.
  const root = templatesDir === join(REPO, 'templates') ? REPO : dir
  const templates = loadTemplateSources(templatesDir, root).map((t) => ({ ...t, versionNumber: settings.versionNumbers?.[t.slug] ?? null }))
  return { dir, settings, templates }
}

// TEMPORARY: reads template.yaml with the `yaml` package until @galley/core's source parser lands.
const { parse } = createRequire(join(REPO, 'packages/core/package.json'))('yaml') as { parse(text: string): any }

export function loadTemplateSources(templatesDir: string, root: string): TemplateInput[] {
  if (!existsSync(templatesDir)) return []
  return readdirSync(templatesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(templatesDir, e.name, 'template.yaml')))
    .map((e) => {
      const file = join(templatesDir, e.name, 'template.yaml')
      const source = parse(readFileSync(file, 'utf8'))
      const fields = (map: Record<string, Omit<VariableDefinition, 'key'>> | null | undefined): VariableDefinition[] =>
        Object.entries(map ?? {}).map(([key, f]) => ({ key, ...f }))
      const manifest: Manifest = {
        variables: fields(source.variables),
        loops: Object.entries((source.loops ?? {}) as Record<string, any>).map(([key, l]) => ({
          key,
          label: l.label,
          itemFields: fields(l.itemFields),
          ...(l.previewData ? { previewData: l.previewData } : {}),
        })),
      }
      return { slug: source.slug, name: source.name, description: source.description ?? null, manifest, sourcePath: relative(root, file).split('\\').join('/') }
    })
}
