// Seeded corpus of template sources for bench/lint: the same seed always writes the same bytes. Templates look like
// the repo's (dot-path scalars, loops with previewData, two fixtures each, every 5th with an inline canvas layout)
// and about one in ten carries a finding (a typo in a fixture, a dotted loop key, a bad previewData value), so the
// rules do real work. `node bench/lint/corpus.mjs [count] [dir]` writes one by hand.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { DATA_TYPES, prng, WORDS } from '../generate/corpus.mjs'

const SAMPLE = {
  text: 'Sample', longtext: 'Line one\nLine two', number: 3, currency: 12.5, date: '2026-06-04', datetime: '2026-06-04T09:30:00Z',
  boolean: true, image: 'https://cdn.example.com/a.png', url: 'https://example.com', email: 'jane@example.com',
}

function setPath(target, key, value) {
  const parts = key.split('.')
  let node = target
  for (const p of parts.slice(0, -1)) node = node[p] ??= {}
  node[parts[parts.length - 1]] = value
}

/** One template folder: template.yaml text and its fixtures. */
export function templateFolder(i, random) {
  const pick = (list) => list[Math.floor(random() * list.length)]
  const slug = `t${String(i).padStart(4, '0')}-${pick(WORDS)}`
  const flawed = random() < 0.1
  const lines = ['# yaml-language-server: $schema=../../node_modules/@galley/core/template.schema.json', `slug: ${slug}`, `name: ${pick(WORDS)} ${pick(WORDS)} ${i}`, `description: Generated template ${i} of the lint bench corpus.`, 'pageConfig: { format: A4, orientation: portrait, margin: 20mm }', 'variables:']
  const vars = []
  const count = 4 + Math.floor(random() * 21)
  for (let v = 0; v < count; v++) {
    const depth = 1 + Math.floor(random() * 3)
    const key = [...Array.from({ length: depth - 1 }, () => pick(WORDS)), `${pick(WORDS)}${v}`].join('.')
    if (vars.some((x) => x.key === key || key.startsWith(`${x.key}.`) || x.key.startsWith(`${key}.`))) continue
    const dataType = pick(DATA_TYPES)
    const required = random() < 0.4
    vars.push({ key, dataType, required })
    lines.push(`  ${key}: { label: ${pick(WORDS)} ${v}, dataType: ${dataType}${required ? ', required: true' : ''} }`)
  }
  const firstSegments = new Set(vars.map((v) => v.key.split('.')[0]))
  const loops = []
  const loopCount = Math.floor(random() * 3)
  lines.push(loopCount === 0 ? 'loops: {}' : 'loops:')
  for (let l = 0; l < loopCount; l++) {
    const key = flawed && l === 0 && random() < 0.3 ? `section.rows${l}` : `rows${l}`
    if (firstSegments.has(key)) continue
    const fields = []
    lines.push(`  ${key}:`, `    label: ${pick(WORDS)} rows`, '    itemFields:')
    const n = 1 + Math.floor(random() * 6)
    for (let f = 0; f < n; f++) {
      const field = { key: `${pick(WORDS)}${f}`, dataType: pick(DATA_TYPES), required: random() < 0.5 }
      fields.push(field)
      lines.push(`      ${field.key}: { label: ${pick(WORDS)}, dataType: ${field.dataType}${field.required ? ', required: true' : ''} }`)
    }
    lines.push('    previewData:')
    for (let r = 0; r < 1 + Math.floor(random() * 3); r++) {
      const row = fields.map((f) => `${f.key}: ${JSON.stringify(flawed && r === 1 && f.dataType === 'number' ? 'many' : SAMPLE[f.dataType])}`)
      lines.push(`      - { ${row.join(', ')} }`)
    }
    loops.push({ key, fields })
  }
  if (i % 5 === 0) {
    const refs = [...vars.map((v) => `{{ ${v.key} }}`), ...loops.map((l) => `{{#each ${l.key}}}${l.fields.map((f) => `{{ ${f.key} }}`).join(' ')}{{/each}}`)]
    lines.push('layout:', '  sections:', '    - rows:', '        - columns:', '            - blocks:')
    for (const ref of refs) lines.push(`                - { type: text, props: { content: ${JSON.stringify(ref)} } }`)
  }
  const fixtures = {}
  for (const name of ['full', 'minimal']) {
    const data = {}
    for (const v of vars) if (name === 'full' || v.required) setPath(data, v.key, SAMPLE[v.dataType])
    for (const l of loops) data[l.key] = name === 'full' ? [Object.fromEntries(l.fields.map((f) => [f.key, SAMPLE[f.dataType]]))] : []
    if (flawed && name === 'full') data.extraTypo = 'stripped'
    fixtures[name] = `${JSON.stringify(data, null, 2)}\n`
  }
  return { slug, text: `${lines.join('\n')}\n`, fixtures }
}

/** Writes `count` template folders into `dir/templates` (emptied first); returns the slugs in order. */
export function writeCorpus(dir, { count = 1000, seed = 20261125 } = {}) {
  rmSync(dir, { recursive: true, force: true })
  const random = prng(seed)
  const slugs = []
  for (let i = 0; i < count; i++) {
    const { slug, text, fixtures } = templateFolder(i, random)
    mkdirSync(join(dir, 'templates', slug, 'fixtures'), { recursive: true })
    writeFileSync(join(dir, 'templates', slug, 'template.yaml'), text)
    for (const [name, json] of Object.entries(fixtures)) writeFileSync(join(dir, 'templates', slug, 'fixtures', `${name}.json`), json)
    slugs.push(slug)
  }
  writeFileSync(join(dir, 'galley.config.json'), '{ "templates": "templates" }\n')
  return slugs
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = Number(process.argv[2] ?? 1000)
  const dir = process.argv[3] ?? join(import.meta.dirname, '../.corpus/lint')
  writeCorpus(dir, { count })
  console.log(`wrote ${count} templates to ${dir}`)
}
