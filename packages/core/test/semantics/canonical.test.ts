import { describe, expect, it } from 'vitest'
import { canonicalTemplateBody, manifestHash, stableStringify, templateContentHash, type TemplateBody } from '../../src/index.ts'

const body: TemplateBody = {
  name: 'Invoice',
  manifest: {
    variables: [{ key: 'a', dataType: 'text' }],
    loops: [{ key: 'lines', label: 'Lines', itemFields: [{ dataType: 'number', key: 'qty' }] }],
  },
}

describe('canonical forms and hashes', () => {
  it('ignores key order and explicit defaults', () => {
    const same: TemplateBody = {
      manifest: {
        loops: [{ itemFields: [{ key: 'qty', dataType: 'number', required: false }], label: 'Lines', key: 'lines', previewData: [] }],
        variables: [{ required: false, dataType: 'text', key: 'a' }],
      },
      name: 'Invoice',
      description: null,
      pageConfig: { format: 'A4', orientation: 'portrait' },
    }
    expect(templateContentHash(same)).toBe(templateContentHash(body))
    expect(manifestHash(same.manifest)).toBe(manifestHash(body.manifest))
  })

  it('sees real changes: a flag, the order of fields, the name, the page', () => {
    const h = templateContentHash(body)
    const required = { ...body, manifest: { ...body.manifest, variables: [{ key: 'a', dataType: 'text' as const, required: true }] } }
    expect(templateContentHash(required)).not.toBe(h)
    expect(templateContentHash({ ...body, name: 'Invoice 2' })).not.toBe(h)
    expect(templateContentHash({ ...body, pageConfig: { orientation: 'landscape' } })).not.toBe(h)
    const two = { ...body, manifest: { ...body.manifest, variables: [{ key: 'a', dataType: 'text' as const }, { key: 'b', dataType: 'text' as const }] } }
    const swapped = { ...body, manifest: { ...body.manifest, variables: [{ key: 'b', dataType: 'text' as const }, { key: 'a', dataType: 'text' as const }] } }
    expect(templateContentHash(two)).not.toBe(templateContentHash(swapped))
  })

  it('fills defaults explicitly', () => {
    expect(canonicalTemplateBody(body)).toEqual({
      name: 'Invoice',
      description: null,
      pageConfig: { format: 'A4', orientation: 'portrait' },
      layout: null,
      manifest: {
        variables: [{ key: 'a', dataType: 'text', required: false }],
        loops: [{ key: 'lines', label: 'Lines', itemFields: [{ key: 'qty', dataType: 'number', required: false }] }],
      },
    })
  })

  it('stableStringify sorts keys at every depth', () => {
    expect(stableStringify({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}')
  })
})
