import type { CraftkitError } from './errors.ts'
import { DEFAULT_RETRY, request, type HttpContext, type RetryOptions } from './http.ts'
import { createRendersApi, enc, type RendersApi } from './renders.ts'
import type {
  DeletedTemplate,
  PublishedTemplate,
  RevokedShare,
  Share,
  ShareCreateBody,
  TemplateBody,
  TemplateDetail,
  TemplateSummary,
} from './types.ts'

/** Options of {@link createClient}. */
export interface ClientOptions {
  /**
   * A Craftkit project key (`ck_live_…` / `ck_test_…`). Read when a request is made, so a missing key fails the
   * first call (code `missing_api_key`), not `createClient()`.
   * @default process.env.CRAFTKIT_API_KEY
   */
  apiKey?: string
  /**
   * The API base URL (a path prefix is kept).
   * @default process.env.CRAFTKIT_BASE_URL ?? 'https://api.craftkit.dev'
   */
  baseUrl?: string
  /**
   * The `fetch` to use (a wrapper for logging or counting, a proxy agent).
   * @default globalThis.fetch
   */
  fetch?: typeof globalThis.fetch
  /**
   * Automatic retries of safe requests (GETs and render POSTs that carry an idempotency key) on network errors,
   * timeouts and 5xx; `false` turns them off.
   * @default { retries: 4, minDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 60000 }
   */
  retry?: RetryOptions | false
  /**
   * The `User-Agent` header.
   * @default 'galley-client/0.1.0'
   */
  userAgent?: string
  /**
   * Timeout of one attempt of one request (a retried request gets a fresh timeout per attempt).
   * @default 30000
   */
  timeoutMs?: number
}

export interface TemplatesApi {
  /** Every template of the key's project, newest-updated first (no manifests). */
  list(options?: { signal?: AbortSignal }): Promise<TemplateSummary[]>
  /** One template with its manifest and JSON Schema (both `null` while unpublished). 404 `template_not_found`. */
  get(slug: string, options?: { signal?: AbortSignal }): Promise<TemplateDetail>
  /** Creates a template and publishes version 1. 409 `slug_conflict` when `body.slug` exists. Never retried. */
  create(body: TemplateBody): Promise<PublishedTemplate>
  /**
   * Creates (`created: true`, HTTP 201) or republishes (`created: false`, 200) the template at `slug`. Every call
   * mints a new version, even when nothing changed, so it is not retried automatically: after an ambiguous
   * failure, re-read the template and compare before putting again. `options.beforeResend` lets the client's
   * retry policy do the retrying, asking that check before each resend.
   */
  put(slug: string, body: TemplateBody, options?: PutOptions): Promise<PublishedTemplate & { created: boolean }>
  /**
   * Soft-deletes the template (its renders stay). A second delete is 404 `template_not_found`. Not retried
   * automatically; `options.beforeResend` lets the retry policy retry it.
   */
  delete(slug: string, options?: DeleteOptions): Promise<DeletedTemplate>
}

/**
 * Options of {@link TemplatesApi.put} and {@link TemplatesApi.delete}: writes that are not safe to send twice
 * blindly, so the client retries them only when told to.
 */
export interface WriteRetryOptions<T> {
  /**
   * Makes the write retryable under the client's retry policy (the same `retries` and backoff as a GET). After a
   * transient failure (no response, a reset, a timeout, a 5xx) and the backoff, the client calls this before
   * sending the request again: resolve `'resend'` to send it, or the result when the failed attempt turns out to
   * have taken effect (the call then resolves with it). A throw ends the call with that error. `attempt` is the
   * number of the attempt that failed. Without it, the write is never retried.
   */
  beforeResend?: (failure: CraftkitError, attempt: number) => Promise<'resend' | T>
}

export type PutOptions = WriteRetryOptions<PublishedTemplate & { created: boolean }>
export type DeleteOptions = WriteRetryOptions<DeletedTemplate>

export interface SharesApi {
  /** Creates a share link of a succeeded render (409 `not_ready` before). Never retried. */
  create(renderId: string, body?: ShareCreateBody): Promise<Share>
  /** The render's shares, newest first, revoked ones included. */
  list(renderId: string, options?: { signal?: AbortSignal }): Promise<Share[]>
  /** Revokes a share; revoked or unknown is 404 `not_found`. */
  revoke(renderId: string, shareId: string): Promise<RevokedShare>
}

/** A Craftkit REST API client. Holds no state besides its options; safe to share across requests. */
export interface CraftkitClient {
  templates: TemplatesApi
  renders: RendersApi
  shares: SharesApi
}

export const DEFAULT_BASE_URL = 'https://api.craftkit.dev'
export const DEFAULT_USER_AGENT = 'galley-client/0.1.0'

/**
 * Creates a Craftkit client. Every option has an environment default, so `createClient()` on a server with
 * `CRAFTKIT_API_KEY` set is enough.
 *
 * @example
 * const client = createClient({ baseUrl: 'http://localhost:3000', apiKey: process.env.CRAFTKIT_API_KEY })
 * const queued = await client.renders.create('invoice', { data }, { idempotencyKey: `invoice-${order.id}` })
 * const done = await client.renders.wait(queued)
 * const pdf = await client.renders.download(done)
 */
export function createClient(options: ClientOptions = {}): CraftkitClient {
  const fetchImpl = options.fetch ?? globalThis.fetch
  if (typeof fetchImpl !== 'function') {
    throw new TypeError('@galley/client needs a global fetch (Node >= 20.19) or a `fetch` option.')
  }
  const ctx: HttpContext = {
    fetch: fetchImpl,
    apiKey: () => clean(options.apiKey) ?? clean(env('CRAFTKIT_API_KEY')),
    baseUrl: () => clean(options.baseUrl) ?? clean(env('CRAFTKIT_BASE_URL')) ?? DEFAULT_BASE_URL,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    retry: options.retry === false ? false : { ...DEFAULT_RETRY, ...definedOnly(options.retry ?? {}) },
    timeoutMs: options.timeoutMs ?? 30_000,
    random: Math.random,
  }

  const templates: TemplatesApi = {
    async list(opts) {
      const res = await request<{ templates: TemplateSummary[] }>(ctx, { method: 'GET', path: '/v1/templates', safe: true, signal: opts?.signal, response: 'json' })
      return res.data.templates
    },
    async get(slug, opts) {
      return (await request<TemplateDetail>(ctx, { method: 'GET', path: `/v1/templates/${enc(slug)}`, safe: true, signal: opts?.signal, response: 'json' })).data
    },
    async create(body) {
      return (await request<PublishedTemplate>(ctx, { method: 'POST', path: '/v1/templates', body, safe: false, response: 'json' })).data
    },
    async put(slug, body, opts) {
      const check = opts?.beforeResend
      const beforeResend = check
        ? async (failure: CraftkitError, attempt: number) => {
            const decision = await check(failure, attempt)
            if (decision === 'resend') return undefined
            const { created, ...data } = decision
            return { status: created ? 201 : 200, headers: new Headers(), data }
          }
        : undefined
      const res = await request<PublishedTemplate>(ctx, { method: 'PUT', path: `/v1/templates/${enc(slug)}`, body, safe: false, beforeResend, response: 'json' })
      return { ...res.data, created: res.status === 201 }
    },
    async delete(slug, opts) {
      const check = opts?.beforeResend
      const beforeResend = check
        ? async (failure: CraftkitError, attempt: number) => {
            const decision = await check(failure, attempt)
            return decision === 'resend' ? undefined : { status: 200, headers: new Headers(), data: decision }
          }
        : undefined
      return (await request<DeletedTemplate>(ctx, { method: 'DELETE', path: `/v1/templates/${enc(slug)}`, safe: false, beforeResend, response: 'json' })).data
    },
  }

  const shares: SharesApi = {
    async create(renderId, body = {}) {
      return (await request<Share>(ctx, { method: 'POST', path: `/v1/renders/${enc(renderId)}/shares`, body, safe: false, response: 'json' })).data
    },
    async list(renderId, opts) {
      const res = await request<{ shares: Share[] }>(ctx, { method: 'GET', path: `/v1/renders/${enc(renderId)}/shares`, safe: true, signal: opts?.signal, response: 'json' })
      return res.data.shares
    },
    async revoke(renderId, shareId) {
      return (await request<RevokedShare>(ctx, { method: 'DELETE', path: `/v1/renders/${enc(renderId)}/shares/${enc(shareId)}`, safe: false, response: 'json' })).data
    },
  }

  return { templates, renders: createRendersApi(ctx), shares }
}

function env(name: string): string | undefined {
  // No `process` in some runtimes (workers); the client then needs explicit options.
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
  return proc?.env?.[name]
}

/** Trimmed, and `undefined` when empty: a key pasted with a newline, or `CRAFTKIT_API_KEY=` set to nothing. */
function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim()
  return trimmed ? trimmed : undefined
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
