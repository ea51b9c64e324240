import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { lintSources, loadConfig, loadTemplateSources, RULE_IDS } from '../../src/index.ts'
import { FIXTURES } from '../utils.ts'

// One folder per case under test/fixtures/lint: its templates (and galley.config.json for rule overrides), and
// expected/diagnostics.json with the exact rule id, severity, file and line:col of every finding.
// UPDATE_CORPUS=1 rewrites the expected files (review the diff before committing).
const CORPUS = join(FIXTURES, 'lint')
const cases = readdirSync(CORPUS).filter((c) => existsSync(join(CORPUS, c, 'templates'))).sort()

describe('lint corpus', () => {
  it('has a case for every rule', () => {
    for (const id of RULE_IDS) expect(cases, `no corpus folder for ${id}`).toContain(id)
  })

  it.each(cases)('%s', async (name) => {
    const dir = join(CORPUS, name)
    const config = await loadConfig({ cwd: dir })
    const sources = await loadTemplateSources({ root: dir, templatesDir: config.templates })
    const got = lintSources(sources, { rules: config.lint.rules }).map(({ code, severity, file, line, column }) => ({ code, severity, file, line, column }))
    const expectedFile = join(dir, 'expected', 'diagnostics.json')
    if (process.env.UPDATE_CORPUS === '1') {
      mkdirSync(join(dir, 'expected'), { recursive: true })
      writeFileSync(expectedFile, `${JSON.stringify(got, null, 2)}\n`)
    }
    const expected = JSON.parse(readFileSync(expectedFile, 'utf8'))
    expect(got).toEqual(expected)
    // A folder named after a rule must show that rule.
    if (RULE_IDS.includes(name)) expect(got.map((d) => d.code)).toContain(name)
    // Every finding is positioned (1-based) and messages say what happens and how to fix it.
    for (const d of lintSources(sources, { rules: config.lint.rules })) {
      expect(d.line).toBeGreaterThanOrEqual(1)
      expect(d.column).toBeGreaterThanOrEqual(1)
      expect(d.message.length).toBeGreaterThan(20)
      expect(d.hint?.length ?? 0).toBeGreaterThan(5)
    }
  })
})
