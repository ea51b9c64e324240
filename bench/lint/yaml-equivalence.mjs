#!/usr/bin/env node
// Checks @galley/core's fast YAML reader (packages/core/src/source/fast-yaml.ts) against the `yaml` package it
// stands in for: for every text the fast reader accepts, `yaml` must report no error or warning and give the same
// value (same types, same numbers, null-prototype maps) with the same key order in every map. Texts: every
// template.yaml in the repo and in the bench corpora, generated documents in many styles, and random mutations of
// all of them (the mutations are what find the edge cases: a reader that accepts a broken text fails here).
//
// `node bench/lint/yaml-equivalence.mjs [--mutations N] [--seed N]`; exits 1 on the first difference.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { prng, templateSource } from '../generate/corpus.mjs'

const { values } = parseArgs({ options: { mutations: { type: 'string', default: '200000' }, seed: { type: 'string', default: '7' } } })
const repo = join(import.meta.dirname, '../..')
const requireCore = createRequire(join(repo, 'packages/core/package.json'))
const YAML = requireCore('yaml')
const { createJiti } = requireCore('jiti')
const jiti = createJiti(import.meta.url)
const { parseFastYaml } = await jiti.import(join(repo, 'packages/core/src/source/fast-yaml.ts'))

/** What the loader built from `yaml` before: parseYaml's toValue, plus each map's key order. */
function reference(text) {
  const doc = YAML.parseDocument(text, { prettyErrors: false, uniqueKeys: true, keepSourceTokens: false })
  if (doc.errors.length || doc.warnings.length) return { problems: [...doc.errors, ...doc.warnings].map((e) => e.code) }
  const keyOrder = new Map()
  const keyString = (key) => {
    if (YAML.isScalar(key)) return key.value === null || key.value === undefined ? '' : String(key.value)
    if (key === null || key === undefined) return ''
    if (YAML.isAlias(key) || YAML.isMap(key) || YAML.isSeq(key)) return undefined
    return String(key)
  }
  const toValue = (node) => {
    if (YAML.isAlias(node)) return toValue(node.resolve(doc))
    if (YAML.isScalar(node)) return node.value
    if (YAML.isMap(node)) {
      const out = Object.create(null)
      const keys = []
      for (const pair of node.items) {
        const key = keyString(pair.key) ?? '[object]'
        keys.push(key)
        Object.defineProperty(out, key, { value: toValue(pair.value), enumerable: true, writable: true, configurable: true })
      }
      keyOrder.set(out, keys)
      return out
    }
    if (YAML.isSeq(node)) return node.items.map(toValue)
    return null
  }
  return { value: toValue(doc.contents), keyOrder }
}

function same(a, b, aOrder, bOrder, path) {
  if (typeof a !== typeof b) return `${path}: ${typeof a} vs ${typeof b}`
  if (typeof a === 'number') return Object.is(a, b) ? undefined : `${path}: ${a} vs ${b}`
  if (a === null || b === null || typeof a !== 'object') return a === b ? undefined : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs map`
  if (Array.isArray(a)) {
    if (a.length !== b.length) return `${path}: length ${a.length} vs ${b.length}`
    for (let i = 0; i < a.length; i++) {
      const d = same(a[i], b[i], aOrder, bOrder, `${path}/${i}`)
      if (d) return d
    }
    return undefined
  }
  if (Object.getPrototypeOf(a) !== null || Object.getPrototypeOf(b) !== null) return `${path}: prototype`
  const ka = aOrder.get(a)
  const kb = bOrder.get(b)
  if (!ka || !kb || JSON.stringify(ka) !== JSON.stringify(kb)) return `${path}: keys ${JSON.stringify(ka)} vs ${JSON.stringify(kb)}`
  if (JSON.stringify(Object.keys(a)) !== JSON.stringify(Object.keys(b))) return `${path}: own keys`
  for (const k of ka) {
    const d = same(a[k], b[k], aOrder, bOrder, `${path}/${k}`)
    if (d) return d
  }
  return undefined
}

const stats = { texts: 0, accepted: 0, rejectedByYaml: 0 }
function check(text, origin) {
  stats.texts++
  const fast = parseFastYaml(text)
  if (fast === undefined) return
  stats.accepted++
  const ref = reference(text)
  let problem
  if (ref.problems) problem = `yaml reports ${ref.problems.join(', ')}`
  else problem = same(fast.value, ref.value, fast.keyOrder, ref.keyOrder, '')
  if (problem) {
    console.error(`DIFFERENCE (${origin}): ${problem}\n--- text ---\n${text}\n------------`)
    process.exit(1)
  }
}

// 1. Real sources: the repo's templates, every test fixture, the bench corpora.
const seeds = []
const walk = (dir) => {
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name === '.git' || e.name === 'dist') continue
    const p = join(dir, e.name)
    if (e.isDirectory()) walk(p)
    else if (/\.ya?ml$/.test(e.name) && statSync(p).size < 200_000) seeds.push(readFileSync(p, 'utf8'))
  }
}
for (const d of ['templates', 'packages', 'bench/.corpus']) walk(join(repo, d))
const random = prng(Number(values.seed))
for (let i = 0; i < 300; i++) seeds.push(templateSource(i, random).text)

// 2. Generated documents in many styles (block and flow, quoting, comments, odd scalars and keys).
const pick = (list) => list[Math.floor(random() * list.length)]
const SCALARS = ['a', 'text', 'hello world', 'x,y', 'a:b', 'http://x.y/z?a=1#f', 'a #b', 'a# b', '1', '-1', '+1', '0', '-0', '007', '0o17', '0x1F', '1.5', '1.50', '.5', '1.', '1e3', '-1E-2', '.inf', '-.Inf', '.nan', 'NaN', 'true', 'True', 'TRUE', 'tRUE', 'false', 'no', 'yes', 'on', 'null', 'Null', 'NULL', '~', '', '2026-01-02', '12:30', '1_000', '日本語', 'émoji 🎉', '__proto__', 'constructor', 'a]b', 'a}b', 'a[b', "it's", 'say "hi"', '- x', '-x', '? x', ':x', '@x', '`x', '%x', '!x', '&x', '*x', '|', '>', 'a  b', '<<']
const ESCAPED = ['a\\nb', '\\"q\\"', '\\\\', 'x\\\\', '\\x41', '\\u00e9', '\\U0001F600', '\\uD800', '\\q', '\\x4', '\\/', '\\ ', '\\_', '\\N\\L\\P', '\\0\\a\\b\\e\\f\\r\\t\\v', '\\U00110000', '\\u12G4', 'Line one\\nLine two', 'end\\', '\\"']
const KEYS = ['slug', 'name', 'a', 'b.c', 'x-y', '2', '10', '__proto__', 'constructor', 'toString', 'ключ', 'a b', 'true', 'null', '~', '1.5', "'q'", '"dq"', "'it''s'", '""', 'k:v', 'k#', '<<', '-k', '?k', 'label', 'dataType', 'required']
const scalarText = (flow) => {
  const s = pick(SCALARS)
  const r = random()
  if (r < 0.08) return `"${pick(ESCAPED)}"`
  if (r < 0.15) return `"${s.replace(/["\\]/g, '')}"`
  if (r < 0.3) return `'${s.replace(/'/g, "''")}'`
  if (flow && /[,[\]{}]/.test(s)) return `"${s.replace(/["\\]/g, '')}"`
  return s
}
const flowText = (depth) => {
  const r = random()
  if (depth > 2 || r < 0.5) return scalarText(true)
  const sp = pick(['', ' ', '  '])
  const n = Math.floor(random() * 4)
  if (r < 0.8) return `{${sp}${Array.from({ length: n }, () => `${pick(KEYS)}: ${flowText(depth + 1)}`).join(pick([', ', ',', ' , ']))}${sp}}`
  return `[${sp}${Array.from({ length: n }, () => flowText(depth + 1)).join(pick([', ', ',']))}${sp}]`
}
const comment = () => (random() < 0.15 ? pick([' # c', '  #x', ' #']) : '')
const blockLines = (indent, depth, out, forceSeq = false) => {
  const pad = ' '.repeat(indent)
  const n = 1 + Math.floor(random() * 4)
  const seq = forceSeq || random() < 0.25
  for (let i = 0; i < n; i++) {
    if (random() < 0.1) out.push(pick(['', '   ', `${pad}# note`, '# top', `${' '.repeat(Math.floor(random() * 6))}# odd`]))
    const lead = seq ? `${pad}-${pick([' ', '  '])}` : `${pad}${pick(KEYS)}${pick([':', ' :', '  :'])}`
    const r = random()
    if (depth < 3 && r < 0.35) {
      out.push(`${lead.replace(/ +$/, '')}${seq && random() < 0.3 ? '' : comment()}`)
      // A sequence may sit at its parent key's column (`key:` then `- item`).
      if (!seq && random() < 0.2) blockLines(indent, depth + 1, out, true)
      else blockLines(indent + pick([1, 2, 2, 4]), depth + 1, out)
    } else if (depth < 3 && seq && r < 0.5) {
      out.push(`${lead}${pick(KEYS)}: ${flowText(1)}${comment()}`)
      const inner = ' '.repeat(lead.length)
      for (let j = Math.floor(random() * 3); j > 0; j--) out.push(`${inner}${pick(KEYS)}: ${flowText(1)}`)
    } else if (r < 0.55) {
      out.push(`${lead}${seq ? '' : ' '}${flowText(1)}${comment()}`)
    } else {
      out.push(`${lead}${seq ? '' : pick([' ', '   '])}${scalarText(false)}${comment()}`)
    }
  }
}
for (let i = 0; i < 3000; i++) {
  const out = []
  if (random() < 0.3) out.push('# yaml-language-server: $schema=x.json')
  blockLines(random() < 0.1 ? 2 : 0, 0, out)
  const text = out.join('\n') + pick(['\n', '', '\n\n', '\n# end\n'])
  seeds.push(text)
}

// The same texts with CRLF line ends (Windows checkouts).
for (const text of seeds.splice(0)) seeds.push(text, text.replace(/\n/g, '\r\n'))
for (const [i, text] of seeds.entries()) check(text, `seed ${i}`)
const acceptedSeeds = stats.accepted

// 3. Mutations: insert, delete or replace characters (YAML's significant ones most often), swap lines.
const ALPHABET = [' ', ' ', ':', '-', '#', '{', '}', '[', ']', ',', "'", '"', '\n', '\n', '  ', '0', '1', '.', 'a', 'e', 'x', '~', '\\', '&', '*', '!', '|', '>', '?', '%', '@', '\t', '\r', 'é']
const mutations = Number(values.mutations)
for (let m = 0; m < mutations; m++) {
  let text = pick(seeds)
  const edits = 1 + Math.floor(random() * 3)
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (text.length + 1))
    const r = random()
    if (r < 0.35) text = text.slice(0, at) + pick(ALPHABET) + text.slice(at)
    else if (r < 0.6) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 2))
    else if (r < 0.85) text = text.slice(0, at) + pick(ALPHABET) + text.slice(at + 1)
    else {
      const lines = text.split('\n')
      const a = Math.floor(random() * lines.length)
      const b = Math.floor(random() * lines.length)
      ;[lines[a], lines[b]] = [lines[b], lines[a]]
      text = lines.join('\n')
    }
  }
  check(text, `mutation ${m}`)
}
console.log(
  `fast YAML reader = yaml on every accepted text: ${stats.texts} texts (${seeds.length} seeds, ${acceptedSeeds} accepted; ${mutations} mutations), ` +
    `${stats.accepted} accepted in all, the rest left to yaml`,
)
