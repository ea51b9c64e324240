#!/usr/bin/env node
// bench/publish: `galley plan` and `galley publish` on 200 templates with 0, 10 and 200 changed since the last
// publish, against the emulator, beside the baseline a naive CI script does (PUT every template, 4 at a time),
// in the same run. Reports wall time, HTTP requests the emulator served (counted from its request log), writes,
// and versions minted. Timings are printed, never asserted.
//
//   galley plan / publish  the whole CLI process (`node packages/cli/bin/galley.mjs …`), CRAFTKIT_BASE_URL
//                          pointing at the emulator; publish records in .galley/state as after a previous run
//   naive PUT all          bench/publish/naive.mjs as a whole process: read the sources, PUT all 200, 4 at a time
//
// `node bench/publish/run.mjs [--count N] [--runs N]`; needs `pnpm build` first (`pnpm bench` does it).
import { execFile } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { median, tableLines } from '../stats.mjs'

const { values } = parseArgs({ options: { count: { type: 'string', default: '200' }, runs: { type: 'string', default: '3' } } })
const count = Number(values.count)
const runs = Number(values.runs)
const repo = join(import.meta.dirname, '../..')
const dir = join(repo, 'bench/.corpus/publish')
const galleyBin = join(repo, 'packages/cli/bin/galley.mjs')
const { startEmulator } = await import(join(repo, 'packages/emulator/dist/index.mjs'))
const { createClient } = await import(join(repo, 'packages/client/dist/index.mjs'))


function templateText(i, revision) {
  const slug = `bench-${String(i).padStart(4, '0')}`
  const vars = Array.from({ length: 8 }, (_, k) => `  section${k}.field${i % 7}: { label: Field ${k}, dataType: ${['text', 'number', 'date', 'boolean'][k % 4]}${k % 3 === 0 ? ', required: true' : ''} }`)
  return [
    `slug: ${slug}`,
    `name: Bench template ${i}${revision ? ` rev ${revision}` : ''}`,
    `description: Benchmark template ${i}.`,
    'pageConfig: { format: A4, margin: 15mm }',
    'variables:',
    ...vars,
    'loops:',
    '  rows:',
    '    label: Rows',
    '    itemFields:',
    '      sku: { label: SKU, dataType: text, required: true }',
    '      qty: { label: Qty, dataType: number }',
    '',
  ].join('\n')
}

function writeCorpus(revisionOf) {
  for (let i = 1; i <= count; i++) {
    const slug = `bench-${String(i).padStart(4, '0')}`
    mkdirSync(join(dir, 'templates', slug), { recursive: true })
    writeFileSync(join(dir, 'templates', slug, 'template.yaml'), templateText(i, revisionOf(i)))
  }
}

function run(script, args, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    execFile(process.execPath, [script, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${script} failed: ${stderr}`))
      else resolve(performance.now() - t0)
    })
  })
}

function galley(args, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    execFile(process.execPath, [galleyBin, ...args, '--cwd', dir], { env: { ...process.env, ...env, NO_COLOR: '1' }, maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      const ms = performance.now() - t0
      if (error && error.code !== 0 && error.code !== 2) reject(new Error(`galley ${args.join(' ')} failed: ${stderr}`))
      else resolve({ ms, stdout })
    })
  })
}

let requests = 0
// 'fresh clone': 10 changed, but no publish records (.galley/state removed), as on a CI runner without a cache.
const scenarios = [0, 10, count, 'fresh clone']
const keys = []
for (let r = 0; r < runs; r++) for (const changed of scenarios) keys.push(`ck_test_bench${r}x${String(changed).replace(/ /g, '')}${'0'.repeat(20)}`)
const emulator = await startEmulator({ apiKeys: keys, quiet: false, log: () => void requests++ })
const rows = []
try {
  console.log(`corpus: ${count} templates, ${runs} runs each (median); emulator in-process; Node ${process.version}`)
  const results = new Map()
  let k = 0
  for (let r = 0; r < runs; r++) {
    for (const changed of scenarios) {
      const key = keys[k++]
      const env = { CRAFTKIT_BASE_URL: emulator.url, CRAFTKIT_API_KEY: key }
      const client = createClient({ baseUrl: emulator.url, apiKey: key })
      rmSync(dir, { recursive: true, force: true })
      // Setup (not measured): publish revision 0, then change `changed` templates.
      writeCorpus(() => 0)
      await galley(['publish'], env)
      const nChanged = changed === 'fresh clone' ? 10 : changed
      writeCorpus((i) => (i <= nChanged ? r + 1 : 0))
      if (changed === 'fresh clone') rmSync(join(dir, '.galley'), { recursive: true, force: true })
      const versionsBefore = (await client.templates.list()).reduce((n, t) => n + (t.currentVersionNumber ?? 0), 0)

      requests = 0
      const plan = await galley(['plan', '--json'], env)
      const planRequests = requests
      requests = 0
      const publish = await galley(['publish', '--json'], env)
      const publishRequests = requests
      const publishSummary = JSON.parse(publish.stdout).summary
      const versionsAfterPublish = (await client.templates.list()).reduce((n, t) => n + (t.currentVersionNumber ?? 0), 0)

      // Baseline: a naive script PUTs every template, 4 at a time (bench/publish/naive.mjs, its own process).
      requests = 0
      const naiveMs = await run(join(import.meta.dirname, 'naive.mjs'), [dir], env)
      const naiveRequests = requests
      const versionsAfterNaive = (await client.templates.list()).reduce((n, t) => n + (t.currentVersionNumber ?? 0), 0)

      const row = results.get(changed) ?? { plan: [], publish: [], naive: [], planRequests, publishRequests, naiveRequests, writes: 0, minted: 0, naiveMinted: 0 }
      row.plan.push(plan.ms)
      row.publish.push(publish.ms)
      row.naive.push(naiveMs)
      Object.assign(row, {
        planRequests,
        publishRequests,
        naiveRequests,
        writes: publishSummary.writes,
        minted: versionsAfterPublish - versionsBefore,
        naiveMinted: versionsAfterNaive - versionsAfterPublish,
      })
      results.set(changed, row)
    }
  }
  const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`
  const header = ['changed', 'step', 'time', 'HTTP requests', 'writes', 'versions minted', 'time vs naive']
  for (const changed of scenarios) {
    const row = results.get(changed)
    const naive = median(row.naive)
    rows.push([String(changed), 'galley plan', fmt(median(row.plan)), String(row.planRequests), '0', '0', `${(median(row.plan) / naive).toFixed(2)}x`])
    rows.push([String(changed), 'galley publish', fmt(median(row.publish)), String(row.publishRequests), String(row.writes), String(row.minted), `${(median(row.publish) / naive).toFixed(2)}x`])
    rows.push([String(changed), 'naive PUT all', fmt(naive), String(row.naiveRequests), String(count), String(row.naiveMinted), '1.00x'])
  }
  for (const l of tableLines(header, rows)) console.log(l)
  console.log('Every row is a whole Node process (start, read sources, requests). galley publish = lint + plan + PUTs + one list to')
  console.log('record updatedAt; plans read the publish records in .galley/state, so one list request suffices while nothing else')
  console.log('published (a GET per template otherwise, e.g. on a fresh clone).')
} finally {
  await emulator.close()
}
