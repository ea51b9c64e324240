import type { DataType, Manifest } from '@galley/core'

/** Reads a dot-path (`customer.name`) from nested data; own properties only. */
export function readPath(data: unknown, path: string): unknown {
  let cur: unknown = data
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined
    cur = (cur as Record<string, unknown>)[part]
  }
  return cur
}

export interface FormatContext {
  /** ISO 4217 code applied to `currency` values, when known. */
  currency?: string
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/

/**
 * Prints a validated value for the PDF: dates as `4 June 2026`, date-times as `4 June 2026, 09:30 UTC` (in the
 * offset they were written in), booleans as Yes/No, numbers with grouping, currency with two decimals (and the
 * currency's symbol when known). Locale-independent on purpose: the same data always gives the same PDF text.
 */
export function formatValue(value: unknown, dataType: DataType | undefined, ctx: FormatContext = {}): string {
  if (value === undefined || value === null) return ''
  switch (dataType) {
    case 'boolean':
      return typeof value === 'boolean' ? (value ? 'Yes' : 'No') : String(value)
    case 'number':
      return typeof value === 'number' ? NUMBER.format(value) : String(value)
    case 'currency':
      return typeof value === 'number' ? formatCurrency(value, ctx.currency) : String(value)
    case 'date':
      return typeof value === 'string' ? formatDate(value) : String(value)
    case 'datetime':
      return typeof value === 'string' ? formatDateTime(value) : String(value)
    default:
      if (typeof value === 'string') return value
      if (typeof value === 'number' || typeof value === 'boolean') return String(value)
      if (value instanceof Date) return value.toISOString()
      return JSON.stringify(value)
  }
}

// `toLocaleString` with options builds a new Intl.NumberFormat per call, which showed up in render profiles.
const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 10 })
const MONEY = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
const CURRENCIES = new Map<string, Intl.NumberFormat | null>()

function formatCurrency(value: number, currency: string | undefined): string {
  if (currency) {
    let f = CURRENCIES.get(currency)
    if (f === undefined) {
      try {
        f = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay: 'symbol' })
      } catch {
        f = null // an unknown code: the plain two-decimal form
      }
      if (CURRENCIES.size < 500) CURRENCIES.set(currency, f)
    }
    if (f) return f.format(value)
  }
  return MONEY.format(value)
}

function formatDate(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!m) return value
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}`
}

function formatDateTime(value: string): string {
  const m = DATETIME.exec(value)
  if (!m) return value
  const zone = m[7] === 'Z' ? 'UTC' : m[7]!.length === 5 ? `${m[7]!.slice(0, 3)}:${m[7]!.slice(3)}` : m[7]!
  return `${formatDate(`${m[1]}-${m[2]}-${m[3]}`)}, ${m[4]}:${m[5]} ${zone}`
}

/**
 * The currency `currency` values print in. Craftkit's `format` hints (`currency:EUR`, `money:EUR`) are undocumented
 * for manifests (API.md §14), so the emulator honours a `format` hint when present, else a text variable whose last
 * key segment is `currency` holding a three-letter code (the invoice's `invoice.currency`), else none.
 */
export function resolveCurrency(manifest: Manifest, data: Record<string, unknown>, field?: { format?: unknown }): string | undefined {
  const hint = typeof field?.format === 'string' ? /^(?:currency|money):([A-Za-z]{3})$/.exec(field.format) : null
  if (hint) return hint[1]!.toUpperCase()
  for (const v of manifest.variables) {
    if (v.dataType !== 'text' || v.key.split('.').pop()?.toLowerCase() !== 'currency') continue
    const code = readPath(data, v.key)
    if (typeof code === 'string' && /^[A-Za-z]{3}$/.test(code.trim())) return code.trim().toUpperCase()
  }
  return undefined
}
