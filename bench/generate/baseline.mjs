// The baseline of bench/generate: what a user would write without Galley. For each template: parse the YAML,
// build its JSON Schema, call json-schema-to-typescript's `compile` with default options (its own banner and
// Prettier pass), and concatenate the results into one file. Run as its own process, like `galley generate`.
// `node bench/generate/baseline.mjs <project dir> <out file>`
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const repo = join(import.meta.dirname, '../..')
// The bench imports the built packages and their own dependencies (pnpm does not hoist them to the root).
const fromCore = createRequire(join(repo, 'packages/core/package.json'))
const fromCodegen = createRequire(join(repo, 'packages/codegen/package.json'))
const { parse } = await import(fromCore.resolve('yaml'))
const { compile } = await import(fromCodegen.resolve('json-schema-to-typescript'))
const { manifestToJsonSchema } = await import(join(repo, 'packages/core/dist/index.mjs'))

const [dir, out] = process.argv.slice(2)
const fields = (map) => Object.entries(map ?? {}).map(([key, f]) => ({ key, ...f }))
const slugs = readdirSync(join(dir, 'templates')).sort()
const parts = []
for (const slug of slugs) {
  const source = parse(readFileSync(join(dir, 'templates', slug, 'template.yaml'), 'utf8'))
  const manifest = {
    variables: fields(source.variables),
    loops: Object.entries(source.loops ?? {}).map(([key, l]) => ({ key, label: l.label, itemFields: fields(l.itemFields) })),
  }
  const name = `${slug.replace(/(^|-)([a-z0-9])/g, (_, __, c) => c.toUpperCase())}Data`
  parts.push(await compile(manifestToJsonSchema(manifest), name))
}
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, parts.join('\n'))
