/**
 * @module Outgoing render webhooks (API.md §10): signed `render.succeeded` / `render.failed` deliveries, retried
 * with backoff and the same delivery id across attempts.
 */
import { createHmac, randomUUID } from 'node:crypto'

/** The body of a render webhook delivery (API.md §10). */
export interface RenderWebhookPayload {
  event: 'render.succeeded' | 'render.failed'
  renderId: string
  templateId: string
  status: 'succeeded' | 'failed'
  /** `null` on failure (or when there is no public bucket). */
  downloadUrl: string | null
  errorMessage: string | null
  createdAt: string
  completedAt: string
}

/** Queues deliveries to every subscription; returned by {@link createWebhookDispatcher}. */
export interface WebhookDispatcher {
  /** Queues one delivery per subscription and returns at once; delivery and retries happen in the background. */
  dispatch(payload: RenderWebhookPayload): void
  /** Resolves when no delivery is in flight or waiting for a retry. */
  idle(): Promise<void>
  /** Stops scheduling retries, aborts in-flight requests and resolves once everything has settled. */
  close(): Promise<void>
}

export interface WebhookDispatcherOptions {
  subscriptions: { url: string; secret: string }[]
  /** Attempts per delivery before it is abandoned. @default 6 */
  maxAttempts?: number
  /** Delay before attempt `attempt + 1`, after attempt `attempt` (1-based) failed. @default 1 s, 2 s, 4 s, 8 s, 16 s */
  retryDelayMs?: (attempt: number) => number
  /** Per-attempt timeout; Craftkit asks receivers to answer within ~15 s. @default 15000 */
  timeoutMs?: number
  /** @default globalThis.fetch */
  fetch?: typeof fetch
  /** One line per delivery outcome. @default no logging */
  log?: (line: string) => void
}

/** `User-Agent` of every delivery (API.md §10). */
export const WEBHOOK_USER_AGENT = 'Craftkit-Webhook/1.0'

/**
 * Signs a webhook body as Craftkit does: hex HMAC-SHA256 of the raw body keyed by the subscription secret, with no
 * `sha256=` prefix. The timestamp is not part of the signed material (API.md §10).
 *
 * @example
 * const ok = signWebhookBody(secret, rawBody) === req.headers['x-craftkit-signature']
 */
export function signWebhookBody(secret: string, rawBody: string): string {
  return createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')
}

/** Default backoff: 1 s, 2 s, 4 s, 8 s, 16 s (the retry schedule is undocumented, API.md §14). */
export function defaultRetryDelayMs(attempt: number): number {
  return 1000 * 2 ** Math.max(0, attempt - 1)
}

/**
 * Creates the dispatcher the emulator's render queue calls when a render reaches a terminal state. Each dispatch
 * becomes one delivery per subscription: POST JSON with `x-craftkit-event`, `x-craftkit-signature`,
 * `x-craftkit-timestamp` (unix seconds, re-stamped and re-signed per attempt), `x-craftkit-delivery-id` (a UUID kept
 * across retries) and `user-agent: Craftkit-Webhook/1.0`. Any 2xx acknowledges; a non-2xx status, a timeout or a
 * network error is retried up to `maxAttempts` in all, after which the delivery is abandoned and logged.
 *
 * @example
 * const webhooks = createWebhookDispatcher({ subscriptions: [{ url, secret }] })
 * webhooks.dispatch({ event: 'render.succeeded', renderId, templateId, status: 'succeeded', downloadUrl, errorMessage: null, createdAt, completedAt })
 * await webhooks.idle()
 */
export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 6)
  const retryDelayMs = options.retryDelayMs ?? defaultRetryDelayMs
  const timeoutMs = options.timeoutMs ?? 15_000
  const doFetch = options.fetch ?? globalThis.fetch
  const log = options.log ?? (() => {})
  const pending = new Set<Promise<void>>()
  const timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>()
  const closing = new AbortController()
  let idleWaiters: (() => void)[] = []

  const settle = (): void => {
    if (pending.size > 0) return
    const waiters = idleWaiters
    idleWaiters = []
    for (const w of waiters) w()
  }

  /** Sleeps for `ms`, or less when the dispatcher closes. */
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (closing.signal.aborted) return resolve()
      const entry = {
        timer: setTimeout(() => {
          timers.delete(entry)
          resolve()
        }, Math.max(0, ms)),
        wake: () => {
          clearTimeout(entry.timer)
          timers.delete(entry)
          resolve()
        },
      }
      timers.add(entry)
    })

  const attempt = (url: string, secret: string, event: string, rawBody: string, deliveryId: string): Promise<string | null> =>
    postWebhook({ url, secret, event, rawBody, deliveryId, timeoutMs, fetch: doFetch, signal: closing.signal })

  async function deliver(url: string, secret: string, payload: RenderWebhookPayload): Promise<void> {
    const rawBody = JSON.stringify(payload)
    const deliveryId = randomUUID()
    const target = safeUrl(url)
    for (let n = 1; n <= maxAttempts; n++) {
      if (closing.signal.aborted) {
        log(`webhook ${payload.event} ${deliveryId} -> ${target}: not delivered, dispatcher closed`)
        return
      }
      const failure = await attempt(url, secret, payload.event, rawBody, deliveryId)
      if (failure === null) {
        log(`webhook ${payload.event} ${deliveryId} -> ${target}: delivered (attempt ${n})`)
        return
      }
      if (n === maxAttempts) {
        log(`webhook ${payload.event} ${deliveryId} -> ${target}: abandoned after ${n} attempts (last: ${failure})`)
        return
      }
      const delay = retryDelayMs(n)
      log(`webhook ${payload.event} ${deliveryId} -> ${target}: attempt ${n} failed (${failure}), retrying in ${delay} ms`)
      await sleep(delay)
    }
  }

  return {
    dispatch(payload) {
      if (closing.signal.aborted) return
      for (const sub of options.subscriptions) {
        const p: Promise<void> = deliver(sub.url, sub.secret, payload)
          .catch((err: unknown) => log(`webhook ${payload.event}: unexpected error ${(err as Error).message}`))
          .finally(() => {
            pending.delete(p)
            settle()
          })
        pending.add(p)
      }
    },
    idle() {
      if (pending.size === 0) return Promise.resolve()
      return new Promise((resolve) => idleWaiters.push(resolve))
    },
    async close() {
      closing.abort()
      for (const t of [...timers]) t.wake()
      await Promise.all([...pending])
    },
  }
}

/**
 * One delivery attempt: POSTs `rawBody` signed with `secret` and the documented headers. Resolves `null` on a
 * 2xx, else the reason (`HTTP 500`, `no response within 15000 ms`, `ECONNREFUSED`, `dispatcher closed` when
 * `signal` aborted). Never throws.
 */
export async function postWebhook(o: {
  url: string
  secret: string
  event: string
  rawBody: string
  deliveryId: string
  timeoutMs: number
  fetch?: typeof fetch
  signal: AbortSignal
}): Promise<string | null> {
  const signal = AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs)])
  try {
    const res = await (o.fetch ?? globalThis.fetch)(o.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': WEBHOOK_USER_AGENT,
        'x-craftkit-event': o.event,
        'x-craftkit-signature': signWebhookBody(o.secret, o.rawBody),
        'x-craftkit-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-craftkit-delivery-id': o.deliveryId,
      },
      body: o.rawBody,
      signal,
      redirect: 'manual',
    })
    // Drain the body so the connection can be reused; its content is irrelevant.
    await res.arrayBuffer().catch(() => undefined)
    return res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}`
  } catch (err) {
    if (o.signal.aborted) return 'dispatcher closed'
    const e = err as Error
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no response within ${o.timeoutMs} ms`
    const cause = (e as { cause?: { code?: string; message?: string } }).cause
    return cause?.code ?? cause?.message ?? e.message
  }
}

/** The URL without credentials or query, for logs (a receiver may put a token in it). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return '<invalid url>'
  }
}
