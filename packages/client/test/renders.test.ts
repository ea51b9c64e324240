import { startEmulator, type RunningEmulator } from '@galley/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, type CraftkitClient, type PollEvent, type Render } from '../src/index.ts'
import { INVOICE, INVOICE_DATA, observedFetch, startSideServer, uniqueSlug, rejection } from './utils.ts'

let emulator: RunningEmulator
let side: Awaited<ReturnType<typeof startSideServer>>
let client: CraftkitClient
const observed = observedFetch()
const slug = uniqueSlug('invoice')

beforeAll(async () => {
  side = await startSideServer()
  emulator = await startEmulator({ quiet: true })
  client = createClient({ baseUrl: emulator.url, apiKey: emulator.apiKey, fetch: observed.fetch })
  await client.templates.put(slug, INVOICE) // version 1
  await client.templates.put(slug, { ...INVOICE, name: 'Invoice (v2)' }) // version 2
})
afterAll(async () => {
  await emulator?.close()
  await side?.close()
})

const key = (name: string): string => `${name}-${process.pid}-${Date.now()}`

describe('renders.create', () => {
  it('queues a render (202, replayed: false)', async () => {
    const queued = await client.renders.create(slug, { data: INVOICE_DATA })
    expect(queued).toMatchObject({ status: 'queued', downloadUrl: null, errorMessage: null, replayed: false })
    expect(queued.pollUrl).toContain(`/v1/renders/${queued.id}`)
  })

  it('replays with the same Idempotency-Key (200, replayed: true, same id)', async () => {
    const k = key('header')
    const first = await client.renders.create(slug, { data: INVOICE_DATA }, { idempotencyKey: k })
    const again = await client.renders.create(slug, { data: INVOICE_DATA }, { idempotencyKey: k })
    expect(first.replayed).toBe(false)
    expect(again).toMatchObject({ id: first.id, replayed: true })
  })

  it('replays with the same jobId; the header wins over jobId', async () => {
    const job = key('job')
    const first = await client.renders.create(slug, { data: INVOICE_DATA, jobId: job })
    const byJob = await client.renders.create(slug, { data: INVOICE_DATA, jobId: job })
    expect(byJob).toMatchObject({ id: first.id, replayed: true })
    const byHeader = await client.renders.create(slug, { data: INVOICE_DATA, jobId: job }, { idempotencyKey: key('other') })
    expect(byHeader.replayed).toBe(false)
    expect(byHeader.id).not.toBe(first.id)
  })

  it('pins options.versionNumber; an unknown version is 404 version_not_found', async () => {
    const pinned = await client.renders.create(slug, { data: INVOICE_DATA, options: { versionNumber: 1, filename: 'invoice.pdf', sync: true } })
    expect(pinned.status).toBe('queued')
    const missing = await rejection(client.renders.create(slug, { data: INVOICE_DATA, options: { versionNumber: 99 } }))
    expect(missing).toMatchObject({ status: 404, code: 'version_not_found', retryable: false })
  })

  it('invalid data is 400 invalid_input_data with fieldErrors', async () => {
    const error = await rejection(client.renders.create(slug, { data: { total: 'lots', lines: [{}] } }))
    expect(error).toMatchObject({ status: 400, code: 'invalid_input_data', retryable: false })
    expect(Object.keys(error.issues!.fieldErrors)).toEqual(expect.arrayContaining(['invoice.number', 'total']))
  })

  it('an unknown template is 404 template_not_found', async () => {
    const error = await rejection(client.renders.create('no-such-template', { data: {} }))
    expect(error).toMatchObject({ status: 404, code: 'template_not_found', method: 'POST', path: '/v1/templates/no-such-template/render' })
  })
})

describe('renders.get and wait', () => {
  it('get returns the render; an unknown id is 404 not_found', async () => {
    const queued = await client.renders.create(slug, { data: INVOICE_DATA })
    const got = await client.renders.get(queued.id)
    expect(got.id).toBe(queued.id)
    expect(['queued', 'rendering', 'succeeded']).toContain(got.status)
    const error = await rejection(client.renders.get('00000000-0000-7000-8000-000000000000'))
    expect(error).toMatchObject({ status: 404, code: 'not_found' })
  })

  it('wait resolves with the succeeded render (by object and by id)', async () => {
    const queued = await client.renders.create(slug, { data: INVOICE_DATA })
    const done = await client.renders.wait(queued)
    expect(done).toMatchObject({ id: queued.id, status: 'succeeded', errorMessage: null })
    expect(done.downloadUrl).toMatch(/^http/)
    expect(typeof done.completedAt).toBe('string')
    const byId = await client.renders.wait(queued.id)
    expect(byId.status).toBe('succeeded')
  })

  it('a finished render object resolves without a request', async () => {
    const done = await client.renders.wait(await client.renders.create(slug, { data: INVOICE_DATA }))
    observed.reset()
    expect(await client.renders.wait(done)).toBe(done)
    expect(observed.calls).toEqual([])
  })

  it('rejects with render_failed carrying the errorMessage', async () => {
    const queued = await client.renders.create(slug, { data: { ...INVOICE_DATA, logo: `${side.url}/html` } })
    const error = await rejection(client.renders.wait(queued))
    expect(error).toMatchObject({ code: 'render_failed', status: 0, retryable: false })
    const failed = await client.renders.get(queued.id)
    expect(failed.status).toBe('failed')
    expect(failed.errorMessage).toBeTruthy()
    expect(error.message).toContain(failed.errorMessage!)
  })

  it('polls with backoff 250 ms doubling to the 5 s cap (seen through onPoll)', async () => {
    // The emulator waits ~4.5 s for each of these images, so a render stays unfinished that long. It runs 4 renders
    // at a time, so 8 hanging renders queued first keep ours unfinished for ~13.5 s: well past the sixth poll at
    // 250+500+1000+2000+4000 = 7.75 s, even on a busy machine.
    const slow = (n: number): string => `${side.url}/slow/4500.png?n=${n}`
    const hold = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((n) => client.renders.create(slug, { data: { ...INVOICE_DATA, logo: slow(n) } })))
    const queued = await client.renders.create(slug, { data: { ...INVOICE_DATA, logo: slow(8) } })
    const polls: PollEvent[] = []
    const done = await client.renders.wait(queued, { onPoll: (e) => polls.push(e) })
    expect(done.status).toBe('succeeded')
    const delays = polls.map((p) => p.delayMs)
    expect(delays.slice(0, 6)).toEqual([250, 500, 1000, 2000, 4000, 5000])
    for (const d of delays.slice(6)) expect(d).toBe(5000)
    expect(polls.map((p) => p.attempt)).toEqual(delays.map((_, i) => i))
    for (const p of polls) expect(['queued', 'rendering']).toContain(p.render.status)
    await Promise.all(hold.map((h) => client.renders.wait(h, { timeoutMs: 20_000 }).catch(() => undefined)))
  }, 60_000)

  it('rejects with wait_timeout past the deadline; the delays never pass it', async () => {
    const queued = await client.renders.create(slug, { data: { ...INVOICE_DATA, logo: `${side.url}/slow/3000.png` } })
    const polls: PollEvent[] = []
    const error = await rejection(client.renders.wait(queued.id, { timeoutMs: 600, onPoll: (e) => polls.push(e) }))
    expect(error).toMatchObject({ code: 'wait_timeout', retryable: true })
    expect(error.message).toContain(queued.id)
    expect(polls[0]?.delayMs).toBe(250)
    expect(polls.reduce((sum, p) => sum + p.delayMs, 0)).toBeLessThanOrEqual(600)
  })

  it('an AbortSignal cancels the wait with code aborted', async () => {
    const queued = await client.renders.create(slug, { data: { ...INVOICE_DATA, logo: `${side.url}/slow/3000.png` } })
    const controller = new AbortController()
    const polls: PollEvent[] = []
    const waiting = client.renders.wait(queued, {
      signal: controller.signal,
      onPoll: (e) => {
        polls.push(e)
        if (polls.length === 2) controller.abort(new Error('user went away'))
      },
    })
    const error = await rejection(waiting)
    expect(error).toMatchObject({ code: 'aborted', retryable: false })
    expect(polls).toHaveLength(2)
    // An already-aborted signal stops a request before it is sent.
    observed.reset()
    const early = await rejection(client.renders.get(queued.id, { signal: controller.signal }))
    expect(early.code).toBe('aborted')
    expect(observed.calls).toEqual([])
  })
})

describe('renders.download', () => {
  let done: Render
  beforeAll(async () => {
    done = await client.renders.wait(await client.renders.create(slug, { data: INVOICE_DATA }))
  })

  it('downloads from the public downloadUrl, without the key', async () => {
    observed.reset()
    const pdf = await client.renders.download(done)
    expect(pdf).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-')
    expect(observed.calls).toEqual([{ method: 'GET', path: new URL(done.downloadUrl!).pathname, auth: false }])
  })

  it('downloads from the private stream when there is no downloadUrl (no public bucket)', async () => {
    observed.reset()
    const pdf = await client.renders.download({ ...done, downloadUrl: null })
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-')
    expect(observed.calls).toEqual([{ method: 'GET', path: `/v1/embed/renders/${done.id}/download`, auth: true }])
  })

  it('falls back to the private stream when the public URL is gone', async () => {
    observed.reset()
    const pdf = await client.renders.download({ ...done, downloadUrl: `${emulator.url}/no-such-object/${done.id}.pdf` })
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-')
    expect(observed.calls.map((c) => c.auth)).toEqual([false, true])
  })

  it('by id: reads the render, then the PDF', async () => {
    const pdf = await client.renders.download(done.id)
    expect(pdf.byteLength).toBeGreaterThan(500)
  })

  it('an unfinished render is not_ready; a failed one says why', async () => {
    const pending = await client.renders.create(slug, { data: { ...INVOICE_DATA, logo: `${side.url}/slow/1500.png` } })
    const error = await rejection(client.renders.download(pending))
    expect(error).toMatchObject({ code: 'not_ready', retryable: true })
    const failed = await client.renders.create(slug, { data: { ...INVOICE_DATA, logo: `${side.url}/html` } })
    await client.renders.wait(failed).catch(() => undefined)
    const error2 = await rejection(client.renders.download(failed.id))
    expect(error2).toMatchObject({ code: 'not_ready', retryable: false })
    expect(error2.message).toContain('failed')
  })
})

describe('shares', () => {
  it('create, list and revoke a share of a succeeded render', async () => {
    const done = await client.renders.wait(await client.renders.create(slug, { data: INVOICE_DATA }))
    const share = await client.shares.create(done.id, { message: 'Your invoice' })
    expect(share).toMatchObject({ channel: 'link', message: 'Your invoice', revokedAt: null, expiresAt: null })
    expect(share.shareUrl).toContain(share.shareToken)
    const email = await client.shares.create(done.id, { channel: 'email', recipientEmail: 'jane@example.com', expiresAt: '2030-01-01T00:00:00.000Z' })
    expect(email).toMatchObject({ channel: 'email', recipientEmail: 'jane@example.com' })
    const listed = await client.shares.list(done.id)
    expect(listed.map((s) => s.id)).toEqual([email.id, share.id])
    const revoked = await client.shares.revoke(done.id, share.id)
    expect(revoked.id).toBe(share.id)
    expect(Date.parse(revoked.revokedAt)).not.toBeNaN()
    const again = await rejection(client.shares.revoke(done.id, share.id))
    expect(again).toMatchObject({ status: 404, code: 'not_found', method: 'DELETE' })
    expect((await client.shares.list(done.id)).find((s) => s.id === share.id)?.revokedAt).toBeTruthy()
  })

  it('a share of an unfinished render is 409 not_ready', async () => {
    const pending = await client.renders.create(slug, { data: { ...INVOICE_DATA, logo: `${side.url}/slow/1500.png` } })
    const error = await rejection(client.shares.create(pending.id))
    expect(error).toMatchObject({ status: 409, code: 'not_ready', retryable: false })
  })
})
