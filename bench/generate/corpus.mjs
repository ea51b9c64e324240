// Seeded corpus of template sources for bench/generate: the same seed always writes the same bytes, so runs
// compare like with like. `node bench/generate/corpus.mjs [count] [dir]` writes one by hand.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

export const DATA_TYPES = ['text', 'longtext', 'number', 'currency', 'date', 'datetime', 'boolean', 'image', 'url', 'email']
export const WORDS = ['customer', 'order', 'booking', 'invoice', 'handover', 'vessel', 'crew', 'payment', 'address', 'contact', 'line', 'area', 'total', 'signature', 'notes', 'date', 'code', 'name', 'status', 'amount']

/** mulberry32: a small, well-distributed 32-bit PRNG. */
export function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The YAML source of template `i`: 4-24 variables over 1-3 path levels, 0-3 loops of 1-6 fields. */
export function templateSource(i, random) {
  const pick = (list) => list[Math.floor(random() * list.length)]
  const slug = `t${String(i).padStart(4, '0')}-${pick(WORDS)}`
  const lines = [`slug: ${slug}`, `name: ${pick(WORDS)} ${pick(WORDS)} ${i}`, `description: Generated template ${i} of the bench corpus.`, 'variables:']
  const used = new Set()
  const count = 4 + Math.floor(random() * 21)
  for (let v = 0; v < count; v++) {
    const depth = 1 + Math.floor(random() * 3)
    const key = [...Array.from({ length: depth - 1 }, () => pick(WORDS)), `${pick(WORDS)}${v}`].join('.')
    if (used.has(key) || [...used].some((k) => key.startsWith(`${k}.`) || k.startsWith(`${key}.`))) continue
    used.add(key)
    lines.push(`  ${key}: { label: ${pick(WORDS)} ${v}, dataType: ${pick(DATA_TYPES)}${random() < 0.4 ? ', required: true' : ''} }`)
  }
  const loops = Math.floor(random() * 4)
  lines.push(loops === 0 ? 'loops: {}' : 'loops:')
  const firstSegments = new Set([...used].map((k) => k.split('.')[0]))
  for (let l = 0; l < loops; l++) {
    const key = `rows${l}`
    if (firstSegments.has(key)) continue
    lines.push(`  ${key}:`, `    label: ${pick(WORDS)} rows`, '    itemFields:')
    const fields = 1 + Math.floor(random() * 6)
    for (let f = 0; f < fields; f++) {
      lines.push(`      ${pick(WORDS)}${f}: { label: ${pick(WORDS)}, dataType: ${pick(DATA_TYPES)}${random() < 0.5 ? ', required: true' : ''} }`)
    }
  }
  return { slug, text: `${lines.join('\n')}\n` }
}

/** Writes `count` templates and a config into `dir` (emptied first); returns the slugs in order. */
export function writeCorpus(dir, { count = 1000, seed = 20260604 } = {}) {
  rmSync(dir, { recursive: true, force: true })
  const random = prng(seed)
  const slugs = []
  for (let i = 0; i < count; i++) {
    const { slug, text } = templateSource(i, random)
    mkdirSync(join(dir, 'templates', slug), { recursive: true })
    writeFileSync(join(dir, 'templates', slug, 'template.yaml'), text)
    slugs.push(slug)
  }
  writeFileSync(join(dir, 'galley.config.json'), `${JSON.stringify({ templates: 'templates', output: 'out/craftkit.gen.ts' }, null, 2)}\n`)
  return slugs
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = Number(process.argv[2] ?? 1000)
  const dir = process.argv[3] ?? join(import.meta.dirname, '../.corpus/generate')
  writeCorpus(dir, { count })
  console.log(`wrote ${count} templates to ${dir}`)
}
