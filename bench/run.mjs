#!/usr/bin/env node
// Runs every benchmark in bench/<name>/run.mjs one after the other (`pnpm bench`), or the ones named:
// `pnpm bench lint generate`. Each prints its own table with ratios against a baseline measured in the same run.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const wanted = process.argv.slice(2)
const names = readdirSync(here, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(here, e.name, 'run.mjs')))
  .map((e) => e.name)
  .filter((n) => wanted.length === 0 || wanted.includes(n))
  .sort()
let failed = 0
for (const name of names) {
  console.log(`\n=== bench/${name} ===`)
  const r = spawnSync(process.execPath, [join(here, name, 'run.mjs')], { stdio: 'inherit' })
  if (r.status !== 0) failed++
}
process.exitCode = failed ? 1 : 0
