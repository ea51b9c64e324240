import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { GalleyError } from '@galley/core'

/**
 * A worker entry of the built package: `dist/<name>` beside the running `dist/index.mjs` (also when the package is
 * installed from a tarball: the path comes from this module's `import.meta.url`), or, when the emulator runs from
 * `src` (its own tests), the built one in the package's `dist`.
 */
export function workerFile(name: 'render-worker.mjs' | 'db-worker.mjs'): URL {
  const candidates = [new URL(`./${name}`, import.meta.url), new URL(`../dist/${name}`, import.meta.url)]
  for (const url of candidates) if (existsSync(fileURLToPath(url))) return url
  throw new GalleyError('emulator_worker_missing', `The emulator's ${name} is missing (looked for ${candidates.map((u) => fileURLToPath(u)).join(', ')})`, {
    hint: 'Build @galley/emulator (pnpm --filter @galley/emulator build).',
  })
}
