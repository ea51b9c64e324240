#!/usr/bin/env node
// Writes template.schema.json (shipped with the package, referenced by the templates' yaml-language-server
// modeline) from the built zod schema of template.yaml, so the editor schema and `galley lint` cannot disagree.
// Runs after tsdown in `pnpm build`; test/source/template-schema.test.ts fails when the committed file is stale.
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { templateJsonSchemaText } from '../dist/index.mjs'

const target = join(import.meta.dirname, '..', 'template.schema.json')
const text = templateJsonSchemaText()
let current = null
try {
  current = readFileSync(target, 'utf8')
} catch {}
if (current !== text) {
  writeFileSync(`${target}.tmp`, text)
  renameSync(`${target}.tmp`, target)
  console.log('wrote template.schema.json')
}
