import { createHmac, timingSafeEqual } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { createWebhookDispatcher, defaultRetryDelayMs, signWebhookBody, type RenderWebhookPayload, type WebhookDispatcher } from '../src/webhooks/index.ts'
import { startLocalServer, type LocalServer } from './render-helpers.ts'

const payload: RenderWebhookPayload = {
  event: 'render.succeeded',
  renderId: '01972f3e-7a1b-7c2d-8e9f-0a1b2c3d4e5f',
  templateId: '7f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
  status: 'succeeded',
  downloadUrl: 'http://127.0.0.1:3000/files/01972f3e.pdf',
  errorMessage: null,
  createdAt: '2026-06-04T09:30:00.000Z',
  completedAt: '2026-06-04T09:30:00.250Z',
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** What a receiver does (API.md §10): constant-time compare of hex HMAC-SHA256 of the raw body. */
function verify(rawBody: string, signature: string, secret: string): boolean {
  const expected = Buffer.from(createHmac('sha256', secret).update(rawBody).digest('hex'))
  const got = Buffer.from(signature)
  return expected.length === got.length && timingSafeEqual(expected, got)
}

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

async function server(statuses: (number | 'hang')[]): Promise<LocalServer> {
  let n = 0
  const s = await startLocalServer((_req, res) => {
    const status = statuses[Math.min(n++, statuses.length - 1)]!
    if (status === 'hang') return
    res.writeHead(status, { 'content-type': 'text/plain' }).end(String(status))
  })
  cleanup.push(() => s.close())
  return s
}

function dispatcher(options: Parameters<typeof createWebhookDispatcher>[0]): { d: WebhookDispatcher; lines: string[] } {
  const lines: string[] = []
  const d = createWebhookDispatcher({ retryDelayMs: () => 20, log: (l) => lines.push(l), ...options })
  cleanup.push(() => d.close())
  return { d, lines }
}

describe('signWebhookBody', () => {
  it('is hex HMAC-SHA256 of the raw body, without a prefix', () => {
    // RFC-style known vector.
    expect(signWebhookBody('key', 'The quick brown fox jumps over the lazy dog')).toBe('f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8')
    expect(signWebhookBody('whsec_1', '{"a":1}')).toMatch(/^[0-9a-f]{64}$/)
    expect(signWebhookBody('whsec_1', '{"a":1}')).not.toBe(signWebhookBody('whsec_2', '{"a":1}'))
  })
})

describe('createWebhookDispatcher', () => {
  it('POSTs the payload as JSON with the documented headers and a signature that verifies from the raw body', async () => {
    const s = await server([204])
    const { d, lines } = dispatcher({ subscriptions: [{ url: `${s.url}/hooks/craftkit?token=t0k3n`, secret: 'whsec_test' }] })
    const before = Math.floor(Date.now() / 1000)
    d.dispatch(payload)
    await d.idle()
    expect(s.requests).toHaveLength(1)
    const [req] = s.requests
    expect(req!.method).toBe('POST')
    expect(req!.url).toBe('/hooks/craftkit?token=t0k3n')
    expect(req!.headers['content-type']).toBe('application/json')
    expect(req!.headers['user-agent']).toBe('Craftkit-Webhook/1.0')
    expect(req!.headers['x-craftkit-event']).toBe('render.succeeded')
    expect(req!.headers['x-craftkit-delivery-id']).toMatch(UUID)
    const ts = Number(req!.headers['x-craftkit-timestamp'])
    expect(Number.isInteger(ts)).toBe(true)
    expect(ts).toBeGreaterThanOrEqual(before)
    expect(ts).toBeLessThanOrEqual(Math.floor(Date.now() / 1000))
    expect(verify(req!.body, String(req!.headers['x-craftkit-signature']), 'whsec_test')).toBe(true)
    expect(verify(req!.body, String(req!.headers['x-craftkit-signature']), 'whsec_other')).toBe(false)
    expect(JSON.parse(req!.body)).toEqual(payload)
    expect(lines.join('\n')).toContain('delivered (attempt 1)')
    // The receiver's query string (often a token) stays out of the logs.
    expect(lines.join('\n')).not.toContain('t0k3n')
  })

  it('retries after 500s with the same delivery id and body, and stops at the first 2xx', async () => {
    const s = await server([500, 502, 200])
    const { d, lines } = dispatcher({ subscriptions: [{ url: s.url, secret: 'whsec_test' }] })
    d.dispatch({ ...payload, event: 'render.failed', status: 'failed', downloadUrl: null, errorMessage: 'The image could not be fetched' })
    await d.idle()
    expect(s.requests).toHaveLength(3)
    const ids = new Set(s.requests.map((r) => r.headers['x-craftkit-delivery-id']))
    expect(ids.size).toBe(1)
    expect(new Set(s.requests.map((r) => r.body)).size).toBe(1)
    for (const r of s.requests) {
      expect(r.headers['x-craftkit-event']).toBe('render.failed')
      expect(verify(r.body, String(r.headers['x-craftkit-signature']), 'whsec_test')).toBe(true)
    }
    expect(lines.join('\n')).toMatch(/attempt 1 failed \(HTTP 500\)/)
    expect(lines.join('\n')).toMatch(/delivered \(attempt 3\)/)
  })

  it('gives up after 6 attempts and logs the delivery as abandoned', async () => {
    const s = await server([500])
    const delays: number[] = []
    const { d, lines } = dispatcher({
      subscriptions: [{ url: s.url, secret: 'whsec_test' }],
      retryDelayMs: (attempt) => (delays.push(attempt), 5),
    })
    d.dispatch(payload)
    await d.idle()
    expect(s.requests).toHaveLength(6)
    expect(delays).toEqual([1, 2, 3, 4, 5])
    expect(new Set(s.requests.map((r) => r.headers['x-craftkit-delivery-id'])).size).toBe(1)
    expect(lines.at(-1)).toMatch(/abandoned after 6 attempts \(last: HTTP 500\)/)
    // Nothing is left scheduled.
    await new Promise((r) => setTimeout(r, 100))
    expect(s.requests).toHaveLength(6)
  })

  it('honours maxAttempts', async () => {
    const s = await server([503])
    const { d } = dispatcher({ subscriptions: [{ url: s.url, secret: 'x' }], maxAttempts: 2 })
    d.dispatch(payload)
    await d.idle()
    expect(s.requests).toHaveLength(2)
  })

  it('retries a receiver that does not answer in time', async () => {
    // The first request is held forever; later ones answer at once (a slow machine may need more than one retry).
    const s = await server(['hang', 200])
    const { d, lines } = dispatcher({ subscriptions: [{ url: s.url, secret: 'x' }], timeoutMs: 1000 })
    d.dispatch(payload)
    await d.idle()
    expect(s.requests.length).toBeGreaterThanOrEqual(2)
    expect(lines.join('\n')).toMatch(/attempt 1 failed \(no response within 1000 ms\)/)
    expect(lines.at(-1)).toMatch(/delivered \(attempt \d\)/)
  })

  it('retries network errors and abandons an unreachable receiver', async () => {
    const gone = await startLocalServer(() => {})
    await gone.close()
    const { d, lines } = dispatcher({ subscriptions: [{ url: gone.url, secret: 'x' }], maxAttempts: 3 })
    d.dispatch(payload)
    await d.idle()
    expect(lines.filter((l) => l.includes('failed (ECONNREFUSED'))).toHaveLength(2)
    expect(lines.at(-1)).toMatch(/abandoned after 3 attempts \(last: ECONNREFUSED/)
  })

  it('delivers to every subscription with its own secret and delivery id', async () => {
    const a = await server([200])
    const b = await server([200])
    const { d } = dispatcher({
      subscriptions: [
        { url: a.url, secret: 'secret-a' },
        { url: b.url, secret: 'secret-b' },
      ],
    })
    d.dispatch(payload)
    d.dispatch({ ...payload, renderId: '01972f3e-0000-7000-8000-000000000002' })
    await d.idle()
    expect(a.requests).toHaveLength(2)
    expect(b.requests).toHaveLength(2)
    for (const r of a.requests) expect(verify(r.body, String(r.headers['x-craftkit-signature']), 'secret-a')).toBe(true)
    for (const r of b.requests) expect(verify(r.body, String(r.headers['x-craftkit-signature']), 'secret-b')).toBe(true)
    const ids = [...a.requests, ...b.requests].map((r) => r.headers['x-craftkit-delivery-id'])
    expect(new Set(ids).size).toBe(4)
  })

  it('idle() resolves at once when nothing is pending', async () => {
    const { d } = dispatcher({ subscriptions: [] })
    d.dispatch(payload)
    await expect(d.idle()).resolves.toBeUndefined()
  })

  it('close() stops pending retries and later dispatches', async () => {
    const s = await server([500])
    const { d, lines } = dispatcher({ subscriptions: [{ url: s.url, secret: 'x' }], retryDelayMs: () => 60_000 })
    d.dispatch(payload)
    while (s.requests.length === 0) await new Promise((r) => setTimeout(r, 10))
    await d.close()
    await d.idle()
    d.dispatch(payload)
    await new Promise((r) => setTimeout(r, 100))
    expect(s.requests).toHaveLength(1)
    expect(lines.at(-1)).toMatch(/not delivered, dispatcher closed/)
  })

  it('backs off 1 s, 2 s, 4 s, 8 s, 16 s by default', () => {
    expect([1, 2, 3, 4, 5].map(defaultRetryDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000])
  })
})
