import { DATA_TYPES, LIMITS, ORIENTATIONS, SLUG_PATTERN, TEMPLATE_TYPES } from '../manifest/types.ts'

// Not exported from the package: the loader's shortcut past zod for sources the schema would accept.

const DATA_TYPE_SET: ReadonlySet<unknown> = new Set(DATA_TYPES)
const TEMPLATE_TYPE_SET: ReadonlySet<unknown> = new Set(TEMPLATE_TYPES)
const ORIENTATION_SET: ReadonlySet<unknown> = new Set(ORIENTATIONS)
const VARIABLE_KEYS: ReadonlySet<string> = new Set(['label', 'dataType', 'required'])
const LOOP_KEYS: ReadonlySet<string> = new Set(['label', 'itemFields', 'previewData'])
const PAGE_KEYS: ReadonlySet<string> = new Set(['format', 'orientation', 'margin', 'printBackground'])
const TOP_KEYS: ReadonlySet<string> = new Set(['$schema', 'slug', 'name', 'description', 'templateType', 'pageConfig', 'variables', 'loops', 'layout'])

function isMapObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function onlyKeys(o: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const k in o) if (!allowed.has(k)) return false
  return true
}

function isStringOf(v: unknown, min: number, max: number): boolean {
  return typeof v === 'string' && v.length >= min && v.length <= max
}

function isValidField(v: unknown): boolean {
  if (!isMapObject(v) || !onlyKeys(v, VARIABLE_KEYS)) return false
  if (v.label !== undefined && !isStringOf(v.label, 1, Infinity)) return false
  if (v.required !== undefined && typeof v.required !== 'boolean') return false
  return DATA_TYPE_SET.has(v.dataType)
}

function isValidFieldMap(v: unknown): boolean {
  if (!isMapObject(v)) return false
  // A `__proto__` entry is checked on its own by the loader: leave such maps to the full schema.
  for (const k in v) if (k === '__proto__' || !isValidField(v[k])) return false
  return true
}

/**
 * True only when `templateSourceSchema.safeParse(value)` would report no issue, checked directly (the loader then
 * skips zod for the common, valid source); false when in doubt, so the schema decides and words the issues. Kept in
 * step with `templateSourceSchema` in schema.ts (bench/lint/schema-equivalence.mjs compares the two).
 */
export function isPlainValidTemplateSource(value: unknown): boolean {
  if (!isMapObject(value) || !onlyKeys(value, TOP_KEYS)) return false
  const t = value
  if (t.$schema !== undefined && typeof t.$schema !== 'string') return false
  if (!isStringOf(t.slug, 0, LIMITS.slugLength) || !SLUG_PATTERN.test(t.slug as string)) return false
  if (!isStringOf(t.name, 1, LIMITS.nameLength)) return false
  if (t.description !== undefined && t.description !== null && !isStringOf(t.description, 0, LIMITS.descriptionLength)) return false
  if (t.templateType !== undefined && !TEMPLATE_TYPE_SET.has(t.templateType)) return false
  if (t.pageConfig !== undefined) {
    const p = t.pageConfig
    if (!isMapObject(p) || !onlyKeys(p, PAGE_KEYS)) return false
    if (p.format !== undefined && !isStringOf(p.format, 1, Infinity)) return false
    if (p.orientation !== undefined && !ORIENTATION_SET.has(p.orientation)) return false
    if (p.margin !== undefined && typeof p.margin !== 'string') return false
    if (p.printBackground !== undefined && typeof p.printBackground !== 'boolean') return false
  }
  if (t.variables !== undefined && t.variables !== null && !isValidFieldMap(t.variables)) return false
  if (t.loops !== undefined && t.loops !== null) {
    const loops = t.loops
    if (!isMapObject(loops)) return false
    for (const k in loops) {
      const loop = loops[k]
      if (k === '__proto__' || !isMapObject(loop) || !onlyKeys(loop, LOOP_KEYS)) return false
      if (!isStringOf(loop.label, 1, Infinity) || !isValidFieldMap(loop.itemFields)) return false
      const rows = loop.previewData
      if (rows !== undefined && rows !== null) {
        if (!Array.isArray(rows) || rows.length > LIMITS.previewDataRows) return false
        for (const row of rows) if (!isMapObject(row)) return false
      }
    }
  }
  if (t.layout !== undefined && !isStringOf(t.layout, 1, Infinity) && !isMapObject(t.layout)) return false
  return true
}
