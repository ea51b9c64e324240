/**
 * @module Applying a plan: PUT what it says changed, with bounded concurrency, retry-safe.
 *
 * `PUT /v1/templates/:slug` is not idempotent in effect: every call that reaches the database mints a version.
 * So a PUT is never blindly retried. After an ambiguous failure (no response, a reset after commit, a timeout,
 * a 5xx) the template is read again: if its version moved past the one the plan saw and its content equals the
 * source, the PUT landed and is done; if it did not move, the PUT is sent again. A 503 returned before the write
 * goes through the same re-read, so it is retried too. Each template therefore gains exactly one version.
 */
import { canonicalManifest, compareTemplate, toPublishRecord, type TemplateBody } from '@galley/core'
import type { CraftkitClient, TemplateDetail } from '@galley/client'
import type { Plan, PlanTemplate } from './plan-schema.ts'
import { delay, mapPool } from './pool.ts'
import type { StateRecord } from './state.ts'

export type PublishEvent =
  | { type: 'start'; slug: string; action: 'create' | 'update' | 'delete' }
  | { type: 'retry'; slug: string; attempt: number; reason: string }
  | { type: 'done'; result: PublishResult }

export interface PublishResult {
  slug: string
  outcome: 'created' | 'updated' | 'deleted' | 'failed'
  /** The version the PUT produced. */
  versionNumber?: number
  /** The version before (null when the template did not exist). */
  previousVersion?: number | null
  /** PUT/DELETE calls sent. */
  attempts: number
  /** True when an ambiguous failure turned out to have landed (found by the re-read). */
  recovered?: boolean
  error?: string
  ms: number
}

export interface ApplyPlanOptions {
  plan: Plan
  bodies: ReadonlyMap<string, TemplateBody>
  client: CraftkitClient
  /** Called after each successful write with the slug's new record (null: deleted); must persist it at once. */
  record: (slug: string, record: StateRecord | null) => void
  /** @default 4 */
  concurrency?: number
  /** Remote-only slugs to delete (`--prune`). */
  prune?: readonly string[]
  onEvent?: (event: PublishEvent) => void
  /** PUT (and re-read) attempts per template. @default 8 */
  maxAttempts?: number
  /** Backoff before attempt n+1. @default 250 ms doubling to 4 s, with jitter */
  backoffMs?: (attempt: number) => number
  /** Extra wait before the re-read after a client-side timeout (the PUT may still commit). @default 5000 */
  timeoutGraceMs?: number
}

export interface ApplyPlanResult {
  results: PublishResult[]
  /** Writes sent (PUT and DELETE calls, retries included). */
  writes: number
}

const defaultBackoff = (attempt: number) => {
  const base = Math.min(4000, 250 * 2 ** (attempt - 1))
  return base / 2 + Math.random() * (base / 2)
}

/** Applies the create/update entries of a plan (and the named prunes); never throws for one template's failure. */
export async function applyPlan(options: ApplyPlanOptions): Promise<ApplyPlanResult> {
  const work: { entry: PlanTemplate; kind: 'put' | 'delete' }[] = []
  for (const entry of options.plan.templates) {
    if (entry.action === 'create' || entry.action === 'update') work.push({ entry, kind: 'put' })
    else if (entry.action === 'remote-only' && options.prune?.includes(entry.slug)) work.push({ entry, kind: 'delete' })
  }
  let writes = 0
  const emit = options.onEvent ?? (() => {})
  const maxAttempts = options.maxAttempts ?? 8
  const backoff = options.backoffMs ?? defaultBackoff
  const timeoutGraceMs = options.timeoutGraceMs ?? 5000
  const client = options.client

  const putOne = async (entry: PlanTemplate): Promise<PublishResult> => {
    const started = Date.now()
    const body = options.bodies.get(entry.slug)!
    const known = entry.remote
    const previousVersion = known?.versionNumber ?? null
    emit({ type: 'start', slug: entry.slug, action: known ? 'update' : 'create' })
    let attempts = 0
    let lastError = ''
    let timedOut = false
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      attempts++
      writes++
      try {
        const res = await client.templates.put(entry.slug, body)
        return finish(entry.slug, body, res.currentVersionNumber, res.id, { previousVersion, attempts, started, recovered: false, created: known === null })
      } catch (error) {
        if (!isAmbiguous(error)) {
          return { slug: entry.slug, outcome: 'failed', previousVersion, attempts, error: errorMessage(error), ms: Date.now() - started }
        }
        lastError = errorMessage(error)
        // A timed-out PUT may still be running on the server: give it time to commit before the re-read decides.
        timedOut = (error as { code?: unknown }).code === 'timeout'
      }
      emit({ type: 'retry', slug: entry.slug, attempt, reason: lastError })
      await delay(backoff(attempt) + (timedOut ? timeoutGraceMs : 0))
      // Did it land? Read again before deciding to send another PUT.
      let current: TemplateDetail | null
      try {
        current = await readTemplate(client, entry.slug, maxAttempts, backoff)
      } catch (error) {
        return { slug: entry.slug, outcome: 'failed', previousVersion, attempts, error: `could not re-read after "${lastError}": ${errorMessage(error)}`, ms: Date.now() - started }
      }
      const moved = current !== null && (known === null || current.currentVersionNumber !== previousVersion)
      if (moved && current) {
        const cmp = compareTemplate(body, current)
        if (cmp.changedFields.length === 0 && current.currentVersionNumber !== null) {
          return finish(entry.slug, body, current.currentVersionNumber, current.id, { previousVersion, attempts, started, recovered: true, created: known === null })
        }
        return {
          slug: entry.slug,
          outcome: 'failed',
          previousVersion,
          attempts,
          error: `another writer published ${entry.slug} (now v${current.currentVersionNumber}) while this publish was retrying; run \`galley plan\` again`,
          ms: Date.now() - started,
        }
      }
    }
    return { slug: entry.slug, outcome: 'failed', previousVersion, attempts, error: `gave up after ${attempts} attempts: ${lastError}`, ms: Date.now() - started }
  }

  const finish = (
    slug: string,
    body: TemplateBody,
    versionNumber: number,
    id: string,
    o: { previousVersion: number | null; attempts: number; started: number; recovered: boolean; created: boolean },
  ): PublishResult => {
    options.record(slug, {
      ...toPublishRecord(body, versionNumber),
      id,
      publishedAt: new Date().toISOString(),
      published: { name: body.name, description: body.description ?? null, manifest: canonicalManifest(body.manifest) },
    })
    const result: PublishResult = {
      slug,
      outcome: o.created ? 'created' : 'updated',
      versionNumber,
      previousVersion: o.previousVersion,
      attempts: o.attempts,
      ms: Date.now() - o.started,
    }
    if (o.recovered) result.recovered = true
    return result
  }

  const deleteOne = async (entry: PlanTemplate): Promise<PublishResult> => {
    const started = Date.now()
    emit({ type: 'start', slug: entry.slug, action: 'delete' })
    let attempts = 0
    let lastError = ''
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      attempts++
      writes++
      try {
        await client.templates.delete(entry.slug)
        break
      } catch (error) {
        // A 404 after an ambiguous first attempt means that attempt deleted it.
        if (attempt > 1 && isNotFound(error)) break
        if (!isAmbiguous(error)) {
          return { slug: entry.slug, outcome: 'failed', attempts, error: errorMessage(error), ms: Date.now() - started }
        }
        lastError = errorMessage(error)
        if (attempt === maxAttempts) {
          return { slug: entry.slug, outcome: 'failed', attempts, error: `gave up after ${attempts} attempts: ${lastError}`, ms: Date.now() - started }
        }
        emit({ type: 'retry', slug: entry.slug, attempt, reason: lastError })
        await delay(backoff(attempt))
      }
    }
    options.record(entry.slug, null)
    return { slug: entry.slug, outcome: 'deleted', previousVersion: entry.remote?.versionNumber ?? null, attempts, ms: Date.now() - started }
  }

  const results = await mapPool(work, options.concurrency ?? 4, async ({ entry, kind }) => {
    const result = kind === 'put' ? await putOne(entry) : await deleteOne(entry)
    emit({ type: 'done', result })
    return result
  })
  return { results, writes }
}

/** GET a template (null on 404), retrying transient failures on top of the client's own retries. */
export async function readTemplate(
  client: CraftkitClient,
  slug: string,
  maxAttempts = 6,
  backoff: (attempt: number) => number = defaultBackoff,
): Promise<TemplateDetail | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.templates.get(slug)
    } catch (error) {
      if (isNotFound(error)) return null
      if (!isAmbiguous(error) || attempt >= maxAttempts) throw error
      await delay(backoff(attempt))
    }
  }
}

/** Retries a read (GET/list) on transient failures, on top of the client's own retries. */
export async function withReadRetry<T>(fn: () => Promise<T>, maxAttempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (error) {
      if (!isAmbiguous(error) || attempt >= maxAttempts) throw error
      await delay(defaultBackoff(attempt))
    }
  }
}

/** No response, a timeout, or a 5xx: the write may or may not have happened. */
export function isAmbiguous(error: unknown): boolean {
  const e = error as { status?: unknown; code?: unknown } | null
  if (!e || typeof e.status !== 'number') return false
  if (e.code === 'aborted' || e.code === 'missing_api_key' || e.code === 'invalid_base_url') return false
  return e.status === 0 || e.status >= 500
}

function isNotFound(error: unknown): boolean {
  const e = error as { status?: unknown } | null
  return e?.status === 404
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
