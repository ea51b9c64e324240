import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkPublishable, lintSources, loadTemplateSources, parseTemplateBody, SOURCE_LIMITS, toTemplateBody } from '../../src/index.ts'
import { brief, REPO, tempProject } from '../utils.ts'

describe('loadTemplateSources', () => {
  it('reads the repo templates into models, file order kept, fixtures sorted, all lint-clean', async () => {
    const sources = await loadTemplateSources({ root: REPO, templatesDir: 'templates' })
    expect(sources.map((s) => s.slug)).toEqual(['charter-handover', 'delivery-note', 'inspection-report', 'invoice'])
    const handover = sources[0]!
    expect(handover.file).toBe('templates/charter-handover/template.yaml')
    expect(handover.fixtures.map((f) => [f.name, f.file])).toEqual([
      ['checkin', 'templates/charter-handover/fixtures/checkin.json'],
      ['checkout', 'templates/charter-handover/fixtures/checkout.json'],
    ])
    expect(handover.template?.manifest.variables.map((v) => v.key)).toEqual([
      'booking.code',
      'booking.activityName',
      'handover.kind',
      'handover.date',
      'handover.signedBy',
      'handover.signatureUrl',
    ])
    expect(handover.template?.manifest.loops[0]).toEqual({
      key: 'areas',
      label: 'Inspection areas',
      itemFields: [
        { key: 'areaKey', label: 'Area', dataType: 'text', required: true },
        { key: 'condition', label: 'Condition', dataType: 'text', required: true },
        { key: 'severity', label: 'Severity', dataType: 'text' },
        { key: 'location', label: 'Location', dataType: 'text' },
      ],
      previewData: [{ areaKey: 'hull', condition: 'damage', severity: 'cosmetic', location: 'port bow' }],
    })
    expect(lintSources(sources)).toEqual([])
  })

  it('turns a source into the body PUT /v1/templates/:slug accepts', async () => {
    const [source] = await loadTemplateSources({ root: REPO, templatesDir: 'templates', only: ['charter-handover'] })
    const body = toTemplateBody(source!.template!)
    expect(Object.keys(body)).toEqual(['name', 'manifest', 'description', 'pageConfig'])
    expect(body.pageConfig).toEqual({ format: 'A4', orientation: 'portrait', margin: '20mm' })
    expect(parseTemplateBody(body).ok).toBe(true)
  })

  it('keeps file order even for integer-like keys (a JS object would move them first)', async () => {
    const root = tempProject({
      'templates/order/template.yaml': 'slug: order\nname: O\nvariables:\n  b: { dataType: text }\n  "2": { dataType: text }\n  a: { dataType: text }\n  "1": { dataType: text }\n',
    })
    const [s] = await loadTemplateSources({ root, templatesDir: 'templates' })
    expect(s!.template!.manifest.variables.map((v) => v.key)).toEqual(['b', '2', 'a', '1'])
  })

  it('reads `layout: ./layout.json` from the folder and keeps an inline layout as written', async () => {
    const root = tempProject({
      'templates/a/template.yaml': 'slug: a\nname: A\nvariables: { x: { dataType: text } }\nlayout: ./layout.json\n',
      'templates/a/layout.json': '{ "sections": ["{{ x }}"] }',
      'templates/b/template.yaml': 'slug: b\nname: B\nvariables: { x: { dataType: text } }\nlayout: { sections: ["{{ x }}"] }\n',
    })
    const [a, b] = await loadTemplateSources({ root, templatesDir: 'templates' })
    expect(a!.template!.layout).toEqual({ sections: ['{{ x }}'] })
    expect(a!.layoutSource?.file).toBe('templates/a/layout.json')
    expect(b!.template!.layout).toEqual({ sections: ['{{ x }}'] })
  })

  it('ignores folders without template.yaml, and points at template.yml', async () => {
    const root = tempProject({
      'templates/notes/README.md': 'not a template',
      'templates/yml/template.yml': 'slug: yml\nname: Y\n',
      'templates/.hidden/template.yaml': 'slug: hidden\nname: H\n',
    })
    const sources = await loadTemplateSources({ root, templatesDir: 'templates' })
    expect(sources.map((s) => s.slug)).toEqual(['yml'])
    expect(brief(sources[0]!.diagnostics)).toEqual(['source-missing@template.yml:1:1'])
  })

  it('returns nothing for a missing templates folder', async () => {
    expect(await loadTemplateSources({ root: tempProject({}), templatesDir: 'templates' })).toEqual([])
  })

  it(`refuses a 10 MB template.yaml over the ${SOURCE_LIMITS.templateBytes / 1024 / 1024} MB limit without reading it`, async () => {
    const big = `slug: big\nname: Big\nvariables:\n${Array.from({ length: 260_000 }, (_, i) => `  v${i}: { dataType: text }`).join('\n')}\n`
    expect(big.length).toBeGreaterThan(10 * 1024 * 1024 * 0.6)
    const root = tempProject({ 'templates/big/template.yaml': big.padEnd(10 * 1024 * 1024, '#') })
    const [s] = await loadTemplateSources({ root, templatesDir: 'templates' })
    expect(s!.template).toBeUndefined()
    expect(s!.diagnostics).toMatchObject([{ code: 'source-too-large', severity: 'error', file: 'templates/big/template.yaml', line: 1, column: 1 }])
    expect(s!.diagnostics[0]!.message).toMatch(/10\.0 MB, over Galley's 1\.0 MB limit/)
  })

  it('keeps __proto__ and constructor as data and pollutes no prototype', async () => {
    const root = tempProject({
      'templates/p/template.yaml': 'slug: p\nname: P\nvariables:\n  __proto__: { dataType: text }\n  constructor.name: { dataType: text }\npageConfig: { format: A4 }\n',
      'templates/p/fixtures/f.json': '{ "__proto__": { "polluted": 1 }, "constructor": { "name": "x" } }',
    })
    const [s] = await loadTemplateSources({ root, templatesDir: 'templates' })
    expect(s!.template!.manifest.variables.map((v) => v.key)).toEqual(['__proto__', 'constructor.name'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('dataType')
    expect(brief(lintSources([s!]))).toEqual(['fixture-invalid@f.json:1:16'])
  })

  it('says that a pdf-overlay source cannot be published (lint still works on it)', async () => {
    const root = tempProject({ 'templates/o/template.yaml': 'slug: o\nname: O\ntemplateType: pdf-overlay\nvariables: { x: { dataType: image } }\n' })
    const [s] = await loadTemplateSources({ root, templatesDir: 'templates' })
    expect(lintSources([s!])).toEqual([])
    expect(brief(checkPublishable(s!))).toEqual(['pdf-overlay-publish@template.yaml:3:15'])
  })

  it('reports a bad fixture JSON at its position and still reads the other fixtures', async () => {
    const root = tempProject({
      'templates/f/template.yaml': 'slug: f\nname: F\nvariables: { a: { dataType: text } }\n',
      'templates/f/fixtures/bad.json': '{\n  "a": "x",\n}\n',
      'templates/f/fixtures/good.json': '\uFEFF{ "a": "y" }',
    })
    const [s] = await loadTemplateSources({ root, templatesDir: 'templates' })
    expect(s!.fixtures.map((f) => f.name)).toEqual(['good'])
    expect(brief(s!.diagnostics)).toEqual(['json-syntax@bad.json:3:1'])
  })

  it('reads unicode keys and names', async () => {
    const [s] = await loadTemplateSources({ root: join(import.meta.dirname, '../fixtures/lint/unicode-keys'), templatesDir: 'templates' })
    expect(s!.template!.name).toBe('Ünïcödé — 請求書')
    expect(s!.template!.manifest.variables.map((v) => v.key)).toEqual(['kunde.straße', '客户.名称', 'emoji.🚢'])
    expect(readFileSync(join(s!.dir, 'fixtures/ok.json'), 'utf8')).toContain('straße')
  })
})
