/**
 * @module Building a plan: the sources of a project against the templates of a target.
 */
import {
  compareTemplate,
  diffManifests,
  GalleyError,
  templateContentHash,
  toTemplateBody,
  type RemoteTemplateView,
  type TemplateBody,
  type TemplateSource,
} from '@galley/core'
import type { Target } from '../target.ts'
import { PLAN_FORMAT_VERSION, PLAN_SCHEMA_ID } from './plan-format.ts'
import type { Plan, PlanTemplate } from './plan-schema.ts'
import { mapPool } from './pool.ts'
import { readTemplate } from './apply-plan.ts'
import type { PublishState } from './state.ts'

export interface BuildPlanOptions {
  sources: TemplateSource[]
  target: Pick<Target, 'name' | 'id' | 'baseUrl' | 'embedded' | 'client'>
  state: PublishState
  /** Only these slugs (sources and remote-only); all when empty. */
  slugs?: readonly string[]
  /** Count templates whose layout/pageConfig can't be compared as `update`. @default false */
  assumeUnverifiedChanged?: boolean
  /** GETs in flight at once. @default 8 */
  readConcurrency?: number
  now?: Date
}

export interface BuiltPlan {
  plan: Plan
  /** The body each source publishes, by slug. */
  bodies: Map<string, TemplateBody>
}

/**
 * Lists the target's templates, then reads only those it has to: a template whose publish record matches both
 * the source hash and the listed version/updatedAt is `unchanged` without a GET (one request for an
 * unchanged project); every other one is read and compared canonically (`compareTemplate`).
 */
export async function buildPlan(options: BuildPlanOptions): Promise<BuiltPlan> {
  const { sources, target, state } = options
  const wanted = options.slugs && options.slugs.length > 0 ? new Set(options.slugs) : undefined
  const broken = sources.filter((s) => !s.template && (!wanted || wanted.has(s.slug)))
  if (broken.length > 0) {
    throw new GalleyError('invalid_source', `${broken.length} template source${broken.length === 1 ? '' : 's'} could not be read.`, {
      diagnostics: broken.flatMap((s) => s.diagnostics.filter((d) => d.severity === 'error')),
      hint: 'Fix the errors above (`galley lint` lists them all), then plan again.',
    })
  }
  const remote = new Map((await target.client.templates.list()).map((t) => [t.slug, t]))
  if (wanted) {
    const known = new Set(sources.map((s) => s.slug))
    const unknown = [...wanted].filter((s) => !known.has(s) && !remote.has(s))
    if (unknown.length > 0) {
      throw new GalleyError('unknown_template', `No template ${unknown.map((s) => `"${s}"`).join(', ')} in the sources or on ${target.name}.`, {
        hint: `Sources: ${[...known].join(', ') || '(none)'}.`,
      })
    }
  }
  const bodies = new Map<string, TemplateBody>()
  const selected = sources.filter((s) => !wanted || wanted.has(s.slug))
  const entries = await mapPool(selected, options.readConcurrency ?? 8, async (source): Promise<PlanTemplate> => {
    const template = source.template!
    const body = toTemplateBody(template)
    bodies.set(source.slug, body)
    const contentHash = templateContentHash(body)
    const summary = remote.get(source.slug)
    const blocked =
      template.templateType === 'pdf-overlay'
        ? 'templateType pdf-overlay: the Craftkit API cannot create or update PDF-overlay templates; edit it in the dashboard (lint and generate still use this source)'
        : undefined
    if (!summary) {
      const entry: PlanTemplate = {
        slug: source.slug,
        action: 'create',
        file: source.file,
        contentHash,
        remote: null,
        changedFields: createdFields(body),
        unverifiedFields: [],
        changes: diffManifests(null, body.manifest).changes,
        breaking: false,
      }
      if (blocked) entry.blocked = blocked
      return entry
    }
    const remoteRef = { id: summary.id, templateType: summary.templateType, versionNumber: summary.currentVersionNumber, updatedAt: summary.updatedAt }
    const stored = state.templates[source.slug]
    // A record is about one template: if the slug was deleted and re-created since, it vouches for nothing.
    const record = stored && (stored.id === undefined || stored.id === summary.id) ? stored : undefined
    if (
      record &&
      record.contentHash === contentHash &&
      record.versionNumber === summary.currentVersionNumber &&
      record.updatedAt !== undefined &&
      record.updatedAt === summary.updatedAt
    ) {
      // The remote is exactly the version we published from these bytes, and nothing touched it since.
      return { slug: source.slug, action: 'unchanged', file: source.file, contentHash, remote: remoteRef, changedFields: [], unverifiedFields: [], changes: [], breaking: false }
    }
    // The remote is still the version we published and nothing touched it since (version and updatedAt as
    // listed): diff against what the record says we published, without a GET.
    const untouched =
      record?.published !== undefined &&
      record.versionNumber === summary.currentVersionNumber &&
      record.updatedAt !== undefined &&
      record.updatedAt === summary.updatedAt
    const detail: RemoteTemplateView & { id: string; templateType: string; updatedAt: string } | null = untouched
      ? { ...record.published!, id: summary.id, templateType: summary.templateType, updatedAt: summary.updatedAt, currentVersionNumber: summary.currentVersionNumber }
      : await readTemplate(target.client, source.slug)
    if (!detail) throw new GalleyError('remote_changed', `${source.slug} disappeared from ${target.name} while planning.`, { hint: 'Run the command again.' })
    const cmp = compareTemplate(body, detail, { record, assumeUnverifiedChanged: options.assumeUnverifiedChanged ?? false })
    const entry: PlanTemplate = {
      slug: source.slug,
      action: cmp.changed ? 'update' : 'unchanged',
      file: source.file,
      contentHash,
      remote: { id: detail.id, templateType: detail.templateType, versionNumber: detail.currentVersionNumber, updatedAt: detail.updatedAt },
      changedFields: cmp.changedFields,
      unverifiedFields: cmp.unverifiedFields,
      changes: cmp.manifestDiff.changes,
      breaking: cmp.changed && cmp.breaking,
    }
    if (cmp.unverifiedReason) entry.unverifiedReason = cmp.unverifiedReason
    if (blocked && cmp.changed) entry.blocked = blocked
    else if (cmp.changed && detail.templateType === 'pdf-overlay') {
      entry.blocked = 'the remote template is a pdf-overlay (made in the dashboard); a PUT would replace its overlay with a synthesized layout. Run `galley pull` to adopt it, or change it in the dashboard'
    }
    return entry
  })
  const local = new Set(sources.map((s) => s.slug))
  for (const summary of remote.values()) {
    if (local.has(summary.slug) || (wanted && !wanted.has(summary.slug))) continue
    entries.push({
      slug: summary.slug,
      action: 'remote-only',
      file: null,
      contentHash: null,
      remote: { id: summary.id, templateType: summary.templateType, versionNumber: summary.currentVersionNumber, updatedAt: summary.updatedAt },
      changedFields: [],
      unverifiedFields: [],
      changes: [],
      breaking: false,
    })
  }
  entries.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0))
  const plan: Plan = {
    $schema: PLAN_SCHEMA_ID,
    formatVersion: PLAN_FORMAT_VERSION,
    createdAt: (options.now ?? new Date()).toISOString(),
    target: { name: target.name, id: target.id, baseUrl: target.baseUrl, embedded: target.embedded },
    summary: summarize(entries),
    templates: entries,
  }
  return { plan, bodies }
}

function createdFields(body: TemplateBody): PlanTemplate['changedFields'] {
  const fields: PlanTemplate['changedFields'] = ['name']
  if (body.description != null) fields.push('description')
  fields.push('manifest')
  if (body.pageConfig) fields.push('pageConfig')
  if (body.layout != null) fields.push('layout')
  return fields
}

export function summarize(entries: readonly PlanTemplate[]): Plan['summary'] {
  const count = (a: PlanTemplate['action']) => entries.filter((e) => e.action === a).length
  return {
    create: count('create'),
    update: count('update'),
    unchanged: count('unchanged'),
    remoteOnly: count('remote-only'),
    breaking: entries.filter((e) => e.breaking).length,
    unverified: entries.filter((e) => e.unverifiedFields.length > 0).length,
    blocked: entries.filter((e) => e.blocked).length,
  }
}

/** Whether applying the plan would write anything (create or update). */
export function hasChanges(plan: Plan): boolean {
  return plan.summary.create + plan.summary.update > 0
}
