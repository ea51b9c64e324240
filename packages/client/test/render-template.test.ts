import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { startEmulator, type RunningEmulator } from '@galley/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, renderTemplate, type CraftkitClient, type TemplateDescriptor } from '../src/index.ts'
import { INVOICE, INVOICE_DATA, uniqueSlug, rejection } from './utils.ts'

let emulator: RunningEmulator
let client: CraftkitClient
const sent: { method: string; path: string; body: unknown }[] = []
const slug = uniqueSlug('rt')
let descriptor: TemplateDescriptor

beforeAll(async () => {
  emulator = await startEmulator({ quiet: true })
  // Observes each request body and sends it on, unchanged, to the real emulator.
  client = createClient({
    baseUrl: emulator.url,
    apiKey: emulator.apiKey,
    fetch: (input, init) => {
      sent.push({ method: init?.method ?? 'GET', path: new URL(String(input)).pathname, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined })
      return fetch(input, init)
    },
  })
  await client.templates.put(slug, INVOICE)
  await client.templates.put(slug, { ...INVOICE, name: 'Invoice v2' })
  descriptor = { slug, manifestHash: 'test-hash', manifest: INVOICE.manifest }
})
afterAll(async () => {
  await emulator?.close()
})

const lastRenderBody = (): unknown => sent.filter((r) => r.method === 'POST' && r.path.endsWith('/render')).at(-1)?.body

describe('renderTemplate', () => {
  it('queues, waits and downloads; the same idempotency key replays', async () => {
    const key = `rt-${process.pid}-${Date.now()}`
    const queued = await renderTemplate(descriptor, INVOICE_DATA, { client, idempotencyKey: key })
    expect(queued).toMatchObject({ status: 'queued', replayed: false })
    expect(lastRenderBody()).toEqual({ data: INVOICE_DATA })
    const done = await queued.wait()
    expect(done).toMatchObject({ id: queued.id, status: 'succeeded' })
    const pdf = await queued.download()
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-')
    const replay = await renderTemplate(descriptor, INVOICE_DATA, { client, idempotencyKey: key })
    expect(replay).toMatchObject({ id: queued.id, replayed: true, status: 'succeeded' })
    // The helpers stay out of JSON: the result serializes as a plain render.
    expect(Object.keys(JSON.parse(JSON.stringify(queued)))).not.toContain('wait')
  })

  it("sends the descriptor's pinned version unless the caller passes one; filename passes through", async () => {
    await renderTemplate({ ...descriptor, versionNumber: 1 }, INVOICE_DATA, { client })
    expect(lastRenderBody()).toEqual({ data: INVOICE_DATA, options: { versionNumber: 1 } })
    const missing = await rejection(renderTemplate({ ...descriptor, versionNumber: 99 }, INVOICE_DATA, { client }))
    expect(missing).toMatchObject({ status: 404, code: 'version_not_found' })
    expect(missing.message).toContain('pinned to version 99')
    expect(missing.message).toContain('galley generate')
    await renderTemplate({ ...descriptor, versionNumber: 99 }, INVOICE_DATA, { client, versionNumber: 2, filename: 'inv.pdf' })
    expect(lastRenderBody()).toEqual({ data: INVOICE_DATA, options: { versionNumber: 2, filename: 'inv.pdf' } })
  })

  it('an aborted signal stops it before any request', async () => {
    const before = sent.length
    const controller = new AbortController()
    controller.abort()
    expect((await rejection(renderTemplate(descriptor, INVOICE_DATA, { client, signal: controller.signal }))).code).toBe('aborted')
    expect(sent.length).toBe(before)
  })

  it('uses a default client from CRAFTKIT_API_KEY / CRAFTKIT_BASE_URL', async () => {
    const saved = { key: process.env.CRAFTKIT_API_KEY, url: process.env.CRAFTKIT_BASE_URL }
    process.env.CRAFTKIT_API_KEY = emulator.apiKey
    process.env.CRAFTKIT_BASE_URL = emulator.url
    try {
      const done = await (await renderTemplate(descriptor, INVOICE_DATA)).wait()
      expect(done.status).toBe('succeeded')
      // The key is read per request: unset, the same default client says what to set.
      delete process.env.CRAFTKIT_API_KEY
      const error = await rejection(renderTemplate(descriptor, INVOICE_DATA))
      expect(error.code).toBe('missing_api_key')
      expect(error.message).toContain('CRAFTKIT_API_KEY')
    } finally {
      restore('CRAFTKIT_API_KEY', saved.key)
      restore('CRAFTKIT_BASE_URL', saved.url)
    }
  })

  it('refuses to run in a browser without an explicit client', async () => {
    const g = globalThis as { window?: unknown; document?: unknown }
    g.window = {}
    g.document = {}
    try {
      const error = await rejection(renderTemplate(descriptor, INVOICE_DATA))
      expect(error.code).toBe('browser_not_supported')
      expect(error.message).toMatch(/never ship in a browser bundle/)
      // An explicit client is the caller's decision (e.g. one pointed at their own proxy).
      expect((await renderTemplate(descriptor, INVOICE_DATA, { client })).status).toBe('queued')
    } finally {
      delete g.window
      delete g.document
    }
  })
})

describe('preflight', () => {
  it('passes valid data on to the server', async () => {
    expect((await renderTemplate(descriptor, { ...INVOICE_DATA, total: '12.50' }, { client, preflight: true })).status).toBe('queued')
  })

  it('rejects keys the server would strip, before any request', async () => {
    const before = sent.length
    const error = await rejection(
      renderTemplate(descriptor, { ...INVOICE_DATA, invoice: { number: 'INV-1', numbr: 'typo' }, lines: [{ sku: 'A', qty: 1 }] }, { client, preflight: true }),
    )
    expect(error).toMatchObject({ code: 'preflight_failed', status: 0, retryable: false })
    expect(Object.keys(error.issues!.fieldErrors).sort()).toEqual(['invoice.numbr', 'lines.0.qty'])
    expect(error.message).toContain('invoice.numbr')
    expect(error.message).toContain('nothing was sent')
    expect(sent.length).toBe(before)
  })

  it('rejects data the server would reject (missing required, wrong type, data: URI)', async () => {
    const error = await rejection(renderTemplate(descriptor, { total: 'lots', logo: 'data:image/png;base64,AAAA' }, { client, preflight: true }))
    expect(Object.keys(error.issues!.fieldErrors)).toEqual(expect.arrayContaining(['invoice.number', 'total', 'logo']))
  })

  it('needs the manifest in the descriptor', async () => {
    const error = await rejection(renderTemplate({ slug, manifestHash: 'h' }, INVOICE_DATA, { client, preflight: true }))
    expect(error.code).toBe('preflight_unavailable')
    expect(error.message).toContain('galley generate --preflight')
  })

  it('says how to install @galley/core when it is missing (built package, in a project without it)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'galley-client-'))
    try {
      const pkg = join(dir, 'node_modules/@galley/client')
      await mkdir(pkg, { recursive: true })
      await cp(join(import.meta.dirname, '../package.json'), join(pkg, 'package.json'))
      await cp(join(import.meta.dirname, '../dist'), join(pkg, 'dist'), { recursive: true })
      await writeFile(
        join(dir, 'main.mjs'),
        `import { createClient, renderTemplate } from '@galley/client'
const client = createClient({ apiKey: 'ck_test_x', baseUrl: 'http://127.0.0.1:9' })
const d = { slug: 'a', manifestHash: 'h', manifest: { variables: [], loops: [] } }
renderTemplate(d, {}, { client, preflight: true }).then(() => console.log('resolved'), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })))
`,
      )
      const { stdout } = await promisify(execFile)(process.execPath, ['main.mjs'], { cwd: dir })
      const result = JSON.parse(stdout) as { code: string; message: string }
      expect(result.code).toBe('preflight_unavailable')
      expect(result.message).toContain('npm install @galley/core')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name]
  else process.env[name] = value
}
