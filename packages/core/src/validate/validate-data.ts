import { hasRequiredLeaf, manifestShape, type ShapeBranch } from '../manifest/shape.ts'
import { LIMITS, type Manifest, type VariableDefinition } from '../manifest/types.ts'

/** Zod `flatten()` output, as Craftkit returns it in `error.issues` (API.md §3). */
export interface ValidationIssues {
  formErrors: string[]
  /** Keyed by the full dotted path (`customer.name`, `areas.1.condition`): the newer docs' form (API.md §14). */
  fieldErrors: Record<string, string[]>
}

export type ValidationResult =
  | {
      ok: true
      /** The data as the server keeps it: unknown keys stripped, values coerced, missing loops as `[]`. */
      data: Record<string, unknown>
      /** Dotted paths of the keys the server would silently strip. */
      stripped: string[]
    }
  | { ok: false; issues: ValidationIssues; stripped: string[] }

interface Context {
  issues: ValidationIssues
  stripped: string[]
}

/**
 * Validates render `data` against a manifest exactly as Craftkit does (API.md §5.2–5.4): scalars nest by dot-path,
 * loop keys are literal top-level properties, unknown keys are stripped (and reported), numeric strings and
 * "true"/"false" are coerced, image/url must be http(s) (no `data:`), email and ISO dates are checked, and each
 * loop holds at most 10,000 rows. This is the one implementation: the emulator, lint and the client's pre-flight
 * check all call it.
 *
 * @example
 * const r = validateData(manifest, { booking: { code: 'BK-1' }, areas: [] })
 * if (!r.ok) console.log(r.issues.fieldErrors)
 */
export function validateData(manifest: Manifest, data: unknown): ValidationResult {
  const ctx: Context = { issues: { formErrors: [], fieldErrors: {} }, stripped: [] }
  if (!isPlainObject(data)) {
    ctx.issues.formErrors.push(`Expected object, received ${typeName(data)}`)
    return { ok: false, issues: ctx.issues, stripped: [] }
  }
  const out = validateBranch(manifestShape(manifest), data, '', ctx)
  const failed = ctx.issues.formErrors.length > 0 || Object.keys(ctx.issues.fieldErrors).length > 0
  return failed ? { ok: false, issues: ctx.issues, stripped: ctx.stripped } : { ok: true, data: out, stripped: ctx.stripped }
}

function validateBranch(branch: ShapeBranch, value: Record<string, unknown>, prefix: string, ctx: Context): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, node] of branch.children) {
    const path = prefix + key
    const v = Object.hasOwn(value, key) ? value[key] : undefined
    if (node.kind === 'leaf') {
      if (v === undefined) {
        if (node.field.required) addError(ctx, path, 'Required')
        continue
      }
      const checked = checkScalar(node.field, v)
      if ('error' in checked) addError(ctx, path, checked.error)
      else setOwn(out, key, checked.value)
    } else if (node.kind === 'branch') {
      if (v === undefined) {
        // Report the missing required leaves one by one, so the caller sees `customer.name`, not `customer`.
        if (hasRequiredLeaf(node)) validateBranch(node, {}, `${path}.`, ctx)
        continue
      }
      if (!isPlainObject(v)) {
        addError(ctx, path, `Expected object, received ${typeName(v)}`)
        continue
      }
      setOwn(out, key, validateBranch(node, v, `${path}.`, ctx))
    } else {
      // A loop the caller left out binds as an empty list; its section renders no rows (API.md §5.4).
      if (v === undefined) {
        setOwn(out, key, [])
        continue
      }
      if (!Array.isArray(v)) {
        addError(ctx, path, `Expected array, received ${typeName(v)}`)
        continue
      }
      if (v.length > LIMITS.loopRows) {
        addError(ctx, path, `Array must contain at most ${LIMITS.loopRows} element(s)`)
        continue
      }
      const rows: Record<string, unknown>[] = []
      v.forEach((row: unknown, i) => {
        if (!isPlainObject(row)) addError(ctx, `${path}.${i}`, `Expected object, received ${typeName(row)}`)
        else rows.push(validateBranch(node.item, row, `${path}.${i}.`, ctx))
      })
      setOwn(out, key, rows)
    }
  }
  for (const key of Object.keys(value)) {
    if (!branch.children.has(key)) ctx.stripped.push(prefix + key)
  }
  return out
}

type Checked = { value: unknown } | { error: string }

const NUMERIC = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/
// The same pattern zod's `z.string().email()` uses.
const EMAIL = /^(?!\.)(?!.*\.\.)([A-Z0-9_'+\-.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9-]*\.)+[A-Z]{2,}$/i

function checkScalar(field: VariableDefinition, v: unknown): Checked {
  switch (field.dataType) {
    case 'text':
    case 'longtext':
      return typeof v === 'string' ? { value: v } : expected('string', v)
    case 'number':
    case 'currency':
      if (typeof v === 'number') return Number.isFinite(v) ? { value: v } : { error: 'Expected number, received nan' }
      if (typeof v === 'string' && NUMERIC.test(v.trim())) return { value: Number(v.trim()) }
      return expected('number', v)
    case 'boolean':
      if (typeof v === 'boolean') return { value: v }
      if (v === 'true' || v === 'false') return { value: v === 'true' }
      return expected('boolean', v)
    case 'date':
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? { error: 'Invalid date' } : { value: v.toISOString().slice(0, 10) }
      if (typeof v !== 'string') return expected('string', v)
      if (isValidDate(v, ISO_DATE)) return { value: v }
      // A `Date` sent as JSON arrives as its ISO date-time (API.md §5.2: "ISO string or Date"): taken as that
      // instant's UTC date, as a Date object is above.
      if (isValidDate(v, ISO_DATETIME)) return { value: new Date(v).toISOString().slice(0, 10) }
      return { error: 'Invalid date: expected an ISO date such as 2026-06-04' }
    case 'datetime':
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? { error: 'Invalid datetime' } : { value: v.toISOString() }
      if (typeof v !== 'string') return expected('string', v)
      return isValidDate(v, ISO_DATETIME)
        ? { value: v }
        : { error: 'Invalid datetime: expected an ISO date-time such as 2026-06-04T09:30:00Z' }
    case 'image':
    case 'url':
      if (typeof v !== 'string') return expected('string', v)
      return checkUrl(v)
    case 'email':
      if (typeof v !== 'string') return expected('string', v)
      return EMAIL.test(v) ? { value: v } : { error: 'Invalid email' }
    default:
      return { error: `Unknown dataType "${String((field as { dataType: unknown }).dataType)}"` }
  }
}

const DATA_URI = /^\s*data:/i

/** A `data:` URI: Craftkit rejects one as an `image` or `url` value (API.md §5.2). */
export function isDataUri(value: unknown): boolean {
  return typeof value === 'string' && DATA_URI.test(value)
}

function checkUrl(v: string): Checked {
  if (isDataUri(v)) return { error: 'Invalid url: data: URIs are rejected; use an http(s) URL' }
  let url: URL
  try {
    url = new URL(v)
  } catch {
    return { error: 'Invalid url' }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: 'Invalid url: only http(s) URLs are accepted' }
  return { value: v }
}

function isValidDate(v: string, pattern: RegExp): boolean {
  const m = pattern.exec(v)
  if (!m) return false
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const d = new Date(Date.UTC(year, month - 1, day))
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return false
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return false
  return true
}

function expected(type: string, v: unknown): Checked {
  return { error: `Expected ${type}, received ${typeName(v)}` }
}

function addError(ctx: Context, path: string, message: string): void {
  const list = Object.hasOwn(ctx.issues.fieldErrors, path) ? ctx.issues.fieldErrors[path]! : []
  list.push(message)
  setOwn(ctx.issues.fieldErrors, path, list)
}

/** Assigns without triggering the `__proto__` setter: user keys are data, never prototypes. */
function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true })
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** The type name zod puts in "Expected X, received Y". */
function typeName(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (v instanceof Date) return 'date'
  if (typeof v === 'number' && Number.isNaN(v)) return 'nan'
  return typeof v
}
