import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

/** Font names registered on every document. */
export const FONT_REGULAR = 'Galley-Sans'
export const FONT_BOLD = 'Galley-Sans-Bold'

export interface FontFiles {
  regular: Buffer
  bold: Buffer
}

let cached: FontFiles | undefined

/**
 * DejaVu Sans (Latin, Greek, Cyrillic and much more), read once from the `dejavu-fonts-ttf` package. Resolved with
 * `createRequire` from this module, so it works from `src` under vitest and from `dist` once built.
 */
export function loadFonts(): FontFiles {
  if (cached) return cached
  const require = createRequire(import.meta.url)
  const file = (name: string): Buffer => readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${name}`))
  cached = { regular: file('DejaVuSans.ttf'), bold: file('DejaVuSans-Bold.ttf') }
  return cached
}
