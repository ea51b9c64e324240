import { describe, expect, it } from 'vitest'
import { parseTemplateBody } from '../../src/index.ts'

const manifest = { variables: [{ key: 'a', dataType: 'text' }], loops: [] }

describe('parseTemplateBody (create/PUT bodies, API.md §7.1)', () => {
  it('accepts a documented body', () => {
    const r = parseTemplateBody({ name: 'X', manifest, pageConfig: { format: 'A4', margin: '20mm' } })
    expect(r.ok).toBe(true)
  })

  it.each([
    [{ manifest }, 'name'],
    [{ name: '', manifest }, 'name'],
    [{ name: 'x'.repeat(121), manifest }, 'name'],
    [{ name: 'X', description: 'd'.repeat(281), manifest }, 'description'],
    [{ name: 'X', slug: 'Bad Slug', manifest }, 'slug'],
    [{ name: 'X' }, 'manifest'],
    [{ name: 'X', manifest: { variables: [] } }, 'manifest.loops'],
    [{ name: 'X', manifest: { variables: [{ key: 'a', dataType: 'money' }], loops: [] } }, 'manifest.variables.0.dataType'],
    [{ name: 'X', manifest: { variables: [], loops: [{ key: 'l', label: 'L', itemFields: [] }] } }, 'manifest.loops.0.itemFields'],
    [
      { name: 'X', manifest: { variables: [], loops: [{ key: 'l', label: 'L', itemFields: [{ key: 'a', dataType: 'text' }], previewData: Array(11).fill({}) }] } },
      'manifest.loops.0.previewData',
    ],
  ])('rejects %j as invalid_request at %s', (input, path) => {
    const r = parseTemplateBody(input)
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.code).toBe('invalid_request')
      expect(Object.keys(r.issues.fieldErrors)).toContain(path)
    }
  })

  it('rejects a dotted loop key as invalid_loop_key', () => {
    const r = parseTemplateBody({
      name: 'X',
      manifest: { variables: [], loops: [{ key: 'handover.areas', label: 'A', itemFields: [{ key: 'k', dataType: 'text' }] }] },
    })
    expect(r).toMatchObject({ ok: false, code: 'invalid_loop_key', issues: { fieldErrors: { 'manifest.loops.0.key': [expect.any(String)] } } })
  })
})
