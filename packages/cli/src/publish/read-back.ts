/**
 * @module After `galley publish`: read back every template it wrote and compare `currentVersionNumber` with the
 * version before plus the one write it made. A PUT that timed out (or lost its answer) while still running on the
 * server can commit after the re-read saw nothing and the PUT was sent again: that mints one extra version, with
 * the same content (every attempt sends the same body). It is harmless, and reported here so nobody wonders.
 */
import { compareTemplate, type TemplateBody } from '@galley/core'
import type { CraftkitClient, TemplateSummary } from '@galley/client'
import { errorMessage, readTemplate, type PublishResult } from './apply-plan.ts'
import type { PublishState } from './state.ts'

/** An extra version minted by a PUT of this publish that committed after its retry. */
export interface LateCommit {
  slug: string
  /** The version before the publish (null: it created the template). */
  previousVersion: number | null
  /** Versions this publish meant to add (one). */
  writes: number
  /** The version it expected to find: `previousVersion + writes`. */
  expectedVersion: number
  /** The version it found. */
  currentVersion: number
  /** The version this publish's PUT answered with (or its re-read found). */
  publishedVersion: number
  /** The versions no answer accounted for. */
  extraVersions: number[]
  /** PUTs sent for it (more than one: a retry). */
  attempts: number
  /** The extra versions carry the source's content: nothing needs undoing. */
  sameContent: true
  /** What was compared to say so. */
  compared: string
}

/** A template found past the version this publish wrote, with other content: someone else published after it. */
export interface MovedOn {
  slug: string
  publishedVersion: number
  currentVersion: number
  reason: string
}

export interface ReadBack {
  /** Templates written and read back. */
  checked: number
  lateCommits: LateCommit[]
  movedOn: MovedOn[]
  /** Set when the read-back itself failed (the publish's writes stand; nothing was checked). */
  error?: string
}

export interface ReadBackOptions {
  client: CraftkitClient
  results: readonly PublishResult[]
  bodies: ReadonlyMap<string, TemplateBody>
  /** Records of this publish: each new version's `updatedAt` is recorded (and a late commit's version). */
  state: PublishState
}

/**
 * One list request reads back every written template's version (and records its `updatedAt`, so the next plan
 * needs no GET); a template past its expected version is then read (GET) and compared with the source.
 */
export async function readBackWrites(options: ReadBackOptions): Promise<ReadBack> {
  const written = options.results.filter((r) => (r.outcome === 'created' || r.outcome === 'updated') && r.versionNumber !== undefined)
  const out: ReadBack = { checked: 0, lateCommits: [], movedOn: [] }
  if (written.length === 0) return out
  let listed: TemplateSummary[]
  try {
    listed = await options.client.templates.list()
  } catch (error) {
    return { ...out, error: `could not read the templates back: ${errorMessage(error)}` }
  }
  const bySlug = new Map(listed.map((t) => [t.slug, t]))
  for (const t of listed) {
    const record = options.state.templates[t.slug]
    if (record && record.versionNumber === t.currentVersionNumber) record.updatedAt = t.updatedAt
  }
  for (const r of written) {
    const now = bySlug.get(r.slug)
    out.checked++
    const writes = 1
    const expectedVersion = (r.previousVersion ?? 0) + writes
    const current = now?.currentVersionNumber ?? null
    if (current === null || current === expectedVersion) continue
    const published = r.versionNumber!
    if (current < expectedVersion) {
      out.movedOn.push({ slug: r.slug, publishedVersion: published, currentVersion: current, reason: now ? `it is at v${current}, below the v${expectedVersion} this publish wrote` : 'it is gone' })
      continue
    }
    // Past the expected version: read it, and compare the current version with the source.
    let sameContent = false
    let reason = ''
    try {
      const detail = await readTemplate(options.client, r.slug)
      if (detail && detail.currentVersionNumber === current) {
        const cmp = compareTemplate(options.bodies.get(r.slug)!, detail)
        sameContent = cmp.changedFields.length === 0
        if (!sameContent) reason = `v${current} differs from the source in ${cmp.changedFields.join(', ')}`
      } else {
        reason = `it moved again while being read (now v${detail?.currentVersionNumber ?? '-'})`
      }
    } catch (error) {
      reason = `could not read it: ${errorMessage(error)}`
    }
    // Only a template this publish sent more than one PUT for can have a late commit of its own.
    if (sameContent && r.attempts > 1) {
      const extraVersions: number[] = []
      for (let v = expectedVersion - writes + 1; v <= current; v++) if (v !== published) extraVersions.push(v)
      const currentIsExtra = current !== published
      out.lateCommits.push({
        slug: r.slug,
        previousVersion: r.previousVersion ?? null,
        writes,
        expectedVersion,
        currentVersion: current,
        publishedVersion: published,
        extraVersions,
        attempts: r.attempts,
        sameContent: true,
        compared: currentIsExtra
          ? `the name, description and manifest of v${current} (the extra version, current; GET /v1/templates/${r.slug}) with the source's, canonically; pageConfig and layout are not returned by the API, but all ${r.attempts} PUTs sent the same body`
          : `the name, description and manifest of v${current} (this publish's version, current) with the source's; the API cannot read an older version, but all ${r.attempts} PUTs sent the same body, so v${extraVersions.join(', v')} holds it too`,
      })
      // The record follows the template to its current version (same content): the next plan needs no GET.
      const record = options.state.templates[r.slug]
      if (record && now) {
        record.versionNumber = current
        record.updatedAt = now.updatedAt
      }
      continue
    }
    out.movedOn.push({
      slug: r.slug,
      publishedVersion: published,
      currentVersion: current,
      reason: sameContent ? `v${current} has the source's content, but this publish sent one PUT: another writer published it` : reason,
    })
  }
  return out
}

/** Lines for the human output: one per late commit or moved template. */
export function describeReadBack(readBack: ReadBack): string[] {
  const lines: string[] = []
  for (const l of readBack.lateCommits) {
    const versions = [...new Set([l.publishedVersion, ...l.extraVersions])].sort((a, b) => a - b)
    lines.push(
      `  late commit: ${l.slug} has ${versions.map((v) => `v${v}`).join(' and ')} where this publish wrote one version (v${l.publishedVersion}): ` +
        `a PUT that had timed out or lost its answer committed after its retry, minting v${l.extraVersions.join(', v')}. ` +
        `Their content is the same (compared ${l.compared}); nothing needs undoing.`,
    )
  }
  for (const m of readBack.movedOn) {
    lines.push(`  note: ${m.slug} is at v${m.currentVersion}, not the v${m.publishedVersion} this publish wrote: ${m.reason}. Run \`galley plan\` to see it.`)
  }
  if (readBack.error) lines.push(`  note: ${readBack.error}; the writes above stand, but late commits were not checked.`)
  return lines
}
