import type { Diagnostic } from './diagnostic.ts'

/** A rule as SARIF describes it (`tool.driver.rules`). */
export interface SarifRuleInfo {
  id: string
  description: string
  severity: 'error' | 'warning'
}

export interface FormatSarifOptions {
  /** Rule metadata; codes without an entry get a bare rule. */
  rules?: readonly SarifRuleInfo[]
  toolVersion?: string
  /** Help link base: `<helpUri>#<rule-id>`. */
  helpUri?: string
}

/**
 * SARIF 2.1.0 (`--format sarif`), for GitHub code scanning and other viewers. Paths are relative URIs against
 * `%SRCROOT%` (the project root).
 */
export function formatSarif(diagnostics: readonly Diagnostic[], options: FormatSarifOptions = {}): string {
  const known = new Map((options.rules ?? []).map((r) => [r.id, r]))
  const ids = [...new Set([...(options.rules ?? []).map((r) => r.id), ...diagnostics.map((d) => d.code)])]
  const rules = ids.map((id) => {
    const info = known.get(id)
    const rule: Record<string, unknown> = { id, name: id }
    if (info) {
      rule.shortDescription = { text: info.description }
      rule.defaultConfiguration = { level: info.severity }
    }
    if (options.helpUri) rule.helpUri = `${options.helpUri}#${id}`
    return rule
  })
  const results = diagnostics.map((d) => {
    const region: Record<string, number> = { startLine: d.line, startColumn: d.column }
    if (d.endLine !== undefined) region.endLine = d.endLine
    if (d.endColumn !== undefined) region.endColumn = d.endColumn
    return {
      ruleId: d.code,
      ruleIndex: ids.indexOf(d.code),
      level: d.severity,
      message: { text: d.hint ? `${d.message} Hint: ${d.hint}` : d.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(d.file), uriBaseId: '%SRCROOT%' }, region } }],
    }
  })
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'galley', ...(options.toolVersion ? { version: options.toolVersion } : {}), rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: './' } },
        results,
      },
    ],
  }
  return `${JSON.stringify(log, null, 2)}\n`
}
