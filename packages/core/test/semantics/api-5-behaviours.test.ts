import { describe, expect, it } from 'vitest'
import { manifestToJsonSchema, parseTemplateBody, validateData, type Manifest } from '../../src/index.ts'

// One row per documented behaviour of API.md §5.2–5.4, quoting it, so a reader can check that each has a test.
// The detailed tables (every dataType, every coercion) are in validate-data.test.ts; this is the index.
const m: Manifest = {
  variables: [
    { key: 'customer.name', dataType: 'text', required: true },
    { key: 'customer.notes', dataType: 'longtext' },
    { key: 'order.total', dataType: 'currency' },
    { key: 'order.count', dataType: 'number' },
    { key: 'order.paid', dataType: 'boolean' },
    { key: 'order.due', dataType: 'date' },
    { key: 'order.at', dataType: 'datetime' },
    { key: 'logo', dataType: 'image' },
    { key: 'site', dataType: 'url' },
    { key: 'contact', dataType: 'email' },
  ],
  loops: [{ key: 'areas', label: 'Areas', itemFields: [{ key: 'areaKey', dataType: 'text', required: true }] }],
}
const base = { customer: { name: 'Jane' } }
const ok = (data: Record<string, unknown>) => {
  const r = validateData(m, data)
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r
}
const fails = (data: unknown) => {
  const r = validateData(m, data)
  if (r.ok) throw new Error('expected invalid_input_data')
  return r.issues
}
const dotted: Manifest = { variables: [], loops: [{ key: 'handover.areas', label: 'A', itemFields: [{ key: 'k', dataType: 'text' }] }] }

const behaviours: [section: string, documented: string, check: () => void][] = [
  ['5.2', 'text, longtext: any string', () => expect(ok({ ...base, customer: { name: '', notes: 'a\nb' } }).data.customer).toEqual({ name: '', notes: 'a\nb' })],
  ['5.2', 'number, currency: number; numeric strings are coerced', () => expect(ok({ ...base, order: { total: '19.99', count: 3 } }).data.order).toEqual({ total: 19.99, count: 3 })],
  ['5.2', 'number: a non-numeric string is rejected', () => expect(fails({ ...base, order: { count: 'three' } }).fieldErrors['order.count']).toBeDefined()],
  ['5.2', 'date, datetime: ISO string or Date', () => expect(ok({ ...base, order: { due: '2026-06-04', at: new Date('2026-06-04T09:30:00Z') } }).data.order).toEqual({ due: '2026-06-04', at: '2026-06-04T09:30:00.000Z' })],
  ['5.2', 'date: a non-ISO string is rejected', () => expect(fails({ ...base, order: { due: '4 June' } }).fieldErrors['order.due']).toBeDefined()],
  ['5.2', 'boolean: "true"/"false" strings coerced', () => expect(ok({ ...base, order: { paid: 'false' } }).data.order).toEqual({ paid: false })],
  ['5.2', 'image, url: http(s) URL', () => expect(ok({ ...base, logo: 'https://cdn.example.com/l.png', site: 'http://example.com' }).data.logo).toBe('https://cdn.example.com/l.png')],
  ['5.2', 'image, url: data: URIs rejected -> invalid_input_data', () => expect(fails({ ...base, logo: 'data:image/png;base64,AAAA' }).fieldErrors.logo).toEqual(['Invalid url: data: URIs are rejected; use an http(s) URL'])],
  ['5.2', 'email: valid email', () => expect(fails({ ...base, contact: 'jane@' }).fieldErrors.contact).toEqual(['Invalid email'])],
  ['5.2', 'Keys not in the manifest are stripped silently, not rejected', () => expect(ok({ ...base, extra: 1, customer: { name: 'J', nmae: 'x' } })).toMatchObject({ data: { customer: { name: 'J' } }, stripped: ['customer.nmae', 'extra'] })],
  ['5.2', 'errors are zod flatten() output: { formErrors, fieldErrors }', () => expect(fails('nope')).toEqual({ formErrors: ['Expected object, received string'], fieldErrors: {} })],
  ['5.3', 'loop key, label and itemFields (>= 1) are required in create/PUT bodies', () => {
    const body = (loop: object) => parseTemplateBody({ name: 'X', manifest: { variables: [], loops: [loop] } })
    expect(body({ key: 'l', label: 'L', itemFields: [{ key: 'a', dataType: 'text' }] }).ok).toBe(true)
    expect(body({ key: 'l', itemFields: [{ key: 'a', dataType: 'text' }] }).ok).toBe(false)
    expect(body({ key: 'l', label: 'L', itemFields: [] }).ok).toBe(false)
  }],
  ['5.3', 'previewData: <= 10 rows', () => {
    const body = (rows: number) => parseTemplateBody({ name: 'X', manifest: { variables: [], loops: [{ key: 'l', label: 'L', itemFields: [{ key: 'a', dataType: 'text' }], previewData: Array(rows).fill({ a: 'x' }) }] } })
    expect([body(10).ok, body(11).ok]).toEqual([true, false])
  }],
  ['5.3', 'loop arrays capped at 10,000 items', () => {
    expect(ok({ ...base, areas: Array(10_000).fill({ areaKey: 'a' }) }).data.areas).toHaveLength(10_000)
    expect(fails({ ...base, areas: Array(10_001).fill({ areaKey: 'a' }) }).fieldErrors.areas).toEqual(['Array must contain at most 10000 element(s)'])
  }],
  ['5.3', 'rows are sent at the top level of data keyed by the loop key, and each row is validated', () => expect(fails({ ...base, areas: [{ areaKey: 'hull' }, {}] }).fieldErrors).toEqual({ 'areas.1.areaKey': ['Required'] })],
  ['5.4', 'scalar keys nest by dot-path: customer.name -> { customer: { name } }', () => expect(fails({ 'customer.name': 'Jane' }).fieldErrors).toEqual({ 'customer.name': ['Required'] })],
  ['5.4', 'a dotted loop key binds only when sent literally as data["handover.areas"]', () => expect(validateData(dotted, { 'handover.areas': [{ k: 'x' }] })).toEqual({ ok: true, data: { 'handover.areas': [{ k: 'x' }] }, stripped: [] })],
  ['5.4', 'sent nested it is stripped, the loop defaults to [] and renders blank with no error', () => expect(validateData(dotted, { handover: { areas: [{ k: 'x' }] } })).toEqual({ ok: true, data: { 'handover.areas': [] }, stripped: ['handover'] })],
  ['5.4', 'the same rule applies to the JSON Schema from GET /v1/templates/:slug', () => {
    const schema = manifestToJsonSchema(dotted) as { properties: Record<string, unknown> }
    expect(Object.keys(schema.properties)).toEqual(['handover.areas'])
  }],
  ['5.4', 'POST/PUT /v1/templates reject a loop key containing a dot: 400 invalid_loop_key', () => expect(parseTemplateBody({ name: 'X', manifest: dotted })).toMatchObject({ ok: false, code: 'invalid_loop_key' })],
]

describe('API.md §5.2–5.4: every documented behaviour', () => {
  it.each(behaviours)('§%s %s', (_section, _documented, check) => check())
})
