/** The header that carries a delivery's id: the same on every attempt of that delivery (API.md §10). */
export const WEBHOOK_DELIVERY_ID_HEADER = 'x-craftkit-delivery-id'

/**
 * The delivery id of a webhook request (`x-craftkit-delivery-id`), or `null` when it is missing. Delivery is at
 * least once: a delivery can arrive again (a retry after a lost answer, or after the sender restarted), always with
 * the same id, so record the ids you have handled and skip a repeat. Accepts a fetch `Headers`, Node's
 * `req.headers` or a plain object (names in any case).
 *
 * @example
 * const id = webhookDeliveryId(req.headers)
 * if (id && (await seen.has(id))) return res.sendStatus(200) // already handled: acknowledge, do nothing
 */
export function webhookDeliveryId(
  headers: { get(name: string): string | null } | Record<string, string | string[] | undefined>,
): string | null {
  let value: string | string[] | null | undefined
  if (typeof (headers as { get?: unknown }).get === 'function') {
    value = (headers as { get(name: string): string | null }).get(WEBHOOK_DELIVERY_ID_HEADER)
  } else {
    const record = headers as Record<string, string | string[] | undefined>
    const key = Object.keys(record).find((k) => k.toLowerCase() === WEBHOOK_DELIVERY_ID_HEADER)
    value = key === undefined ? undefined : record[key]
  }
  const first = Array.isArray(value) ? value[0] : value
  const id = typeof first === 'string' ? first.trim() : ''
  return id === '' ? null : id
}

/** Options of {@link verifyWebhookSignature}. */
export interface VerifyWebhookOptions {
  /** The request body exactly as received (not re-serialized JSON: one changed byte fails the check). */
  rawBody: string | Uint8Array
  /** The `x-craftkit-signature` header: hex HMAC-SHA256 of the raw body, no `sha256=` prefix. */
  signature: string | null | undefined
  /** The subscription's secret from the dashboard (Project → Webhooks). */
  secret: string
  /**
   * The `x-craftkit-timestamp` header (Unix seconds). When given, a delivery older or newer than
   * `toleranceSeconds` is rejected (a replay). Craftkit does not sign it, so it only narrows the window.
   */
  timestamp?: string | number | null
  /**
   * Allowed clock difference for `timestamp`.
   * @default 300
   */
  toleranceSeconds?: number
}

/**
 * Verifies a Craftkit webhook delivery (API.md §10): a constant-time comparison of the header with
 * `hex(HMAC-SHA256(secret, rawBody))`, and optionally the timestamp's age. Returns `false` for a missing,
 * malformed or wrong signature and for a stale timestamp; never throws for bad input.
 *
 * Synchronous, on `node:crypto` (Node, Bun, Deno): loaded with `process.getBuiltinModule` rather than a static
 * import, so importing `@galley/client` pulls no Node built-in into a bundle. On runtimes without `node:crypto`
 * (edge workers) use {@link verifyWebhookSignatureAsync} (Web Crypto).
 *
 * @example
 * app.post('/webhooks/craftkit', express.raw({ type: 'application/json' }), (req, res) => {
 *   const ok = verifyWebhookSignature({
 *     rawBody: req.body, signature: req.get('x-craftkit-signature'), timestamp: req.get('x-craftkit-timestamp'),
 *     secret: process.env.CRAFTKIT_WEBHOOK_SECRET!,
 *   })
 *   if (!ok) return res.sendStatus(401)
 *   // deliveries may arrive more than once: dedupe on webhookDeliveryId(req.headers)
 * })
 */
export function verifyWebhookSignature(options: VerifyWebhookOptions): boolean {
  const given = precheck(options)
  if (!given) return false
  const crypto = nodeCrypto()
  const expected = crypto.createHmac('sha256', options.secret).update(options.rawBody).digest()
  return expected.length === given.length && crypto.timingSafeEqual(expected, given)
}

/**
 * {@link verifyWebhookSignature} on Web Crypto (`crypto.subtle`), for runtimes without `node:crypto`. HMAC
 * verification in `crypto.subtle.verify` is constant-time.
 */
export async function verifyWebhookSignatureAsync(options: VerifyWebhookOptions): Promise<boolean> {
  const given = precheck(options)
  if (!given) return false
  const subtle = globalThis.crypto?.subtle
  if (!subtle) throw new Error('verifyWebhookSignatureAsync needs Web Crypto (globalThis.crypto.subtle).')
  const encoder = new TextEncoder()
  const key = await subtle.importKey('raw', encoder.encode(options.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
  const body = typeof options.rawBody === 'string' ? encoder.encode(options.rawBody) : options.rawBody
  return subtle.verify('HMAC', key, given, body)
}

const HEX_SHA256 = /^[0-9a-f]{64}$/i

/** Shape and timestamp checks shared by both variants; the decoded signature bytes, or `null` when it fails. */
function precheck(options: VerifyWebhookOptions): Uint8Array<ArrayBuffer> | null {
  if (typeof options.secret !== 'string' || options.secret === '') {
    throw new TypeError('verifyWebhookSignature: `secret` is empty; pass the webhook subscription secret.')
  }
  const signature = typeof options.signature === 'string' ? options.signature.trim() : ''
  if (!HEX_SHA256.test(signature)) return null
  if (options.timestamp !== undefined && options.timestamp !== null) {
    const tolerance = options.toleranceSeconds ?? 300
    const seconds = typeof options.timestamp === 'number' ? options.timestamp : Number(String(options.timestamp).trim())
    if (!Number.isFinite(seconds) || String(options.timestamp).trim() === '') return null
    if (Math.abs(Date.now() / 1000 - seconds) > tolerance) return null
  }
  const bytes = new Uint8Array(32)
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(signature.slice(i * 2, i * 2 + 2), 16)
  return bytes
}

interface NodeCrypto {
  createHmac(algorithm: string, key: string): { update(data: string | Uint8Array): { digest(): Uint8Array } }
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean
}

function nodeCrypto(): NodeCrypto {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const mod = proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined
  if (!mod) {
    throw new Error('verifyWebhookSignature needs node:crypto (Node >= 20.16, Bun, Deno); on other runtimes use verifyWebhookSignatureAsync.')
  }
  return mod
}
