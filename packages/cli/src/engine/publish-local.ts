import type { TemplateSource } from '@galley/core'
import { applyPlan, type PublishEvent, type PublishResult } from '../publish/apply-plan.ts'
import { buildPlan } from '../publish/build-plan.ts'
import { loadState, recordUpdatedAt, recordWrite, saveState } from '../publish/state.ts'
import type { Target } from '../target.ts'

export interface PublishChangedOptions {
  root: string
  /** Only these templates; all when absent. Sources with errors are skipped by the caller. */
  slugs?: readonly string[]
  onEvent?: (event: PublishEvent) => void
}

export interface PublishChangedResult {
  results: PublishResult[]
  unchanged: number
  writes: number
}

/**
 * Publishes the sources that changed to a local target (the embedded emulator of `galley dev` and the plugin's
 * `dev.emulator`), through the same plan and retry-safe apply as `galley publish`, with its publish records.
 * Breaking changes go through: this is the author's own sandbox, and the plan still says what broke.
 */
export async function publishChanged(sources: TemplateSource[], target: Target, options: PublishChangedOptions): Promise<PublishChangedResult> {
  const state = loadState(options.root, target.id, target.name)
  const { plan, bodies } = await buildPlan({ sources, target, state, ...(options.slugs ? { slugs: options.slugs } : {}), assumeUnverifiedChanged: true })
  // A blocked entry (a pdf-overlay source) cannot be published through the API at all: skip it, lint says why.
  const { results, writes } = await applyPlan({
    plan: { ...plan, templates: plan.templates.filter((t) => !t.blocked) },
    bodies,
    client: target.client,
    record: (slug, record) => recordWrite(options.root, target.id, state, slug, record),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  })
  if (results.some((r) => r.outcome !== 'failed' && r.outcome !== 'deleted')) await recordUpdatedAt(target, state)
  if (results.some((r) => r.outcome !== 'failed')) await saveState(options.root, target.id, state)
  return { results, unchanged: plan.summary.unchanged, writes }
}
