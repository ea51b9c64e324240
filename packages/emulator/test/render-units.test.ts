import { describe, expect, it } from 'vitest'
import { formatValue, readPath, resolveCurrency } from '../src/render/format-value.ts'
import { renderTemplateText, type TemplateScope } from '../src/render/template-text.ts'

const data: Record<string, unknown> = {
  customer: { name: 'Ingrid Løvaas', vip: true },
  empty: '',
  items: [{ name: 'Fender', qty: 2 }, { name: 'Rope', qty: 1 }],
  none: [],
}

function scope(loops = true): TemplateScope {
  const lookup = (key: string, item?: Record<string, unknown>): unknown => {
    if (key === 'this') return item
    if (key.startsWith('this.')) return readPath(item, key.slice(5))
    if (item && Object.hasOwn(item, key.split('.')[0]!)) return readPath(item, key)
    return readPath(data, key)
  }
  return {
    loops,
    lookup,
    print: (key, item, index) => (key === '@index' ? String(index ?? '') : String(lookup(key, item) ?? '')),
  }
}

describe('renderTemplateText', () => {
  it.each<[string, { given: string; want: string; loops?: boolean }]>([
    ['plain text untouched', { given: 'no placeholders', want: 'no placeholders' }],
    ['dot-path', { given: 'Hi {{ customer.name }}!', want: 'Hi Ingrid Løvaas!' }],
    ['no spaces, triple braces', { given: '{{customer.name}}/{{{customer.name}}}', want: 'Ingrid Løvaas/Ingrid Løvaas' }],
    ['unknown key prints nothing', { given: '[{{ nope.x }}]', want: '[]' }],
    ['each with bare fields, this. and @index', { given: '{{#each items}}{{@index}}:{{name}}x{{this.qty}};{{/each}}', want: '0:Fenderx2;1:Ropex1;' }],
    ['each falls back to root keys', { given: '{{#each items}}{{customer.name}},{{/each}}', want: 'Ingrid Løvaas,Ingrid Løvaas,' }],
    ['each over an empty list takes else', { given: '{{#each none}}x{{else}}none{{/each}}', want: 'none' }],
    ['each renders nothing when loops are off', { given: 'a{{#each items}}{{name}}{{/each}}b', want: 'ab', loops: false }],
    ['if / else', { given: '{{#if customer.vip}}VIP{{else}}regular{{/if}}', want: 'VIP' }],
    ['if on empty string is false', { given: '{{#if empty}}yes{{else}}no{{/if}}', want: 'no' }],
    ['unless', { given: '{{#unless none}}no rows{{/unless}}', want: 'no rows' }],
    ['comments and helpers print nothing', { given: '{{! note }}{{formatDate customer.name}}.', want: '.' }],
    ['unclosed block keeps its body', { given: '{{#if customer.vip}}open', want: 'open' }],
  ])('%s', (_name, { given, want, loops }) => {
    expect(renderTemplateText(given, scope(loops ?? true))).toBe(want)
  })
})

describe('formatValue', () => {
  it.each<[string, { value: unknown; type: Parameters<typeof formatValue>[1]; currency?: string; want: string }]>([
    ['date', { value: '2026-06-04', type: 'date', want: '4 June 2026' }],
    ['datetime Z', { value: '2026-06-04T09:30:00Z', type: 'datetime', want: '4 June 2026, 09:30 UTC' }],
    ['datetime offset without colon', { value: '2026-06-04T09:30:00.123+0530', type: 'datetime', want: '4 June 2026, 09:30 +05:30' }],
    ['boolean', { value: false, type: 'boolean', want: 'No' }],
    ['number', { value: 1234567.891, type: 'number', want: '1,234,567.891' }],
    ['currency plain', { value: 1560, type: 'currency', want: '1,560.00' }],
    ['currency EUR', { value: 1560, type: 'currency', currency: 'EUR', want: '€1,560.00' }],
    ['currency unknown code', { value: 2.5, type: 'currency', currency: 'ZZZZ', want: '2.50' }],
    ['missing', { value: undefined, type: 'text', want: '' }],
    ['text', { value: 'a\nb', type: 'longtext', want: 'a\nb' }],
  ])('%s', (_name, { value, type, currency, want }) => {
    expect(formatValue(value, type, currency ? { currency } : {})).toBe(want)
  })

  it('finds the currency from a format hint or a *.currency text variable', () => {
    const manifest = { variables: [{ key: 'invoice.currency', dataType: 'text' as const }], loops: [] }
    expect(resolveCurrency(manifest, { invoice: { currency: 'gbp' } })).toBe('GBP')
    expect(resolveCurrency(manifest, { invoice: { currency: 'pounds' } })).toBeUndefined()
    expect(resolveCurrency(manifest, {}, { format: 'currency:USD' })).toBe('USD')
    expect(resolveCurrency({ variables: [], loops: [] }, {})).toBeUndefined()
  })

  it('reads only own properties along a dot-path', () => {
    expect(readPath({ a: { b: 1 } }, 'a.b')).toBe(1)
    expect(readPath({ a: {} }, 'a.toString')).toBeUndefined()
    expect(readPath({ a: null }, 'a.b')).toBeUndefined()
  })
})
