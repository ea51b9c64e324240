#!/usr/bin/env node
// bench/soak: a bounded soak of the emulator under injected faults. Counts, never timings.
//
// Starts `galley emulator --port 0 --faults … --seed N --data <tmp> --api-key K --webhook <here>` as a child
// process (the built CLI), publishes templates/invoice, then sends a fixed number of mixed requests from
// --clients concurrent clients: keyed and keyless render POSTs, polls, downloads (public downloadUrl and the
// private stream), shares, template PUTs and malformed bodies. Halfway through it SIGKILLs the emulator and
// restarts it on the same data folder and port; the clients wait for it and go on.
//
// It counts, and fails (exit 1) unless:
//   - every render it saw accepted (202/200 with an id) reaches a terminal state (succeeded/failed);
//   - every idempotency key yields exactly one render id, across the restart too;
//   - no 5xx outside the injected ones (the fault middleware's 503 says "(injected fault)" in its message;
//     resets are connection drops, not 5xx);
//   - no stack trace in any response body;
//   - the emulator's RSS at the end is within 1.5x of its RSS after warm-up (each of the two processes);
//   - nothing accepted before the kill is lost: each such render is found after the restart and reaches a
//     terminal state, and each one's webhook delivery arrives (signed, one delivery id per render), the
//     durable outbox of the emulator resuming the ones pending at the kill.
// The last line is `SOAK {json}` with every figure, for tests (packages/cli/test/soak.test.ts).
//
//   node bench/soak/run.mjs [--requests 20000] [--clients 32] [--faults 503:0.05,reset:0.02,latency:0.01] [--seed 11]
// Needs the CLI built (`pnpm --filter @galley/cli build`, or `pnpm bench soak`).
import { spawn } from 'node:child_process'
import { createHmac, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { loadFixture, loadTemplateBody, repo } from '../emulator/load.mjs'
import { tableLines } from '../stats.mjs'

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: process.env.GALLEY_SOAK_REQUESTS ?? '20000' },
    clients: { type: 'string', default: '32' },
    faults: { type: 'string', default: '503:0.05,reset:0.02,latency:0.01' },
    seed: { type: 'string', default: '11' },
    'drain-timeout': { type: 'string', default: '300' },
  },
})
const total = Number(values.requests)
const clients = Number(values.clients)
const seed = Number(values.seed)
const drainTimeoutMs = Number(values['drain-timeout']) * 1000
if (!(total > 0) || !(clients > 0) || !Number.isInteger(seed)) throw new Error('--requests, --clients and --seed take positive whole numbers')

const bin = join(repo, 'packages/cli/bin/galley.mjs')
const apiKey = `ck_test_soak${randomBytes(12).toString('hex')}`
const webhookSecret = `whsec_soak_${randomBytes(8).toString('hex')}`
const dataDir = mkdtempSync(join(tmpdir(), 'galley-soak-'))
const slug = 'invoice'
const templateBody = loadTemplateBody(slug)
const fixture = loadFixture(slug, 'standard')

// --- a seeded PRNG (mulberry32): the mix of requests is the same for a seed -----------------------------------
let prngState = seed >>> 0
const random = () => {
  prngState = (prngState + 0x6d2b79f5) >>> 0
  let t = prngState
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const pick = (xs) => xs[Math.floor(random() * xs.length)]

// --- the webhook receiver ------------------------------------------------------------------------------------
const webhooks = { received: 0, badSignature: 0, byRender: new Map() } // renderId -> Set of delivery ids
const receiver = createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8')
    webhooks.received++
    if (createHmac('sha256', webhookSecret).update(raw, 'utf8').digest('hex') !== req.headers['x-craftkit-signature']) {
      webhooks.badSignature++
      res.writeHead(401).end()
      return
    }
    let renderId
    try {
      renderId = JSON.parse(raw).renderId
    } catch {}
    const ids = webhooks.byRender.get(renderId) ?? new Set()
    ids.add(String(req.headers['x-craftkit-delivery-id']))
    webhooks.byRender.set(renderId, ids)
    res.writeHead(200).end()
  })
})
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve))
const webhookUrl = `http://127.0.0.1:${receiver.address().port}/hooks/craftkit`

// --- the emulator child process ------------------------------------------------------------------------------
const server = { child: null, url: '', port: 0, stderr: '', generation: 0 }
async function startServer(port) {
  const args = [bin, 'emulator', '--port', String(port), '--data', dataDir, '--api-key', apiKey, '--faults', values.faults, '--seed', String(seed)]
  args.push('--webhook', webhookUrl, '--webhook-secret', webhookSecret, '--quiet')
  const child = spawn(process.execPath, args, { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stderr.on('data', (c) => (server.stderr += c.toString()))
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m && out.includes('Ctrl+C')) resolve(m[1])
    })
    child.once('exit', (code) => reject(new Error(`galley emulator exited with ${code}: ${server.stderr.slice(-2000)}`)))
  })
  server.child = child
  server.url = url
  server.port = Number(new URL(url).port)
  server.generation++
}
function rssKb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) : NaN
}
async function stopServer(signal) {
  const child = server.child
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill(signal)
  await exited
}
const cleanup = async () => {
  await stopServer('SIGTERM').catch(() => {})
  await new Promise((resolve) => receiver.close(resolve))
  rmSync(dataDir, { recursive: true, force: true })
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)))

// --- one request, classified ---------------------------------------------------------------------------------
const STACK = /(?:^|\n|\\n)\s*at (?:async )?\S+ \(?(?:file:\/\/|node:|\/)[^\s)]*:\d+:\d+\)?/
const counts = {
  sent: 0,
  byKind: {},
  status: {},
  injected5xx: 0,
  other5xx: 0,
  other5xxSamples: [],
  resets: 0,
  killedInFlight: 0,
  timeouts: 0,
  stackTraces: 0,
  stackSamples: [],
  unexpected: 0,
  unexpectedSamples: [],
}
let down = null // a promise while the emulator is being killed and restarted

async function call(kind, method, path, { body, raw, headers = {}, auth = true, expect = [] } = {}) {
  if (down) await down
  const generation = server.generation
  const url = path.startsWith('http') ? path : `${server.url}${path}`
  const init = { method, headers: { ...headers }, signal: AbortSignal.timeout(30_000) }
  if (auth) init.headers.authorization = `Bearer ${apiKey}`
  if (raw !== undefined || body !== undefined) {
    init.headers['content-type'] = 'application/json'
    init.body = raw ?? JSON.stringify(body)
  }
  counts.sent++
  counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1
  let res
  let text = ''
  let bytes
  try {
    res = await fetch(url, init)
    if ((res.headers.get('content-type') ?? '').includes('application/pdf')) bytes = new Uint8Array(await res.arrayBuffer())
    else text = await res.text()
  } catch (error) {
    if (generation !== server.generation || down) counts.killedInFlight++
    else if (error?.name === 'TimeoutError') counts.timeouts++
    else counts.resets++
    return { status: 0 }
  }
  counts.status[res.status] = (counts.status[res.status] ?? 0) + 1
  if (text && STACK.test(text)) {
    counts.stackTraces++
    if (counts.stackSamples.length < 3) counts.stackSamples.push(`${kind} ${method} ${path}: ${text.slice(0, 300)}`)
  }
  let json
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {}
  if (res.status >= 500) {
    if (res.status === 503 && /\(injected fault\)/.test(json?.error?.message ?? '')) counts.injected5xx++
    else {
      counts.other5xx++
      if (counts.other5xxSamples.length < 5) counts.other5xxSamples.push(`${kind} ${method} ${path} -> ${res.status} ${text.slice(0, 200)}`)
    }
  } else if (expect.length && !expect.includes(res.status)) {
    counts.unexpected++
    if (counts.unexpectedSamples.length < 5) counts.unexpectedSamples.push(`${kind} ${method} ${path} -> ${res.status} ${text.slice(0, 200)}`)
  }
  return { status: res.status, json, bytes, headers: res.headers }
}

// --- what the soak knows ---------------------------------------------------------------------------------------
const renders = new Map() // id -> { key, terminal: 'succeeded'|'failed'|null, downloadUrl, beforeKill }
const renderOrder = [] // ids in the order they were accepted (polls pick among the last 200)
const keys = new Map() // idempotency key -> Set of render ids
const succeeded = []
let killed = false
function accepted(res, key) {
  if ((res.status !== 202 && res.status !== 200) || !res.json?.id) return
  const id = res.json.id
  if (!renders.has(id)) {
    renders.set(id, { key, terminal: null, downloadUrl: null, beforeKill: !killed })
    renderOrder.push(id)
  }
  if (key) {
    const ids = keys.get(key) ?? new Set()
    ids.add(id)
    keys.set(key, ids)
  }
  observe(id, res.json)
}
function observe(id, json) {
  const r = renders.get(id)
  if (!r || !json) return
  if ((json.status === 'succeeded' || json.status === 'failed') && !r.terminal) {
    r.terminal = json.status
    if (json.status === 'succeeded') {
      r.downloadUrl = json.downloadUrl
      succeeded.push(id)
    }
  }
}

const keySpace = Math.max(8, Math.floor(total / 20))
const knownId = () => (renderOrder.length ? pick(renderOrder.slice(-200)) : null)
const ops = [
  // [weight, kind, fn]
  [14, 'render-keyed', async () => {
    const key = `soak-${seed}-${Math.floor(random() * keySpace)}`
    accepted(await call('render-keyed', 'POST', `/v1/templates/${slug}/render`, { body: { data: fixture }, headers: { 'idempotency-key': key }, expect: [200, 202] }), key)
  }],
  [10, 'render-keyless', async () => {
    accepted(await call('render-keyless', 'POST', `/v1/templates/${slug}/render`, { body: { data: fixture }, expect: [202] }), null)
  }],
  [30, 'poll', async () => {
    const id = knownId()
    if (!id) return ops[0][2]()
    const res = await call('poll', 'GET', `/v1/renders/${id}`, { expect: [200] })
    if (res.status === 200) observe(id, res.json)
  }],
  [14, 'download', async () => {
    if (!succeeded.length) return ops[2][2]()
    const id = pick(succeeded.slice(-200))
    const r = renders.get(id)
    const res = random() < 0.5 && r.downloadUrl
      ? await call('download', 'GET', r.downloadUrl, { auth: false, expect: [200] })
      : await call('download', 'GET', `/v1/embed/renders/${id}/download`, { expect: [200] })
    if (res.status === 200 && !(res.bytes && res.bytes.length > 500 && String.fromCharCode(...res.bytes.slice(0, 5)) === '%PDF-')) {
      counts.unexpected++
      if (counts.unexpectedSamples.length < 5) counts.unexpectedSamples.push(`download ${id}: 200 without a PDF`)
    }
  }],
  [8, 'share', async () => {
    if (!succeeded.length) return ops[2][2]()
    await call('share', 'POST', `/v1/renders/${pick(succeeded.slice(-200))}/shares`, { body: { channel: 'link' }, expect: [201] })
  }],
  [8, 'template-put', async () => {
    const n = Math.floor(random() * 8)
    await call('template-put', 'PUT', `/v1/templates/soak-${n}`, { body: { ...templateBody, name: `Soak ${n}` }, expect: [200, 201] })
  }],
  [16, 'malformed', async () => {
    const which = Math.floor(random() * 5)
    if (which === 0) await call('malformed', 'POST', `/v1/templates/${slug}/render`, { raw: '{"data": {', expect: [400] })
    else if (which === 1) await call('malformed', 'POST', `/v1/templates/${slug}/render`, { body: { data: 'not an object' }, expect: [400] })
    else if (which === 2) await call('malformed', 'POST', `/v1/templates/${slug}/render`, { body: { data: { ...fixture, lineItems: 'not a list' } }, expect: [400] })
    else if (which === 3) await call('malformed', 'PUT', '/v1/templates/soak-bad', { body: { manifest: 'nope' }, expect: [400] })
    else await call('malformed', 'PUT', '/v1/templates/soak-bad', { raw: '\u0000\u0001 not json', expect: [400] })
  }],
]
const weightSum = ops.reduce((a, [w]) => a + w, 0)
const nextOp = () => {
  let x = random() * weightSum
  for (const op of ops) if ((x -= op[0]) < 0) return op
  return ops[ops.length - 1]
}

// --- the run -------------------------------------------------------------------------------------------------
console.log(
  `bench/soak: ${total} requests at ${clients} clients, faults ${values.faults} (seed ${seed}); SIGKILL + restart after ${Math.floor(total / 2)}; Node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()[0].toFixed(1)}`,
)
const rss = { warmA: NaN, endA: NaN, warmB: NaN, endB: NaN }
let restartMs = 0
let pendingAtKill = 0
let exitCode = 1
try {
  await startServer(0)
  // Publish the template (retrying through the faults; extra versions do not matter here).
  for (let i = 0; ; i++) {
    const res = await call('setup', 'PUT', `/v1/templates/${slug}`, { body: templateBody })
    if (res.status === 200 || res.status === 201) break
    if (i > 50) throw new Error(`could not publish ${slug}: ${res.status}`)
  }
  const half = Math.floor(total / 2)
  const warmAt = Math.max(50, Math.floor(half / 10))
  let issued = 0
  let sinceStart = 0
  let killing = null
  const killAndRestart = async () => {
    // Everything accepted so far is "before the kill"; in-flight requests fail and are counted as such.
    rss.endA = rssKb(server.child.pid)
    killed = true
    // What the restart has to resume: accepted renders with no webhook received yet (queued, rendering, or
    // their delivery pending in the outbox).
    pendingAtKill = renderOrder.filter((id) => !webhooks.byRender.has(id)).length
    let release
    down = new Promise((resolve) => (release = resolve))
    const started = Date.now()
    await stopServer('SIGKILL')
    await startServer(server.port)
    restartMs = Date.now() - started
    sinceStart = 0
    down = null
    release()
  }
  const client = async () => {
    while (issued < total) {
      issued++
      sinceStart++
      if (issued === half) killing = killAndRestart()
      if (sinceStart === warmAt) {
        if (Number.isNaN(rss.warmA)) rss.warmA = rssKb(server.child.pid)
        else if (killed && Number.isNaN(rss.warmB)) rss.warmB = rssKb(server.child.pid)
      }
      await nextOp()[2]()
    }
  }
  await Promise.all(Array.from({ length: clients }, client))
  if (killing) await killing
  const mixSent = Object.entries(counts.byKind).reduce((a, [k, v]) => (k === 'setup' ? a : a + v), 0)

  // Drain: every accepted render must reach a terminal state (polled through the faults).
  const deadline = Date.now() + drainTimeoutMs
  const notFoundAfterKill = new Set()
  for (;;) {
    const open = [...renders.entries()].filter(([id, r]) => !r.terminal && !notFoundAfterKill.has(id)).map(([id]) => id)
    if (open.length === 0 || Date.now() > deadline) break
    await Promise.all(
      Array.from({ length: Math.min(16, open.length) }, async (_, w) => {
        for (let i = w; i < open.length; i += 16) {
          const res = await call('drain-poll', 'GET', `/v1/renders/${open[i]}`)
          if (res.status === 200) observe(open[i], res.json)
          if (res.status === 404) notFoundAfterKill.add(open[i])
        }
      }),
    )
    await new Promise((r) => setTimeout(r, 250))
  }
  // Renders accepted before the kill: each must be found after the restart (one GET each, after the drain).
  for (const [id, r] of renders) {
    if (!r.beforeKill) continue
    for (let i = 0; i < 20; i++) {
      const res = await call('check', 'GET', `/v1/renders/${id}`)
      if (res.status === 200) break
      if (res.status === 404) {
        notFoundAfterKill.add(id)
        break
      }
    }
  }
  // Webhooks: one delivery (id) per terminal render, the outbox retrying with backoff: wait for them.
  const webhookDeadline = Date.now() + 90_000
  const missingWebhook = () => [...renders.entries()].filter(([id, r]) => r.terminal && !webhooks.byRender.has(id)).map(([id]) => id)
  while (missingWebhook().length > 0 && Date.now() < webhookDeadline) await new Promise((r) => setTimeout(r, 250))
  rss.endB = rssKb(server.child.pid)
  if (Number.isNaN(rss.warmB)) rss.warmB = rss.endB

  // --- the figures -----------------------------------------------------------------------------------------
  const list = [...renders.values()]
  const beforeKill = list.filter((r) => r.beforeKill)
  const keyed = [...keys.values()]
  const missing = missingWebhook()
  const renderIds = new Set(renders.keys())
  const result = {
    requests: mixSent,
    clients,
    faults: values.faults,
    seed,
    byKind: counts.byKind,
    status: counts.status,
    renders: { accepted: renders.size, keyed: list.filter((r) => r.key).length, keyless: list.filter((r) => !r.key).length, succeeded: list.filter((r) => r.terminal === 'succeeded').length, failed: list.filter((r) => r.terminal === 'failed').length, notTerminal: list.filter((r) => !r.terminal).length },
    keys: { used: keys.size, oneRenderEach: keyed.filter((s) => s.size === 1).length, moreThanOne: keyed.filter((s) => s.size > 1).length },
    fiveXx: { injected: counts.injected5xx, other: counts.other5xx, otherSamples: counts.other5xxSamples },
    resets: counts.resets,
    killedInFlight: counts.killedInFlight,
    timeouts: counts.timeouts,
    unexpectedStatus: counts.unexpected,
    unexpectedSamples: counts.unexpectedSamples,
    stackTraces: counts.stackTraces,
    stackSamples: counts.stackSamples,
    kill: {
      restartMs,
      acceptedBefore: beforeKill.length,
      withoutWebhookAtKill: pendingAtKill,
      // Not found after the restart, or never terminal: either way it is gone.
      lostRenders: [...renders.entries()].filter(([id, r]) => r.beforeKill && (!r.terminal || notFoundAfterKill.has(id))).length,
      notFoundAfter: notFoundAfterKill.size,
      lostWebhooks: missing.filter((id) => renders.get(id).beforeKill).length,
    },
    webhooks: {
      received: webhooks.received,
      badSignature: webhooks.badSignature,
      renders: [...webhooks.byRender.keys()].filter((id) => renderIds.has(id)).length,
      forUnseenRenders: [...webhooks.byRender.keys()].filter((id) => !renderIds.has(id)).length,
      missing: missing.length,
      moreThanOneDeliveryId: [...webhooks.byRender.entries()].filter(([, ids]) => ids.size > 1).length,
    },
    rss: { ...rss, ratioA: rss.endA / rss.warmA, ratioB: rss.endB / rss.warmB },
    serverStackLines: (server.stderr.match(/\n\s+at /g) ?? []).length,
  }
  result.lost = result.kill.lostRenders + result.kill.lostWebhooks
  result.rss.ratio = Math.max(result.rss.ratioA, result.rss.ratioB)
  const checks = [
    ['every accepted render reaches a terminal state', result.renders.notTerminal === 0],
    ['every idempotency key yields exactly one render', result.keys.moreThanOne === 0],
    ['no 5xx outside the injected ones', result.fiveXx.other === 0],
    ['no stack trace in any body', result.stackTraces === 0],
    ['RSS at the end within 1.5x of RSS after warm-up', result.rss.ratio <= 1.5],
    ['nothing accepted before the kill is lost (renders, webhook deliveries)', result.lost === 0],
    ['every webhook signed, one delivery id per render', result.webhooks.badSignature === 0 && result.webhooks.moreThanOneDeliveryId === 0 && result.webhooks.missing === 0],
    ['the faults fired (injected 503s and resets seen)', result.fiveXx.injected > 0 && result.resets > 0],
  ]
  result.checks = Object.fromEntries(checks)
  const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`
  for (const line of tableLines(
    ['figure', 'value'],
    [
      ['requests (mixed)', String(result.requests)],
      ['  by kind', Object.entries(result.byKind).filter(([k]) => !['setup', 'drain-poll', 'check'].includes(k)).map(([k, v]) => `${k} ${v}`).join(', ')],
      ['renders accepted', `${result.renders.accepted} (keyed ${result.renders.keyed}, keyless ${result.renders.keyless}); succeeded ${result.renders.succeeded}, failed ${result.renders.failed}, not terminal ${result.renders.notTerminal}`],
      ['idempotency keys', `${result.keys.used} used; ${result.keys.oneRenderEach} with one render, ${result.keys.moreThanOne} with more`],
      ['5xx', `${result.fiveXx.injected} injected, ${result.fiveXx.other} other`],
      ['connection drops', `${result.resets} injected resets, ${result.killedInFlight} in flight at the SIGKILL, ${result.timeouts} timeouts`],
      ['unexpected statuses', String(result.unexpectedStatus)],
      ['stack traces in bodies', String(result.stackTraces)],
      ['SIGKILL + restart', `${result.kill.acceptedBefore} renders accepted before (${pendingAtKill} of them without a webhook yet); restarted in ${restartMs} ms; lost ${result.kill.lostRenders} renders, ${result.kill.lostWebhooks} webhook deliveries`],
      ['webhooks', `${result.webhooks.received} received, ${result.webhooks.renders} renders covered, ${result.webhooks.missing} missing, ${result.webhooks.badSignature} bad signatures, ${result.webhooks.moreThanOneDeliveryId} renders with 2+ delivery ids`],
      ['lost', String(result.lost)],
      ['RSS warm-up -> end', `before kill ${mb(rss.warmA)} -> ${mb(rss.endA)} (${result.rss.ratioA.toFixed(2)}x); after restart ${mb(rss.warmB)} -> ${mb(rss.endB)} (${result.rss.ratioB.toFixed(2)}x)`],
    ],
  ))
    console.log(line)
  for (const sample of [...result.fiveXx.otherSamples, ...result.unexpectedSamples, ...result.stackSamples]) console.log(`  sample: ${sample}`)
  for (const [name, ok] of checks) console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}`)
  console.log(`SOAK ${JSON.stringify(result)}`)
  exitCode = checks.every(([, ok]) => ok) ? 0 : 1
} finally {
  await cleanup()
}
process.exit(exitCode)
