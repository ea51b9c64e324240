// Reads the bench corpus as generator input with @galley/core's `loadTemplateSources`, the reader behind
// `galley generate` (positions, schema checks, fixtures), so the codegen-alone row pays what the CLI pays.
import { join } from 'node:path'

const repo = join(import.meta.dirname, '../..')
const { loadTemplateSource, loadTemplateSources } = await import(join(repo, 'packages/core/dist/index.mjs'))

function toInput(source) {
  const errors = source.diagnostics.filter((d) => d.severity === 'error')
  if (!source.template || errors.length > 0) throw new Error(`${source.file}: ${errors.map((d) => `${d.line}:${d.column} ${d.message}`).join('; ')}`)
  const t = source.template
  return { slug: t.slug, name: t.name, description: t.description ?? null, manifest: t.manifest, sourcePath: source.file }
}

/** One template again, after its source changed (what a watcher does). */
export async function reloadTemplate(dir, slug) {
  return toInput(await loadTemplateSource(dir, join(dir, 'templates', slug), slug))
}

export async function loadTemplates(dir) {
  return (await loadTemplateSources({ root: dir, templatesDir: 'templates' })).map(toInput)
}
