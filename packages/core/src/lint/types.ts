import type { Diagnostic } from '../diagnostics/diagnostic.ts'
import type { SourceTemplate, TemplateSource } from '../source/template-source.ts'

/** What a rule may be set to in `lint.rules` of the config. */
export const RULE_SETTINGS = ['off', 'warning', 'error'] as const

export type RuleSetting = (typeof RULE_SETTINGS)[number]

/** A source whose template.yaml could be turned into a model. */
export type LoadedSource = TemplateSource & { template: SourceTemplate }

export interface RuleContext {
  /** Every source being linted, for rules across templates. */
  sources: readonly TemplateSource[]
  /** Whether a rule is on (after config overrides): rules that overlap step aside for each other. */
  isEnabled(id: string): boolean
}

/** One lint rule. Its id, file name (`rules/<id>.ts`) and README anchor are the same string. */
export interface LintRule {
  id: string
  /** Default severity; `lint.rules` in the config overrides it. */
  severity: 'error' | 'warning'
  /** What it catches, one line (README table, SARIF rule metadata). */
  description: string
  /** Runs once per source that has a model. */
  checkTemplate?(source: LoadedSource, ctx: RuleContext): Diagnostic[]
  /** Runs once over all sources. */
  checkProject?(sources: readonly TemplateSource[], ctx: RuleContext): Diagnostic[]
}
