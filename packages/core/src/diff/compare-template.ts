import { canonicalManifest, canonicalPageConfig, templateContentHash } from '../manifest/canonical.ts'
import { sha256 } from '../manifest/sha256.ts'
import { stableStringify } from '../manifest/stable-stringify.ts'
import type { Manifest, TemplateBody } from '../manifest/types.ts'
import { diffManifests, type ManifestDiff, type ManifestLike } from './manifest-diff.ts'

/** The parts of a template body that "changed" is computed on (DESIGN §6). */
export type ComparedField = 'name' | 'description' | 'manifest' | 'pageConfig' | 'layout'

/** The fields `GET /v1/templates/:slug` does not return, so they can only be compared through a publish record. */
export type UnobservableField = 'pageConfig' | 'layout'

export const UNOBSERVABLE_FIELDS: readonly UnobservableField[] = ['pageConfig', 'layout']

/** What a comparison needs of `GET /v1/templates/:slug` (API.md §4); `@galley/client`'s TemplateDetail fits. */
export interface RemoteTemplateView {
  name: string
  description?: string | null
  /** null while the template has no published version. */
  manifest: ManifestLike | null
  currentVersionNumber: number | null
}

/**
 * What a successful PUT published, kept per target (the CLI stores it in `.galley/state/<target>.json`). It is
 * the only way to know the remote layout and pageConfig, which the API never returns; it is trusted only while
 * the remote `currentVersionNumber` still equals `versionNumber` (nobody published since).
 */
export interface PublishRecord {
  /** `templateContentHash` of the body that was PUT. */
  contentHash: string
  /** sha256 of the canonical pageConfig that was PUT. */
  pageConfigHash: string
  /** sha256 of the layout that was PUT (of `null` when none). */
  layoutHash: string
  /** The version that PUT produced. */
  versionNumber: number
}

/** Why pageConfig/layout could not be compared. */
export type UnverifiedReason =
  /** No publish record for this template on this target (e.g. a fresh CI clone, or a dashboard template). */
  | 'no-record'
  /** The remote version differs from the recorded one: someone else published since. */
  | 'remote-moved'

export interface TemplateComparison {
  /** True when a PUT would publish something new (and, with `assumeUnverifiedChanged`, when it can't be told). */
  changed: boolean
  /** Fields known to differ. */
  changedFields: ComparedField[]
  /** Fields that could not be compared (empty when a publish record vouches for them). */
  unverifiedFields: UnobservableField[]
  unverifiedReason?: UnverifiedReason
  /** Variable-level differences between the remote manifest and the source's. */
  manifestDiff: ManifestDiff
  /** `manifestDiff.breaking`. */
  breaking: boolean
}

export interface CompareTemplateOptions {
  /** The publish record of this slug on this target, if any. */
  record?: PublishRecord | undefined
  /**
   * Count templates whose layout/pageConfig cannot be compared as changed (republish them). Off by default so
   * that a run without a record never mints versions for templates whose visible content is equal.
   * @default false
   */
  assumeUnverifiedChanged?: boolean
}

/**
 * Decides whether the source body differs from the published template, canonically: key order, `required:
 * false` vs absent, an empty previewData and default pageConfig values never count as changes. name,
 * description and manifest are compared with what GET returns; pageConfig and layout (not returned by the API)
 * are compared with the publish record when the remote version still equals the recorded one, and are reported
 * in `unverifiedFields` otherwise.
 *
 * @example
 * const cmp = compareTemplate(toTemplateBody(source.template), await client.templates.get(slug), { record })
 * if (cmp.changed) await client.templates.put(slug, body)
 */
export function compareTemplate(
  local: TemplateBody,
  remote: RemoteTemplateView,
  options: CompareTemplateOptions = {},
): TemplateComparison {
  const changedFields: ComparedField[] = []
  if (local.name !== remote.name) changedFields.push('name')
  if ((local.description ?? null) !== (remote.description ?? null)) changedFields.push('description')
  if (remote.manifest === null || stableStringify(canonicalManifest(local.manifest)) !== stableStringify(canonicalManifest(remote.manifest as Manifest))) {
    changedFields.push('manifest')
  }
  const record = options.record
  let unverifiedFields: UnobservableField[] = []
  let unverifiedReason: UnverifiedReason | undefined
  if (record && remote.currentVersionNumber !== null && record.versionNumber === remote.currentVersionNumber) {
    if (pageConfigHash(local) !== record.pageConfigHash) changedFields.push('pageConfig')
    if (layoutHash(local) !== record.layoutHash) changedFields.push('layout')
  } else {
    unverifiedFields = [...UNOBSERVABLE_FIELDS]
    unverifiedReason = record ? 'remote-moved' : 'no-record'
  }
  const manifestDiff = diffManifests(remote.manifest, local.manifest)
  const changed = changedFields.length > 0 || (options.assumeUnverifiedChanged === true && unverifiedFields.length > 0)
  const result: TemplateComparison = { changed, changedFields, unverifiedFields, manifestDiff, breaking: manifestDiff.breaking }
  if (unverifiedReason) result.unverifiedReason = unverifiedReason
  return result
}

/** The record to keep after `body` was published as `versionNumber`. */
export function toPublishRecord(body: TemplateBody, versionNumber: number): PublishRecord {
  return { contentHash: templateContentHash(body), pageConfigHash: pageConfigHash(body), layoutHash: layoutHash(body), versionNumber }
}

/** sha256 of the canonical pageConfig (defaults explicit). */
export function pageConfigHash(body: Pick<TemplateBody, 'pageConfig'>): string {
  return sha256(stableStringify(canonicalPageConfig(body.pageConfig)))
}

/** sha256 of the layout with sorted keys (`null` when there is none). */
export function layoutHash(body: Pick<TemplateBody, 'layout'>): string {
  return sha256(stableStringify(body.layout ?? null))
}
