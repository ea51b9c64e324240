/**
 * @module Applying a plan: PUT what it says changed, with bounded concurrency, retry-safe.
 *
 * `PUT /v1/templates/:slug` is not idempotent in effect: every call that reaches the database mints a version.
 * So a PUT is never blindly retried. After an ambiguous failure (no response, a reset after commit, a timeout,
 * a 5xx) the template is read again: if its version moved past the one the plan saw and its content equals the
 * source, the PUT landed and is done; if it did not move, the PUT is sent again. A 503 returned before the write
 * goes through the same re-read, so it is retried too.
 *
 * Retries happen at one depth: the client's retry policy (built with the target, `CLI_RETRY` in target.ts) is
 * the only retry loop. It retries GETs by itself, and retries a PUT through `put(…, { beforeResend })`, which
 * is where the re-read happens. Nothing here loops: a read is at most `retries + 1` requests, and a template's
 * PUT at most `retries + 1` PUTs, each failed one followed by one (retried) re-read.
 *
 * A PUT that timed out may still commit after the re-read saw nothing and the PUT was sent again: that mints a
 * second version with the same content. The re-read waits `timeoutGraceMs` after a timeout to make it rare, and
 * `galley publish` reads every written template back afterwards to report it (read-back.ts).
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
  /** The target's client: its retry policy bounds every retry here (see the module comment). */
  client: CraftkitClient
  /** Called after each successful write with the slug's new record (null: deleted); must persist it at once. */
  record: (slug: string, record: StateRecord | null) => void
  /** @default 4 */
  concurrency?: number
  /** Remote-only slugs to delete (`--prune`). */
  prune?: readonly string[]
  onEvent?: (event: PublishEvent) => void
  /** Extra wait before the re-read after a client-side timeout (the PUT may still commit). @default 5000 */
  timeoutGraceMs?: number
}

export interface ApplyPlanResult {
  results: PublishResult[]
  /** Writes sent (PUT and DELETE calls, retries included). */
  writes: number
}

/** Ends a PUT's retries from inside `beforeResend` with a message of its own. */
class StopRetrying extends Error {}

/** Applies the create/update entries of a plan (and the named prunes); never throws for one template's failure. */
export async function applyPlan(options: ApplyPlanOptions): Promise<ApplyPlanResult> {
  const work: { entry: PlanTemplate; kind: 'put' | 'delete' }[] = []
  for (const entry of options.plan.templates) {
    if (entry.action === 'create' || entry.action === 'update') work.push({ entry, kind: 'put' })
    else if (entry.action === 'remote-only' && options.prune?.includes(entry.slug)) work.push({ entry, kind: 'delete' })
  }
  let writes = 0
  const emit = options.onEvent ?? (() => {})
  const timeoutGraceMs = options.timeoutGraceMs ?? 5000
  const client = options.client

  const putOne = async (entry: PlanTemplate): Promise<PublishResult> => {
    const started = Date.now()
    const slug = entry.slug
    const body = options.bodies.get(slug)!
    const known = entry.remote
    const previousVersion = known?.versionNumber ?? null
    const created = known === null
    emit({ type: 'start', slug, action: known ? 'update' : 'create' })
    const failed = (error: string): PublishResult => ({ slug, outcome: 'failed', previousVersion, attempts, error, ms: Date.now() - started })

    /** Did a PUT that failed ambiguously land? The template as it is if so, null if not; throws if another writer moved it. */
    const landed = async (after: string): Promise<TemplateDetail | null> => {
      let current: TemplateDetail | null
      try {
        current = await readTemplate(client, slug)
      } catch (error) {
        throw new StopRetrying(`could not re-read after "${after}": ${errorMessage(error)}`)
      }
      const moved = current !== null && (known === null || current.currentVersionNumber !== previousVersion)
      if (!moved || !current) return null
      if (compareTemplate(body, current).changedFields.length === 0 && current.currentVersionNumber !== null) return current
      throw new StopRetrying(`another writer published ${slug} (now v${current.currentVersionNumber}) while this publish was retrying; run \`galley plan\` again`)
    }

    let attempts = 1
    writes++
    let recovered = false
    try {
      const res = await client.templates.put(slug, body, {
        // Called by the client's retry loop, after its backoff, before each resend: re-read, and resend only if
        // the failed PUT did not land.
        beforeResend: async (failure, attempt) => {
          emit({ type: 'retry', slug, attempt, reason: failure.message })
          // A timed-out PUT may still be running on the server: give it time to commit before the re-read decides.
          if (failure.code === 'timeout') await delay(timeoutGraceMs)
          const current = await landed(failure.message)
          if (current) {
            recovered = true
            return { id: current.id, slug, currentVersionNumber: current.currentVersionNumber!, manifest: current.manifest!, created }
          }
          attempts++
          writes++
          return 'resend'
        },
      })
      return finish(slug, body, res.currentVersionNumber, res.id, { previousVersion, attempts, started, recovered, created })
    } catch (error) {
      if (error instanceof StopRetrying) return failed(error.message)
      if (!isAmbiguous(error)) return failed(errorMessage(error))
      // The retries are spent. The last PUT may still have landed: one more read tells (a check, not a retry).
      const reason = errorMessage(error)
      try {
        if ((error as { code?: unknown }).code === 'timeout') await delay(timeoutGraceMs)
        const current = await landed(reason)
        if (current) return finish(slug, body, current.currentVersionNumber!, current.id, { previousVersion, attempts, started, recovered: true, created })
      } catch (checkError) {
        if (checkError instanceof StopRetrying) return failed(checkError.message)
        throw checkError
      }
      return failed(`gave up after ${attempts} attempts: ${reason}`)
    }
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
    let attempts = 1
    writes++
    try {
      await client.templates.delete(entry.slug, {
        // A DELETE is safe to resend: a second one is a 404, which means the first one landed (below).
        beforeResend: async (failure, attempt) => {
          emit({ type: 'retry', slug: entry.slug, attempt, reason: failure.message })
          attempts++
          writes++
          return 'resend'
        },
      })
    } catch (error) {
      // A 404 after an ambiguous first attempt means that attempt deleted it.
      if (!(attempts > 1 && isNotFound(error))) {
        const reason = errorMessage(error)
        return { slug: entry.slug, outcome: 'failed', attempts, error: isAmbiguous(error) ? `gave up after ${attempts} attempts: ${reason}` : reason, ms: Date.now() - started }
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

/** GET a template (null on 404). Transient failures are retried by the client's policy, not here. */
export async function readTemplate(client: CraftkitClient, slug: string): Promise<TemplateDetail | null> {
  try {
    return await client.templates.get(slug)
  } catch (error) {
    if (isNotFound(error)) return null
    throw error
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
