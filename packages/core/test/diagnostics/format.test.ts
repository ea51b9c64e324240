import { describe, expect, it } from 'vitest'
import { formatGithub, formatJson, formatPretty, formatSarif, type Diagnostic } from '../../src/index.ts'

const diagnostics: Diagnostic[] = [
  {
    code: 'loop-key-dot',
    severity: 'error',
    message: 'Loop key "handover.areas" contains a dot: publishing fails.',
    hint: 'Rename it to "areas".',
    file: 'templates/handover/template.yaml',
    line: 3,
    column: 3,
    endLine: 3,
    endColumn: 17,
  },
  { code: 'fixture-stripped-key', severity: 'warning', message: 'Stripped, 100% sure: a,b', file: 'templates/x/fixtures/a b.json', line: 1, column: 5 },
]
const source = 'slug: handover\nloops:\n  handover.areas:\n    label: Areas\n'

describe('formatPretty', () => {
  it('prints the code, the location, a code frame with a caret under the span, and the hint; no colour by default', () => {
    expect(formatPretty(diagnostics, { readSource: (f) => (f.endsWith('template.yaml') ? source : undefined) })).toBe(
      [
        'error[loop-key-dot] Loop key "handover.areas" contains a dot: publishing fails.',
        '  --> templates/handover/template.yaml:3:3',
        '    |',
        '  1 | slug: handover',
        '  2 | loops:',
        '  3 |   handover.areas:',
        '    |   ^^^^^^^^^^^^^^',
        '  = hint: Rename it to "areas".',
        '',
        'warning[fixture-stripped-key] Stripped, 100% sure: a,b',
        '  --> templates/x/fixtures/a b.json:1:5',
        '',
      ].join('\n'),
    )
  })

  it('colours only when asked', () => {
    expect(formatPretty(diagnostics, { color: true })).toContain('\u001b[31m')
    expect(formatPretty(diagnostics)).not.toContain('\u001b[')
    expect(formatPretty([])).toBe('')
  })
})

describe('formatGithub', () => {
  it('writes one workflow command per diagnostic, escaped as the runner expects', () => {
    expect(formatGithub(diagnostics, 'apps/docs')).toBe(
      '::error file=apps/docs/templates/handover/template.yaml,line=3,col=3,endLine=3,endColumn=17,title=loop-key-dot::Loop key "handover.areas" contains a dot: publishing fails.%0Ahint: Rename it to "areas".\n' +
        '::warning file=apps/docs/templates/x/fixtures/a b.json,line=1,col=5,title=fixture-stripped-key::Stripped, 100%25 sure: a,b\n',
    )
  })
})

describe('formatSarif', () => {
  it('is a SARIF 2.1.0 log with rules and results', () => {
    const log = JSON.parse(formatSarif(diagnostics, { rules: [{ id: 'loop-key-dot', description: 'Dotted loop keys.', severity: 'error' }], toolVersion: '0.1.0' }))
    expect(log.version).toBe('2.1.0')
    expect(log.$schema).toMatch(/sarif-2\.1\.0/)
    const run = log.runs[0]
    expect(run.tool.driver).toMatchObject({ name: 'galley', version: '0.1.0' })
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(['loop-key-dot', 'fixture-stripped-key'])
    expect(run.results[0]).toEqual({
      ruleId: 'loop-key-dot',
      ruleIndex: 0,
      level: 'error',
      message: { text: 'Loop key "handover.areas" contains a dot: publishing fails. Hint: Rename it to "areas".' },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'templates/handover/template.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 3, startColumn: 3, endLine: 3, endColumn: 17 } } }],
    })
    expect(run.results[1].level).toBe('warning')
    expect(run.results[1].locations[0].physicalLocation.artifactLocation.uri).toBe('templates/x/fixtures/a%20b.json')
  })
})

describe('formatJson', () => {
  it('is one document with a summary and the diagnostics', () => {
    const doc = JSON.parse(formatJson(diagnostics, { templates: 1, fixtures: 1, errors: 1, warnings: 1 }))
    expect(doc).toEqual({ version: 1, summary: { templates: 1, fixtures: 1, errors: 1, warnings: 1 }, diagnostics })
  })
})
