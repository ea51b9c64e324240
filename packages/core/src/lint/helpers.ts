import type { Diagnostic } from '../diagnostics/diagnostic.ts'
import { manifestShape, type ShapeBranch } from '../manifest/shape.ts'
import type { Manifest, VariableDefinition } from '../manifest/types.ts'
import { validateData, type ValidationResult } from '../validate/validate-data.ts'
import { locate, locateJson, locateToken, type SourceLocations, type SourceRange } from '../source/positions.ts'
import type { FixtureSource, TemplateSource } from '../source/template-source.ts'
import type { LintRule } from './types.ts'

/** A diagnostic of `rule` at a JSON path of the source's template.yaml. */
export function at(
  rule: LintRule,
  source: TemplateSource,
  path: (string | number)[],
  part: 'key' | 'value',
  message: string,
  hint: string,
): Diagnostic {
  return { code: rule.id, severity: rule.severity, message, hint, file: source.file, ...locate(source.locations, path, part) }
}

export function inFile(rule: LintRule, file: string, range: SourceRange, message: string, hint: string): Diagnostic {
  return { code: rule.id, severity: rule.severity, message, hint, file, ...range }
}

// JSON files are located lazily: most fixtures have nothing to report, and re-parsing them costs time.
const jsonLocations = new WeakMap<object, SourceLocations>()

function jsonLocationsOf(owner: object, text: string, file: string): SourceLocations {
  let locs = jsonLocations.get(owner)
  if (!locs) {
    locs = locateJson(text, file)
    jsonLocations.set(owner, locs)
  }
  return locs
}

/** Where a JSON path is in a fixture file (its nearest existing ancestor when the path is missing). */
export function locateInFixture(fixture: FixtureSource, path: (string | number)[], part: 'key' | 'value'): SourceRange {
  if (fixture.text === undefined) return locate(undefined, path, part)
  return locate(jsonLocationsOf(fixture, fixture.text, fixture.file), path, part)
}

/** The file and position of a JSON path inside the template's layout (inline in the YAML, or its own file). */
export function locateInLayout(source: TemplateSource, path: (string | number)[], key: string): { file: string; range: SourceRange } {
  const layoutSource = source.layoutSource
  if (!layoutSource) return { file: source.file, range: locateToken(source.locations, ['layout', ...path], key) }
  return { file: layoutSource.file, range: locateToken(jsonLocationsOf(layoutSource, layoutSource.text, layoutSource.file), path, key) }
}

/**
 * Turns a validator path (`areas.0.booking.code`, dotted) into JSON path segments by following the data: a key
 * with a dot in it (a dotted loop key sent literally) stays one segment when the data has it.
 */
export function splitDataPath(data: unknown, dotted: string): string[] {
  const segments = dotted.split('.')
  const out: string[] = []
  let node: unknown = data
  let i = 0
  while (i < segments.length) {
    let matched = 1
    if (node !== null && typeof node === 'object') {
      for (let j = segments.length; j > i + 1; j--) {
        if (Object.hasOwn(node, segments.slice(i, j).join('.'))) {
          matched = j - i
          break
        }
      }
    }
    const key = segments.slice(i, i + matched).join('.')
    out.push(key)
    node = node !== null && typeof node === 'object' && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined
    i += matched
  }
  return out
}

/** The manifest a loop row is validated against (item fields nest by dot-path like scalars). */
export function rowManifest(itemFields: VariableDefinition[]): Manifest {
  let m = rowManifests.get(itemFields)
  if (!m) rowManifests.set(itemFields, (m = { variables: itemFields, loops: [] }))
  return m
}

const rowManifests = new WeakMap<object, Manifest>()

const rowOwners = new WeakMap<object, object[]>()

/** A stable object standing for previewData row `i` of a loop (rows may be primitives, which cannot be keys). */
export function rowOwner(loop: object, i: number): object {
  let list = rowOwners.get(loop)
  if (!list) rowOwners.set(loop, (list = []))
  return (list[i] ??= {})
}

const shapes = new WeakMap<object, ShapeBranch>()

/** The shape of a manifest, built once per manifest object (rules ask for the same one many times). */
export function shapeOf(manifest: Manifest): ShapeBranch {
  let shape = shapes.get(manifest)
  if (!shape) {
    shape = manifestShape(manifest)
    shapes.set(manifest, shape)
  }
  return shape
}

const validations = new WeakMap<object, { manifest: Manifest; result: ValidationResult }>()

/**
 * `validateData` for a fixture or a previewData row, once per (data, manifest): fixture-invalid and
 * fixture-stripped-key read the same result. Primitive data (not a key) is validated each time.
 */
export function validateCached(manifest: Manifest, data: unknown, owner: object): ValidationResult {
  const hit = validations.get(owner)
  if (hit && hit.manifest === manifest) return hit.result
  const result = validateData(manifest, data)
  validations.set(owner, { manifest, result })
  return result
}

/**
 * A close match among candidates (a typo): equal ignoring case, or within 1 edit for keys of 3-5 characters and
 * 2 edits for longer ones, counting a swap of two neighbours as one edit. Ties go to the first candidate.
 */
export function closest(key: string, candidates: Iterable<string>): string | undefined {
  const budget = key.length <= 2 ? 0 : key.length <= 5 ? 1 : 2
  let best: string | undefined
  let bestDistance = budget + 1
  for (const c of candidates) {
    if (c === key) continue
    if (c.toLowerCase() === key.toLowerCase()) return c
    const d = editDistance(c, key, bestDistance)
    if (d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  return best
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), cut off at `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)]
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, rows[i - 2]![j - 2]! + 1)
      row[j] = v
    }
    rows.push(row)
  }
  return rows[a.length]![b.length]!
}
