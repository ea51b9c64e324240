#!/usr/bin/env node
// bench/dev: the author's loop and the build plugin (issue 8). Three parts, each beside a baseline measured in
// the same run; timings are printed, never asserted.
//
//   saves   `galley dev` on 100 templates, 50 saves: save -> generated file updated, save -> PDF re-rendered
//           (p50, p95), beside the loop without it: `galley generate`, then `galley publish` + `galley render`
//           as cold processes after a save
//   vite    a vite (SSR) build of the example app (examples/vite-server) with @galley/unplugin, beside the same build with no plugin and the
//           generated file already present: templates unchanged (fast path), and after one template changed
//   check   `galley generate --check` on 1,000 up-to-date templates, beside bench/generate's naive baseline
//
// `node bench/dev/run.mjs [--only saves,vite,check] [--saves 50] [--runs 5]`; needs `pnpm build` first.
import { loadavg, cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { tableLines } from '../stats.mjs'
import { benchCheck } from './check.mjs'

const { values } = parseArgs({ options: { only: { type: 'string', default: 'saves,vite,check' }, saves: { type: 'string', default: '50' }, runs: { type: 'string', default: '5' } } })
const only = new Set(values.only.split(','))
const parts = []
if (only.has('saves')) parts.push(async () => (await import('./saves.mjs')).benchSaves({ saves: Number(values.saves) }))
if (only.has('vite')) parts.push(async () => (await import('./vite.mjs')).benchVite({ runs: Number(values.runs) }))
if (only.has('check')) parts.push(() => benchCheck({ runs: Number(values.runs) }))

console.log(`Node ${process.version}, ${cpus().length} CPUs`)
for (const part of parts) {
  const r = await part()
  console.log(`\n${r.title}`)
  for (const line of tableLines(['case', 'time', 'vs baseline'], r.rows, { alignRight: true, rule: true })) console.log(line)
  for (const v of r.verdicts) console.log(v)
  console.log(`runs (ms): ${r.raw}`)
}
console.log(`\nload average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
