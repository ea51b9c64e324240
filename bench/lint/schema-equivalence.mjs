#!/usr/bin/env node
// Checks the loader's shortcut past zod (packages/core/src/source/quick-check.ts): whenever it calls a parsed
// template.yaml valid, `templateSourceSchema.safeParse` must find no issue. Inputs: the bench corpora's and the
// repo's sources as parsed, and random variations of them (values of the wrong type or length, unknown and odd
// keys, boundary lengths, arrays for maps). Also counts how often the shortcut applies to valid inputs.
//
// `node bench/lint/schema-equivalence.mjs [--cases N] [--seed N]`; exits 1 on the first difference.
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { prng, templateSource } from '../generate/corpus.mjs'

const { values } = parseArgs({ options: { cases: { type: 'string', default: '200000' }, seed: { type: 'string', default: '3' } } })
const repo = join(import.meta.dirname, '../..')
const requireCore = createRequire(join(repo, 'packages/core/package.json'))
const { createJiti } = requireCore('jiti')
const jiti = createJiti(import.meta.url)
const { isPlainValidTemplateSource } = await jiti.import(join(repo, 'packages/core/src/source/quick-check.ts'))
const { templateSourceSchema } = (await jiti.import(join(repo, 'packages/core/src/source/schema.ts'))).sourceSchemas()
const { parseFastYaml } = await jiti.import(join(repo, 'packages/core/src/source/fast-yaml.ts'))
const YAML = requireCore('yaml')

const random = prng(Number(values.seed))
const pick = (list) => list[Math.floor(random() * list.length)]
const nullProto = (o) => Object.assign(Object.create(null), o)
const fromYaml = (text) => {
  const fast = parseFastYaml(text)
  if (fast) return fast.value
  const v = YAML.parse(text)
  const conv = (x) => (Array.isArray(x) ? x.map(conv) : x && typeof x === 'object' ? nullProto(Object.fromEntries(Object.entries(x).map(([k, y]) => [k, conv(y)]))) : x)
  return conv(v)
}

const seeds = []
for (let i = 0; i < 300; i++) seeds.push(fromYaml(templateSource(i, random).text))
for (const dir of [join(repo, 'templates'), join(repo, 'bench/.corpus/lint/templates')]) {
  if (!existsSync(dir)) continue
  for (const slug of readdirSync(dir).slice(0, 300)) {
    const f = join(dir, slug, 'template.yaml')
    if (existsSync(f)) {
      try {
        const v = fromYaml(readFileSync(f, 'utf8'))
        if (v && typeof v === 'object') seeds.push(v)
      } catch {}
    }
  }
}

const ODD = () =>
  pick([
    undefined, null, true, false, 0, 1, -1, 1.5, NaN, '', 'a', 'x'.repeat(120), 'x'.repeat(121), 'x'.repeat(280), 'x'.repeat(281), 'A4', 'portrait',
    'landscape', 'document', 'pdf-overlay', 'text', 'number', 'image', 'TEXT', 'ok-slug', 'Bad_Slug', 'a--b', '-a', './layout.json', [], [nullProto({ a: 1 })],
    Array.from({ length: 10 }, () => nullProto({ a: 1 })), Array.from({ length: 11 }, () => nullProto({})), [1], [null], [[]], nullProto({}),
    nullProto({ label: 'L', dataType: 'text' }), nullProto({ dataType: 'date', required: true }), nullProto({ label: '', dataType: 'text' }),
    nullProto({ label: 'L', dataType: 'text', extra: 1 }), nullProto({ label: 'L', itemFields: nullProto({ a: nullProto({ dataType: 'text' }) }) }),
    nullProto({ __proto__: nullProto({ dataType: 'text' }) }), nullProto({ constructor: nullProto({ dataType: 'text' }) }), nullProto({ sections: [] }),
  ])
const clone = (v) => (Array.isArray(v) ? v.map(clone) : v && typeof v === 'object' ? Object.defineProperties(Object.create(null), Object.fromEntries(Object.keys(v).map((k) => [k, { value: clone(v[k]), enumerable: true, writable: true, configurable: true }]))) : v)
/** Collects the paths of every object/array in `v`. */
const containers = (v, path = [], out = []) => {
  if (v && typeof v === 'object') {
    out.push(path)
    for (const k of Object.keys(v)) containers(v[k], [...path, k], out)
  }
  return out
}
const mutate = (root) => {
  const v = clone(root)
  for (let e = 1 + Math.floor(random() * 2); e > 0; e--) {
    const paths = containers(v)
    const path = pick(paths)
    let node = v
    for (const k of path) node = node[k]
    const keys = Object.keys(node)
    const r = random()
    const key = r < 0.6 && keys.length ? pick(keys) : pick(['slug', 'name', 'description', 'templateType', 'pageConfig', 'variables', 'loops', 'layout', '$schema', 'label', 'dataType', 'required', 'itemFields', 'previewData', 'format', 'orientation', 'margin', 'printBackground', 'extra', '__proto__', 'constructor', '0', 'a.b'])
    const value = random() < 0.2 ? undefined : ODD()
    if (value === undefined && random() < 0.5) delete node[key]
    else Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true })
  }
  return v
}

let shortcut = 0
let valid = 0
const cases = Number(values.cases)
for (let c = 0; c < cases + seeds.length; c++) {
  const input = c < seeds.length ? seeds[c] : mutate(pick(seeds))
  const quick = isPlainValidTemplateSource(input)
  const ok = templateSourceSchema.safeParse(input).success
  if (ok) valid++
  if (quick) shortcut++
  if (quick && !ok) {
    console.error('DIFFERENCE: the shortcut accepts what the schema rejects:', JSON.stringify(templateSourceSchema.safeParse(input).error.issues, null, 1).slice(0, 2000))
    console.error(input)
    process.exit(1)
  }
}
console.log(`shortcut past zod agrees with the schema on ${cases + seeds.length} inputs (${valid} valid; the shortcut took ${shortcut} of them)`)
