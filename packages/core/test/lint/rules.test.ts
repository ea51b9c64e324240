import { describe, expect, it } from 'vitest'
import { RULES } from '../../src/index.ts'
import { brief, lintYaml } from '../utils.ts'

type Case = [name: string, given: { yaml: string; fixtures?: Record<string, unknown>; slug?: string }, want: string[]]

const head = (slug = 'sample') => `slug: ${slug}\nname: Sample\n`

// Each rule: what it flags (exact id and line:col) and what it must leave alone.
const table: Record<string, Case[]> = {
  'loop-key-dot': [
    ['flags a dotted loop key at the key', { yaml: `${head()}loops:\n  handover.areas:\n    label: A\n    itemFields: { k: { dataType: text } }\n` }, ['loop-key-dot@template.yaml:4:3']],
    ['accepts a dot-free loop key', { yaml: `${head()}loops:\n  areas:\n    label: A\n    itemFields: { k: { dataType: text } }\n` }, []],
    ['accepts dotted item fields (they nest like scalars)', { yaml: `${head()}loops:\n  areas:\n    label: A\n    itemFields: { a.b: { dataType: text } }\n` }, []],
  ],
  'loop-key-conflict': [
    ['flags a loop named like a scalar prefix', { yaml: `${head()}variables:\n  areas.count: { dataType: number }\nloops:\n  areas:\n    label: A\n    itemFields: { k: { dataType: text } }\n` }, ['loop-key-conflict@template.yaml:6:3']],
    ['flags a loop named like a whole scalar', { yaml: `${head()}variables:\n  areas: { dataType: text }\nloops:\n  areas:\n    label: A\n    itemFields: { k: { dataType: text } }\n` }, ['loop-key-conflict@template.yaml:6:3']],
    ['accepts a scalar whose later segment equals the loop key', { yaml: `${head()}variables:\n  summary.areas: { dataType: text }\nloops:\n  areas:\n    label: A\n    itemFields: { k: { dataType: text } }\n` }, []],
  ],
  'key-shape-conflict': [
    ['flags a leaf that is also a branch', { yaml: `${head()}variables:\n  customer: { dataType: text }\n  customer.name: { dataType: text }\n` }, ['key-shape-conflict@template.yaml:4:3']],
    ['flags it whichever comes first', { yaml: `${head()}variables:\n  a.b.c: { dataType: text }\n  a.b: { dataType: text }\n` }, ['key-shape-conflict@template.yaml:5:3']],
    ['accepts siblings sharing a prefix', { yaml: `${head()}variables:\n  customer.name: { dataType: text }\n  customerName: { dataType: text }\n` }, []],
  ],
  'pipeline-loop': [
    ['flags loops on Document mode', { yaml: `${head()}loops:\n  rows:\n    label: R\n    itemFields: { k: { dataType: text } }\nlayout: { pages: [] }\n` }, ['pipeline-loop@template.yaml:4:3', 'unused-variable@template.yaml:4:3']],
    ['flags loops on a PDF overlay', { yaml: `${head()}templateType: pdf-overlay\nloops:\n  rows:\n    label: R\n    itemFields: { k: { dataType: text } }\n` }, ['pipeline-loop@template.yaml:5:3']],
    ['accepts loops on Canvas (synthesized layout)', { yaml: `${head()}loops:\n  rows:\n    label: R\n    itemFields: { k: { dataType: text } }\n` }, []],
  ],
  'pipeline-image': [
    ['flags an image variable on Document mode at its dataType', { yaml: `${head()}variables:\n  sig: { dataType: image }\nlayout: { pages: ["{{ sig }}"] }\n` }, ['pipeline-image@template.yaml:4:20']],
    ['accepts images on Canvas and on PDF overlay', { yaml: `${head()}templateType: pdf-overlay\nvariables:\n  sig: { dataType: image }\n` }, []],
  ],
  'data-uri-image': [
    ['flags a data: URI in previewData', { yaml: `${head()}loops:\n  rows:\n    label: R\n    itemFields: { img: { dataType: image } }\n    previewData:\n      - { img: "data:image/png;base64,AAAA" }\n` }, ['data-uri-image@template.yaml:8:16']],
    ['flags a data: URI in a fixture (and fixture-invalid steps aside)', { yaml: `${head()}variables:\n  logo: { dataType: url }\n`, fixtures: { a: { logo: 'DATA:text/plain,x' } } }, ['data-uri-image@a.json:2:11']],
    ['accepts data: strings in a text field', { yaml: `${head()}variables:\n  logo: { dataType: text }\n`, fixtures: { a: { logo: 'data:image/png;base64,AAAA' } } }, []],
  ],
  schema: [
    ['flags an unknown dataType at its value', { yaml: `${head()}variables:\n  a: { dataType: money }\n` }, ['schema@template.yaml:4:18']],
    ['flags a bad slug', { yaml: 'slug: Not_A_Slug\nname: X\n', slug: 'Not_A_Slug' }, ['schema@template.yaml:1:7']],
    ['flags a slug that differs from the folder', { yaml: 'slug: other\nname: X\n' }, ['schema@template.yaml:1:7']],
    ['flags a missing name at the mapping', { yaml: 'slug: sample\n' }, ['schema@template.yaml:1:1']],
    ['flags a 121-character name', { yaml: `slug: sample\nname: ${'n'.repeat(121)}\n` }, ['schema@template.yaml:2:7']],
    ['flags a 281-character description', { yaml: `${head()}description: ${'d'.repeat(281)}\n` }, ['schema@template.yaml:3:14']],
    ['flags empty itemFields', { yaml: `${head()}loops:\n  rows:\n    label: R\n    itemFields: {}\n` }, ['schema@template.yaml:6:5']],
    ['flags 11 previewData rows', { yaml: `${head()}loops:\n  rows:\n    label: R\n    itemFields: { k: { dataType: text } }\n    previewData: [${Array(11).fill('{ k: a }').join(', ')}]\n` }, ['schema@template.yaml:7:18']],
    ['flags an unknown key at the key, with a suggestion', { yaml: `${head()}lopps: {}\n` }, ['schema@template.yaml:3:1']],
    ['accepts 10 previewData rows and a 120-character name', { yaml: `slug: sample\nname: ${'n'.repeat(120)}\nloops:\n  rows:\n    label: R\n    itemFields: { k: { dataType: text } }\n    previewData: [${Array(10).fill('{ k: a }').join(', ')}]\n` }, []],
  ],
  'fixture-invalid': [
    ['flags a missing required value at the object lacking it', { yaml: `${head()}variables:\n  a.b: { dataType: text, required: true }\n`, fixtures: { f: { a: {} } } }, ['fixture-invalid@f.json:2:3']],
    ['flags a wrong type at the value', { yaml: `${head()}variables:\n  n: { dataType: number }\n`, fixtures: { f: { n: 'abc' } } }, ['fixture-invalid@f.json:2:8']],
    ['flags a bad previewData row at the value', { yaml: `${head()}loops:\n  rows:\n    label: R\n    itemFields: { d: { dataType: date } }\n    previewData:\n      - { d: tomorrow }\n` }, ['fixture-invalid@template.yaml:8:14']],
    ['accepts coercible values', { yaml: `${head()}variables:\n  n: { dataType: number }\n  b: { dataType: boolean }\n`, fixtures: { f: { n: '12.5', b: 'true' } } }, []],
  ],
  'fixture-stripped-key': [
    ['warns on a typo at the key, with a suggestion', { yaml: `${head()}variables:\n  customer.name: { dataType: text }\n`, fixtures: { f: { customer: { nmae: 'x' } } } }, ['fixture-stripped-key@f.json:3:5']],
    ['warns on a dotted key sent flat', { yaml: `${head()}variables:\n  customer.name: { dataType: text }\n`, fixtures: { f: { 'customer.name': 'x' } } }, ['fixture-stripped-key@f.json:2:3']],
    ['warns on a dotted loop key sent nested (it binds only literally)', { yaml: `${head()}variables:\n  h.kind: { dataType: text }\nloops:\n  h.rows:\n    label: R\n    itemFields: { k: { dataType: text } }\n`, fixtures: { f: { h: { kind: 'x', rows: [] } } } }, ['fixture-stripped-key@f.json:4:5', 'loop-key-dot@template.yaml:6:3']],
  ],
  'layout-unbound': [
    ['flags an unknown key in an inline layout', { yaml: `${head()}variables:\n  a: { dataType: text }\nlayout: { sections: ["{{ a }} {{ b }}"] }\n` }, ['layout-unbound@template.yaml:5:31']],
    ['accepts keys, branches, loops and their fields', { yaml: `${head()}variables:\n  c.name: { dataType: text }\nloops:\n  rows:\n    label: R\n    itemFields: { k: { dataType: text } }\nlayout: { sections: ["{{ c.name }} {{#if c}}{{/if}} {{#each rows}}{{ k }} {{@index}}{{/each}}"] }\n` }, []],
  ],
  'unused-variable': [
    ['warns on a variable the layout never uses', { yaml: `${head()}variables:\n  a: { dataType: text }\n  b: { dataType: text }\nlayout: { sections: ["{{ a }}"] }\n` }, ['unused-variable@template.yaml:5:3']],
    ['does nothing without an explicit layout', { yaml: `${head()}variables:\n  a: { dataType: text }\n` }, []],
  ],
  'duplicate-slug': [],
}

describe('lint rules (table-driven)', () => {
  it('covers every rule', () => {
    expect(Object.keys(table).sort()).toEqual(RULES.map((r) => r.id).sort())
  })

  for (const [rule, cases] of Object.entries(table)) {
    if (cases.length === 0) continue
    it.each(cases)(`${rule}: %s`, (_name, given, want) => {
      const opts: Parameters<typeof lintYaml>[1] = {}
      if (given.fixtures) opts.fixtures = given.fixtures
      if (given.slug) opts.slug = given.slug
      expect(brief(lintYaml(given.yaml, opts))).toEqual(want)
    })
  }

  it('every rule has a stable id, a severity and a description', () => {
    for (const r of RULES) {
      expect(r.id).toMatch(/^[a-z]+(-[a-z]+)*$/)
      expect(['error', 'warning']).toContain(r.severity)
      expect(r.description.length).toBeGreaterThan(10)
    }
  })
})

describe('rule overrides', () => {
  const yaml = `${head()}loops:\n  a.b:\n    label: A\n    itemFields: { k: { dataType: text } }\n`
  it.each([
    [undefined, ['error']],
    ['warning', ['warning']],
    ['error', ['error']],
    ['off', []],
  ] as const)('loop-key-dot: %s', (setting, severities) => {
    const d = lintYaml(yaml, setting ? { rules: { 'loop-key-dot': setting } } : {})
    expect(d.map((x) => x.severity)).toEqual(severities)
  })

  it('turning data-uri-image off lets fixture-invalid report the data: URI instead', () => {
    const d = lintYaml(`${head()}variables:\n  logo: { dataType: image }\n`, { fixtures: { f: { logo: 'data:image/png;base64,AA' } }, rules: { 'data-uri-image': 'off' } })
    expect(brief(d)).toEqual(['fixture-invalid@f.json:2:11'])
  })

  it('cannot turn off a YAML syntax error', () => {
    expect(brief(lintYaml('slug: [', { rules: { schema: 'off' } }))).toEqual(['yaml-syntax@template.yaml:1:8'])
  })
})

describe('suggestions', () => {
  it.each([
    ['nmae', ['name', 'date'], 'name'],
    ['guestname', ['guestName'], 'guestName'],
    ['knd', ['kind'], 'kind'],
    ['strasse', ['straße'], 'straße'],
    ['y', ['x'], undefined],
    ['total', ['notes'], undefined],
    ['varaibles', ['slug', 'variables'], 'variables'],
  ])('%s among %j -> %s', async (key, candidates, want) => {
    const { closest } = await import('../../src/lint/helpers.ts')
    expect(closest(key, candidates)).toBe(want)
  })
})
