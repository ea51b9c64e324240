#!/usr/bin/env node
// bench/generate: `galley generate` on a seeded corpus of 1,000 templates, beside the baseline a user would
// otherwise write (json-schema-to-typescript's `compile` per template with default options), in the same run.
//
//   cold        the whole CLI process (`node packages/cli/bin/galley.mjs generate`), no output file yet,
//               against the baseline script as a whole process (bench/generate/baseline.mjs); also
//               @galley/codegen alone as a whole process (cold-codegen.mjs), to separate the engine from the CLI,
//               and reading the sources alone (load-only.mjs: @galley/core's loader, what the CLI does first)
//   one change  a long-lived generator (as the build plugin and `galley dev` hold one): after one template's
//               source changed, re-read that file, regenerate and write; against the baseline redoing the same
//               single template with `compile` (what it would do at best) and the whole baseline run
//
// Targets (issue 5): cold < 1/3 of the baseline; one change < 50 ms. Timings are printed, never asserted.
// `node bench/generate/run.mjs [--count N] [--runs N]`; needs `pnpm build` first (`pnpm bench` does it).
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { writeCorpus } from './corpus.mjs'
import { median } from '../stats.mjs'

const { values } = parseArgs({ options: { count: { type: 'string', default: '1000' }, runs: { type: 'string', default: '3' } } })
const count = Number(values.count)
const runs = Number(values.runs)
const repo = join(import.meta.dirname, '../..')
const dir = join(repo, 'bench/.corpus/generate')
const galley = join(repo, 'packages/cli/bin/galley.mjs')
const out = join(dir, 'out/craftkit.gen.ts')

const time = (fn) => {
  const t0 = performance.now()
  fn()
  return performance.now() - t0
}
const timeAsync = async (fn) => {
  const t0 = performance.now()
  await fn()
  return performance.now() - t0
}

console.log(`corpus: ${count} templates (seeded), ${runs} runs each, median; Node ${process.version}`)
const slugs = writeCorpus(dir, { count })

// Cold: every case as a whole process, interleaved so that machine noise hits each alike.
const baselineTimes = []
const cliTimes = []
const codegenTimes = []
const loadTimes = []
for (let r = 0; r < runs; r++) {
  rmSync(join(dir, 'out'), { recursive: true, force: true })
  baselineTimes.push(time(() => execFileSync(process.execPath, [join(import.meta.dirname, 'baseline.mjs'), dir, join(dir, 'out/baseline.ts')])))
  rmSync(join(dir, 'out'), { recursive: true, force: true })
  cliTimes.push(time(() => execFileSync(process.execPath, [galley, 'generate', '--cwd', dir], { env: { ...process.env, NO_COLOR: '1' } })))
  rmSync(join(dir, 'out'), { recursive: true, force: true })
  codegenTimes.push(time(() => execFileSync(process.execPath, [join(import.meta.dirname, 'cold-codegen.mjs'), dir, out])))
  loadTimes.push(time(() => execFileSync(process.execPath, [join(import.meta.dirname, 'load-only.mjs'), dir])))
}
const baseline = median(baselineTimes)
const cold = median(cliTimes)
const coldCodegen = median(codegenTimes)
const loadOnly = median(loadTimes)
const size = statSync(out).size

// One change, in process: the generator and its cache live across changes, as in the plugin and `galley dev`.
const fromCore = createRequire(join(repo, 'packages/core/package.json'))
const fromCodegen = createRequire(join(repo, 'packages/codegen/package.json'))
const { compile } = await import(fromCodegen.resolve('json-schema-to-typescript'))
const core = await import(join(repo, 'packages/core/dist/index.mjs'))
const codegen = await import(join(repo, 'packages/codegen/dist/index.mjs'))
const { loadTemplates, reloadTemplate } = await import('./load.mjs')
const templates = await loadTemplates(dir)
const cache = codegen.createGeneratorCache()
await codegen.writeGenerated(out, await codegen.generateModule(templates, { cache }))

const changeTimes = []
const baselineOneTimes = []
const changes = Math.max(5, runs * 3)
for (let c = 0; c < changes; c++) {
  const slug = slugs[(c * 7919) % slugs.length]
  const file = join(dir, 'templates', slug, 'template.yaml')
  const text = readFileSync(file, 'utf8')
  writeFileSync(file, text.replace('variables:\n', `variables:\n  bench.changed${c}: { label: Changed ${c}, dataType: text, required: true }\n`))
  changeTimes.push(
    await timeAsync(async () => {
      const index = templates.findIndex((t) => t.slug === slug)
      templates[index] = await reloadTemplate(dir, slug)
      await codegen.writeGenerated(out, await codegen.generateModule(templates, { cache }))
    }),
  )
  if (cache.stats.compiled !== 1) throw new Error(`expected one data type to be recompiled, got ${JSON.stringify(cache.stats)}`)
  const manifest = templates.find((t) => t.slug === slug).manifest
  baselineOneTimes.push(await timeAsync(() => compile(core.manifestToJsonSchema(manifest), 'ChangedData')))
}
const change = median(changeTimes)
const baselineOne = median(baselineOneTimes)
rmSync(join(dir, 'out/baseline.ts'), { force: true })

const rows = [
  ['baseline: compile() per template, default options (whole process)', baseline, 1],
  [`galley generate, cold (whole CLI process, ${(size / 1e6).toFixed(1)} MB out)`, cold, cold / baseline],
  [`@galley/codegen alone, cold (whole process: load sources, generate, write)`, coldCodegen, coldCodegen / baseline],
  ['  of which reading the sources (@galley/core, whole process, no codegen)', loadOnly, loadOnly / baseline],
  ['galley one change: re-read 1 source, regenerate, write (in process)', change, change / baseline],
  ['baseline: compile() of just the changed template (in process)', baselineOne, baselineOne / baseline],
]
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`)
const w = Math.max(...rows.map((r) => r[0].length))
console.log(`\n${'case'.padEnd(w)}  ${'time'.padStart(9)}  vs baseline`)
for (const [name, ms, ratio] of rows) console.log(`${name.padEnd(w)}  ${fmt(ms).padStart(9)}  ${ratio.toFixed(3)}`)
console.log(`\ncold ratio ${(cold / baseline).toFixed(3)} (target < 0.333): ${cold / baseline < 1 / 3 ? 'met' : 'NOT met'}`)
console.log(`one change ${fmt(change)} (target < 50 ms): ${change < 50 ? 'met' : 'NOT met'}`)
console.log(
  `runs (ms): baseline ${baselineTimes.map(Math.round).join(', ')}; cli ${cliTimes.map(Math.round).join(', ')}; codegen ${codegenTimes.map(Math.round).join(', ')}; ` +
    `sources ${loadTimes.map(Math.round).join(', ')}; one change ${changeTimes.map(Math.round).join(', ')}`,
)
console.log(`load average at the end: ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')} (${(await import('node:os')).cpus().length} CPUs)`)
