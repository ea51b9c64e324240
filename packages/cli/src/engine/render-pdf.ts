import type { CraftkitClient } from '@galley/client'
import { writeFileAtomic } from '@galley/codegen'
import { GalleyError } from '@galley/core'
import { errorMessage } from '../publish/apply-plan.ts'
import { toUserError } from '../publish/command-support.ts'
import type { Target } from '../target.ts'

export interface RenderPdfOptions {
  slug: string
  /** The render's `data` object. */
  data: unknown
  /** Where to write the PDF (absolute; written atomically). Not written when absent. */
  out?: string
  idempotencyKey?: string
  /** How long to wait for the render. @default 60000 */
  timeoutMs?: number
  /** First poll delay of the wait (`galley dev` polls sooner than a script would). @default 250 */
  pollDelayMs?: number
  signal?: AbortSignal
  /** Called once the render is queued (a failure after it still has a render id to report). */
  onCreated?: (renderId: string) => void
}

export interface RenderPdfResult {
  renderId: string
  pdf: Uint8Array
  ms: number
}

/**
 * One render through the client: queue it, wait for it, download the PDF and (with `out`) write it atomically.
 * `galley render` and `galley dev` (fixtures and the page's edited data) share it. Throws the client's error;
 * `renderErrorMessage` words it for a person.
 */
export async function renderPdf(client: CraftkitClient, options: RenderPdfOptions): Promise<RenderPdfResult> {
  const started = Date.now()
  const signal = options.signal
  const created = await client.renders.create(
    options.slug,
    { data: options.data },
    { ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}), ...(signal ? { signal } : {}) },
  )
  options.onCreated?.(created.id)
  const done = await client.renders.wait(created, {
    timeoutMs: options.timeoutMs ?? 60_000,
    ...(options.pollDelayMs ? { initialDelayMs: options.pollDelayMs, maxDelayMs: Math.max(options.pollDelayMs, 1000) } : {}),
    ...(signal ? { signal } : {}),
  })
  const pdf = await client.renders.download(done, signal ? { signal } : undefined)
  if (options.out) await writeFileAtomic(options.out, pdf)
  return { renderId: created.id, pdf, ms: Date.now() - started }
}

/** A failed render in one line: what went wrong, and the hint when there is one (never the API key). */
export function renderErrorMessage(error: unknown, target: Pick<Target, 'name' | 'baseUrl' | 'embedded'>): string {
  const userError = toUserError(error, target)
  return userError instanceof GalleyError ? `${userError.message}${userError.hint ? ` (${userError.hint})` : ''}` : errorMessage(error)
}
