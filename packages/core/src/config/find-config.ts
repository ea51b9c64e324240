/**
 * @module Where the config file is: its own entry (`@galley/core/find-config`, node built-ins only), so that a
 * caller can tell which config applies without loading the rest of core (the build plugin's up-to-date check).
 */
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/** File names looked for in each folder, in this order. */
export const CONFIG_FILES = ['galley.config.ts', 'galley.config.mts', 'galley.config.mjs', 'galley.config.js', 'galley.config.json'] as const

/** The config file in `cwd` or the nearest parent; stops after a folder holding `.git`, or at the root. */
export function findConfigFile(cwd: string): string | undefined {
  let dir = resolve(cwd)
  for (;;) {
    for (const name of CONFIG_FILES) {
      const candidate = join(dir, name)
      if (existsSync(candidate)) return candidate
    }
    if (existsSync(join(dir, '.git'))) return undefined
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}
