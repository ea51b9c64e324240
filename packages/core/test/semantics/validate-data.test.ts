import { describe, expect, it } from 'vitest'
import { validateData, type DataType, type Manifest } from '../../src/index.ts'

const one = (dataType: DataType, required = true): Manifest => ({
  variables: [{ key: 'v', label: 'V', dataType, required }],
  loops: [],
})

// API.md §5.2: what each dataType accepts at render time, and what it turns the value into.
const accepted: [DataType, unknown, unknown][] = [
  ['text', 'hello', 'hello'],
  ['text', '', ''],
  ['longtext', 'line 1\nline 2', 'line 1\nline 2'],
  ['number', 42, 42],
  ['number', -1.5, -1.5],
  ['number', '12.50', 12.5],
  ['number', ' 7 ', 7],
  ['number', '1e3', 1000],
  ['currency', 1999.99, 1999.99],
  ['currency', '19.99', 19.99],
  ['boolean', true, true],
  ['boolean', false, false],
  ['boolean', 'true', true],
  ['boolean', 'false', false],
  ['date', '2026-06-04', '2026-06-04'],
  ['date', new Date('2026-06-04T00:00:00Z'), '2026-06-04'],
  // What a Date becomes on the wire (JSON.stringify): the same date.
  ['date', JSON.parse(JSON.stringify(new Date('2026-06-04T00:00:00Z'))), '2026-06-04'],
  ['date', '2026-06-04T23:30:00-02:00', '2026-06-05'],
  ['datetime', '2026-06-04T09:30:00Z', '2026-06-04T09:30:00Z'],
  ['datetime', '2026-06-04T09:30:00.123+02:00', '2026-06-04T09:30:00.123+02:00'],
  ['datetime', new Date('2026-06-04T09:30:00Z'), '2026-06-04T09:30:00.000Z'],
  ['image', 'https://cdn.example.com/sig.png', 'https://cdn.example.com/sig.png'],
  ['image', 'http://localhost:8080/a.png', 'http://localhost:8080/a.png'],
  ['url', 'https://example.com/path?q=1', 'https://example.com/path?q=1'],
  ['email', 'jane.doe@example.com', 'jane.doe@example.com'],
]

const rejected: [DataType, unknown, string][] = [
  ['text', 42, 'Expected string, received number'],
  ['text', null, 'Expected string, received null'],
  ['longtext', ['a'], 'Expected string, received array'],
  ['number', 'twelve', 'Expected number, received string'],
  ['number', '', 'Expected number, received string'],
  ['number', Number.NaN, 'Expected number, received nan'],
  ['number', true, 'Expected number, received boolean'],
  ['currency', '12,50', 'Expected number, received string'],
  ['boolean', 'yes', 'Expected boolean, received string'],
  ['boolean', 1, 'Expected boolean, received number'],
  ['boolean', 'TRUE', 'Expected boolean, received string'],
  ['date', '04/06/2026', 'Invalid date: expected an ISO date such as 2026-06-04'],
  ['date', '2026-02-30', 'Invalid date: expected an ISO date such as 2026-06-04'],
  ['date', 20260604, 'Expected string, received number'],
  ['datetime', '2026-06-04', 'Invalid datetime: expected an ISO date-time such as 2026-06-04T09:30:00Z'],
  ['datetime', '2026-06-04T25:00:00Z', 'Invalid datetime: expected an ISO date-time such as 2026-06-04T09:30:00Z'],
  ['image', 'data:image/png;base64,iVBORw0KGgo=', 'Invalid url: data: URIs are rejected; use an http(s) URL'],
  ['image', 'not a url', 'Invalid url'],
  ['image', 'ftp://example.com/a.png', 'Invalid url: only http(s) URLs are accepted'],
  ['url', 'javascript:alert(1)', 'Invalid url: only http(s) URLs are accepted'],
  ['url', 'DATA:text/plain,hi', 'Invalid url: data: URIs are rejected; use an http(s) URL'],
  ['email', 'jane@', 'Invalid email'],
  ['email', 'jane..doe@example.com', 'Invalid email'],
]

describe('validateData: dataTypes (API.md §5.2)', () => {
  it.each(accepted)('%s accepts %j', (dataType, input, output) => {
    const r = validateData(one(dataType), { v: input })
    expect(r).toEqual({ ok: true, data: { v: output }, stripped: [] })
  })

  it.each(rejected)('%s rejects %j', (dataType, input, message) => {
    const r = validateData(one(dataType), { v: input })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issues).toEqual({ formErrors: [], fieldErrors: { v: [message] } })
  })

  it('reports a missing required scalar as Required and lets an optional one be absent', () => {
    expect(validateData(one('text', true), {})).toMatchObject({ ok: false, issues: { fieldErrors: { v: ['Required'] } } })
    expect(validateData(one('text', false), {})).toEqual({ ok: true, data: {}, stripped: [] })
  })

  it('rejects data that is not an object as a form error', () => {
    for (const data of [null, [], 'x', 3]) {
      const r = validateData(one('text'), data)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.issues.formErrors[0]).toMatch(/^Expected object, received /)
    }
  })
})

const handover: Manifest = {
  variables: [
    { key: 'booking.code', label: 'Booking code', dataType: 'text', required: true },
    { key: 'booking.activityName', label: 'Activity', dataType: 'text' },
    { key: 'handover.date', label: 'Date', dataType: 'date', required: true },
    { key: 'order.shipping.country', label: 'Country', dataType: 'text' },
  ],
  loops: [
    {
      key: 'areas',
      label: 'Areas',
      itemFields: [
        { key: 'areaKey', label: 'Area', dataType: 'text', required: true },
        { key: 'cost', label: 'Cost', dataType: 'currency' },
      ],
    },
  ],
}

describe('validateData: nesting, stripping and loops (API.md §5.3–5.4)', () => {
  it('nests scalars by dot-path and binds loops at the top level by key', () => {
    const r = validateData(handover, {
      booking: { code: 'BK-12345', activityName: 'Sunset Charter' },
      handover: { date: '2026-06-04' },
      order: { shipping: { country: 'NL' } },
      areas: [{ areaKey: 'hull', cost: '12.5' }],
    })
    expect(r).toEqual({
      ok: true,
      data: {
        booking: { code: 'BK-12345', activityName: 'Sunset Charter' },
        handover: { date: '2026-06-04' },
        order: { shipping: { country: 'NL' } },
        areas: [{ areaKey: 'hull', cost: 12.5 }],
      },
      stripped: [],
    })
  })

  it('does not accept a dotted scalar key sent flat: it is stripped and the nested one is required', () => {
    const r = validateData(handover, { 'booking.code': 'BK-1', handover: { date: '2026-06-04' } })
    expect(r).toEqual({
      ok: false,
      issues: { formErrors: [], fieldErrors: { 'booking.code': ['Required'] } },
      stripped: ['booking.code'],
    })
  })

  it('strips unknown keys at every depth, in rows too, and reports their paths', () => {
    const r = validateData(handover, {
      booking: { code: 'BK-1', cdoe: 'typo' },
      handover: { date: '2026-06-04' },
      customer: { name: 'x' },
      areas: [{ areaKey: 'hull', colour: 'red' }],
    })
    expect(r).toEqual({
      ok: true,
      data: { booking: { code: 'BK-1' }, handover: { date: '2026-06-04' }, areas: [{ areaKey: 'hull' }] },
      stripped: ['booking.cdoe', 'areas.0.colour', 'customer'],
    })
  })

  it('defaults a missing loop to an empty array', () => {
    const r = validateData(handover, { booking: { code: 'B' }, handover: { date: '2026-06-04' } })
    expect(r.ok && r.data.areas).toEqual([])
  })

  it('reports missing required leaves under an absent parent by their full path', () => {
    const r = validateData(handover, {})
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issues.fieldErrors).toEqual({ 'booking.code': ['Required'], 'handover.date': ['Required'] })
  })

  it('rejects a non-object parent and a non-array loop', () => {
    const r = validateData(handover, { booking: 'BK-1', handover: { date: '2026-06-04' }, areas: { areaKey: 'hull' } })
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.issues.fieldErrors).toEqual({
        booking: ['Expected object, received string'],
        areas: ['Expected array, received object'],
      })
    }
  })

  it('validates every row and keys row errors by index', () => {
    const r = validateData(handover, {
      booking: { code: 'B' },
      handover: { date: '2026-06-04' },
      areas: [{ areaKey: 'hull' }, { cost: 'free' }, 'engine'],
    })
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.issues.fieldErrors).toEqual({
        'areas.1.areaKey': ['Required'],
        'areas.1.cost': ['Expected number, received string'],
        'areas.2': ['Expected object, received string'],
      })
    }
  })

  it('caps a loop at 10,000 rows', () => {
    const base = { booking: { code: 'B' }, handover: { date: '2026-06-04' } }
    const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ areaKey: `a${i}` }))
    expect(validateData(handover, { ...base, areas: rows(10_000) }).ok).toBe(true)
    const r = validateData(handover, { ...base, areas: rows(10_001) })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issues.fieldErrors).toEqual({ areas: ['Array must contain at most 10000 element(s)'] })
  })

  it('binds a dotted loop key only when sent literally; sent nested it is stripped and the loop is empty', () => {
    const dotted: Manifest = {
      variables: [{ key: 'handover.kind', dataType: 'text' }],
      loops: [{ key: 'handover.areas', label: 'Areas', itemFields: [{ key: 'areaKey', dataType: 'text' }] }],
    }
    const literal = validateData(dotted, { 'handover.areas': [{ areaKey: 'hull' }] })
    expect(literal).toEqual({ ok: true, data: { 'handover.areas': [{ areaKey: 'hull' }] }, stripped: [] })
    const nested = validateData(dotted, { handover: { kind: 'checkout', areas: [{ areaKey: 'hull' }] } })
    expect(nested).toEqual({
      ok: true,
      data: { handover: { kind: 'checkout' }, 'handover.areas': [] },
      stripped: ['handover.areas'],
    })
  })

  it('treats __proto__ and constructor as plain data keys', () => {
    const m: Manifest = { variables: [{ key: '__proto__.x', dataType: 'text' }, { key: 'constructor', dataType: 'text' }], loops: [] }
    const data = JSON.parse('{"__proto__": {"x": "a", "polluted": "yes"}, "constructor": "c"}')
    const r = validateData(m, data)
    expect(r.ok).toBe(true)
    if (r.ok) {
      expect(Object.getOwnPropertyDescriptor(r.data, '__proto__')?.value).toEqual({ x: 'a' })
      expect(r.stripped).toEqual(['__proto__.polluted'])
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
