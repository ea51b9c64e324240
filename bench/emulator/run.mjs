#!/usr/bin/env node
// bench/emulator: sustained render throughput and p50/p95 latency of the emulator through its real HTTP API,
// beside the renderer alone on the same documents, in the same run.
//
//   pdfkit alone      the same strings written with pdfkit (same fonts, parsed once; no layout engine): the floor
//   renderDocument    the emulator's renderer alone (layout + pdfkit), in process, one at a time: the baseline
//   HTTP API c=N      N clients, each: POST /v1/templates/invoice/render, then wait for that render to reach a
//                     terminal state, then the next; the emulator runs in a child process (bench/emulator/server.mjs)
//                     with its default render concurrency and the given render workers (`--render-workers`, a list:
//                     `default` = the emulator's default, one per core, with PGlite in its own thread; `0` = pdfkit on
//                     the main thread; `single` = pdfkit and PGlite both on the main thread, as before issue 11).
//                     Completion is observed through the emulator's own signed render webhook
//                     (received here), with a slow 1 s poll of GET /v1/renders/:id as a safety net.
//                     While the clients run, one more client polls GET /v1/renders/:id of a render in flight every
//                     20 ms: "poll p50/p95" is how long the server takes to answer a status poll under that load.
//
// Latency = submit -> completion as the client sees it. Throughput = renders / wall time of the whole batch.
// Timings are printed, never asserted; the targets of issue 11 are printed as met or not met:
// HTTP throughput at 8 clients >= 1.0x pdfkit alone, and poll p95 < 50 ms at 32 clients (default workers).
// Needs `pnpm build` first (`pnpm bench emulator` does it).
//   node bench/emulator/run.mjs [--renders N] [--concurrency 1,8,32] [--render-workers default,single]
//   GALLEY_BENCH_EMULATOR_RENDERS=100 node bench/emulator/run.mjs      (quick run)
import { spawn } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { availableParallelism, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { fromEmulator, loadCore, loadFixture, loadRenderDocument, loadTemplateBody, repo } from './load.mjs'
import { tableLines } from '../stats.mjs'

const { values } = parseArgs({
  options: {
    renders: { type: 'string', default: process.env.GALLEY_BENCH_EMULATOR_RENDERS ?? '1000' },
    concurrency: { type: 'string', default: process.env.GALLEY_BENCH_EMULATOR_CONCURRENCY ?? '1,8,32' },
    'render-workers': { type: 'string', default: process.env.GALLEY_BENCH_EMULATOR_WORKERS ?? 'default' },
  },
})
const workerSettings = values['render-workers'].split(',').map((w) => (w.trim() === 'default' ? undefined : w.trim() === 'single' ? 'single' : Number(w)))
if (workerSettings.some((w) => w !== undefined && w !== 'single' && !(w >= 0))) throw new Error('--render-workers takes default, single or whole numbers')
const renders = Number(values.renders)
const levels = values.concurrency.split(',').map(Number)
if (!(renders > 0) || levels.some((c) => !(c > 0))) throw new Error('--renders and --concurrency take positive numbers')

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
const summarize = (name, conc, wallMs, latencies) => {
  const sorted = [...latencies].sort((a, b) => a - b)
  return { name, conc, n: latencies.length, wallMs, rps: (latencies.length / wallMs) * 1000, p50: pct(sorted, 50), p95: pct(sorted, 95) }
}

const slug = 'invoice'
const body = loadTemplateBody(slug)
const fixture = loadFixture(slug, 'standard')
const core = await loadCore()
const checked = core.validateData(body.manifest, fixture)
if (!checked.ok) throw new Error(`templates/${slug}/fixtures/standard.json does not validate`)
const { renderDocument, source } = await loadRenderDocument()
const input = { name: body.name, manifest: body.manifest, pageConfig: body.pageConfig ?? null, layout: body.layout ?? null, templateType: 'document', data: checked.data }

console.log(
  `${renders} renders of templates/${slug} (fixtures/standard.json) per case; Node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()[0].toFixed(1)}`,
)
console.log(`renderDocument from ${source}`)

// --- pdfkit raw: the same text, no layout engine -------------------------------------------------------------
const PDFDocument = fromEmulator('pdfkit')
// Parsed once with pdfkit's fontkit, as renderDocument does, so this row is the floor for the same work.
const fontkit = createRequire(fromEmulator.resolve('pdfkit'))('fontkit')
const fontRegular = fontkit.create(readFileSync(fromEmulator.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')))
const fontBold = fontkit.create(readFileSync(fromEmulator.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')))
const lines = [
  ...body.manifest.variables.map((v) => [v.label ?? v.key, String(v.key.split('.').reduce((o, k) => o?.[k], checked.data) ?? '')]),
]
const rows = checked.data.lineItems.map((r) => Object.values(r).map(String))
function pdfkitRaw() {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 51, info: { CreationDate: new Date(0) } })
    doc.registerFont('R', fontRegular)
    doc.registerFont('B', fontBold)
    const chunks = []
    doc.on('data', (c) => chunks.push(c))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
    doc.font('B').fontSize(20).text(body.name)
    for (const [label, value] of lines) doc.font('B').fontSize(9).text(label).font('R').fontSize(10).text(value)
    for (const r of rows) doc.text(r.join('   '))
    doc.end()
  })
}

async function inProcess(name, fn) {
  for (let i = 0; i < Math.min(20, renders); i++) await fn() // warm-up: JIT, font parsing caches
  const latencies = []
  const t0 = performance.now()
  for (let i = 0; i < renders; i++) {
    const s = performance.now()
    await fn()
    latencies.push(performance.now() - s)
  }
  return summarize(name, 1, performance.now() - t0, latencies)
}

const results = []
results.push(await inProcess('pdfkit alone', pdfkitRaw))
const before = await inProcess('renderDocument (before)', () => renderDocument(input))
results.push(before)

// --- the HTTP API ------------------------------------------------------------------------------------------
const secret = 'whsec_bench'
const done = new Map() // renderId -> { at, status }
const waiters = new Map() // renderId -> resolve
let viaWebhook = 0
let viaPoll = 0
const receiver = createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const at = performance.now()
    const raw = Buffer.concat(chunks).toString('utf8')
    res.writeHead(204).end()
    if (createHmac('sha256', secret).update(raw).digest('hex') !== req.headers['x-craftkit-signature']) return
    const p = JSON.parse(raw)
    complete(p.renderId, p.status, at, 'webhook', p.errorMessage, Date.parse(p.completedAt) - Date.parse(p.createdAt))
  })
})
await new Promise((r) => receiver.listen(0, '127.0.0.1', r))
const hookUrl = `http://127.0.0.1:${receiver.address().port}/hook`

function complete(id, status, at, how, errorMessage, serverMs) {
  if (done.has(id)) return
  done.set(id, { at, status, errorMessage, serverMs })
  if (how === 'webhook') viaWebhook++
  else viaPoll++
  waiters.get(id)?.()
  waiters.delete(id)
}

let httpError
// GALLEY_BENCH_EMULATOR_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the server process.
const nodeArgs = (process.env.GALLEY_BENCH_EMULATOR_NODE_ARGS ?? '').split(/\s+/).filter(Boolean)

async function httpRows(workers) {
  const label =
    workers === undefined
      ? `HTTP API, ${availableParallelism()} workers (default)`
      : workers === 'single'
        ? 'HTTP API, single thread'
        : workers === 0
          ? 'HTTP API, pdfkit on main'
          : `HTTP API, ${workers} workers`
  const options = {
    webhooks: [{ url: hookUrl, secret }],
    ...(workers === undefined ? {} : workers === 'single' ? { renderWorkers: 0, databaseThread: false } : { renderWorkers: workers }),
  }
  const child = spawn(process.execPath, [...nodeArgs, new URL('./server.mjs', import.meta.url).pathname, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: repo,
  })
  const ready = new Promise((resolve, reject) => {
    let buf = ''
    child.stdout.on('data', (c) => {
      buf += c
      const nl = buf.indexOf('\n')
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)))
    })
    child.on('exit', (code) => reject(new Error(`the emulator exited (${code}) before it was ready`)))
  })
  try {
    const { url, apiKey } = await ready
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }
    const put = await fetch(`${url}/v1/templates/${slug}`, { method: 'PUT', headers, body: JSON.stringify(body) })
    if (!put.ok) throw new Error(`PUT /v1/templates/${slug}: ${put.status} ${await put.text()}`)
    const renderBody = JSON.stringify({ data: fixture })
    let lastId

    async function renderOnce() {
      const start = performance.now()
      const res = await fetch(`${url}/v1/templates/${slug}/render`, { method: 'POST', headers, body: renderBody })
      const created = await res.json()
      postLatencies.push(performance.now() - start)
      if (res.status !== 202) throw new Error(`POST render: ${res.status} ${JSON.stringify(created)}`)
      const id = created.id
      lastId = id
      if (!done.has(id)) {
        await new Promise((resolve) => {
          waiters.set(id, resolve)
          // Safety net for a lost webhook; slow enough not to load the server.
          const poll = async () => {
            if (done.has(id)) return
            const r = await fetch(`${url}/v1/renders/${id}`, { headers }).then((x) => x.json()).catch(() => null)
            if (r && (r.status === 'succeeded' || r.status === 'failed')) complete(id, r.status, performance.now(), 'poll', r.errorMessage)
            else setTimeout(poll, 1000)
          }
          setTimeout(poll, 1000)
        })
      }
      const d = done.get(id)
      if (d.status !== 'succeeded') throw new Error(`render ${id} ${d.status}: ${d.errorMessage}`)
      if (d.serverMs !== undefined) serverLatencies.push(d.serverMs)
      return d.at - start
    }

    let serverLatencies = []
    let postLatencies = []
    async function http(conc) {
      serverLatencies = []
      postLatencies = []
      const cpuBefore = threadCpu(child.pid)
      const clientBefore = process.cpuUsage()
      const latencies = []
      const polls = []
      let next = 0
      let running = true
      // The status poller: one GET at a time, 20 ms apart, of the render submitted last.
      const poller = (async () => {
        while (running) {
          if (lastId) {
            const s = performance.now()
            const r = await fetch(`${url}/v1/renders/${lastId}`, { headers })
            await r.arrayBuffer()
            if (r.status !== 200) throw new Error(`GET /v1/renders: ${r.status}`)
            polls.push(performance.now() - s)
          }
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
      })()
      const t0 = performance.now()
      try {
        await Promise.all(
          Array.from({ length: conc }, async () => {
            while (next < renders) {
              next++
              latencies.push(await renderOnce())
            }
          }),
        )
      } finally {
        running = false
        await poller
      }
      const r = summarize(label, conc, performance.now() - t0, latencies)
      const sorted = serverLatencies.sort((a, b) => a - b)
      r.server = sorted.length ? `${pct(sorted, 50)}/${pct(sorted, 95)}` : '-'
      const posts = postLatencies.sort((a, b) => a - b)
      r.post = `${pct(posts, 50).toFixed(0)}/${pct(posts, 95).toFixed(0)}`
      const p = polls.sort((a, b) => a - b)
      r.pollP95 = p.length ? pct(p, 95) : undefined
      r.poll = p.length ? `${pct(p, 50).toFixed(1)}/${pct(p, 95).toFixed(1)} (${p.length})` : '-'
      r.workers = workers
      const cpuAfter = threadCpu(child.pid)
      if (cpuBefore && cpuAfter) {
        const client = process.cpuUsage(clientBefore)
        r.cpu = cpuPerRender(cpuBefore, cpuAfter, child.pid, latencies.length, (client.user + client.system) / 1000)
      }
      return r
    }

    for (let i = 0; i < Math.min(20, renders); i++) await renderOnce() // warm-up
    for (const c of levels) results.push(await http(c))

    // One download, to show the PDFs are real.
    const last = [...done.keys()].at(-1)
    const pdf = await fetch(`${url}/v1/embed/renders/${last}/download`, { headers: { authorization: `Bearer ${apiKey}` } })
    const bytes = new Uint8Array(await pdf.arrayBuffer())
    const direct = await renderDocument(input)
    console.log(`${label}: sample download ${pdf.status}, ${bytes.length} bytes (renderDocument alone: ${direct.length} bytes); completions seen via webhook ${viaWebhook}, via poll ${viaPoll}`)
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    }
  }
}

try {
  for (const w of workerSettings) await httpRows(w)
} catch (err) {
  httpError = err
} finally {
  receiver.close()
}

// The machine is shared: measure the baseline again after the HTTP rows and compare against both runs together.
const after = await inProcess('renderDocument (after)', () => renderDocument(input))
results.push(after)
const baseline = { rps: ((before.n + after.n) / (before.wallMs + after.wallMs)) * 1000, p50: (before.p50 + after.p50) / 2 }

// --- CPU per render, per thread (Linux: /proc) -----------------------------------------------------------------
/** CPU ms used so far by each thread of `pid` (utime + stime), or undefined where /proc is not there. */
function threadCpu(pid) {
  try {
    const out = new Map()
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * 10) // USER_HZ = 100 on Linux: ticks of 10 ms
    }
    return out
  } catch {
    return undefined
  }
}
function cpuPerRender(before, after, pid, n, clientMs) {
  const per = [...after].map(([tid, ms]) => [tid, (ms - (before.get(tid) ?? 0)) / n]).filter(([, ms]) => ms > 0.05)
  const main = per.find(([tid]) => tid === pid)?.[1] ?? 0
  const others = per.filter(([tid]) => tid !== pid).map(([, ms]) => ms).sort((a, b) => b - a)
  const total = main + others.reduce((a, b) => a + b, 0)
  return `server ${total.toFixed(1)} ms (main thread ${main.toFixed(1)}, other threads ${others.map((ms) => ms.toFixed(1)).join(' ')}), this load generator ${(clientMs / n).toFixed(1)} ms`
}

// --- table -------------------------------------------------------------------------------------------------
const f = (n, d = 1) => n.toFixed(d)
const pdfkitAlone = results[0]
const head = ['case', 'clients', 'renders', 'wall s', 'renders/s', 'p50 ms', 'p95 ms', 'POST p50/p95 ms', 'poll p50/p95 ms (n)', 'server p50/p95 ms', 'thr. vs baseline', 'thr. vs pdfkit alone', 'p50 vs baseline']
const table = results.map((r) => [
  r.name,
  String(r.conc),
  String(r.n),
  f(r.wallMs / 1000, 2),
  f(r.rps),
  f(r.p50),
  f(r.p95),
  r.post ?? '-',
  r.poll ?? '-',
  r.server ?? '-',
  `${f(r.rps / baseline.rps, 2)}x`,
  `${f(r.rps / pdfkitAlone.rps, 2)}x`,
  `${f(r.p50 / baseline.p50, 2)}x`,
])
console.log()
for (const l of tableLines(head, table, { alignRight: true, rule: true })) console.log(l)
// Issue 11's targets, for the default worker pool.
const pool = results.filter((r) => r.name.startsWith('HTTP API') && r.workers === undefined)
const at8 = pool.find((r) => r.conc === 8)
const at32 = pool.find((r) => r.conc === 32)
console.log()
if (at8) console.log(`target: HTTP throughput at 8 clients >= 1.0x pdfkit alone: ${f(at8.rps / pdfkitAlone.rps, 2)}x (${f(at8.rps)} vs ${f(pdfkitAlone.rps)} renders/s): ${at8.rps >= pdfkitAlone.rps ? 'met' : 'NOT met'}`)
if (at32 && at32.pollP95 !== undefined) console.log(`target: poll p95 < 50 ms while renders run at 32 clients: ${f(at32.pollP95)} ms: ${at32.pollP95 < 50 ? 'met' : 'NOT met'}`)
if (httpError) {
  console.log(`\nHTTP API rows missing: ${httpError.message}`)
  process.exitCode = 1
}
console.log('\nbaseline = renderDocument alone, in process, one at a time, before and after the HTTP rows taken together; the HTTP rows include validation, PGlite writes, the queue, the PDF file write and the webhook.')
console.log('POST = the render request until its 202 arrived. poll = GET /v1/renders/:id of a render in flight, one client, every 20 ms, during the run (n = polls).')
console.log('thr. vs pdfkit alone = renders/s against the pdfkit alone row (one thread, same run): the issue 11 target at 8 clients.')
console.log('server p50/p95 = createdAt -> completedAt as the emulator recorded them (from the webhook payload): queue wait + render + writes.')
const cpuRows = results.filter((r) => r.cpu)
if (cpuRows.length) {
  console.log('\nCPU per render (utime + stime from /proc, over each HTTP row; threads: the render workers, PGlite\'s, libuv\'s and V8\'s):')
  for (const r of cpuRows) console.log(`  ${r.name}, ${r.conc} clients: ${r.cpu}`)
  console.log(`  pdfkit alone: ${(pdfkitAlone.wallMs / pdfkitAlone.n).toFixed(1)} ms of one thread per render`)
}
