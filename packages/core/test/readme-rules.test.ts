import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { RULES, SOURCE_CODES } from '../src/index.ts'
// @ts-expect-error: a plain .mjs script of the repo (no types); it is what `pnpm readme:rules` runs.
import { README, rulesTable, withRulesTable } from '../../../scripts/readme-rules.mjs'

// The root README's lint rules table is generated from the registry; a rule added, removed or reworded without
// `pnpm readme:rules` fails here.
describe('the README lint rules table', () => {
  it('matches the rule registry', () => {
    const text = readFileSync(README as string, 'utf8')
    expect(text).toBe(withRulesTable(text, rulesTable(RULES, SOURCE_CODES)))
    for (const rule of RULES) expect(text).toContain(`| \`${rule.id}\` | ${rule.severity} |`)
  })
})
