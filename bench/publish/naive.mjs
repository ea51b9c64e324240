#!/usr/bin/env node
// The baseline of bench/publish: what a naive CI script does without Galley. Reads the sources, then PUTs every
// template, 4 at a time, whether it changed or not (each PUT mints a version). Run as its own process, like
// `galley publish`. `CRAFTKIT_BASE_URL=… CRAFTKIT_API_KEY=… node bench/publish/naive.mjs <project dir>`
import { join } from 'node:path'

const repo = join(import.meta.dirname, '../..')
const { createClient } = await import(join(repo, 'packages/client/dist/index.mjs'))
const { loadTemplateSources, toTemplateBody } = await import(join(repo, 'packages/core/dist/index.mjs'))

const dir = process.argv[2]
const client = createClient()
const sources = await loadTemplateSources({ root: dir, templatesDir: join(dir, 'templates') })
const bodies = sources.map((s) => [s.slug, toTemplateBody(s.template)])
let next = 0
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (next < bodies.length) {
      const [slug, body] = bodies[next++]
      await client.templates.put(slug, body)
    }
  }),
)
console.log(`PUT ${bodies.length} templates`)
