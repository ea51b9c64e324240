import { createHmac } from 'node:crypto'
import { startEmulator, type RunningEmulator } from '@galley/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, verifyWebhookSignature, verifyWebhookSignatureAsync, webhookDeliveryId, type VerifyWebhookOptions } from '../src/index.ts'
import { INVOICE, INVOICE_DATA, startSideServer, uniqueSlug } from './utils.ts'

const secret = 'whsec_test_0123456789'
const body = JSON.stringify({ event: 'render.succeeded', renderId: '0190a1b2-0000-7000-8000-000000000001', status: 'succeeded', note: 'naïve ✓' })
const sign = (raw: string | Uint8Array, key = secret): string => createHmac('sha256', key).update(raw).digest('hex')
const now = (): string => String(Math.floor(Date.now() / 1000))

// Both variants must agree on every case.
const variants: [string, (o: VerifyWebhookOptions) => Promise<boolean>][] = [
  ['verifyWebhookSignature (node:crypto)', async (o) => verifyWebhookSignature(o)],
  ['verifyWebhookSignatureAsync (Web Crypto)', (o) => verifyWebhookSignatureAsync(o)],
]

describe.each(variants)('%s', (_, verify) => {
  it('accepts the hex HMAC-SHA256 of the raw body (string or bytes, any hex case)', async () => {
    expect(await verify({ rawBody: body, signature: sign(body), secret })).toBe(true)
    expect(await verify({ rawBody: new TextEncoder().encode(body), signature: sign(body), secret })).toBe(true)
    expect(await verify({ rawBody: body, signature: sign(body).toUpperCase(), secret })).toBe(true)
  })

  it('rejects a changed body, a wrong secret, a re-serialized body', async () => {
    expect(await verify({ rawBody: body.replace('succeeded', 'failed'), signature: sign(body), secret })).toBe(false)
    expect(await verify({ rawBody: body, signature: sign(body, 'other-secret'), secret })).toBe(false)
    const reserialized = JSON.stringify(JSON.parse(body), null, 2)
    expect(await verify({ rawBody: reserialized, signature: sign(body), secret })).toBe(false)
  })

  it('rejects missing, malformed, prefixed and truncated signatures without throwing', async () => {
    for (const signature of [undefined, null, '', 'zz', `sha256=${sign(body)}`, sign(body).slice(0, 63), `${sign(body)}00`, 'g'.repeat(64)]) {
      expect(await verify({ rawBody: body, signature, secret })).toBe(false)
    }
  })

  it('checks the timestamp against the tolerance when given', async () => {
    const signature = sign(body)
    expect(await verify({ rawBody: body, signature, secret, timestamp: now() })).toBe(true)
    expect(await verify({ rawBody: body, signature, secret, timestamp: Number(now()) - 200 })).toBe(true)
    expect(await verify({ rawBody: body, signature, secret, timestamp: String(Number(now()) - 3600) })).toBe(false)
    expect(await verify({ rawBody: body, signature, secret, timestamp: String(Number(now()) + 3600) })).toBe(false)
    expect(await verify({ rawBody: body, signature, secret, timestamp: String(Number(now()) - 3600), toleranceSeconds: 7200 })).toBe(true)
    expect(await verify({ rawBody: body, signature, secret, timestamp: 'yesterday' })).toBe(false)
    expect(await verify({ rawBody: body, signature, secret, timestamp: '' })).toBe(false)
  })

  it('an empty secret is a programming error', async () => {
    await expect(async () => verify({ rawBody: body, signature: sign(body), secret: '' })).rejects.toThrow(/secret/)
  })
})

describe('deliveries from the emulator', () => {
  let emulator: RunningEmulator
  let side: Awaited<ReturnType<typeof startSideServer>>
  beforeAll(async () => {
    side = await startSideServer()
    emulator = await startEmulator({ quiet: true, webhooks: [{ url: `${side.url}/hooks`, secret }] })
  })
  afterAll(async () => {
    await emulator?.close()
    await side?.close()
  })

  it('verifies a real render.succeeded delivery, and rejects it under another secret', async () => {
    const client = createClient({ baseUrl: emulator.url, apiKey: emulator.apiKey })
    const slug = uniqueSlug('hooked')
    await client.templates.put(slug, INVOICE)
    const done = await client.renders.wait(await client.renders.create(slug, { data: INVOICE_DATA }))
    const deadline = Date.now() + 15_000
    const find = () => side.deliveries.find((d) => d.rawBody.includes(done.id))
    while (!find() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    const delivery = find()!
    expect(delivery.headers['x-craftkit-event']).toBe('render.succeeded')
    const options = {
      rawBody: delivery.rawBody,
      signature: delivery.headers['x-craftkit-signature'] as string,
      timestamp: delivery.headers['x-craftkit-timestamp'] as string,
      secret,
    }
    expect(verifyWebhookSignature(options)).toBe(true)
    expect(await verifyWebhookSignatureAsync(options)).toBe(true)
    expect(verifyWebhookSignature({ ...options, secret: 'not-the-secret' })).toBe(false)
    // The delivery id receivers dedupe on, read from Node's req.headers.
    expect(webhookDeliveryId(delivery.headers as Record<string, string>)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  })
})

describe('webhookDeliveryId', () => {
  it('reads x-craftkit-delivery-id from fetch Headers, Node headers or a plain object; null when missing', () => {
    const id = '01a24949-6b12-7c8e-a7ab-cb09ec8ac11e'
    expect(webhookDeliveryId(new Headers({ 'X-Craftkit-Delivery-Id': id }))).toBe(id)
    expect(webhookDeliveryId({ 'x-craftkit-delivery-id': id })).toBe(id)
    expect(webhookDeliveryId({ 'X-Craftkit-Delivery-Id': [id, 'other'] })).toBe(id)
    expect(webhookDeliveryId({})).toBe(null)
    expect(webhookDeliveryId(new Headers())).toBe(null)
    expect(webhookDeliveryId({ 'x-craftkit-delivery-id': '  ' })).toBe(null)
  })
})
