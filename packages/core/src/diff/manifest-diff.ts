import { canonicalLoop, canonicalVariable } from '../manifest/canonical.ts'
import { stableStringify } from '../manifest/stable-stringify.ts'
import type { LoopDefinition, Manifest, VariableDefinition } from '../manifest/types.ts'

/** What one change touches: a scalar variable, a whole loop, or one item field of a loop. */
export type ManifestChangeTarget = 'variable' | 'loop' | 'item-field'

/** The kind of a change; `order-changed` means the same keys in another order (the synthesized layout follows it). */
export type ManifestChangeKind =
  | 'added'
  | 'removed'
  | 'type-changed'
  | 'required-changed'
  | 'label-changed'
  | 'preview-changed'
  | 'order-changed'

/** One variable-level difference between two manifests (`before` = remote, `after` = source). */
export interface ManifestChange {
  kind: ManifestChangeKind
  target: ManifestChangeTarget
  /** The variable key, the loop key, or the item field key (then `loop` names its loop). */
  key: string
  /** For `item-field` changes (and `order-changed` of item fields): the loop key. */
  loop?: string
  /** The old value of what changed: dataType, required or label (absent for added/removed/order/preview). */
  before?: string | boolean | null
  /** The new value of what changed. */
  after?: string | boolean | null
  /** Whether callers that render with today's data can break (see `breakingReason`). */
  breaking: boolean
  /** Why it breaks existing callers, in one sentence. */
  breakingReason?: string
}

/**
 * A manifest as a server returns it: dashboard-made templates may carry loops without a label, so this is a
 * little looser than {@link Manifest} (the client's `Manifest` type fits it).
 */
export interface ManifestLike {
  variables: VariableDefinition[]
  loops: (Omit<LoopDefinition, 'label'> & { label?: string })[]
}

/** Every variable-level difference between two manifests, in manifest order. */
export interface ManifestDiff {
  changes: ManifestChange[]
  /** True when any change is breaking. */
  breaking: boolean
}

/**
 * Compares two manifests variable by variable: added, removed, type, required and label changes of scalars,
 * loops added/removed (a renamed loop key is a removal plus an addition), and the same for each loop's item
 * fields. A change is breaking when existing callers can fail or silently lose data: a removed key (the server
 * strips what callers still send), a new required key or optional -> required (today's payloads are rejected),
 * a type change, a removed loop or loop item field. `before` is what is published, `after` what will be.
 *
 * @example
 * const { changes, breaking } = diffManifests(remote.manifest, source.manifest)
 */
export function diffManifests(before: ManifestLike | null | undefined, after: ManifestLike): ManifestDiff {
  const changes: ManifestChange[] = []
  const prev = (before ?? { variables: [], loops: [] }) as Manifest
  changes.push(...diffFields(prev.variables, after.variables, 'variable'))

  const oldLoops = new Map(prev.loops.map((l) => [l.key, canonicalLoop(l)]))
  const newLoops = new Map((after as Manifest).loops.map((l) => [l.key, canonicalLoop(l)]))
  for (const loop of after.loops) {
    const old = oldLoops.get(loop.key)
    const cur = newLoops.get(loop.key)!
    if (!old) {
      changes.push({ kind: 'added', target: 'loop', key: loop.key, breaking: false })
      continue
    }
    if (old.label !== cur.label) {
      changes.push({ kind: 'label-changed', target: 'loop', key: loop.key, before: old.label, after: cur.label, breaking: false })
    }
    changes.push(...diffFields(old.itemFields, cur.itemFields, 'item-field', loop.key))
    if (stableStringify(old.previewData ?? []) !== stableStringify(cur.previewData ?? [])) {
      changes.push({ kind: 'preview-changed', target: 'loop', key: loop.key, breaking: false })
    }
  }
  for (const loop of prev.loops) {
    if (!newLoops.has(loop.key)) {
      changes.push({
        kind: 'removed',
        target: 'loop',
        key: loop.key,
        breaking: true,
        breakingReason: `callers that send "${loop.key}" lose those rows: the server strips the unknown key`,
      })
    }
  }
  if (!before) {
    // A template that does not exist yet has no callers: nothing it adds can break one.
    for (const c of changes) {
      c.breaking = false
      delete c.breakingReason
    }
  }
  const sameLoopOrder = sameOrder(
    prev.loops.map((l) => l.key).filter((k) => newLoops.has(k)),
    after.loops.map((l) => l.key).filter((k) => oldLoops.has(k)),
  )
  if (before && !sameLoopOrder) changes.push({ kind: 'order-changed', target: 'loop', key: '*', breaking: false })
  return { changes, breaking: changes.some((c) => c.breaking) }
}

function diffFields(
  before: readonly VariableDefinition[],
  after: readonly VariableDefinition[],
  target: 'variable' | 'item-field',
  loop?: string,
): ManifestChange[] {
  const out: ManifestChange[] = []
  const base = (key: string): Pick<ManifestChange, 'target' | 'key' | 'loop'> =>
    loop === undefined ? { target, key } : { target, key, loop }
  const where = (key: string) => (loop === undefined ? `"${key}"` : `"${loop}[].${key}"`)
  const old = new Map(before.map((v) => [v.key, canonicalVariable(v)]))
  const cur = new Map(after.map((v) => [v.key, canonicalVariable(v)]))
  for (const v of cur.values()) {
    const o = old.get(v.key)
    if (!o) {
      out.push(
        v.required
          ? {
              kind: 'added',
              ...base(v.key),
              after: v.dataType,
              breaking: true,
              breakingReason: `${where(v.key)} is new and required: today's payloads without it are rejected (invalid_input_data)`,
            }
          : { kind: 'added', ...base(v.key), after: v.dataType, breaking: false },
      )
      continue
    }
    if (o.dataType !== v.dataType) {
      out.push({
        kind: 'type-changed',
        ...base(v.key),
        before: o.dataType,
        after: v.dataType,
        breaking: true,
        breakingReason: `${where(v.key)} changes type from ${o.dataType} to ${v.dataType}: values callers send today may be rejected or coerced`,
      })
    }
    if (o.required !== v.required) {
      out.push(
        v.required
          ? {
              kind: 'required-changed',
              ...base(v.key),
              before: false,
              after: true,
              breaking: true,
              breakingReason: `${where(v.key)} becomes required: today's payloads without it are rejected (invalid_input_data)`,
            }
          : { kind: 'required-changed', ...base(v.key), before: true, after: false, breaking: false },
      )
    }
    if ((o.label ?? null) !== (v.label ?? null)) {
      out.push({ kind: 'label-changed', ...base(v.key), before: o.label ?? null, after: v.label ?? null, breaking: false })
    }
  }
  for (const o of old.values()) {
    if (!cur.has(o.key)) {
      out.push({
        kind: 'removed',
        ...base(o.key),
        before: o.dataType,
        breaking: true,
        breakingReason: `${where(o.key)} is removed: callers that still send it lose the value silently (the server strips unknown keys)`,
      })
    }
  }
  const common = (keys: string[], other: Map<string, unknown>) => keys.filter((k) => other.has(k))
  if (!sameOrder(common([...old.keys()], cur), common([...cur.keys()], old))) {
    out.push({ kind: 'order-changed', ...base('*'), breaking: false })
  }
  return out
}

function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i])
}
