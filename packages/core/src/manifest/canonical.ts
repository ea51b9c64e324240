import { sha256 } from './sha256.ts'
import { stableStringify } from './stable-stringify.ts'
import type { LoopDefinition, Manifest, PageConfig, TemplateBody, VariableDefinition } from './types.ts'

/** The page config Craftkit applies when none is sent (API.md §6.4: "default A4 portrait"). */
export const DEFAULT_PAGE_CONFIG: Readonly<Required<Pick<PageConfig, 'format' | 'orientation'>>> = {
  format: 'A4',
  orientation: 'portrait',
}

/** A template body with every default explicit: what "changed" is computed on. */
export interface CanonicalTemplateBody {
  name: string
  description: string | null
  manifest: Manifest
  pageConfig: PageConfig
  layout: unknown
}

/** A variable with defaults explicit and a fixed key order; `label` is kept only when set. */
export function canonicalVariable(v: VariableDefinition): VariableDefinition {
  const out: VariableDefinition = { key: v.key, dataType: v.dataType, required: v.required === true }
  if (v.label !== undefined) out.label = v.label
  return out
}

export function canonicalLoop(l: LoopDefinition): LoopDefinition {
  const out: LoopDefinition = { key: l.key, label: l.label, itemFields: l.itemFields.map(canonicalVariable) }
  // An empty previewData and none at all preview the same, so they must not show up as a change.
  if (l.previewData && l.previewData.length > 0) out.previewData = l.previewData
  return out
}

/**
 * The manifest with defaults made explicit (`required: false`) and keys in a fixed order. Array order is kept:
 * it is the order the synthesized layout renders fields in, so reordering is a real change.
 */
export function canonicalManifest(m: Manifest): Manifest {
  return { variables: m.variables.map(canonicalVariable), loops: m.loops.map(canonicalLoop) }
}

/** Fills pageConfig defaults so that `{}`, nothing and `{ format: 'A4' }` compare equal. */
export function canonicalPageConfig(p: PageConfig | null | undefined): PageConfig {
  return { ...DEFAULT_PAGE_CONFIG, ...stripUndefined(p ?? {}) }
}

export function canonicalTemplateBody(body: TemplateBody): CanonicalTemplateBody {
  return {
    name: body.name,
    description: body.description ?? null,
    manifest: canonicalManifest(body.manifest),
    pageConfig: canonicalPageConfig(body.pageConfig),
    layout: body.layout ?? null,
  }
}

/** sha256 (hex) of the canonical body: equal hashes mean a PUT would publish nothing new. */
export function templateContentHash(body: TemplateBody): string {
  return sha256(stableStringify(canonicalTemplateBody(body)))
}

/** sha256 (hex) of the canonical manifest: the data contract, independent of name, layout and page. */
export function manifestHash(manifest: Manifest): string {
  return sha256(stableStringify(canonicalManifest(manifest)))
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
