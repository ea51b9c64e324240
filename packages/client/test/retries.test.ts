import { startEmulator, type RunningEmulator } from '@galley/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, CraftkitError, type CraftkitClient } from '../src/index.ts'
import { INVOICE, INVOICE_DATA, observedFetch, startSideServer, uniqueSlug, rejection } from './utils.ts'

// Retries against misbehaving servers that really run: the emulator with seeded faults (503s and connection
// resets after the write committed), and a small HTTP server for the cases a random fault can't pin down.
let side: Awaited<ReturnType<typeof startSideServer>>
const FAST = { retries: 4, minDelayMs: 1, maxDelayMs: 5 }

beforeAll(async () => {
  side = await startSideServer()
})
afterAll(async () => {
  await side?.close()
})

describe('which requests are retried (a server that always answers 503)', () => {
  const client = (): CraftkitClient => createClient({ baseUrl: `${side.url}/status/503`, apiKey: 'ck_test_retries', retry: FAST })
  const count = (method: string, path: string): number => side.requests.filter((r) => r.method === method && r.path === `/status/503${path}`).length

  it('GETs: retried, then the 503 is thrown with retryable: true', async () => {
    const error = await rejection(client().templates.get('a'))
    expect(error).toMatchObject({ status: 503, code: 'queue_unavailable', retryable: true, attempts: 5 })
    expect(count('GET', '/v1/templates/a')).toBe(5)
  })

  it('render POST with an Idempotency-Key or a jobId: retried', async () => {
    expect((await rejection(client().renders.create('keyed', { data: {} }, { idempotencyKey: 'k-1' }))).attempts).toBe(5)
    expect((await rejection(client().renders.create('job', { data: {}, jobId: 'job-1' }))).attempts).toBe(5)
    expect(count('POST', '/v1/templates/keyed/render')).toBe(5)
    expect(count('POST', '/v1/templates/job/render')).toBe(5)
  })

  it('render POST without a key, template PUT/POST/DELETE, share writes: never retried, still retryable: true', async () => {
    const c = client()
    const errors = await Promise.all([
      rejection(c.renders.create('nokey', { data: {} })),
      rejection(c.templates.put('p', INVOICE)),
      rejection(c.templates.create({ ...INVOICE, slug: 'c' })),
      rejection(c.templates.delete('d')),
      rejection(c.shares.create('r1')),
      rejection(c.shares.revoke('r1', 's1')),
    ])
    for (const e of errors) expect(e).toMatchObject({ status: 503, retryable: true, attempts: 1 })
    expect(count('POST', '/v1/templates/nokey/render')).toBe(1)
    expect(count('PUT', '/v1/templates/p')).toBe(1)
    expect(count('POST', '/v1/templates')).toBe(1)
    expect(count('DELETE', '/v1/templates/d')).toBe(1)
  })

  it('PUT/DELETE with beforeResend: retried by the same policy, asking before each resend', async () => {
    const c = client()
    const asked: number[] = []
    const error = await rejection(
      c.templates.put('br', INVOICE, {
        beforeResend: async (failure, attempt) => {
          expect(failure).toMatchObject({ status: 503, attempts: attempt })
          asked.push(attempt)
          return 'resend'
        },
      }),
    )
    expect(error).toMatchObject({ status: 503, attempts: 5 })
    expect(asked).toEqual([1, 2, 3, 4])
    expect(count('PUT', '/v1/templates/br')).toBe(5)

    // The failed attempt landed: the PUT resolves with what the check found, and is not sent again.
    const landed = await c.templates.put('br-landed', INVOICE, {
      beforeResend: async () => ({ id: 't1', slug: 'br-landed', currentVersionNumber: 3, manifest: INVOICE.manifest, created: false }),
    })
    expect(landed).toEqual({ id: 't1', slug: 'br-landed', currentVersionNumber: 3, manifest: INVOICE.manifest, created: false })
    expect(count('PUT', '/v1/templates/br-landed')).toBe(1)

    // A throw ends it with that error; DELETE takes the same option.
    const stop = new Error('stop')
    await expect(c.templates.delete('br-del', { beforeResend: async () => Promise.reject(stop) })).rejects.toBe(stop)
    expect(count('DELETE', '/v1/templates/br-del')).toBe(1)
  })

  it('retry: false turns retries off', async () => {
    const c = createClient({ baseUrl: `${side.url}/status/503`, apiKey: 'ck_test_retries', retry: false })
    expect((await rejection(c.templates.get('off'))).attempts).toBe(1)
    expect(count('GET', '/v1/templates/off')).toBe(1)
  })

  it('4xx is never retried, not even a GET', async () => {
    const c = createClient({ baseUrl: `${side.url}/status/404`, apiKey: 'ck_test_retries', retry: FAST })
    const error = await rejection(c.templates.list())
    expect(error).toMatchObject({ status: 404, attempts: 1, retryable: false })
    expect(side.requests.filter((r) => r.path === '/status/404/v1/templates')).toHaveLength(1)
  })
})

describe('network errors, timeouts, Retry-After', () => {
  it('a refused connection is a network_error, retried for GETs', async () => {
    const observed = observedFetch()
    // A port nothing listens on: the side server's port once it is closed.
    const gone = await startSideServer()
    await gone.close()
    const c = createClient({ baseUrl: gone.url, apiKey: 'ck_test_retries', retry: { ...FAST, retries: 2 }, fetch: observed.fetch })
    const error = await rejection(c.templates.list())
    expect(error).toMatchObject({ status: 0, code: 'network_error', retryable: true, attempts: 3 })
    expect(error.message).toContain('ECONNREFUSED')
    expect(observed.calls).toHaveLength(3)
  })

  it('an attempt that takes longer than timeoutMs is a timeout, retried for GETs', async () => {
    const observed = observedFetch()
    const c = createClient({ baseUrl: `${side.url}/hang`, apiKey: 'ck_test_retries', timeoutMs: 150, retry: { ...FAST, retries: 1 }, fetch: observed.fetch })
    const error = await rejection(c.templates.list())
    expect(error).toMatchObject({ status: 0, code: 'timeout', retryable: true, attempts: 2 })
    expect(observed.calls).toHaveLength(2)
  })

  it('honours Retry-After (seconds): the retry waits at least that long', async () => {
    const c = createClient({ baseUrl: `${side.url}/retry-after/1`, apiKey: 'ck_test_retries', retry: FAST })
    const started = performance.now()
    expect(await c.templates.list()).toEqual([])
    // A lower bound only: a sleep can't end early. (FAST alone would retry after ~5 ms.)
    expect(performance.now() - started).toBeGreaterThanOrEqual(950)
    expect(side.requests.filter((r) => r.path === '/retry-after/1/v1/templates')).toHaveLength(2)
  })

  it('a Retry-After longer than maxRetryAfterMs ends the retries', async () => {
    const c = createClient({ baseUrl: `${side.url}/retry-after/120`, apiKey: 'ck_test_retries', retry: FAST })
    const error = await rejection(c.templates.list())
    expect(error).toMatchObject({ status: 503, retryable: true, attempts: 1 })
  })

  it('an abort during the backoff stops the retries', async () => {
    const controller = new AbortController()
    const c = createClient({ baseUrl: `${side.url}/status/503`, apiKey: 'ck_test_retries', retry: { retries: 4, minDelayMs: 60_000, maxDelayMs: 60_000 } })
    const pending = c.templates.list({ signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    const error = await rejection(pending)
    expect(error).toMatchObject({ code: 'aborted', attempts: 1 })
  })
})

describe('against the emulator with faults (503:0.3, reset:0.2, seed 7)', () => {
  let emulator: RunningEmulator
  const observed = observedFetch()
  let client: CraftkitClient
  const slug = uniqueSlug('faults')

  /** PUT is never retried by the client; publish as the publisher does: try, re-read, repeat. */
  async function publish(name: string): Promise<string> {
    for (let i = 0; i < 20; i++) {
      const ok = await client.templates.put(name, INVOICE).then(
        () => true,
        () => false,
      )
      if (ok) break
      const exists = await client.templates.get(name).then(
        () => true,
        () => false,
      )
      if (exists) break
    }
    return (await client.templates.get(name)).id
  }

  beforeAll(async () => {
    emulator = await startEmulator({ quiet: true, faults: '503:0.3,reset:0.2', seed: 7, webhooks: [{ url: `${side.url}/hooks`, secret: 'whsec-test' }] })
    client = createClient({ baseUrl: emulator.url, apiKey: emulator.apiKey, fetch: observed.fetch, retry: { retries: 10, minDelayMs: 1, maxDelayMs: 20 } })
    await publish(slug)
  })
  afterAll(async () => {
    await emulator?.close()
  })

  it('GETs succeed through the faults, with retries', async () => {
    observed.reset()
    for (let i = 0; i < 20; i++) expect((await client.templates.get(slug)).slug).toBe(slug)
    expect(observed.calls.length).toBeGreaterThan(20)
  })

  it('a render POST without an idempotency key is not retried after a reset', async () => {
    let seen: CraftkitError | undefined
    for (let i = 0; i < 60 && !seen; i++) {
      observed.reset()
      const error = await client.renders.create(slug, { data: INVOICE_DATA }).then(
        () => undefined,
        (e: unknown) => e as CraftkitError,
      )
      if (error) {
        expect(error.attempts).toBe(1)
        expect(observed.calls).toHaveLength(1)
        if (error.code === 'network_error') seen = error
      }
    }
    expect(seen).toMatchObject({ status: 0, code: 'network_error', retryable: true, attempts: 1, method: 'POST' })
  })

  it('with a key it is retried, and each key yields exactly one render', async () => {
    // A template of its own, so every render of it is one of ours.
    const keyedSlug = uniqueSlug('keyed')
    const templateId = await publish(keyedSlug)
    const keys = Array.from({ length: 12 }, (_, i) => `faults-${process.pid}-${i}`)
    const ids: string[] = []
    let retried = 0
    for (const k of keys) {
      observed.reset()
      const render = await client.renders.create(keyedSlug, { data: INVOICE_DATA }, { idempotencyKey: k })
      if (observed.calls.length > 1) retried++
      ids.push(render.id)
    }
    expect(retried).toBeGreaterThan(0)
    expect(new Set(ids).size).toBe(keys.length)
    for (const id of ids) expect((await client.renders.wait(id, { timeoutMs: 20_000 })).status).toBe('succeeded')
    // Every render the emulator makes fires a webhook: the renders of this template must be exactly `ids` (a
    // retried POST that queued a second render would show up here as an extra id).
    const rendered = (): Set<string> =>
      new Set(side.deliveries.map((d) => JSON.parse(d.rawBody) as { renderId: string; templateId: string }).filter((p) => p.templateId === templateId).map((p) => p.renderId))
    const deadline = Date.now() + 15_000
    while (rendered().size < ids.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    await new Promise((r) => setTimeout(r, 300)) // room for a stray extra delivery to arrive
    expect(rendered()).toEqual(new Set(ids))
    // And replaying every key (through the faults) returns the same renders, never a new one.
    for (const [i, k] of keys.entries()) {
      const again = await client.renders.create(keyedSlug, { data: INVOICE_DATA }, { idempotencyKey: k })
      expect(again).toMatchObject({ id: ids[i], replayed: true })
    }
  })
})
