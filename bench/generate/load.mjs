// Reads the bench corpus as generator input. TEMPORARY: parses template.yaml with the `yaml` package until
// @galley/core's source parser (packages/core/src/source) lands; then this calls it instead.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const repo = join(import.meta.dirname, '../..')
const { parse } = createRequire(join(repo, 'packages/core/package.json'))('yaml')
const fields = (map) => Object.entries(map ?? {}).map(([key, f]) => ({ key, ...f }))

export async function reloadTemplate(dir, slug) {
  const source = parse(readFileSync(join(dir, 'templates', slug, 'template.yaml'), 'utf8'))
  return {
    slug: source.slug,
    name: source.name,
    description: source.description ?? null,
    manifest: {
      variables: fields(source.variables),
      loops: Object.entries(source.loops ?? {}).map(([key, l]) => ({ key, label: l.label, itemFields: fields(l.itemFields) })),
    },
    sourcePath: `templates/${slug}/template.yaml`,
  }
}

export async function loadTemplates(dir) {
  return Promise.all(readdirSync(join(dir, 'templates')).sort().map((slug) => reloadTemplate(dir, slug)))
}
