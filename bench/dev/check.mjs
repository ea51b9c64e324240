// bench/dev, part 3: `galley generate --check` on an up-to-date repo of 1,000 templates (the fast path: header
// hashes, no generator loaded), beside the naive baseline of bench/generate (compile() per template), each as a
// whole process, interleaved. Target (issue 8): --check at or under 0.1x the baseline.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { writeCorpus } from '../generate/corpus.mjs'
import { median } from '../stats.mjs'
import { fmt, repo, time } from './util.mjs'

export async function benchCheck({ count = 1000, runs = 5 } = {}) {
  const dir = join(repo, 'bench/.corpus/dev-check')
  const galley = join(repo, 'packages/cli/bin/galley.mjs')
  writeCorpus(dir, { count })
  const env = { ...process.env, NO_COLOR: '1' }
  execFileSync(process.execPath, [galley, 'generate', '--cwd', dir], { env })
  const baseline = []
  const check = []
  for (let r = 0; r < runs; r++) {
    baseline.push(time(() => execFileSync(process.execPath, [join(repo, 'bench/generate/baseline.mjs'), dir, join(dir, 'out/baseline.ts')])))
    check.push(time(() => execFileSync(process.execPath, [galley, 'generate', '--check', '--cwd', dir], { env })))
  }
  const b = median(baseline)
  const c = median(check)
  return {
    title: `galley generate --check, ${count} up-to-date templates (whole processes, ${runs} runs, median)`,
    rows: [
      ['baseline: compile() per template (bench/generate/baseline.mjs)', fmt(b), '1.000'],
      ['galley generate --check (up to date: header hashes, no generator)', fmt(c), (c / b).toFixed(3)],
    ],
    verdicts: [`--check ratio ${(c / b).toFixed(3)} (target <= 0.1): ${c / b <= 0.1 ? 'met' : 'NOT met'}`],
    raw: `baseline ${baseline.map(Math.round).join(', ')}; check ${check.map(Math.round).join(', ')}`,
  }
}
