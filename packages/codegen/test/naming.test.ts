import { SLUG_PATTERN } from '@galley/core'
import { describe, expect, it } from 'vitest'
import { escapeJsDoc, pascalCase, propertyKey, resolveTemplateNames, stringLiteral } from '../src/naming.ts'

describe('pascalCase', () => {
  it.each([
    ['charter-handover', 'CharterHandover'],
    ['invoice', 'Invoice'],
    ['invoice-2', 'Invoice2'],
    ['a-b-c', 'ABC'],
    ['2024-report', '_2024Report'],
    ['x1-2y', 'X12y'],
  ])('%s -> %s', (slug, want) => {
    expect(pascalCase(slug)).toBe(want)
  })

  it('keeps a hyphen before a digit as `_` when asked', () => {
    expect(pascalCase('invoice-2', true)).toBe('Invoice_2')
    expect(pascalCase('a-1-b', true)).toBe('A_1B')
    expect(pascalCase('2024-1', true)).toBe('_2024_1')
  })
})

describe('resolveTemplateNames', () => {
  const names = (slugs: string[]) => Object.fromEntries([...resolveTemplateNames(slugs)].map(([s, n]) => [s, n.pascal]))

  it.each<[string, { given: string[]; want: Record<string, string> }]>([
    ['no clash', { given: ['charter-handover', 'invoice-2'], want: { 'charter-handover': 'CharterHandover', 'invoice-2': 'Invoice2' } }],
    ['invoice-2 vs invoice2', { given: ['invoice2', 'invoice-2'], want: { invoice2: 'Invoice2', 'invoice-2': 'Invoice_2' } }],
    [
      'a group of four',
      { given: ['a-1-2', 'a-12', 'a1-2', 'a12'], want: { 'a-1-2': 'A_1_2', 'a-12': 'A_12', 'a1-2': 'A1_2', a12: 'A12' } },
    ],
    ['leading digits', { given: ['2024-report', '2024report'], want: { '2024-report': '_2024Report', '2024report': '_2024report' } }],
  ])('%s', (_, { given, want }) => {
    expect(names(given)).toEqual(want)
  })

  it('does not depend on the order of the slugs', () => {
    const slugs = ['a-1-2', 'a-12', 'a1-2', 'a12', 'invoice-2', 'invoice2', 'b']
    const forward = names(slugs)
    expect(names([...slugs].reverse())).toEqual(forward)
  })

  it('never gives two templates one identifier, over every slug of up to 4 characters from a, 1, 2 and -', () => {
    const alphabet = ['a', '1', '2', '-']
    let slugs = ['']
    const all: string[] = []
    for (let len = 1; len <= 4; len++) {
      slugs = slugs.flatMap((s) => alphabet.map((c) => s + c))
      all.push(...slugs.filter((s) => SLUG_PATTERN.test(s)))
    }
    const resolved = [...resolveTemplateNames(all).values()]
    expect(new Set(resolved.map((n) => n.pascal)).size).toBe(all.length)
    for (const n of resolved) expect(n.renderFunction).toMatch(/^[A-Za-z_$][A-Za-z0-9_$]*$/)
  })

  it('derives every name from one PascalCase form', () => {
    expect(resolveTemplateNames(['charter-handover']).get('charter-handover')).toEqual({
      slug: 'charter-handover',
      pascal: 'CharterHandover',
      dataType: 'CharterHandoverData',
      renderFunction: 'renderCharterHandover',
      descriptor: 'charterHandoverDescriptor',
    })
  })

  it('refuses a slug that is not kebab-case, saying how to fix it', () => {
    expect(() => resolveTemplateNames(['Bad_Slug'])).toThrowError(/"Bad_Slug" is not kebab-case/)
  })
})

describe('propertyKey', () => {
  it.each([
    ['code', 'code'],
    ['class', 'class'],
    ['default', 'default'],
    ['$ref', '$ref'],
    ['a-b', "'a-b'"],
    ['café', "'café'"],
    ['日付', "'日付'"],
    ['__proto__', "'__proto__'"],
    ['constructor', 'constructor'],
    ['1e3', "'1e3'"],
    ['', "''"],
    ["it's", "'it\\'s'"],
    ['a\\b', "'a\\\\b'"],
    ['line\nbreak', "'line\\nbreak'"],
    ['sep\u2028x', "'sep\\u2028x'"],
    ['lone\ud800', "'lone\\ud800'"],
    ['emoji😀', "'emoji😀'"],
  ])('%j -> %s', (key, want) => {
    expect(propertyKey(key)).toBe(want)
  })

  it('round-trips through a JS parser for every key', () => {
    for (const key of ['a-b', "it's", 'a\\b', 'line\nbreak', 'sep\u2028x', 'lone\ud800', '\u0000', 'tab\t']) {
      expect(new Function(`return ${stringLiteral(key)}`)()).toBe(key)
    }
  })
})

describe('escapeJsDoc', () => {
  it.each([
    ['Total */ evil', 'Total *\\/ evil'],
    ['@deprecated label', '\\@deprecated label'],
    ['a\r\nb', 'a\nb'],
    ['plain', 'plain'],
    ['email@host', 'email@host'],
    ['tab\tkept', 'tab\tkept'],
    ['nul\u0000 bell\u0007 del\u007f', 'nul\ufffd bell\ufffd del\ufffd'],
  ])('%j -> %j', (given, want) => {
    expect(escapeJsDoc(given)).toBe(want)
  })
})
