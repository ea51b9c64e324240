import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach } from 'vitest'
import { lintSources, loadTemplateSources, parseTemplateSource, type Diagnostic, type TemplateSource } from '../src/index.ts'

export const FIXTURES = join(import.meta.dirname, 'fixtures')
export const REPO = join(import.meta.dirname, '../../..')

const made: string[] = []
afterEach(() => {
  while (made.length) rmSync(made.pop()!, { recursive: true, force: true })
})

/** A temporary folder holding `files` (path -> text); removed after the test. */
export function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'galley-core-'))
  made.push(dir)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}

/** Lints one template given as YAML text (plus fixtures), without touching disk. */
export function lintYaml(yaml: string, options: { slug?: string; fixtures?: Record<string, unknown>; rules?: Record<string, 'off' | 'warning' | 'error'> } = {}): Diagnostic[] {
  const slug = options.slug ?? 'sample'
  const source: TemplateSource = parseTemplateSource(yaml, { slug, dir: `/virtual/templates/${slug}`, file: `templates/${slug}/template.yaml` })
  source.fixtures = Object.entries(options.fixtures ?? {}).map(([name, data]) => {
    const text = JSON.stringify(data, null, 2)
    return { name, file: `templates/${slug}/fixtures/${name}.json`, data: JSON.parse(text), text }
  })
  return lintSources([source], options.rules ? { rules: options.rules } : {})
}

/** `code@line:col` of each diagnostic: what the table tests compare. */
export function brief(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.code}@${d.file.split('/').pop()}:${d.line}:${d.column}`)
}

export async function lintFolder(root: string, rules?: Record<string, 'off' | 'warning' | 'error'>): Promise<Diagnostic[]> {
  return lintSources(await loadTemplateSources({ root, templatesDir: 'templates' }), rules ? { rules } : {})
}
