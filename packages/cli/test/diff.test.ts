import { compareTemplate, diffManifests, toPublishRecord, type Manifest, type TemplateBody } from '@galley/core'
import { describe, expect, it } from 'vitest'

const base: Manifest = {
  variables: [
    { key: 'booking.code', label: 'Booking code', dataType: 'text', required: true },
    { key: 'booking.note', label: 'Note', dataType: 'text' },
  ],
  loops: [{ key: 'areas', label: 'Areas', itemFields: [{ key: 'areaKey', label: 'Area', dataType: 'text', required: true }] }],
}

const edit = (f: (m: Manifest) => void): Manifest => {
  const m = structuredClone(base)
  f(m)
  return m
}

type Row = [string, { after: Manifest; want: { kind: string; target: string; key: string; loop?: string; breaking: boolean }[] }]

const cases: Row[] = [
  ['no change', { after: base, want: [] }],
  ['optional variable added', { after: edit((m) => m.variables.push({ key: 'x', dataType: 'text' })), want: [{ kind: 'added', target: 'variable', key: 'x', breaking: false }] }],
  ['required variable added', { after: edit((m) => m.variables.push({ key: 'x', dataType: 'text', required: true })), want: [{ kind: 'added', target: 'variable', key: 'x', breaking: true }] }],
  ['variable removed', { after: edit((m) => m.variables.splice(1, 1)), want: [{ kind: 'removed', target: 'variable', key: 'booking.note', breaking: true }] }],
  ['type changed', { after: edit((m) => (m.variables[1]!.dataType = 'longtext')), want: [{ kind: 'type-changed', target: 'variable', key: 'booking.note', breaking: true }] }],
  ['optional -> required', { after: edit((m) => (m.variables[1]!.required = true)), want: [{ kind: 'required-changed', target: 'variable', key: 'booking.note', breaking: true }] }],
  ['required -> optional', { after: edit((m) => (m.variables[0]!.required = false)), want: [{ kind: 'required-changed', target: 'variable', key: 'booking.code', breaking: false }] }],
  ['label changed', { after: edit((m) => (m.variables[0]!.label = 'Code')), want: [{ kind: 'label-changed', target: 'variable', key: 'booking.code', breaking: false }] }],
  ['loop added', { after: edit((m) => m.loops.push({ key: 'rows', label: 'Rows', itemFields: [{ key: 'a', dataType: 'text' }] })), want: [{ kind: 'added', target: 'loop', key: 'rows', breaking: false }] }],
  ['loop removed', { after: edit((m) => m.loops.splice(0, 1)), want: [{ kind: 'removed', target: 'loop', key: 'areas', breaking: true }] }],
  [
    'loop key renamed',
    { after: edit((m) => (m.loops[0]!.key = 'zones')), want: [{ kind: 'added', target: 'loop', key: 'zones', breaking: false }, { kind: 'removed', target: 'loop', key: 'areas', breaking: true }] },
  ],
  ['item field added (required)', { after: edit((m) => m.loops[0]!.itemFields.push({ key: 'sev', dataType: 'text', required: true })), want: [{ kind: 'added', target: 'item-field', key: 'sev', loop: 'areas', breaking: true }] }],
  ['item field type changed', { after: edit((m) => (m.loops[0]!.itemFields[0]!.dataType = 'number')), want: [{ kind: 'type-changed', target: 'item-field', key: 'areaKey', loop: 'areas', breaking: true }] }],
  ['item field added (optional)', { after: edit((m) => m.loops[0]!.itemFields.push({ key: 'b', dataType: 'text' })), want: [{ kind: 'added', target: 'item-field', key: 'b', loop: 'areas', breaking: false }] }],
  [
    'item field removed',
    {
      after: edit((m) => (m.loops[0]!.itemFields = [{ key: 'other', dataType: 'text' }])),
      want: [{ kind: 'added', target: 'item-field', key: 'other', loop: 'areas', breaking: false }, { kind: 'removed', target: 'item-field', key: 'areaKey', loop: 'areas', breaking: true }],
    },
  ],
  ['variables reordered', { after: edit((m) => m.variables.reverse()), want: [{ kind: 'order-changed', target: 'variable', key: '*', breaking: false }] }],
  ['previewData changed', { after: edit((m) => (m.loops[0]!.previewData = [{ areaKey: 'hull' }])), want: [{ kind: 'preview-changed', target: 'loop', key: 'areas', breaking: false }] }],
]

describe('diffManifests', () => {
  it.each(cases)('%s', (_name, { after, want }) => {
    const diff = diffManifests(base, after)
    expect(diff.changes.map(({ kind, target, key, loop, breaking }) => (loop ? { kind, target, key, loop, breaking } : { kind, target, key, breaking }))).toEqual(want)
    expect(diff.breaking).toBe(want.some((w) => w.breaking))
  })

  it('never flags a new template as breaking', () => {
    const diff = diffManifests(null, base)
    expect(diff.breaking).toBe(false)
    expect(diff.changes.filter((c) => c.kind === 'added')).toHaveLength(3)
  })

  it('ignores key order, required: false vs absent and an empty previewData', () => {
    const noisy = {
      loops: [{ itemFields: [{ required: true, dataType: 'text' as const, label: 'Area', key: 'areaKey' }], label: 'Areas', key: 'areas', previewData: [] }],
      variables: [
        { required: true, dataType: 'text' as const, label: 'Booking code', key: 'booking.code' },
        { required: false, dataType: 'text' as const, key: 'booking.note', label: 'Note' },
      ],
    }
    expect(diffManifests(base, noisy).changes).toEqual([])
  })
})

describe('compareTemplate', () => {
  const body: TemplateBody = { name: 'Handover', description: 'd', manifest: base, pageConfig: { format: 'A4', margin: '20mm' } }
  const remote = { name: 'Handover', description: 'd', manifest: base, currentVersionNumber: 3 }

  it('equal observable fields without a record: unchanged, layout/pageConfig unverified', () => {
    const cmp = compareTemplate(body, remote)
    expect(cmp).toMatchObject({ changed: false, changedFields: [], unverifiedFields: ['pageConfig', 'layout'], unverifiedReason: 'no-record' })
    expect(compareTemplate(body, remote, { assumeUnverifiedChanged: true }).changed).toBe(true)
  })

  it('uses the publish record while the remote version equals it', () => {
    const record = toPublishRecord(body, 3)
    expect(compareTemplate(body, remote, { record })).toMatchObject({ changed: false, unverifiedFields: [] })
    // defaults spelled out are not a change
    expect(compareTemplate({ ...body, pageConfig: { format: 'A4', orientation: 'portrait', margin: '20mm' } }, remote, { record }).changed).toBe(false)
    const moved = compareTemplate({ ...body, pageConfig: { format: 'Letter', margin: '20mm' } }, remote, { record })
    expect(moved).toMatchObject({ changed: true, changedFields: ['pageConfig'] })
    expect(compareTemplate({ ...body, layout: { sections: [] } }, remote, { record }).changedFields).toEqual(['layout'])
    expect(compareTemplate(body, { ...remote, currentVersionNumber: 4 }, { record }).unverifiedReason).toBe('remote-moved')
  })

  it('compares name, description (null = absent) and manifest', () => {
    expect(compareTemplate({ ...body, name: 'X' }, remote).changedFields).toEqual(['name'])
    expect(compareTemplate({ ...body, description: undefined }, { ...remote, description: null }).changedFields).toEqual([])
    expect(compareTemplate(body, { ...remote, manifest: null }).changedFields).toEqual(['manifest'])
  })
})
