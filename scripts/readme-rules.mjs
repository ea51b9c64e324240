#!/usr/bin/env node
// The "Lint rules" table of the root README, generated from @galley/core's rule registry (RULES and
// SOURCE_CODES). `pnpm readme:rules` rewrites it between the markers; packages/core/test/readme-rules.test.ts
// fails when the README's table differs from what this prints.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

export const README = join(import.meta.dirname, '..', 'README.md')
const START = '<!-- rules:start -->'
const END = '<!-- rules:end -->'

/** The markdown table of `rules` (`{ id, severity, description }`) and the source codes that are not rules. */
export function rulesTable(rules, sourceCodes) {
  const cell = (s) => s.replaceAll('|', '\\|')
  const lines = ['| rule | default | catches |', '|---|---|---|']
  for (const r of rules) lines.push(`| \`${r.id}\` | ${r.severity} | ${cell(r.description)} |`)
  lines.push('', 'Problems reading a file are reported too, and cannot be turned off (nothing else can be checked in that file):', '')
  for (const [code, text] of Object.entries(sourceCodes)) lines.push(`- \`${code}\`: ${text}`)
  return lines.join('\n')
}

/** `text` with the section between the markers replaced by `table`. */
export function withRulesTable(text, table) {
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} section`)
  return `${text.slice(0, start + START.length)}\n${table}\n${text.slice(end)}`
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { RULES, SOURCE_CODES } = await import(pathToFileURL(join(import.meta.dirname, '..', 'packages/core/dist/index.mjs')).href)
  const before = readFileSync(README, 'utf8')
  const after = withRulesTable(before, rulesTable(RULES, SOURCE_CODES))
  if (after !== before) writeFileSync(README, after)
  console.log(after === before ? 'README.md: the rules table is up to date' : 'README.md: rewrote the rules table')
}
