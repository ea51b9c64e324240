#!/usr/bin/env node
// bench/impact: `galley plan --impact` beside `tsc --noEmit` over the same consuming project, in the same run
// (DESIGN §12, issue 10). The corpus (bench/impact/corpus.mjs): 20 templates, a consuming app of 300 files with
// 100 call sites (5 per template), one template changed (a new required variable: its 5 call sites break).
// Timings are printed, never asserted; the call sites found are checked, so that a broken analysis is not timed.
//
//   tsc --noEmit           the TypeScript the repo builds with (node_modules/typescript), `-p app/tsconfig.json`,
//                          as a whole process: what a CI job runs to know whether the app still compiles
//   galley plan --impact   the whole CLI process: config, sources, plan against the emulator, the module
//                          generated in memory, the analysis (only the files that reach the generated module and
//                          name the changed template, and of their imports only what the uses need), in a worker thread
//                          (GALLEY_IMPACT_WORKER=1; by default only with 3 cores or more and one to spare)
//   … (in-thread)          the same with GALLEY_IMPACT_WORKER=0 (the default on this 2-core machine): TypeScript
//                          loads and the project is parsed after the plan and the generation
//
// galley loads TypeScript through a V8 code cache (packages/codegen/src/code-cache.ts, in the OS temp folder),
// which the untimed first run writes; tsc on Node 20 has none (on Node >= 22.1 both would use Node's own).
//   galley plan            the same without --impact: the plan's own share of the time above
//
// The emulator runs in this process (CRAFTKIT_BASE_URL), as a remote target would: the embedded emulator's
// start-up is not part of either side. `node bench/impact/run.mjs [--runs N]`; needs `pnpm build` first.
import { execFile } from 'node:child_process'
import os from 'node:os'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { median, tableLines } from '../stats.mjs'
import { CALLER_FILES, slugOf, templateText, TEMPLATES, writeCorpus } from './corpus.mjs'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } })
const runs = Number(values.runs)
const repo = join(import.meta.dirname, '../..')
const dir = join(repo, 'bench/.corpus/impact')
const galleyBin = join(repo, 'packages/cli/bin/galley.mjs')
const tscBin = join(repo, 'node_modules/typescript/bin/tsc')
const { startEmulator } = await import(join(repo, 'packages/emulator/dist/index.mjs'))
const ts = (await import(join(repo, 'node_modules/typescript/lib/typescript.js'))).default

function timed(file, args, env = {}, okCodes = [0]) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    execFile(process.execPath, [file, ...args], { cwd: dir, env: { ...process.env, ...env, NO_COLOR: '1' }, maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      const ms = performance.now() - t0
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      if (!okCodes.includes(code)) reject(new Error(`${file} ${args.join(' ')} exited ${code}: ${stderr || stdout}`))
      else resolve({ ms, stdout, code })
    })
  })
}

const key = `ck_test_benchimpact${'0'.repeat(20)}`
const emulator = await startEmulator({ apiKeys: [key], quiet: true })
const env = { CRAFTKIT_BASE_URL: emulator.url, CRAFTKIT_API_KEY: key }
try {
  const files = writeCorpus(dir, join(repo, 'packages/client'))
  // Setup (not measured): the committed module and the published templates, then one template changed.
  await timed(galleyBin, ['generate'], env)
  await timed(galleyBin, ['publish'], env)
  const changed = 5
  writeFileSync(join(dir, 'templates', slugOf(changed), 'template.yaml'), templateText(changed, true))

  // The baseline must compile the unchanged app: otherwise it would be measuring error reporting.
  const baseline = await timed(tscBin, ['--noEmit', '-p', 'app/tsconfig.json'], {}, [0])
  const check = await timed(galleyBin, ['plan', '--impact', '--json'], env)
  const plan = JSON.parse(check.stdout)
  const sites = plan.impact.callSites
  const project = plan.impact.projects[0]
  const expected = (CALLER_FILES * 2) / TEMPLATES
  if (sites.length !== expected || sites.some((s) => s.slug !== slugOf(changed) || !s.message.includes('`customer.ref` is now required'))) {
    throw new Error(`expected ${expected} broken call sites of ${slugOf(changed)}, got: ${JSON.stringify(sites, null, 2)}`)
  }
  const tscProgramFiles = ts.getParsedCommandLineOfConfigFile(join(dir, 'app/tsconfig.json'), undefined, { ...ts.sys, onUnRecoverableConfigFileDiagnostic() {} }).fileNames.length
  console.log(
    `corpus: ${TEMPLATES} templates; app of ${files} files (+ the generated module: tsc checks ${tscProgramFiles}), ${CALLER_FILES * 2} call sites; ` +
      `1 template changed (${sites.length} call sites break); galley checks ${project.checkedFiles} of ${project.files} files; ` +
      `${runs} runs each (median, alternating); TypeScript ${ts.version}; Node ${process.version}`,
  )

  const results = { tsc: [], impact: [], inline: [], plan: [] }
  for (let r = 0; r < runs; r++) {
    // Alternate the order so that neither side always runs on a warmer file cache.
    const order = r % 2 === 0 ? ['tsc', 'impact', 'inline', 'plan'] : ['plan', 'inline', 'impact', 'tsc']
    for (const which of order) {
      if (which === 'tsc') results.tsc.push((await timed(tscBin, ['--noEmit', '-p', 'app/tsconfig.json'])).ms)
      if (which === 'impact') results.impact.push((await timed(galleyBin, ['plan', '--impact'], { ...env, GALLEY_IMPACT_WORKER: '1' })).ms)
      if (which === 'inline') results.inline.push((await timed(galleyBin, ['plan', '--impact'], { ...env, GALLEY_IMPACT_WORKER: '0' })).ms)
      if (which === 'plan') results.plan.push((await timed(galleyBin, ['plan'], env)).ms)
    }
  }
  const tsc = median(results.tsc)
  const impact = median(results.impact)
  const inline = median(results.inline)
  const plain = median(results.plan)
  const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`
  const rows = [
    ['tsc --noEmit (baseline)', fmt(tsc), fmt(Math.min(...results.tsc)), '1.00x'],
    ['galley plan --impact (worker)', fmt(impact), fmt(Math.min(...results.impact)), `${(impact / tsc).toFixed(2)}x`],
    ['galley plan --impact (in-thread)', fmt(inline), fmt(Math.min(...results.inline)), `${(inline / tsc).toFixed(2)}x`],
    ['galley plan (no --impact)', fmt(plain), fmt(Math.min(...results.plan)), `${(plain / tsc).toFixed(2)}x`],
    ['--impact alone (difference)', fmt(impact - plain), '', `${((impact - plain) / tsc).toFixed(2)}x`],
  ]
  console.log('')
  for (const line of tableLines(['step', 'median', 'min', 'vs tsc'], rows, { alignRight: true, rule: true })) console.log(line)
  console.log('')
  console.log(`Target (issue 10): galley plan --impact at most 0.5x of tsc --noEmit over the same project. Load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores.`)
} finally {
  await emulator.close()
}
