/** Zod `flatten()` output, as Craftkit returns it in `error.issues` (API.md §3). */
export interface CraftkitIssues {
  formErrors: string[]
  /** Keyed by the dotted path (`customer.name`, `areas.1.condition`). */
  fieldErrors: Record<string, string[]>
}

/**
 * Error codes: Craftkit's (API.md §3) and the client's own (status 0). Any other string a server returns is kept
 * as is, so the union stays open.
 */
export type CraftkitErrorCode =
  // Craftkit's
  | 'invalid_json'
  | 'invalid_request'
  | 'invalid_input_data'
  | 'invalid_loop_key'
  | 'unauthorized'
  | 'invalid_credentials'
  | 'forbidden'
  | 'template_not_found'
  | 'version_not_found'
  | 'not_found'
  | 'slug_conflict'
  | 'no_published_version'
  | 'not_ready'
  | 'queue_unavailable'
  | 'internal'
  // the client's own
  /** No API key: set `CRAFTKIT_API_KEY` or pass `apiKey`. */
  | 'missing_api_key'
  /** `baseUrl` / `CRAFTKIT_BASE_URL` is not an http(s) URL. */
  | 'invalid_base_url'
  /** The request never got an HTTP response (connection refused or reset, DNS, TLS). */
  | 'network_error'
  /** One attempt took longer than `timeoutMs`. */
  | 'timeout'
  /** The caller's `AbortSignal` fired. */
  | 'aborted'
  /** A 2xx response whose body is not what the API documents (not JSON, or not a PDF for a download). */
  | 'invalid_response'
  /** `renders.wait`: the render finished with status `failed`; `message` carries its `errorMessage`. */
  | 'render_failed'
  /** `renders.wait`: the deadline passed before the render finished. */
  | 'wait_timeout'
  /** `renderTemplate` with `preflight: true`: the data would be rejected or keys stripped by the server. */
  | 'preflight_failed'
  /** `renderTemplate` with `preflight: true` but no manifest in the descriptor, or `@galley/core` not installed. */
  | 'preflight_unavailable'
  /** `renderTemplate` called in a browser without an explicit client. */
  | 'browser_not_supported'
  | (string & {})

/** Constructor fields of {@link CraftkitError}. */
export interface CraftkitErrorInit {
  status: number
  code: CraftkitErrorCode
  message: string
  retryable: boolean
  issues?: CraftkitIssues
  requestId?: string
  method?: string
  path?: string
  attempts?: number
  cause?: unknown
}

/**
 * The one error the client throws. Typed by `code` (Craftkit's error codes, plus the client's own with status 0),
 * with the HTTP `status`, the validation `issues`, the request id when the server sent one, and whether the
 * failure is transient (`retryable`). The API key never appears in it: messages, issues and the `cause` chain are
 * redacted before the error is built, and the error holds no reference to the client or its options.
 *
 * @example
 * try { await client.renders.create('invoice', { data }) }
 * catch (e) {
 *   if (e instanceof CraftkitError && e.code === 'invalid_input_data') console.error(e.issues?.fieldErrors)
 * }
 */
export class CraftkitError extends Error {
  override name = 'CraftkitError'
  /** HTTP status; `0` when no response was received or the error was raised by the client itself. */
  readonly status: number
  readonly code: CraftkitErrorCode
  readonly issues?: CraftkitIssues
  /**
   * Whether sending the same request again may succeed: network errors, timeouts, 429 and 5xx. For writes that
   * are not idempotent (template create/put/delete, shares, a render without idempotency key) a retryable error is
   * ambiguous: the write may have happened. The client retries only safe requests by itself.
   */
  readonly retryable: boolean
  /** From the `x-request-id` (or `x-craftkit-request-id`, `request-id`) response header, when present. */
  readonly requestId?: string
  /** HTTP method of the failed request. */
  readonly method?: string
  /** Path of the failed request (no query string, no host). */
  readonly path?: string
  /** Attempts made (1 = no retry). */
  readonly attempts?: number

  constructor(init: CraftkitErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause })
    this.status = init.status
    this.code = init.code
    this.retryable = init.retryable
    if (init.issues !== undefined) this.issues = init.issues
    if (init.requestId !== undefined) this.requestId = init.requestId
    if (init.method !== undefined) this.method = init.method
    if (init.path !== undefined) this.path = init.path
    if (init.attempts !== undefined) this.attempts = init.attempts
  }

  /** `JSON.stringify(error)` shows the useful fields (an `Error`'s `message` is not enumerable). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      status: this.status,
      message: this.message,
      retryable: this.retryable,
      ...(this.issues ? { issues: this.issues } : {}),
      ...(this.requestId ? { requestId: this.requestId } : {}),
      ...(this.method ? { method: this.method, path: this.path } : {}),
      ...(this.attempts !== undefined ? { attempts: this.attempts } : {}),
    }
  }
}

/** Whether a value is a {@link CraftkitError}, optionally with one of the given codes. */
export function isCraftkitError(value: unknown, ...codes: CraftkitErrorCode[]): value is CraftkitError {
  return value instanceof CraftkitError && (codes.length === 0 || codes.includes(value.code))
}

const BEARER = /(bearer\s+)[^\s"',;]+/gi
// Craftkit key shapes (API.md §2): project keys ck_live_/ck_test_, account ck_acct_, publishable ck_pk_live_.
const KEY_SHAPE = /\bck_(?:live|test|acct|pk_live|pk_test)_[A-Za-z0-9_-]+/g

/** Removes the key (and anything shaped like a Craftkit key or a bearer token) from a text. */
export function redact(text: string, secret?: string): string {
  let out = text
  if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]')
  return out.replace(BEARER, '$1[redacted]').replace(KEY_SHAPE, '[redacted]')
}

/**
 * A redacted copy of a thrown value, safe to attach as `cause`: an `Error` with the same name, message and `code`
 * (and the same for its own cause, a few levels deep), none of the original's other properties (an undici error
 * can carry a socket or request; a wrapped fetch's error could carry headers).
 */
export function sanitizeCause(value: unknown, secret: string | undefined, depth = 0): unknown {
  if (value === undefined || value === null) return undefined
  if (!(value instanceof Error)) {
    return typeof value === 'string' ? redact(value, secret) : redact(String(value), secret)
  }
  const inner = depth < 3 ? sanitizeCause((value as { cause?: unknown }).cause, secret, depth + 1) : undefined
  const copy = new Error(redact(value.message, secret), inner === undefined ? undefined : { cause: inner })
  copy.name = redact(value.name, secret)
  const code = (value as { code?: unknown }).code
  if (typeof code === 'string' || typeof code === 'number') (copy as Error & { code?: unknown }).code = code
  copy.stack = `${copy.name}: ${copy.message}`
  return copy
}
