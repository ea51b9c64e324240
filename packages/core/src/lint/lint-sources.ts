import type { Diagnostic } from '../diagnostics/diagnostic.ts'
import type { TemplateSource } from '../source/template-source.ts'
import { RULES } from './registry.ts'
import type { LoadedSource, RuleContext, RuleSetting } from './types.ts'

export interface LintOptions {
  /** Per-rule overrides from the config's `lint.rules`: `off`, `warning` or `error`. */
  rules?: Record<string, RuleSetting>
}

/**
 * Runs every lint rule over sources from `loadTemplateSources` and returns the reading problems plus the rules'
 * findings, with config overrides applied, sorted by file, line and column. Never throws for bad input.
 *
 * @example
 * const diagnostics = lintSources(await loadTemplateSources({ root, templatesDir: 'templates' }), { rules: { 'unused-variable': 'off' } })
 * const failed = diagnostics.some((d) => d.severity === 'error')
 */
export function lintSources(sources: TemplateSource[], options: LintOptions = {}): Diagnostic[] {
  const overrides = options.rules ?? {}
  const setting = (code: string): RuleSetting | undefined => (Object.hasOwn(overrides, code) ? overrides[code] : undefined)
  const ctx: RuleContext = { sources, isEnabled: (id) => setting(id) !== 'off' }
  const found: Diagnostic[] = []
  for (const source of sources) found.push(...source.diagnostics)
  for (const rule of RULES) {
    if (!ctx.isEnabled(rule.id)) continue
    if (rule.checkProject) found.push(...rule.checkProject(sources, ctx))
    if (rule.checkTemplate) {
      for (const source of sources) if (source.template) found.push(...rule.checkTemplate(source as LoadedSource, ctx))
    }
  }
  const out: Diagnostic[] = []
  const seen = new Set<string>()
  for (const d of found) {
    const s = setting(d.code)
    if (s === 'off') continue
    const diagnostic = s === 'warning' || s === 'error' ? { ...d, severity: s } : d
    const id = `${d.file}\0${d.line}\0${d.column}\0${d.code}\0${d.message}`
    if (seen.has(id)) continue
    seen.add(id)
    out.push(diagnostic)
  }
  return out.sort(compareDiagnostics)
}

/** File, then line, then column, then code: a stable order for every output format. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return cmp(a.file, b.file) || a.line - b.line || a.column - b.column || cmp(a.code, b.code) || cmp(a.message, b.message)
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Counts for a summary line. */
export function summarize(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  let errors = 0
  for (const d of diagnostics) if (d.severity === 'error') errors++
  return { errors, warnings: diagnostics.length - errors }
}
