import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startEmulator, type RunningEmulator } from '@galley/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI_RETRY } from '../src/target.ts'
import { clientFor, galley, generateTemplates, REPO_SLUGS, tempProject, testKey, versions } from './publish-utils.ts'

/**
 * A real HTTP proxy in front of the emulator that injects one chosen failure per PUT of a slug, deterministically
 * (the seeded `faults` of publish-faults.test.ts cover the random mix): `reset-after` forwards the PUT (it
 * commits) and then drops the connection without answering; `503-before` answers 503 without forwarding. It
 * also counts PUTs in flight, holding each for a moment so that overlapping ones are seen.
 */
interface Proxy {
  url: string
  plan: Map<string, ('reset-after' | '503-before')[]>
  /** Slugs whose GETs are all answered 503 (not forwarded). */
  failGets: Set<string>
  /** Requests seen per `METHOD slug`. */
  seen: Map<string, number>
  maxInFlight: number
  puts: number
  close(): Promise<void>
}

async function startProxy(target: string): Promise<Proxy> {
  const state = { plan: new Map<string, ('reset-after' | '503-before')[]>(), failGets: new Set<string>(), seen: new Map<string, number>(), maxInFlight: 0, puts: 0 }
  let inFlight = 0
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const slug = req.method === 'PUT' ? decodeURIComponent((req.url ?? '').split('/').pop() ?? '') : ''
    const action = slug ? state.plan.get(slug)?.shift() : undefined
    const got = /^\/v1\/templates\/([^/?]+)$/.exec(req.url ?? '')
    if (got) {
      const name = `${req.method} ${decodeURIComponent(got[1]!)}`
      state.seen.set(name, (state.seen.get(name) ?? 0) + 1)
    }
    if (req.method === 'GET' && got && state.failGets.has(decodeURIComponent(got[1]!))) {
      res.writeHead(503, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { code: 'queue_unavailable', message: 'injected by the test proxy' } }))
      return
    }
    if (req.method === 'PUT') {
      state.puts++
      inFlight++
      state.maxInFlight = Math.max(state.maxInFlight, inFlight)
    }
    try {
      if (action === '503-before') {
        res.writeHead(503, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: { code: 'queue_unavailable', message: 'injected by the test proxy' } }))
        return
      }
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v
      const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers, body: body.length ? body : undefined })
      const text = Buffer.from(await upstream.arrayBuffer())
      if (req.method === 'PUT') await new Promise((r) => setTimeout(r, 30))
      if (action === 'reset-after') {
        req.socket.destroy()
        return
      }
      const out: Record<string, string> = {}
      upstream.headers.forEach((v, k) => {
        if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'content-encoding' && k !== 'connection') out[k] = v
      })
      res.writeHead(upstream.status, out)
      res.end(text)
    } finally {
      if (req.method === 'PUT') inFlight--
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  })
}

const keys = { retry: testKey('retry'), bounded: testKey('bounded'), depth: testKey('depth') }
let emulator: RunningEmulator
let proxy: Proxy

beforeAll(async () => {
  emulator = await startEmulator({ apiKeys: Object.values(keys), quiet: true })
  proxy = await startProxy(emulator.url)
}, 60_000)
afterAll(async () => {
  await proxy?.close()
  await emulator?.close()
})

describe('publish retry safety', { timeout: 120_000 }, () => {
  it('re-reads after an ambiguous failure: a PUT that landed is not sent again, one that did not is', async () => {
    const p = tempProject()
    try {
      // invoice: the first PUT commits, then the connection drops (no answer) -> must not be PUT again.
      // delivery-note: two 503s before the write -> PUT again until it lands.
      // charter-handover: the PUT lands but the answer is lost, then the next attempt would 503 (never sent).
      proxy.plan.set('invoice', ['reset-after'])
      proxy.plan.set('delivery-note', ['503-before', '503-before'])
      proxy.plan.set('charter-handover', ['reset-after', '503-before'])
      const env = { CRAFTKIT_BASE_URL: proxy.url, CRAFTKIT_API_KEY: keys.retry }
      const putsBefore = proxy.puts
      const result = await galley(['publish', '--json'], { cwd: p.root, env })
      expect(result.code, result.stderr).toBe(0)
      const bySlug = Object.fromEntries(JSON.parse(result.stdout).results.map((r: { slug: string }) => [r.slug, r]))
      expect(bySlug.invoice).toMatchObject({ outcome: 'created', versionNumber: 1, attempts: 1, recovered: true })
      expect(bySlug['charter-handover']).toMatchObject({ outcome: 'created', versionNumber: 1, attempts: 1, recovered: true })
      expect(bySlug['delivery-note']).toMatchObject({ outcome: 'created', versionNumber: 1, attempts: 3 })
      expect(bySlug['inspection-report']).toMatchObject({ outcome: 'created', versionNumber: 1, attempts: 1 })
      expect(proxy.puts - putsBefore).toBe(6)
      expect(await versions(clientFor(emulator.url, keys.retry), REPO_SLUGS)).toEqual(Object.fromEntries(REPO_SLUGS.map((s) => [s, 1])))
      expect(proxy.plan.get('charter-handover')).toEqual(['503-before']) // never needed
    } finally {
      proxy.plan.clear()
      p.cleanup()
    }
  })

  it('retries at one depth: a re-read that keeps failing costs retries + 1 GETs, then the template fails', async () => {
    const p = tempProject()
    try {
      // invoice: the PUT commits but its answer is lost, and every GET of it answers 503. The re-read is retried
      // by the client's policy alone (CLI_RETRY: 10 retries = 11 GETs); a retry loop on top of it in the
      // publisher would multiply that (it was 8 re-reads x 5 attempts = 40).
      proxy.plan.set('invoice', ['reset-after'])
      proxy.failGets.add('invoice')
      proxy.seen.clear()
      const env = { CRAFTKIT_BASE_URL: proxy.url, CRAFTKIT_API_KEY: keys.depth }
      const result = await galley(['publish', '--json'], { cwd: p.root, env })
      expect(result.code).toBe(1)
      const bySlug = Object.fromEntries(JSON.parse(result.stdout).results.map((r: { slug: string }) => [r.slug, r]))
      expect(bySlug.invoice).toMatchObject({ outcome: 'failed', attempts: 1 })
      expect(bySlug.invoice.error).toMatch(/could not re-read after .*503/)
      expect(proxy.seen.get('PUT invoice')).toBe(1)
      expect(proxy.seen.get('GET invoice')).toBe(CLI_RETRY.retries + 1)
      for (const slug of REPO_SLUGS.filter((s) => s !== 'invoice')) expect(bySlug[slug]).toMatchObject({ outcome: 'created', attempts: 1 })
    } finally {
      proxy.plan.clear()
      proxy.failGets.clear()
      p.cleanup()
    }
  })

  it('keeps at most --concurrency PUTs in flight', async () => {
    const p = tempProject({ templates: false })
    try {
      generateTemplates(p.root, 24)
      const env = { CRAFTKIT_BASE_URL: proxy.url, CRAFTKIT_API_KEY: keys.bounded }
      proxy.maxInFlight = 0
      const result = await galley(['publish', '--concurrency', '3'], { cwd: p.root, env })
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout.match(/^ {2}created gen-\d{3} v1/gm)).toHaveLength(24) // a progress line per template
      expect(proxy.maxInFlight).toBeLessThanOrEqual(3)
      expect(proxy.maxInFlight).toBeGreaterThan(1)
    } finally {
      p.cleanup()
    }
  })
})
