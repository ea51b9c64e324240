// Loads what bench/emulator measures: the invoice template as a publish body, its `standard` fixture validated
// by @galley/core, and the emulator's renderDocument (from the built package when it exports it, else from
// src/render through jiti, the TypeScript loader @galley/core already depends on).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

export const repo = join(import.meta.dirname, '../..')
export const fromEmulator = createRequire(join(repo, 'packages/emulator/package.json'))
const fromCore = createRequire(join(repo, 'packages/core/package.json'))

/** templates/<slug>/template.yaml as a PUT /v1/templates/:slug body (maps keyed by key become arrays, in order). */
export function loadTemplateBody(slug) {
  const { parse } = fromEmulator('yaml')
  const doc = parse(readFileSync(join(repo, 'templates', slug, 'template.yaml'), 'utf8'))
  const fields = (m = {}) => Object.entries(m).map(([key, def]) => ({ key, ...def }))
  const body = {
    name: doc.name,
    description: doc.description ?? null,
    manifest: {
      variables: fields(doc.variables),
      loops: Object.entries(doc.loops ?? {}).map(([key, l]) => {
        const loop = { key, label: l.label, itemFields: fields(l.itemFields) }
        if (l.previewData) loop.previewData = l.previewData
        return loop
      }),
    },
  }
  if (doc.pageConfig) body.pageConfig = doc.pageConfig
  if (doc.layout) body.layout = doc.layout
  return body
}

export function loadFixture(slug, name) {
  return JSON.parse(readFileSync(join(repo, 'templates', slug, 'fixtures', `${name}.json`), 'utf8'))
}

export async function loadCore() {
  return import(join(repo, 'packages/core/dist/index.mjs'))
}

/** `{ renderDocument, source }` */
export async function loadRenderDocument() {
  const dist = await import(join(repo, 'packages/emulator/dist/index.mjs')).catch(() => ({}))
  if (typeof dist.renderDocument === 'function') return { renderDocument: dist.renderDocument, source: 'packages/emulator/dist' }
  const { createJiti } = await import(fromCore.resolve('jiti'))
  const jiti = createJiti(join(repo, 'packages/emulator/src/render/index.ts'))
  const mod = await jiti.import(join(repo, 'packages/emulator/src/render/index.ts'))
  return { renderDocument: mod.renderDocument, source: 'packages/emulator/src/render (jiti)' }
}
