import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { newSourceText, updateSourceText, type PulledTemplate } from '../src/publish/write-source.ts'

const repoTemplate = readFileSync(join(import.meta.dirname, '../../../templates/charter-handover/template.yaml'), 'utf8')
const model = parse(repoTemplate)

function remoteOf(edit: (t: PulledTemplate) => void = () => {}): PulledTemplate {
  const t: PulledTemplate = {
    slug: model.slug,
    name: model.name,
    description: model.description,
    templateType: 'document',
    manifest: {
      variables: Object.entries(model.variables).map(([key, v]) => ({ key, ...(v as object) })) as PulledTemplate['manifest']['variables'],
      loops: Object.entries(model.loops).map(([key, l]) => {
        const loop = l as { label: string; itemFields: object; previewData?: Record<string, unknown>[] }
        return { key, label: loop.label, itemFields: Object.entries(loop.itemFields).map(([k, f]) => ({ key: k, ...(f as object) })), previewData: loop.previewData }
      }) as PulledTemplate['manifest']['loops'],
    },
  }
  edit(t)
  return t
}

describe('updateSourceText (galley pull into an existing file)', () => {
  it('leaves a file whose values equal the remote byte for byte', () => {
    const { text, changed } = updateSourceText(repoTemplate, remoteOf())
    expect(changed).toEqual([])
    expect(text).toBe(repoTemplate)
  })

  it('edits only changed values, keeping comments, order, pageConfig and flow style', () => {
    const { text, changed } = updateSourceText(
      repoTemplate,
      remoteOf((t) => {
        t.name = 'Charter Handover v2'
        t.manifest.variables[1]!.label = 'Activity name'
        t.manifest.variables[2]!.required = false
      }),
    )
    expect(changed).toEqual(['name', 'variables'])
    expect(text).toContain('# yaml-language-server: $schema=../../node_modules/@galley/core/template.schema.json')
    expect(text).toContain('pageConfig: { format: A4, orientation: portrait, margin: 20mm }')
    expect(text).toContain('name: Charter Handover v2')
    expect(text).toContain('booking.activityName:  { label: Activity name, dataType: text }')
    expect(text).toMatch(/handover\.kind: +\{ label: Handover, dataType: text \}/)
    // every other line is untouched
    const before = repoTemplate.split('\n')
    const after = text.split('\n')
    expect(after.length).toBe(before.length)
    expect(before.filter((l, i) => l !== after[i])).toHaveLength(3)
  })

  it('adds and removes keys and follows a new manifest order', () => {
    const { text } = updateSourceText(
      repoTemplate,
      remoteOf((t) => {
        t.manifest.variables = t.manifest.variables.filter((v) => v.key !== 'handover.signatureUrl')
        t.manifest.variables.unshift({ key: 'booking.vessel', label: 'Vessel', dataType: 'text', required: true })
        t.manifest.loops[0]!.itemFields.push({ key: 'photoUrl', dataType: 'url' })
      }),
    )
    const parsed = parse(text)
    expect(Object.keys(parsed.variables)).toEqual(['booking.vessel', 'booking.code', 'booking.activityName', 'handover.kind', 'handover.date', 'handover.signedBy'])
    expect(parsed.variables['booking.vessel']).toEqual({ label: 'Vessel', dataType: 'text', required: true })
    expect(parsed.loops.areas.itemFields.photoUrl).toEqual({ dataType: 'url' })
    expect(parsed.pageConfig).toEqual({ format: 'A4', orientation: 'portrait', margin: '20mm' })
  })
})

describe('newSourceText (adopting a dashboard template)', () => {
  it('writes a source that parses back to the remote manifest, with a pdf-overlay templateType', () => {
    const remote = remoteOf((t) => {
      t.templateType = 'pdf-overlay'
      t.slug = 'adopted'
    })
    const text = newSourceText(remote, 'Pulled from test, version 1.')
    const parsed = parse(text)
    expect(text.startsWith('# yaml-language-server: $schema=')).toBe(true)
    expect(parsed.templateType).toBe('pdf-overlay')
    expect(parsed.slug).toBe('adopted')
    expect(Object.keys(parsed.variables)).toEqual(remote.manifest.variables.map((v) => v.key))
    expect(parsed.loops.areas.previewData).toEqual(model.loops.areas.previewData)
    expect(text).toMatch(/booking\.code: \{ label: Booking code, dataType: text, required: true \}/)
  })
})
