// bench/dev, part 1: `galley dev` on a project of 100 templates (one fixture each), over N saves of a template's
// source: the time from the save to the generated file holding the change, and to the template's fixture PDF
// re-rendered. Beside it, in the same run, the loop without `galley dev`: after a save, `galley generate` (save ->
// types), then `galley publish <slug>` and `galley render <slug>` (save -> PDF), each a cold process.
// Targets (issue 8): save -> types p50 under 100 ms; save -> PDF p50 under 1 s.
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { orderTemplate } from '../order-template.mjs'
import { median } from '../stats.mjs'
import { fmt, percentile, repo, sleep, time } from './util.mjs'

const galley = join(repo, 'packages/cli/bin/galley.mjs')

function templateText(slug, i, label) {
  return orderTemplate({ slug, name: `Bench ${i}`, orderLabel: label })
}

function writeProject(dir, count) {
  rmSync(dir, { recursive: true, force: true })
  const slugs = []
  for (let i = 0; i < count; i++) {
    const slug = `bench-${String(i).padStart(3, '0')}`
    slugs.push(slug)
    mkdirSync(join(dir, 'templates', slug, 'fixtures'), { recursive: true })
    writeFileSync(join(dir, 'templates', slug, 'template.yaml'), templateText(slug, i, `Order ${i}`))
    const data = { order: { number: `ORD-${i}`, date: '2026-06-04' }, customer: { name: 'Jane Doe' }, total: 12.5, items: [{ sku: 'A-1', quantity: 2 }] }
    writeFileSync(join(dir, 'templates', slug, 'fixtures', 'standard.json'), `${JSON.stringify(data, null, 2)}\n`)
  }
  return slugs
}

const mtime = (file) => {
  try {
    return statSync(file).mtimeMs
  } catch {
    return 0
  }
}

async function waitFor(what, check, timeoutMs = 60_000) {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    if (check()) return performance.now()
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(2)
  }
}

export async function benchSaves({ saves = 50, count = 100, baselineSaves = 5 } = {}) {
  const dir = join(repo, 'bench/.corpus/dev-saves')
  const slugs = writeProject(dir, count)
  const gen = join(dir, 'craftkit.gen.ts')
  const env = { ...process.env, NO_COLOR: '1' }
  for (const k of Object.keys(env)) if (k.startsWith('CRAFTKIT_')) delete env[k]

  // galley dev, the real process; stopped by its own pid at the end.
  const child = spawn(process.execPath, [galley, 'dev', '--port', '0', '--cwd', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (c) => (out += c))
  child.stderr.on('data', (c) => (out += c))
  const startedAt = performance.now()
  try {
    await waitFor('galley dev to be ready', () => /Preview: http/.test(out), 300_000)
    const firstPass = performance.now() - startedAt
    const toTypes = []
    const toPdf = []
    for (let s = 0; s < saves; s++) {
      const slug = slugs[(s * 37) % slugs.length]
      const pdf = join(dir, 'out', slug, 'standard.pdf')
      const token = `Saved ${s}x`
      const before = mtime(pdf)
      const t0 = performance.now()
      writeFileSync(join(dir, 'templates', slug, 'template.yaml'), templateText(slug, slugs.indexOf(slug), token))
      let typesAt
      let pdfAt
      await waitFor(`save ${s}`, () => {
        if (typesAt === undefined && readFileSync(gen, 'utf8').includes(token)) typesAt = performance.now()
        if (pdfAt === undefined && mtime(pdf) > before) pdfAt = performance.now()
        return typesAt !== undefined && pdfAt !== undefined
      })
      toTypes.push(typesAt - t0)
      toPdf.push(pdfAt - t0)
      await sleep(50) // let the loop settle (its last status lines) before the next save
    }
    const exited = new Promise((resolve) => child.once('exit', resolve))
    process.kill(child.pid, 'SIGTERM')
    await exited

    // The baseline: the same kind of save, then the commands a user runs without `galley dev`.
    const baseTypes = []
    const basePdf = []
    for (let s = 0; s < baselineSaves; s++) {
      const slug = slugs[(s * 53 + 11) % slugs.length]
      writeFileSync(join(dir, 'templates', slug, 'template.yaml'), templateText(slug, slugs.indexOf(slug), `Baseline ${s}x`))
      const types = time(() => execFileSync(process.execPath, [galley, 'generate', '--cwd', dir], { env }))
      const rest = time(() => {
        execFileSync(process.execPath, [galley, 'publish', slug, '--cwd', dir], { env })
        execFileSync(process.execPath, [galley, 'render', slug, '--fixture', 'standard', '--cwd', dir], { env })
      })
      baseTypes.push(types)
      basePdf.push(types + rest)
    }
    const bt = median(baseTypes)
    const bp = median(basePdf)
    const p50t = percentile(toTypes, 50)
    const p95t = percentile(toTypes, 95)
    const p50p = percentile(toPdf, 50)
    const p95p = percentile(toPdf, 95)
    return {
      title: `galley dev, ${count} templates, ${saves} saves (first pass: lint, publish, generate and ${count} renders in ${fmt(firstPass)})`,
      rows: [
        [`baseline save -> types: galley generate (cold process, median of ${baselineSaves})`, fmt(bt), '1.000'],
        ['galley dev save -> generated file updated, p50', fmt(p50t), (p50t / bt).toFixed(3)],
        ['galley dev save -> generated file updated, p95', fmt(p95t), (p95t / bt).toFixed(3)],
        [`baseline save -> PDF: generate + publish + render (cold processes, median of ${baselineSaves})`, fmt(bp), '1.000'],
        ['galley dev save -> PDF re-rendered, p50', fmt(p50p), (p50p / bp).toFixed(3)],
        ['galley dev save -> PDF re-rendered, p95', fmt(p95p), (p95p / bp).toFixed(3)],
      ],
      verdicts: [
        `save -> types p50 ${fmt(p50t)} (target < 100 ms): ${p50t < 100 ? 'met' : 'NOT met'}`,
        `save -> PDF p50 ${fmt(p50p)} (target < 1 s): ${p50p < 1000 ? 'met' : 'NOT met'}`,
      ],
      raw: `types ${toTypes.map(Math.round).join(', ')}; pdf ${toPdf.map(Math.round).join(', ')}; baseline types ${baseTypes.map(Math.round).join(', ')}; baseline pdf ${basePdf.map(Math.round).join(', ')}`,
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      process.kill(child.pid, 'SIGKILL')
      await exited
    }
  }
}
