/**
 * The routes of the example server (a hono app; `server.ts` serves it with @hono/node-server, `vite dev` through
 * the dev middleware in vite.config.ts).
 *
 * - `POST /sign-offs`: a charter-handover sign-off -> render (idempotent per booking + handover kind), wait,
 *   share link -> `{ renderId, shareUrl }`.
 * - `POST /webhooks/craftkit`: Craftkit's signed render webhooks (verified; bad signatures get 401).
 * - `GET /renders/:id`, `GET /sign-offs/:bookingCode/:kind`: what this server knows about a render.
 */
import { createClient, isCraftkitError, verifyWebhookSignature, type CraftkitClient } from '@galley/client'
import { Hono } from 'hono'
import { renderCharterHandover, type CharterHandoverData } from './craftkit.gen'

/** What the server knows about one render: from the sign-off request and, once it arrives, from the webhook. */
export interface RenderRecord {
  renderId: string
  bookingCode: string | null
  kind: string | null
  idempotencyKey: string | null
  status: string
  downloadUrl: string | null
  shareUrl: string | null
  /** The last verified webhook delivery for this render; `null` until one arrives. */
  webhook: { event: string; deliveryId: string | null; status: string; receivedAt: string } | null
}

/**
 * The idempotency key of a sign-off: one per business event (this booking's check-in or check-out), as Craftkit's
 * integration guide advises. A repeated POST of the same sign-off (a retry, a double tap) gets the first render.
 */
export function idempotencyKeyFor(data: CharterHandoverData): string {
  return `handover-${data.booking.code}-${data.handover.kind}`
}

const HANDOVER_KINDS = ['checkin', 'checkout']

/**
 * This app's own rules for a sign-off: what the idempotency key is made of (the booking code and the handover
 * kind). Everything else (required fields, dates, URLs, unknown keys) is Craftkit's to check, once, when the
 * render is requested: an `invalid_input_data` error is answered with 400 below.
 */
export function parseSignOff(body: unknown): { data: CharterHandoverData } | { errors: string[] } {
  const errors: string[] = []
  const o = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined)
  const root = o(body)
  if (!root) return { errors: ['the body must be a JSON object: { booking, handover, areas? }'] }
  const code = o(root.booking)?.code
  const kind = o(root.handover)?.kind
  if (typeof code !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(code)) errors.push('booking.code: letters, digits and dashes, 1-64 characters')
  if (typeof kind !== 'string' || !HANDOVER_KINDS.includes(kind)) errors.push(`handover.kind: one of ${HANDOVER_KINDS.join(', ')}`)
  return errors.length ? { errors } : { data: root as unknown as CharterHandoverData }
}

export interface AppOptions {
  /** The Craftkit client for share links (default: from CRAFTKIT_API_KEY / CRAFTKIT_BASE_URL, created on first use). */
  client?: CraftkitClient
  /** The webhook signing secret (default: CRAFTKIT_WEBHOOK_SECRET, read per request). */
  webhookSecret?: () => string | undefined
}

export function createApp(options: AppOptions = {}): Hono {
  let client = options.client
  const getClient = (): CraftkitClient => (client ??= createClient())
  const webhookSecret = options.webhookSecret ?? (() => process.env.CRAFTKIT_WEBHOOK_SECRET)
  const renders = new Map<string, RenderRecord>() // by render id
  const bySignOff = new Map<string, string>() // `${bookingCode}/${kind}` -> render id
  const deliveries = new Set<string>() // webhook delivery ids already applied (deliveries may repeat)

  const record = (renderId: string): RenderRecord => {
    let r = renders.get(renderId)
    if (!r) {
      r = { renderId, bookingCode: null, kind: null, idempotencyKey: null, status: 'unknown', downloadUrl: null, shareUrl: null, webhook: null }
      renders.set(renderId, r)
    }
    return r
  }

  const app = new Hono()

  app.get('/health', (c) => c.json({ ok: true }))

  app.post('/sign-offs', async (c) => {
    const body: unknown = await c.req.json().catch(() => undefined)
    const parsed = parseSignOff(body)
    if ('errors' in parsed) return c.json({ error: { code: 'invalid_sign_off', issues: parsed.errors } }, 400)
    const { data } = parsed
    const idempotencyKey = idempotencyKeyFor(data)
    try {
      const queued = await renderCharterHandover(data, { idempotencyKey })
      const done = await queued.wait()
      const r = record(done.id)
      Object.assign(r, { bookingCode: data.booking.code, kind: data.handover.kind, idempotencyKey, status: done.status, downloadUrl: done.downloadUrl })
      // One share link per render (a repeated sign-off reuses the link this process made).
      r.shareUrl ??= (await getClient().shares.create(done.id)).shareUrl
      bySignOff.set(`${data.booking.code}/${data.handover.kind}`, done.id)
      return c.json({ renderId: done.id, shareUrl: r.shareUrl, replayed: queued.replayed === true }, queued.replayed ? 200 : 201)
    } catch (error) {
      if (isCraftkitError(error, 'invalid_input_data')) return c.json({ error: { code: error.code, message: error.message, issues: error.issues } }, 400)
      // CraftkitError messages never hold the API key (the client redacts them).
      const code = isCraftkitError(error) ? error.code : 'internal'
      const message = error instanceof Error ? error.message : String(error)
      console.error(`POST /sign-offs failed: ${code}: ${message}`)
      return c.json({ error: { code, message } }, 502)
    }
  })

  app.post('/webhooks/craftkit', async (c) => {
    const secret = webhookSecret()
    if (!secret) return c.json({ error: { code: 'webhook_not_configured', message: 'Set CRAFTKIT_WEBHOOK_SECRET' } }, 503)
    const rawBody = new Uint8Array(await c.req.arrayBuffer()) // the bytes as received: re-serialized JSON would not verify
    const ok = verifyWebhookSignature({
      rawBody,
      signature: c.req.header('x-craftkit-signature'),
      timestamp: c.req.header('x-craftkit-timestamp'),
      secret,
    })
    if (!ok) return c.json({ error: { code: 'invalid_signature' } }, 401)
    let payload: { event?: unknown; renderId?: unknown; status?: unknown; downloadUrl?: unknown }
    try {
      payload = JSON.parse(new TextDecoder().decode(rawBody))
    } catch {
      return c.json({ error: { code: 'invalid_json' } }, 400)
    }
    const deliveryId = c.req.header('x-craftkit-delivery-id') ?? null
    if (deliveryId && deliveries.has(deliveryId)) return c.json({ ok: true, duplicate: true })
    if (typeof payload.renderId === 'string' && (payload.event === 'render.succeeded' || payload.event === 'render.failed')) {
      const r = record(payload.renderId)
      r.status = String(payload.status)
      if (typeof payload.downloadUrl === 'string') r.downloadUrl = payload.downloadUrl
      r.webhook = { event: payload.event, deliveryId, status: String(payload.status), receivedAt: new Date().toISOString() }
    }
    if (deliveryId) deliveries.add(deliveryId)
    return c.json({ ok: true })
  })

  app.get('/renders/:id', (c) => {
    const r = renders.get(c.req.param('id'))
    return r ? c.json(r) : c.json({ error: { code: 'not_found' } }, 404)
  })

  app.get('/sign-offs/:bookingCode/:kind', (c) => {
    const id = bySignOff.get(`${c.req.param('bookingCode')}/${c.req.param('kind')}`)
    const r = id ? renders.get(id) : undefined
    return r ? c.json(r) : c.json({ error: { code: 'not_found' } }, 404)
  })

  return app
}

/** The app `vite dev` serves (see vite.config.ts); the built server creates its own in server.ts. */
export const app = createApp()
