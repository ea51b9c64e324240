import { CraftkitError, type CraftkitIssues, redact, sanitizeCause } from './errors.ts'

/** Automatic retries of safe requests (see the README's retry policy). */
export interface RetryOptions {
  /**
   * Retries after the first attempt (so `retries: 4` = up to 5 attempts).
   * @default 4
   */
  retries?: number
  /**
   * Backoff before the first retry; it doubles per retry, with jitter (each wait is between half and all of it).
   * @default 500
   */
  minDelayMs?: number
  /**
   * Cap of one backoff wait.
   * @default 8000
   */
  maxDelayMs?: number
  /**
   * A `Retry-After` header is honoured (the wait is at least that long) up to this; a longer one ends the retries
   * and the error is thrown (`retryable: true`) for the caller to schedule.
   * @default 60000
   */
  maxRetryAfterMs?: number
}

/** @internal Resolved settings the request layer works with. */
export interface HttpContext {
  fetch: typeof globalThis.fetch
  /** Resolved per request so a late `process.env` (dotenv) still counts. */
  apiKey(): string | undefined
  baseUrl(): string
  userAgent: string
  retry: Required<RetryOptions> | false
  timeoutMs: number
  random: () => number
}

/** @internal One API call. */
export interface RequestSpec<T = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** Path under the base URL (`/v1/...`), or an absolute URL with `auth: false` (a public download URL). */
  path: string
  body?: unknown
  headers?: Record<string, string>
  /** Whether the client may send it again after a transient failure (GETs; idempotent render POSTs). */
  safe: boolean
  /**
   * For a request that is not `safe`: lets the retry policy send it again after a transient failure, once this
   * says so. Called after the backoff; resolves `undefined` to resend, or a result when the failed attempt is
   * found to have taken effect (the request then resolves with it). A throw ends the retries with that error.
   */
  beforeResend?: ((failure: CraftkitError, attempt: number) => Promise<HttpResult<T> | undefined>) | undefined
  /** Send the API key. `false` for public URLs: the key never goes to another host. */
  auth?: boolean
  signal?: AbortSignal | undefined
  response: 'json' | 'bytes'
}

export interface HttpResult<T> {
  status: number
  headers: Headers
  data: T
}

export const DEFAULT_RETRY: Required<RetryOptions> = { retries: 4, minDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 60_000 }
export const REQUEST_ID_HEADERS = ['x-request-id', 'x-craftkit-request-id', 'request-id'] as const

/** Performs one API call with the retry policy; throws a redacted {@link CraftkitError}. */
export async function request<T>(ctx: HttpContext, spec: RequestSpec<T>): Promise<HttpResult<T>> {
  const auth = spec.auth !== false
  const key = auth ? ctx.apiKey() : undefined
  const shownPath = displayPath(spec.path)
  const base = { method: spec.method, path: shownPath }
  if (auth && !key) {
    throw new CraftkitError({
      ...base,
      status: 0,
      code: 'missing_api_key',
      retryable: false,
      message:
        'No Craftkit API key: set the CRAFTKIT_API_KEY environment variable (a project key, ck_live_… or ck_test_…) or pass `apiKey` to createClient().',
    })
  }
  const url = auth ? joinUrl(ctx.baseUrl(), spec.path, base) : spec.path
  const headers: Record<string, string> = { accept: spec.response === 'json' ? 'application/json' : 'application/pdf', 'user-agent': ctx.userAgent, ...spec.headers }
  if (key) headers.authorization = `Bearer ${key}`
  let body: string | undefined
  if (spec.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(spec.body)
  }
  const retry = ctx.retry
  const maxAttempts = (spec.safe || spec.beforeResend) && retry ? retry.retries + 1 : 1
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(spec.signal, base, attempt - 1, key)
    let failure: CraftkitError
    let retryAfterMs: number | undefined
    try {
      return await attemptOnce<T>(ctx, spec, url, headers, body, key, base, attempt)
    } catch (error) {
      if (!(error instanceof AttemptFailure)) throw error
      failure = error.error
      retryAfterMs = error.retryAfterMs
    }
    if (!failure.retryable || attempt >= maxAttempts || !retry) throw failure
    if (retryAfterMs !== undefined && retryAfterMs > retry.maxRetryAfterMs) throw failure
    const backoff = Math.min(retry.maxDelayMs, retry.minDelayMs * 2 ** (attempt - 1))
    const jittered = backoff / 2 + ctx.random() * (backoff / 2)
    await sleep(Math.max(jittered, retryAfterMs ?? 0), spec.signal, base, attempt, key)
    if (spec.beforeResend) {
      const landed = await spec.beforeResend(failure, attempt)
      if (landed !== undefined) return landed
    }
  }
}

/** Carries a failed attempt's error (and the server's `Retry-After`) to the retry loop. */
class AttemptFailure {
  constructor(
    readonly error: CraftkitError,
    readonly retryAfterMs?: number,
  ) {}
}

async function attemptOnce<T>(
  ctx: HttpContext,
  spec: RequestSpec,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
  key: string | undefined,
  base: { method: string; path: string },
  attempt: number,
): Promise<HttpResult<T>> {
  const timeout = AbortSignal.timeout(ctx.timeoutMs)
  const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout
  let response: Response
  let payload: string | Uint8Array
  try {
    response = await ctx.fetch(url, { method: spec.method, headers, body, signal, redirect: 'follow' })
    // The body is read inside the attempt: a connection reset mid-body is a network error like any other.
    payload = response.ok && spec.response === 'bytes' ? new Uint8Array(await response.arrayBuffer()) : await response.text()
  } catch (error) {
    if (spec.signal?.aborted) throw abortedError(spec.signal, base, attempt, key)
    if (timeout.aborted) {
      throw new AttemptFailure(
        new CraftkitError({
          ...base,
          status: 0,
          code: 'timeout',
          retryable: true,
          attempts: attempt,
          message: `${base.method} ${base.path} timed out after ${ctx.timeoutMs} ms (attempt ${attempt}).`,
        }),
      )
    }
    const detail = describeNetworkError(error)
    throw new AttemptFailure(
      new CraftkitError({
        ...base,
        status: 0,
        code: 'network_error',
        retryable: true,
        attempts: attempt,
        message: redact(`${base.method} ${base.path} failed with no HTTP response: ${detail} (attempt ${attempt}).`, key),
        cause: sanitizeCause(error, key),
      }),
    )
  }
  const requestId = readRequestId(response.headers)
  if (response.ok) {
    if (spec.response === 'bytes') return { status: response.status, headers: response.headers, data: payload as T }
    const text = payload as string
    if (text === '') return { status: response.status, headers: response.headers, data: undefined as T }
    try {
      return { status: response.status, headers: response.headers, data: JSON.parse(text) as T }
    } catch {
      throw new CraftkitError({
        ...base,
        status: response.status,
        code: 'invalid_response',
        retryable: false,
        attempts: attempt,
        ...(requestId ? { requestId } : {}),
        message: `${base.method} ${base.path} answered ${response.status} with a body that is not JSON: ${redact(snippet(text), key)}`,
      })
    }
  }
  const envelope = parseErrorEnvelope(typeof payload === 'string' ? payload : '')
  const status = response.status
  const code = envelope.code ?? fallbackCode(status)
  const serverMessage = envelope.message ? redact(envelope.message, key) : undefined
  const retryable = status >= 500 || status === 429
  const error = new CraftkitError({
    ...base,
    status,
    code,
    retryable,
    attempts: attempt,
    ...(requestId ? { requestId } : {}),
    ...(envelope.issues ? { issues: redactIssues(envelope.issues, key) } : {}),
    message: `${base.method} ${base.path} failed: ${status} ${code}${serverMessage ? `: ${serverMessage}` : ''}${hintFor(code)}`,
  })
  // 4xx is never retried, whatever the request: the same request gets the same answer.
  if (!retryable || status === 429) throw error
  throw new AttemptFailure(error, parseRetryAfter(response.headers.get('retry-after')))
}

function throwIfAborted(signal: AbortSignal | undefined, base: { method: string; path: string }, attempts: number, key: string | undefined): void {
  if (signal?.aborted) throw abortedError(signal, base, attempts, key)
}

export function abortedError(signal: AbortSignal, base: { method?: string; path?: string }, attempts: number | undefined, key: string | undefined): CraftkitError {
  const where = base.method ? `${base.method} ${base.path}` : 'The operation'
  return new CraftkitError({
    ...base,
    status: 0,
    code: 'aborted',
    retryable: false,
    ...(attempts !== undefined ? { attempts } : {}),
    message: `${where} was aborted by the caller's AbortSignal.`,
    cause: sanitizeCause(signal.reason, key),
  })
}

/** Resolves after `ms`, or rejects with an `aborted` error as soon as `signal` fires. */
export function sleep(ms: number, signal: AbortSignal | undefined, base: { method?: string; path?: string }, attempts: number | undefined, key: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortedError(signal, base, attempts, key))
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(abortedError(signal!, base, attempts, key))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

function joinUrl(baseUrl: string, path: string, base: { method: string; path: string }): string {
  let parsed: URL
  try {
    parsed = new URL(baseUrl)
  } catch {
    parsed = new URL('invalid:')
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CraftkitError({
      ...base,
      status: 0,
      code: 'invalid_base_url',
      retryable: false,
      message: `The Craftkit base URL ${JSON.stringify(redact(baseUrl))} is not an http(s) URL: set CRAFTKIT_BASE_URL or \`baseUrl\` to e.g. https://api.craftkit.dev or http://localhost:3000.`,
    })
  }
  // `https://api.craftkit.dev/v1` is a common way to write the base URL; the paths already start with /v1.
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '') + path
}

/** A path for messages: no query string, and only the path of an absolute (public download) URL. */
function displayPath(path: string): string {
  if (/^https?:\/\//i.test(path)) {
    try {
      const u = new URL(path)
      return `${u.origin}${u.pathname}`
    } catch {
      return '(invalid url)'
    }
  }
  return path.split('?')[0] ?? path
}

function readRequestId(headers: Headers): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers.get(name)
    if (value) return value.slice(0, 200)
  }
  return undefined
}

interface Envelope {
  code?: string
  message?: string
  issues?: CraftkitIssues
}

/** Craftkit's `{ error: { code, message, issues } }`, or the flat `{ error: "code" }` of embed endpoints (API.md §3). */
function parseErrorEnvelope(text: string): Envelope {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return text.trim() ? { message: snippet(text) } : {}
  }
  if (!isRecord(json)) return {}
  const error = json.error
  if (typeof error === 'string') return { code: error, ...(typeof json.message === 'string' ? { message: json.message } : {}) }
  if (!isRecord(error)) return {}
  const out: Envelope = {}
  if (typeof error.code === 'string') out.code = error.code
  if (typeof error.message === 'string') out.message = error.message
  if (isRecord(error.issues)) {
    const formErrors = Array.isArray(error.issues.formErrors) ? error.issues.formErrors.map(String) : []
    const fieldErrors: Record<string, string[]> = {}
    if (isRecord(error.issues.fieldErrors)) {
      for (const [k, v] of Object.entries(error.issues.fieldErrors)) fieldErrors[k] = Array.isArray(v) ? v.map(String) : [String(v)]
    }
    out.issues = { formErrors, fieldErrors }
  }
  return out
}

function redactIssues(issues: CraftkitIssues, key: string | undefined): CraftkitIssues {
  const fieldErrors: Record<string, string[]> = {}
  for (const [k, v] of Object.entries(issues.fieldErrors)) fieldErrors[redact(k, key)] = v.map((m) => redact(m, key))
  return { formErrors: issues.formErrors.map((m) => redact(m, key)), fieldErrors }
}

function fallbackCode(status: number): string {
  if (status === 401) return 'unauthorized'
  if (status === 403) return 'forbidden'
  if (status === 404) return 'not_found'
  if (status === 503) return 'queue_unavailable'
  if (status >= 500) return 'internal'
  return `http_${status}`
}

function hintFor(code: string): string {
  if (code === 'unauthorized' || code === 'invalid_credentials') {
    return ' (check CRAFTKIT_API_KEY: keys only work against the deployment they were minted in, see CRAFTKIT_BASE_URL)'
  }
  return ''
}

/** `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}

function describeNetworkError(error: unknown): string {
  const parts: string[] = []
  let current: unknown = error
  for (let i = 0; i < 4 && current instanceof Error; i++) {
    const code = (current as { code?: unknown }).code
    parts.push(typeof code === 'string' ? `${current.message} (${code})` : current.message)
    current = (current as { cause?: unknown }).cause
  }
  return parts.length > 0 ? parts.join(': ') : String(error)
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
