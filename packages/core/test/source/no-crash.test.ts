import { describe, expect, it } from 'vitest'
import { formatPretty, lintSources, loadTemplateSources, parseTemplateSource } from '../../src/index.ts'
import { tempProject } from '../utils.ts'

// Whatever the input, reading and linting return diagnostics: no exception, and no stack trace in any message.
const nasty = [
  '',
  '\n\n',
  '---\n---\n',
  '[1, 2',
  '{ a: 1 }}',
  '"unterminated',
  '\t- tabbed',
  'slug: a\nslug: b\n',
  '? [complex, key]\n: value\n',
  'slug: &a [*a]\n',
  'a: &x [&y [1]]\nb: *x\nc: *nope\n',
  'lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n',
  'slug: x\nname: X\nvariables: [1, 2]\nloops: "no"\n',
  'slug: x\nname: X\nvariables:\n  a: text\n',
  'slug: x\nname: X\nvariables:\n  a: { dataType: [text] }\nloops:\n  l: { label: L, itemFields: [] }\n',
  'slug: x\nname: X\nloops:\n  l: { label: L, itemFields: { f: { dataType: text } }, previewData: [1, "a", null] }\n',
  'slug: x\nname: X\nloops:\n  l: { label: L, itemFields: { f: { dataType: text } }, previewData: "rows" }\n',
  'slug: x\nname: X\nlayout: 42\n',
  'slug: x\nname: X\nlayout: { pages: "nope", sections: [{ "{{": "}}" }] }\n',
  'slug: x\nname: X\nlayout: { sections: ["{{#each}}{{/each}}{{/each}}{{{{raw}}}} {{ }} {{#if}}"] }\n',
  'slug: x\nname: X\nvariables:\n  "": { dataType: text }\n  ".": { dataType: text }\n  "a..b": { dataType: text }\n',
  'slug: x\nname: X\nvariables: { toString: { dataType: text }, hasOwnProperty: { dataType: text } }\nloops: { constructor: { label: C, itemFields: { __proto__: { dataType: number } }, previewData: [{ __proto__: "1" }] } }\n',
  '%YAML 1.1\n---\nslug: x\n',
  '!!binary aGVsbG8=\n',
  'slug: !custom x\n',
  '\u0000\u0001\u0002',
  '\uFEFFslug: x\nname: X\n',
  `slug: x\nname: X\n${'  '.repeat(500)}deep: 1\n`,
  `${'['.repeat(1000)}${']'.repeat(1000)}\n`,
]

describe('no input crashes the loader or the linter', () => {
  it.each(nasty.map((text, i) => [i, text] as const))('input %i', (_i, text) => {
    const source = parseTemplateSource(text, { slug: 'x', dir: '/virtual/x', file: 'templates/x/template.yaml' })
    source.fixtures = [
      { name: 'weird', file: 'templates/x/fixtures/weird.json', data: JSON.parse('{"__proto__": {"a": 1}, "f": [1, {"x": null}]}'), text: '{"__proto__": {"a": 1}}' },
      { name: 'array', file: 'templates/x/fixtures/array.json', data: [], text: '[]' },
    ]
    const diagnostics = lintSources([source])
    for (const d of diagnostics) {
      expect(d.message).not.toMatch(/\n\s+at /)
      expect(d.line).toBeGreaterThanOrEqual(1)
      expect(d.column).toBeGreaterThanOrEqual(1)
    }
    expect(() => formatPretty(diagnostics, { readSource: () => text })).not.toThrow()
    expect(({} as Record<string, unknown>).a).toBeUndefined()
  })

  it('random byte soup from a seeded generator', () => {
    let seed = 42
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const alphabet = 'slug: name variables loops layout { } [ ] - : , " \' # & * ! | > ? \n \t . __proto__ dataType text image '.split(' ')
    for (let i = 0; i < 300; i++) {
      const text = Array.from({ length: 5 + Math.floor(random() * 60) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(random() < 0.5 ? ' ' : '')
      expect(() => lintSources([parseTemplateSource(text, { slug: 'x', dir: '/v', file: 'x.yaml' })])).not.toThrow()
    }
  })

  it('unreadable entries on disk (a folder named template.yaml, fixtures that are folders) are diagnostics', async () => {
    const root = tempProject({ 'templates/dir/template.yaml/keep': '', 'templates/fx/template.yaml': 'slug: fx\nname: F\n', 'templates/fx/fixtures/sub.json/keep': '' })
    const sources = await loadTemplateSources({ root, templatesDir: 'templates' })
    expect(sources.map((s) => [s.slug, s.diagnostics.map((d) => d.code)])).toEqual([
      ['dir', ['source-unreadable']],
      ['fx', []],
    ])
  })
})
