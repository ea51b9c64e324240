import { DEFAULT_PAGE_CONFIG, type PageConfig } from '@galley/core'

/** Page size and margins in PDF points (1/72 in). */
export interface PageSetup {
  /** The format name that was applied (`A4` when the requested one is unknown). */
  format: string
  width: number
  height: number
  margins: { top: number; right: number; bottom: number; left: number }
}

const MM = 72 / 25.4

/**
 * Paper sizes in points. Puppeteer's `page.pdf` formats (what Craftkit renders with, API.md §6.1) plus the rest
 * of the ISO A/B series; names are matched case-insensitively.
 */
export const PAGE_FORMATS: Readonly<Record<string, readonly [number, number]>> = {
  A0: [2383.94, 3370.39],
  A1: [1683.78, 2383.94],
  A2: [1190.55, 1683.78],
  A3: [841.89, 1190.55],
  A4: [595.28, 841.89],
  A5: [419.53, 595.28],
  A6: [297.64, 419.53],
  A7: [209.76, 297.64],
  A8: [147.4, 209.76],
  B4: [708.66, 1000.63],
  B5: [498.9, 708.66],
  LETTER: [612, 792],
  LEGAL: [612, 1008],
  TABLOID: [792, 1224],
  LEDGER: [1224, 792],
  EXECUTIVE: [521.86, 756],
}

/** Applied when `pageConfig.margin` is absent or unreadable: the value of Craftkit's documented example (API.md §6.4). */
export const DEFAULT_MARGIN = '20mm'

const UNIT_POINTS: Record<string, number> = { mm: MM, cm: MM * 10, in: 72, pt: 1, px: 0.75, '': 0.75 }

/** One CSS length (`20mm`, `0.75in`, `1cm`, `36pt`, `12px`, or a bare number, read as px like Puppeteer) in points. */
export function parseLength(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 0.75 : undefined
  if (typeof value !== 'string') return undefined
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(mm|cm|in|pt|px)?\s*$/i.exec(value)
  if (!m) return undefined
  return Number(m[1]) * UNIT_POINTS[(m[2] ?? '').toLowerCase()]!
}

/**
 * Resolves `pageConfig` (API.md §6.4, allowed values undocumented) to points. `format` is one of
 * {@link PAGE_FORMATS} (case-insensitive), else `@galley/core`'s default (A4); `orientation: landscape` puts the long side horizontal (any
 * other value is portrait); `margin` is one CSS length or a 1–4 value shorthand (`10mm 15mm`), or an object
 * `{ top, right, bottom, left }`; unreadable margins fall back to 20mm, and each margin is capped at 40% of the
 * page side so some content area always remains.
 */
export function resolvePageSetup(pageConfig: PageConfig | null | undefined): PageSetup {
  const fallback = DEFAULT_PAGE_CONFIG.format.toUpperCase()
  const requested = typeof pageConfig?.format === 'string' ? pageConfig.format.trim().toUpperCase() : fallback
  const format = Object.hasOwn(PAGE_FORMATS, requested) ? requested : fallback
  let [width, height] = PAGE_FORMATS[format]!
  const landscape = pageConfig?.orientation === 'landscape'
  if (landscape !== width > height) [width, height] = [height, width]
  const margins = resolveMargins(pageConfig?.margin)
  const capX = width * 0.4
  const capY = height * 0.4
  return {
    format,
    width,
    height,
    margins: {
      top: Math.min(margins.top, capY),
      right: Math.min(margins.right, capX),
      bottom: Math.min(margins.bottom, capY),
      left: Math.min(margins.left, capX),
    },
  }
}

function resolveMargins(margin: unknown): PageSetup['margins'] {
  const fallback = parseLength(DEFAULT_MARGIN)!
  if (margin !== null && typeof margin === 'object') {
    const m = margin as Record<string, unknown>
    const side = (k: string): number => parseLength(m[k]) ?? fallback
    return { top: side('top'), right: side('right'), bottom: side('bottom'), left: side('left') }
  }
  if (typeof margin === 'number') {
    const v = parseLength(margin) ?? fallback
    return { top: v, right: v, bottom: v, left: v }
  }
  if (typeof margin !== 'string' || margin.trim() === '') {
    return { top: fallback, right: fallback, bottom: fallback, left: fallback }
  }
  const parts = margin.trim().split(/\s+/).map(parseLength)
  if (parts.length > 4 || parts.some((p) => p === undefined)) {
    return { top: fallback, right: fallback, bottom: fallback, left: fallback }
  }
  const [a, b = a, c = a, d = b] = parts as number[]
  return { top: a!, right: b!, bottom: c!, left: d! }
}
