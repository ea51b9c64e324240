#!/usr/bin/env node
// bench/lint: `lintSources(await loadTemplateSources(...))` on a seeded corpus of 1,000 templates (2 fixtures each),
// beside the baseline of simply reading and parsing the same template.yaml files with the `yaml` package's
// `parse`, measured in the same process and run, interleaved so machine noise hits both alike.
//
//   baseline  readFileSync + yaml.parse of every template.yaml (no positions, no model, no fixtures)
//   load      @galley/core loadTemplateSources: discover, read, parse, build the model, read fixtures (node positions
//             are computed on first use, i.e. only for the files lint reports on: the lint row pays for them)
//   lint      loadTemplateSources + lintSources (every rule: fixtures and previewData through validateData)
//
// The loader's shortcuts are checked against what they stand in for by yaml-equivalence.mjs (fast YAML reader vs
// the `yaml` package) and schema-equivalence.mjs (direct validity check vs the zod schema).
// Timings are printed, never asserted. `node bench/lint/run.mjs [--count N] [--runs N]`; needs
// `pnpm build` first (`pnpm bench` does it).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { writeCorpus } from './corpus.mjs'
import { median } from '../stats.mjs'

const { values } = parseArgs({ options: { count: { type: 'string', default: '1000' }, runs: { type: 'string', default: '7' } } })
const count = Number(values.count)
const runs = Number(values.runs)
const repo = join(import.meta.dirname, '../..')
const dir = join(repo, 'bench/.corpus/lint')

const core = await import(join(repo, 'packages/core/dist/index.mjs'))
// The same `yaml` that @galley/core uses, so the baseline parser is exactly the one inside the loader.
const YAML = createRequire(join(repo, 'packages/core/package.json'))('yaml')

const slugs = writeCorpus(dir, { count })
const files = slugs.map((slug) => join(dir, 'templates', slug, 'template.yaml'))
const timeAsync = async (fn) => {
  const t0 = performance.now()
  const result = await fn()
  return [performance.now() - t0, result]
}

const baseline = () => {
  let n = 0
  for (const file of files) n += YAML.parse(readFileSync(file, 'utf8')) ? 1 : 0
  return n
}
const load = () => core.loadTemplateSources({ root: dir, templatesDir: 'templates' })
const lint = async () => core.lintSources(await load())

// Warm-up: JIT and the file cache, so the first measured run is not an outlier of either case.
baseline()
const diagnostics = await lint()

const times = { baseline: [], load: [], lint: [] }
for (let r = 0; r < runs; r++) {
  times.baseline.push((await timeAsync(baseline))[0])
  times.load.push((await timeAsync(load))[0])
  times.lint.push((await timeAsync(lint))[0])
}

const base = median(times.baseline)
const rows = [
  ['baseline: readFileSync + yaml.parse per template.yaml', base],
  ['loadTemplateSources (model, fixtures; positions on demand)', median(times.load)],
  ['lintSources(loadTemplateSources(...)) (all rules)', median(times.lint)],
]
const errors = diagnostics.filter((d) => d.severity === 'error').length
console.log(`corpus: ${count} templates, ${count * 2} fixtures (seeded), ${runs} runs each, median; Node ${process.version}`)
console.log(`lint found ${errors} errors and ${diagnostics.length - errors} warnings in the corpus (about 1 in 10 templates is flawed on purpose)\n`)
const w = Math.max(...rows.map((r) => r[0].length))
console.log(`${'case'.padEnd(w)}  ${'total'.padStart(9)}  ${'per template'.padStart(12)}  vs baseline`)
for (const [name, ms] of rows) console.log(`${name.padEnd(w)}  ${`${ms.toFixed(1)} ms`.padStart(9)}  ${`${((ms / count) * 1000).toFixed(0)} µs`.padStart(12)}  ${(ms / base).toFixed(2)}x`)
console.log(`\nruns (ms): baseline ${times.baseline.map(Math.round).join(', ')}; load ${times.load.map(Math.round).join(', ')}; lint ${times.lint.map(Math.round).join(', ')}`)
