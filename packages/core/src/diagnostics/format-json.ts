import type { Diagnostic } from './diagnostic.ts'

/** What a run covered, for machine output. */
export interface DiagnosticSummary {
  templates: number
  fixtures: number
  errors: number
  warnings: number
}

/**
 * `--format json`: `{ "version": 1, "summary": {...}, "diagnostics": [...] }`, one stable document per run.
 *
 * @example
 * JSON.parse(formatJson(diagnostics, { templates: 4, fixtures: 8, errors: 0, warnings: 0 })).diagnostics
 */
export function formatJson(diagnostics: readonly Diagnostic[], summary?: DiagnosticSummary): string {
  return `${JSON.stringify({ version: 1, ...(summary ? { summary } : {}), diagnostics }, null, 2)}\n`
}
