import { createClient, type CraftkitClient } from './create-client.ts'
import { CraftkitError, type CraftkitIssues } from './errors.ts'
import type { DownloadOptions, WaitOptions } from './renders.ts'
import type { CreatedRender, Manifest, Render, RenderOptions } from './types.ts'

/** What generated code knows about one template (emitted by `galley generate`). */
export interface TemplateDescriptor {
  slug: string
  /** SHA-256 of the canonical manifest the module was generated from. */
  manifestHash: string
  /** With `--pin-versions`: sent as `options.versionNumber` unless the caller passes one. */
  versionNumber?: number
  /** With `--preflight`: what `{ preflight: true }` validates the data against locally. */
  manifest?: Manifest
}

/** Options of a generated `render<Template>()` function. */
export interface RenderTemplateOptions {
  /**
   * Sent as `Idempotency-Key`: a repeat returns the first render instead of queueing another, and the request is
   * retried after transient failures. Derive it from the business event, e.g. `handover-${bookingCode}-checkout`.
   */
  idempotencyKey?: string
  /** Pin a published version; overrides the descriptor's pinned version. */
  versionNumber?: number
  /** Override the asset filename. */
  filename?: string
  /**
   * The client to send with.
   * @default a client created on first use from CRAFTKIT_API_KEY / CRAFTKIT_BASE_URL
   */
  client?: CraftkitClient
  /** Cancels the request (and the default for `wait()` / `download()` of the result). */
  signal?: AbortSignal
  /**
   * Validate `data` locally before sending, with Craftkit's own rules (`@galley/core/validate`, an optional peer
   * dependency): rejects (code `preflight_failed`) data the server would reject and keys it would silently strip.
   * Needs a descriptor generated with `--preflight` (it carries the manifest).
   * @default false
   */
  preflight?: boolean
}

/** A queued render (as `renders.create` returned it) with a way to await the finished one and its PDF. */
export interface QueuedRender extends CreatedRender {
  /** Polls until finished (250 ms doubling to 5 s, 30 s deadline); rejects with `render_failed` / `wait_timeout`. */
  wait(options?: WaitOptions): Promise<Render>
  /** Waits for the render (with default wait options), then downloads its PDF. */
  download(options?: DownloadOptions & Pick<WaitOptions, 'timeoutMs'>): Promise<Uint8Array>
}

let defaultClient: CraftkitClient | undefined

/**
 * The runtime of generated `render<Template>()` functions: validates (optionally), queues the render, and returns
 * it with `wait()` and `download()`.
 *
 * @example
 * const queued = await renderTemplate(invoiceDescriptor, data, { idempotencyKey: `invoice-${order.id}` })
 * const done = await queued.wait()
 */
export async function renderTemplate(descriptor: TemplateDescriptor, data: unknown, options: RenderTemplateOptions = {}): Promise<QueuedRender> {
  const client = options.client ?? getDefaultClient(descriptor)
  if (options.preflight) await preflight(descriptor, data)
  const renderOptions: RenderOptions = {}
  const versionNumber = options.versionNumber ?? descriptor.versionNumber
  if (versionNumber !== undefined) renderOptions.versionNumber = versionNumber
  if (options.filename !== undefined) renderOptions.filename = options.filename
  const created = await client.renders
    .create(descriptor.slug, Object.keys(renderOptions).length > 0 ? { data, options: renderOptions } : { data }, {
      ...(options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    })
    .catch((error: unknown) => {
      throw withStaleModuleHint(error, descriptor)
    })
  const withSignal = <T extends { signal?: AbortSignal }>(o: T | undefined): T => ({ ...(options.signal ? { signal: options.signal } : {}), ...o }) as T
  const queued: QueuedRender = {
    ...created,
    wait: (o) => client.renders.wait(created, withSignal(o)),
    download: async (o) => {
      const { timeoutMs, ...rest } = withSignal(o)
      const done = await client.renders.wait(created, { ...(rest.signal ? { signal: rest.signal } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) })
      return client.renders.download(done, rest)
    },
  }
  // Methods stay out of JSON and object spreads of the result, which then look like a plain render.
  Object.defineProperty(queued, 'wait', { enumerable: false })
  Object.defineProperty(queued, 'download', { enumerable: false })
  return queued
}

// Server answers that mean the generated module and the published template disagree.
const STALE_MODULE_CODES = new Set(['template_not_found', 'version_not_found', 'no_published_version', 'invalid_input_data'])

/** Adds to such an error which module state the call came from and how to refresh it. */
function withStaleModuleHint(error: unknown, descriptor: TemplateDescriptor): unknown {
  if (!(error instanceof CraftkitError) || !STALE_MODULE_CODES.has(error.code)) return error
  const pinned = descriptor.versionNumber !== undefined ? `, pinned to version ${descriptor.versionNumber}` : ''
  return new CraftkitError({
    status: error.status,
    code: error.code,
    retryable: error.retryable,
    ...(error.issues ? { issues: error.issues } : {}),
    ...(error.requestId ? { requestId: error.requestId } : {}),
    ...(error.method ? { method: error.method, path: error.path } : {}),
    ...(error.attempts !== undefined ? { attempts: error.attempts } : {}),
    message: `${error.message} (the generated code for "${descriptor.slug}" was made from manifest ${descriptor.manifestHash.slice(0, 12)}${pinned}: if the template was changed or not published, run \`galley publish\` and \`galley generate\`)`,
    cause: error,
  })
}

function getDefaultClient(descriptor: TemplateDescriptor): CraftkitClient {
  const g = globalThis as { window?: unknown; document?: unknown }
  if (typeof g.window !== 'undefined' && typeof g.document !== 'undefined') {
    throw new CraftkitError({
      status: 0,
      code: 'browser_not_supported',
      retryable: false,
      message: `render of "${descriptor.slug}" was called in a browser. Craftkit renders need the project API key, which must never ship in a browser bundle: call the generated function on your server (an API route) and send the PDF or its URL to the browser.`,
    })
  }
  defaultClient ??= createClient()
  return defaultClient
}

// A variable, not a literal: bundlers then leave the import alone, so an app that never uses `preflight` builds
// without `@galley/core` installed (see the README's pre-flight section).
const VALIDATE_MODULE = '@galley/core/validate'

type ValidateData = (manifest: Manifest, data: unknown) => { ok: boolean; issues?: CraftkitIssues; stripped: string[] }
let validateDataPromise: Promise<ValidateData> | undefined

async function loadValidator(slug: string): Promise<ValidateData> {
  validateDataPromise ??= import(/* @vite-ignore */ /* webpackIgnore: true */ VALIDATE_MODULE).then(
    (mod: { validateData?: ValidateData }) => {
      if (typeof mod.validateData !== 'function') throw new Error(`${VALIDATE_MODULE} has no validateData export`)
      return mod.validateData
    },
  )
  try {
    return await validateDataPromise
  } catch (error) {
    validateDataPromise = undefined
    throw new CraftkitError({
      status: 0,
      code: 'preflight_unavailable',
      retryable: false,
      message: `preflight for "${slug}" needs @galley/core (Craftkit's data validator), which could not be loaded: install it next to @galley/client (\`npm install @galley/core\`), or drop \`preflight: true\`.`,
      cause: error instanceof Error ? new Error(error.message) : undefined,
    })
  }
}

async function preflight(descriptor: TemplateDescriptor, data: unknown): Promise<void> {
  if (!descriptor.manifest) {
    throw new CraftkitError({
      status: 0,
      code: 'preflight_unavailable',
      retryable: false,
      message: `preflight for "${descriptor.slug}" needs the manifest in the generated module: regenerate with \`galley generate --preflight\` (or \`{ path, preflight: true }\` in the config's output).`,
    })
  }
  const validateData = await loadValidator(descriptor.slug)
  const result = validateData(descriptor.manifest, data)
  if (result.ok && result.stripped.length === 0) return
  const issues: CraftkitIssues = result.issues
    ? { formErrors: [...result.issues.formErrors], fieldErrors: { ...result.issues.fieldErrors } }
    : { formErrors: [], fieldErrors: {} }
  for (const path of result.stripped) {
    ;(issues.fieldErrors[path] ??= []).push('Not in the manifest: the server would silently strip this key')
  }
  const problems = Object.entries(issues.fieldErrors).map(([path, messages]) => `${path}: ${messages.join(', ')}`)
  problems.unshift(...issues.formErrors)
  throw new CraftkitError({
    status: 0,
    code: 'preflight_failed',
    retryable: false,
    issues,
    message: `The data for "${descriptor.slug}" would not render as sent (checked locally, nothing was sent): ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? `; and ${problems.length - 10} more` : ''}.`,
  })
}
